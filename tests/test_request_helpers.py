"""A function whose first parameter is ``request`` that product code only calls directly is a helper,
not a Django function view, in a whole application (``index/called_only.py``,
``analysis/frameworks/request_helpers.py``)."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest

from tenantlint.index.called_only import called_only
from tenantlint.prepass import name_counts
from tests.small_project import flagged_lines


def _called_only(code: str) -> frozenset[str]:
    return called_only(dict(name_counts(ast.parse(textwrap.dedent(code)))))


def test_a_name_only_called_is_listed() -> None:
    assert "build_params" in _called_only("def home(request):\n    return build_params(request, 1)\n")


@pytest.mark.parametrize("code", [
    "urlpatterns = [path('', views.build_params)]",  # a route names it as a value
    "urlpatterns = [path('', build_params)]\nbuild_params(request, 1)",
    "urlpatterns = [path('', 'app.views.build_params')]\nbuild_params(request, 1)",  # a dotted path
    "handler = getattr(views, f'build_{kind}')\nbuild_params(request, 1)",  # a name built at run time
    "x = 1",  # never spelled
])
def test_a_name_used_otherwise_is_not_listed(code: str) -> None:
    assert "build_params" not in _called_only(code)


MODELS = """
from django.db import models


class Realm(models.Model):
    name = models.CharField(max_length=40)


class Stream(models.Model):
    realm = models.ForeignKey(Realm, on_delete=models.CASCADE)
"""
HELPER = """
from app.models import Stream


def build_params(request, realm):
    first = Stream.objects.filter(realm_id=realm.id).first()
    picked = Stream.objects.filter(id=request.GET["stream"]).first()
    return first, picked
"""
VIEWS = """
from app.helpers import build_params


def home(request):
    return build_params(request, realm=request.user.realm)
"""


def _flagged(tmp_path: Path, whole: bool, code: str, urls: str = "") -> list[int]:
    config = 'tenant_models = ["Realm"]\nglobal_tables = ["Realm"]\n' + (
        "whole_application = true\n" if whole else "")
    files = {"app/__init__.py": "", "app/models.py": MODELS, "app/helpers.py": HELPER, "app/views.py": VIEWS}
    if urls:
        files["app/urls.py"] = urls
    return flagged_lines(tmp_path, config, files, path="app/helpers.py", code=code)


def test_a_helper_called_by_a_view_gets_its_callers_realm(tmp_path: Path) -> None:
    assert _flagged(tmp_path, True, "TNT103") == []


def test_the_request_stays_the_request_in_the_helper(tmp_path: Path) -> None:
    assert _flagged(tmp_path, True, "TNT101") == [6]


def test_outside_a_whole_application_it_stays_a_view(tmp_path: Path) -> None:
    assert _flagged(tmp_path, False, "TNT103") == [5]


def test_a_routed_function_stays_a_view(tmp_path: Path) -> None:
    urls = ("from django.urls import path\nfrom app import helpers\n"
            "urlpatterns = [path('', helpers.build_params)]\n")
    assert _flagged(tmp_path, True, "TNT103", urls) == [5]
