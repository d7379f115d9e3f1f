"""A subquery's plain column pinned to the outer query's primary key (``analysis/orm/carried.py``).

``Board.objects.filter(entity_identifier=OuterRef("pk"))`` in an annotation of a scoped query reads
the boards of the outer rows: the correlation says the column holds their primary keys, whatever it
is named. Correlated by any other outer value (a name, a short code), it names rows of any tenant.
"""

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


class Project(models.Model):
    org = models.ForeignKey(Organization, on_delete=models.CASCADE)
    code = models.CharField(max_length=12)


class Board(models.Model):
    org = models.ForeignKey(Organization, on_delete=models.CASCADE)
    entity_name = models.CharField(max_length=30)
    entity_identifier = models.UUIDField(null=True)
    anchor = models.CharField(max_length=255)
"""


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    root: Path = tmp_path_factory.mktemp("outer_pk")
    (root / "tenantlint.toml").write_text('global_tables = ["Organization"]\n')
    (root / "app").mkdir()
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "models.py").write_text(MODELS)
    return make_settings(load_config(root))


def codes(settings: Settings, source: str) -> list[tuple[int, str]]:
    text = textwrap.dedent(source).lstrip("\n")
    return sorted((f.line, f.code) for f in analyze_text("app/views.py", text, settings).findings)


def test_plain_column_pinned_to_the_outer_primary_key_is_scoped(settings: Settings) -> None:
    source = """
    from django.db.models import OuterRef, Subquery
    from app.models import Board, Project

    def listing(org):
        by_pk = Board.objects.filter(entity_name="project", entity_identifier=OuterRef("pk"))
        by_id = Board.objects.filter(entity_identifier=OuterRef("id"))
        return Project.objects.filter(org=org).annotate(
            a=Subquery(by_pk.values("anchor")), b=Subquery(by_id.values("anchor")))
    """
    assert codes(settings, source) == []


def test_plain_column_pinned_to_another_outer_value_is_not(settings: Settings) -> None:
    source = """
    from django.db.models import OuterRef, Subquery
    from app.models import Board, Project

    def listing(org):
        by_code = Board.objects.filter(anchor=OuterRef("code"))
        by_org = Board.objects.filter(entity_identifier=OuterRef("org_id"))
        return Project.objects.filter(org=org).annotate(
            a=Subquery(by_code.values("anchor")), b=Subquery(by_org.values("anchor")))
    """
    assert codes(settings, source) == [(5, "TNT101"), (6, "TNT101")]


def test_the_outer_primary_key_outside_a_subquery_pins_nothing_new(settings: Settings) -> None:
    # A constant or a request value in the same column is no correlation.
    source = """
    from app.models import Board

    def listing(request):
        return list(Board.objects.filter(entity_identifier=request.GET["pk"]))
    """
    assert codes(settings, source) == [(4, "TNT101")]
