"""A tenant filter built by a one-expression helper method of the same class (Django side; the
Peewee side is the fixture app ``peewee_playlists``)."""

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
    name = models.CharField(max_length=100)
    public = models.BooleanField(default=False)
"""


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    root: Path = tmp_path_factory.mktemp("proj")
    (root / "tenantlint.toml").write_text('tenant_models = ["Organization"]\n')
    (root / "app").mkdir()
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "models.py").write_text(MODELS)
    return make_settings(load_config(root))


def codes(settings: Settings, source: str) -> list[tuple[int, str]]:
    result = analyze_text("app/services.py", textwrap.dedent(source).lstrip("\n"), settings, False)
    return sorted((f.line, f.code) for f in result.findings)


SOURCE = """
    from django.db.models import Q

    from app.models import Board


    class BoardService:
        @classmethod
        def _mine(cls, org_ids, org_id):
            \"\"\"Boards of the joined organisations, or of the user's own.\"\"\"
            return Q(org_id__in=org_ids) | Q(org_id=org_id)

        @classmethod
        def _shared(cls, org_id):
            return Q(org_id=org_id) | Q(public=True)

        @classmethod
        def _query(cls, org_id):
            return Board.objects.filter(org_id=org_id)

        @classmethod
        def visible(cls, org_ids, org_id):
            return list(Board.objects.filter(cls._mine(org_ids, org_id)))

        @classmethod
        def shared(cls, org_id):
            return list(Board.objects.filter(cls._shared(org_id)))

        @classmethod
        def not_a_filter(cls, org_id):
            return list(Board.objects.filter(name__in=cls._query(org_id)))
"""


def test_a_filter_built_by_a_helper_is_judged_where_it_is_used(settings: Settings) -> None:
    # visible: every alternative pins the tenant; shared: a public alternative weakens it (TNT105);
    # a helper that builds a query is no filter expression: an ordinary call, as before.
    assert codes(settings, SOURCE) == [(26, "TNT105"), (30, "TNT101")]
