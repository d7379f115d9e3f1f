"""Ids a helper returns for the row its caller passes (``analysis/interp/keyed_ids.py``) and dicts of
id sets (``analysis/interp/id_sets.py``): scoped ids beside a parameter's values are as good as the
argument passed for it; a ``defaultdict(set)`` filled only with scoped ids holds them in every entry.
The fixture app ``django_scoped_ids`` (``chat/access.py``) holds the idioms as projects write them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tenantlint.analysis.facts import Provenance
from tenantlint.analysis.interp.id_sets import id_sets_kind
from tenantlint.analysis.interp.keyed_ids import keyed_ids_kind
from tenantlint.analysis.interp.values import IdSets, Value
from tenantlint.analysis.settings import Settings
from tests.board_views import board_settings
from tests.board_views import flagged as view_flagged
from tests.small_project import flagged_lines


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return board_settings(tmp_path_factory.mktemp("proj"))


def flagged(settings: Settings, body: str) -> bool:
    return view_flagged(settings, body, "request, extra")


SCOPED = ("from collections import defaultdict\n"
          "rows = Board.objects.filter(org=request.user.org).values('name', 'id')\n")
FILLED = SCOPED + "d = defaultdict(set)\nfor row in rows:\n    d[row['name']].add(row['id'])\n"


@pytest.mark.parametrize("body", [
    FILLED + "return Board.objects.filter(id__in=d[extra])",
    FILLED + "return Board.objects.filter(id__in=d.get(extra))",
    SCOPED + "d = defaultdict(set)\nfor row in rows:\n    d[row['name']] |= {row['id']}\n"
    "return Board.objects.filter(id__in=d[extra])",
    SCOPED + "d = defaultdict(list)\nfor row in rows:\n    d[row['name']] = [row['id']]\n"
    "return Board.objects.filter(id__in=d[request.GET['name']])",
    FILLED + "d[extra] -= set(request.GET.getlist('ids'))\nreturn Board.objects.filter(id__in=d[extra])",
])
def test_entries_scoped(settings: Settings, body: str) -> None:
    assert not flagged(settings, body)


@pytest.mark.parametrize("body", [
    FILLED + "d[extra].add(request.GET['id'])\nreturn Board.objects.filter(id__in=d[extra])",
    FILLED + "d['x'] |= set(request.GET.getlist('ids'))\nreturn Board.objects.filter(id__in=d[extra])",
    FILLED + "d[extra] = {1, 2}\nreturn Board.objects.filter(id__in=d[extra])",
    FILLED + "d.update(extra)\nreturn Board.objects.filter(id__in=d[extra])",
    FILLED + "if extra:\n    d = {}\nreturn Board.objects.filter(id__in=d[extra])",
    "from collections import defaultdict\nd = defaultdict(set)\n"
    "for row in Board.objects.values('name', 'id'):\n    d[row['name']].add(row['id'])\n"
    "return Board.objects.filter(id__in=d[extra])",
])
def test_entries_not_scoped(settings: Settings, body: str) -> None:
    assert flagged(settings, body)


PARAM = Value(Provenance.unknown("parameter target"))
OTHER = Value(Provenance.unknown("parameter other"))
SCOPED_IDS = Value(Provenance.trusted("row of app_board"), scoped_row_of="app_board")


def test_keyed_ids_kind() -> None:
    beside = Value(PARAM.prov, beside_scoped="app_board")
    assert keyed_ids_kind([beside, SCOPED_IDS], ("target",)) == "keyedids:0:target:app_board"
    assert keyed_ids_kind([PARAM], ("self", "target")) == "keyedids:0:target:"
    assert keyed_ids_kind([PARAM, OTHER], ("target", "other")) == ""  # two parameters
    assert keyed_ids_kind([SCOPED_IDS], ("target",)) == ""  # scoped ids alone: ``rows:``/``row:``
    assert keyed_ids_kind([PARAM, Value(Provenance.untrusted("request.GET"))], ("target",)) == ""
    assert keyed_ids_kind([PARAM, Value()], ("target",)) == ""  # ids of unknown origin


def test_id_sets_kind() -> None:
    assert id_sets_kind([IdSets(held=SCOPED_IDS)], ("realm",)) == "idsets:app_board"
    assert id_sets_kind([IdSets(held=PARAM)], ("target",)) == "keyedidsets:0:target:"
    assert id_sets_kind([IdSets(held=SCOPED_IDS), IdSets()], ("realm",)) == "idsets:app_board"
    assert id_sets_kind([IdSets(held=SCOPED_IDS), Value()], ("realm",)) == ""
    assert id_sets_kind([IdSets(held=PARAM), IdSets(held=OTHER)], ("target", "other")) == ""


CONFIG = 'tenant_models = ["Organization"]\n'
MODELS = """
from django.db import models


class Organization(models.Model):
    name = models.CharField(max_length=100)


class Member(models.Model):
    org = models.ForeignKey(Organization, on_delete=models.CASCADE)
    is_admin = models.BooleanField()
"""
HELPERS = """
from app.models import Member


def org_member_ids(org_id):
    return list(Member.objects.filter(org_id=org_id).values_list("id", flat=True))


def watchers(member):
    admins = Member.objects.filter(org=member.org, is_admin=True).values_list("id", flat=True)
    return list({member.id} | set(admins))


def colleagues(member):
    if member.is_admin:
        return org_member_ids(member.org_id)
    return list(org_member_ids(member.org_id)) + [member.id]
"""
VIEWS = """
from app.helpers import colleagues, watchers
from app.models import Member


def notify(request):
    a = list(Member.objects.filter(id__in=watchers(request.user.member)))
    b = list(Member.objects.filter(id__in=colleagues(request.user.member)))
    member = Member.objects.filter(is_admin=True).first()
    c = list(Member.objects.filter(id__in=watchers(member)))
    asked = set(watchers(request.user.member)) | set(request.GET.getlist("ids"))
    d = list(Member.objects.filter(id__in=asked))
    return a + b + c + d
"""


def test_helper_ids_follow_the_argument(tmp_path: Path) -> None:
    lines = flagged_lines(tmp_path, CONFIG, {"app/__init__.py": "", "app/models.py": MODELS,
                                             "app/helpers.py": HELPERS, "app/views.py": VIEWS})
    assert lines == [8, 9, 11]  # a row of any tenant, and its watchers; a union with request ids
