"""Plain id columns holding the primary keys of rows that carry their tenant (Django side; the
Peewee side is the fixture app ``peewee_playlists``), and model table names spliced into raw SQL."""

from __future__ import annotations

import textwrap
from pathlib import Path

import libcst as cst
import pytest

from tenantlint.analysis.engine import analyze_text
from tenantlint.analysis.rawsql.model_tables import model_of_table_name
from tenantlint.analysis.settings import Settings
from tenantlint.api import load_config, make_settings

MODELS = """
from django.db import models


class Organization(models.Model):
    name = models.CharField(max_length=100)


class Board(models.Model):
    org = models.ForeignKey(Organization, on_delete=models.CASCADE)
    name = models.CharField(max_length=100)


class Card(models.Model):
    org = models.ForeignKey(Organization, null=True, on_delete=models.CASCADE)
    board_id = models.IntegerField()
    title = models.CharField(max_length=100)
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


def test_ids_of_scoped_rows_confine_a_plain_id_column(settings: Settings) -> None:
    source = """
        from app.models import Board, Card

        def cards(org_id):
            boards = list(Board.objects.filter(org_id=org_id))
            return list(Card.objects.filter(board_id__in=[b.id for b in boards]))

        def cards_of(org_id, board_id):
            board = Board.objects.filter(pk=board_id, org_id=org_id).first()
            if board is None:
                return []
            return list(Card.objects.filter(board_id=board_id))
    """
    assert codes(settings, source) == []


def test_other_values_of_scoped_rows_confine_nothing(settings: Settings) -> None:
    source = """
        from app.models import Board, Card

        def by_title(org_id):
            boards = list(Board.objects.filter(org_id=org_id))
            return list(Card.objects.filter(title__in=[b.name for b in boards]))

        def unchecked(org_id, board_id):
            board = Board.objects.filter(pk=board_id, org_id=org_id).first()
            return board, list(Card.objects.filter(board_id=board_id))
    """
    assert codes(settings, source) == [(5, "TNT101"), (9, "TNT101")]


def test_a_loop_variable_named_g_is_not_flasks_g(settings: Settings) -> None:
    source = """
        import json

        from app.models import Card

        def move(request):
            for g in json.loads(request.body):
                Card.objects.filter(org_id=g.org).update(title="x")
            return [c.title for c in Card.objects.filter(org_id__in=[g.org for g in request.POST])]
    """
    assert codes(settings, source) == [(7, "TNT103"), (7, "TNT201"), (8, "TNT103"), (8, "TNT201")]


@pytest.mark.parametrize(("expr", "model"), [
    ("cls.model._meta.table_name", "cls.model"),
    ("Card._meta.db_table", "Card"),
    ("Card.__tablename__", "Card"),
    ("self.model.__table__.name", "self.model"),
    ("Card._meta.name", None),
    ("table", None),
])
def test_table_name_metadata(expr: str, model: str | None) -> None:
    found = model_of_table_name(cst.parse_expression(expr))
    assert (cst.Module([]).code_for_node(found) if found is not None else None) == model
