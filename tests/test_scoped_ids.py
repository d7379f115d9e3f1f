"""Scoped ids through ordinary data handling (``analysis/interp/scoped_ids.py``): what keeps ids of
rows that carry their tenant scoped, and what does not (the fixture apps ``django_scoped_ids`` and
``flask_user_group_ids`` hold the idioms as projects write them)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from tenantlint.analysis.engine import analyze_text
from tenantlint.analysis.settings import Settings
from tenantlint.api import load_config, make_settings

MODELS = """
from django.db import models


class Organization(models.Model):
    name = models.CharField(max_length=100)


class Board(models.Model):
    org = models.ForeignKey(Organization, on_delete=models.CASCADE)
    slug = models.CharField(max_length=100, unique=True)
    name = models.CharField(max_length=100)
"""


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    root: Path = tmp_path_factory.mktemp("proj")
    (root / "tenantlint.toml").write_text('tenant_models = ["Organization"]\n')
    (root / "app").mkdir()
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "models.py").write_text(MODELS)
    return make_settings(load_config(root))


def flagged(settings: Settings, body: str) -> bool:
    """Whether the last statement of ``f(request)`` (a view) is reported."""
    source = "from app.models import Board\n\n\ndef f(request):\n" + textwrap.indent(
        textwrap.dedent(body).strip("\n"), "    ") + "\n"
    result = analyze_text("app/views.py", source, settings, False)
    last = len(source.splitlines())
    return any(f.line == last and f.code in ("TNT101", "TNT102") for f in result.findings)


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
