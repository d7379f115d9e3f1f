"""A row re-read by its own id (``analysis/interp/own_id.py``): judged where it was fetched."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from tenantlint.analysis.engine import analyze_text
from tenantlint.analysis.facts import Provenance, QueryKind, Scoping
from tenantlint.analysis.interp.own_id import DETAIL, for_use, own_id_pin
from tenantlint.analysis.interp.predicates import Leaf
from tenantlint.analysis.interp.values import Pin, QueryState, Value
from tenantlint.analysis.settings import Settings
from tenantlint.api import load_config, make_settings

MODELS = """
from django.db import models


class Realm(models.Model):
    name = models.CharField(max_length=40)


class ImageAttachment(models.Model):
    realm = models.ForeignKey(Realm, on_delete=models.CASCADE)
    path_id = models.TextField(unique=True)


class Attachment(models.Model):
    realm = models.ForeignKey(Realm, on_delete=models.CASCADE)
    path_id = models.TextField(unique=True)
"""


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    root: Path = tmp_path_factory.mktemp("proj")
    (root / "tenantlint.toml").write_text('tenant_models = ["Realm"]\ntenant_columns = ["realm_id"]\n')
    (root / "app").mkdir()
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "models.py").write_text(MODELS)
    return make_settings(load_config(root))


def findings(settings: Settings, body: str) -> set[tuple[int, str]]:
    source = "from app.models import *\n\n\ndef serve(request, path_id):\n" + textwrap.indent(
        textwrap.dedent(body), "    ")
    result = analyze_text("app/views.py", source, settings, False)
    return {(f.line - 4, f.code) for f in result.findings if f.code.startswith("TNT10")}


def test_a_lock_by_the_rows_own_id_is_judged_at_its_fetch(settings: Settings) -> None:
    found = findings(settings, """
        image = ImageAttachment.objects.get(path_id=path_id)
        locked = ImageAttachment.objects.select_for_update().get(id=image.id)
        return locked.path_id
    """)
    assert found == {(2, "TNT101")}


def test_pk_spelling_and_filter_first(settings: Settings) -> None:
    found = findings(settings, """
        image = ImageAttachment.objects.get(path_id=path_id)
        return ImageAttachment.objects.filter(pk=image.pk).first()
    """)
    assert found == {(2, "TNT101")}


def test_another_tables_row_by_that_number_is_reported(settings: Settings) -> None:
    found = findings(settings, """
        image = ImageAttachment.objects.get(path_id=path_id)
        return Attachment.objects.get(id=image.id)
    """)
    assert found == {(2, "TNT101"), (3, "TNT101")}


def test_a_write_keyed_by_the_rows_own_id_is_reported(settings: Settings) -> None:
    found = findings(settings, """
        image = ImageAttachment.objects.get(path_id=path_id)
        ImageAttachment.objects.filter(id=image.id).delete()
    """)
    assert found == {(2, "TNT101"), (3, "TNT102")}


def test_pin_only_for_the_rows_own_table() -> None:
    leaf = Leaf("id", Value(), None, "eq", "app_imageattachment")
    assert own_id_pin(leaf, "app_attachment") is None
    pin = own_id_pin(leaf, "APP_ImageAttachment")
    assert pin is not None and pin.how is Scoping.SCOPED_PARENT
    assert own_id_pin(Leaf("id", Value()), "app_imageattachment") is None


def test_writes_drop_the_pin() -> None:
    kept = Pin(Provenance.trusted("request.user.realm"), Scoping.TRUSTED_FILTER, "filter realm")
    own = Pin(Provenance.trusted("own"), Scoping.SCOPED_PARENT, f"{DETAIL}: x")
    state = QueryState((kept, own))
    assert for_use(QueryKind.READ, state) is state
    assert for_use(QueryKind.WRITE, state).pins == (kept,)
