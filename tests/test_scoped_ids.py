"""Scoped ids through ordinary data handling (``analysis/interp/scoped_ids.py``): what keeps ids of
rows that carry their tenant scoped, and what does not (the fixture apps ``django_scoped_ids`` and
``flask_user_group_ids`` hold the idioms as projects write them)."""

from __future__ import annotations

import pytest

from tenantlint.analysis.settings import Settings
from tests.board_views import board_settings, flagged


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return board_settings(tmp_path_factory.mktemp("proj"))


SCOPED = 'mine = {b.id for b in Board.objects.filter(org=request.user.org)}\n'
ASKED = 'asked = set(request.GET.getlist("ids"))\n'


@pytest.mark.parametrize("body", [
    SCOPED + ASKED + "return Board.objects.filter(id__in=mine - asked)",
    SCOPED + ASKED + "return Board.objects.filter(id__in=asked & mine)",
    SCOPED + ASKED + "return Board.objects.filter(id__in=mine.difference(asked))",
    SCOPED + ASKED + "return Board.objects.filter(id__in=asked.intersection(mine))",
    SCOPED + "return Board.objects.filter(id__in=sorted(mine | mine))",
    SCOPED + "return Board.objects.filter(id__in=list(mine) + [])",
    SCOPED + "keep = mine.copy()\nkeep -= {1}\nreturn Board.objects.filter(id__in=keep)",
    SCOPED + "ids = []\nfor i in mine:\n    ids.append(str(i))\nreturn Board.objects.filter(id__in=ids)",
    SCOPED + "ids = set()\nids.update(mine)\nreturn Board.objects.filter(id__in=tuple(ids))",
    SCOPED + "first, *_ = sorted(mine)\nreturn Board.objects.filter(id__in=[i for i in mine])",
    'slugs = {b.slug for b in Board.objects.filter(org=request.user.org)}\n'
    'return Board.objects.filter(slug__in=slugs - {"x"})',
])
def test_kept_scoped(settings: Settings, body: str) -> None:
    assert not flagged(settings, body)


@pytest.mark.parametrize("body", [
    SCOPED + ASKED + "return Board.objects.filter(id__in=asked - mine)",
    SCOPED + ASKED + "return Board.objects.filter(id__in=mine | asked)",
    SCOPED + ASKED + "return Board.objects.filter(id__in=mine.union(asked))",
    SCOPED + ASKED + "keep = set(mine)\nkeep |= asked\nreturn Board.objects.filter(id__in=keep)",
    SCOPED + "ids = list(mine)\nids.append(request.GET['id'])\nreturn Board.objects.filter(id__in=ids)",
    SCOPED + "ids = []\nids.append(7)\nids.extend(mine)\nreturn Board.objects.filter(id__in=ids)",
    SCOPED + "return Board.objects.filter(id=max(mine) + 1)",
    'names = {b.name for b in Board.objects.filter(org=request.user.org)}\n'
    'return Board.objects.filter(name__in=names)',
    'names = {b.name for b in Board.objects.filter(org=request.user.org)}\n'
    'return Board.objects.filter(slug__in=names)',
])
def test_not_scoped(settings: Settings, body: str) -> None:
    assert flagged(settings, body)
