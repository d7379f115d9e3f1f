"""A query builder whose callers narrow it with keys from their own parameters
(``analysis/summaries.py``, ``_caller_keyed``): the builder's query became each caller's id-keyed
query, judged across functions there, so the builder itself is not reported."""

from __future__ import annotations

from pathlib import Path

from tests.small_project import flagged_lines

CONFIG = 'tenant_models = ["Org"]\nglobal_tables = ["Org"]\n'

MODELS = """
from django.db import models


class Org(models.Model):
    name = models.CharField(max_length=40)


class Member(models.Model):
    org = models.ForeignKey(Org, on_delete=models.CASCADE)


class Flag(models.Model):
    member = models.ForeignKey(Member, on_delete=models.CASCADE)
    message_id = models.IntegerField()

    @staticmethod
    def locked():
        return Flag.objects.select_for_update().order_by("message_id")
"""

HELPERS = """
from .models import Flag


def clear(member_id, ids):
    Flag.locked().filter(member_id=member_id, message_id__in=ids).update(message_id=0)
"""


def _views(member: str) -> str:
    return f"""
from .helpers import clear


def clear_view(request, ids):
    clear({member}, ids)
"""


def test_builder_narrowed_by_a_keyed_helper_is_not_reported(tmp_path: Path) -> None:
    files = {"app/models.py": MODELS, "app/helpers.py": HELPERS, "app/views.py": _views("request.user.id")}
    assert flagged_lines(tmp_path, CONFIG, files, "app/models.py") == []
    assert flagged_lines(tmp_path, CONFIG, files, "app/helpers.py", "TNT102") == []


def test_request_input_into_the_helper_is_reported_at_the_call(tmp_path: Path) -> None:
    files = {"app/models.py": MODELS, "app/helpers.py": HELPERS,
             "app/views.py": _views("request.GET['member']")}
    assert flagged_lines(tmp_path, CONFIG, files, "app/models.py") == []
    assert flagged_lines(tmp_path, CONFIG, files, "app/views.py", "TNT102") == [5]


def test_a_helper_with_an_open_caller_set_keeps_the_query_reported_there(tmp_path: Path) -> None:
    files = {"app/models.py": MODELS, "app/helpers.py": HELPERS,
             "app/views.py": "from . import helpers\n\nACTIONS = {'clear': helpers.clear}\n"}
    assert flagged_lines(tmp_path, CONFIG, files, "app/models.py") == []
    assert flagged_lines(tmp_path, CONFIG, files, "app/helpers.py", "TNT102") == [5]


def test_a_handler_narrowing_with_request_input_keeps_the_builder_reported(tmp_path: Path) -> None:
    views = """
from .models import Flag


def clear_view(request, member_id):
    Flag.locked().filter(member_id=member_id).update(message_id=0)
"""
    files = {"app/models.py": MODELS, "app/views.py": views}
    assert flagged_lines(tmp_path, CONFIG, files, "app/models.py") == [18]
    assert flagged_lines(tmp_path, CONFIG, files, "app/views.py", "TNT102") == [5]
