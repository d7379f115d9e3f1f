"""Values a helper decodes from its parameters stay those parameters' values (docs/concepts.md,
"Scoped ids through ordinary data handling"): the JSON libraries' codecs and a parameter dict's views
(``interp/call_eval.py``: ``JSON_CODECS``, ``DICT_VIEWS``)."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

from tenantlint.analysis.interp.call_eval import CONVERTERS, DICT_VIEWS, JSON_CODECS
from tenantlint.api import check_paths, load_config

MODELS = """
from django.db import models


class Organization(models.Model):
    name = models.CharField(max_length=100)


class Field(models.Model):
    org = models.ForeignKey(Organization, on_delete=models.CASCADE)
    field_data = models.TextField()


class Value(models.Model):
    field = models.ForeignKey(Field, on_delete=models.CASCADE)
    value = models.TextField()
"""


def findings(tmp_path: Path, helpers: str, views: str) -> list[tuple[str, int, str]]:
    (tmp_path / "tenantlint.toml").write_text('global_tables = ["Organization"]\n')
    app = tmp_path / "app"
    app.mkdir()
    (app / "__init__.py").write_text("")
    (app / "models.py").write_text(MODELS)
    (app / "helpers.py").write_text(textwrap.dedent(helpers).lstrip("\n"))
    (app / "views.py").write_text(textwrap.dedent(views).lstrip("\n"))
    old = Path.cwd()
    os.chdir(tmp_path)
    try:
        result = check_paths([Path(".")], load_config(tmp_path))
    finally:
        os.chdir(old)
    return sorted((f.path, f.line, f.code) for f in result.findings)


def test_every_json_library_codec_converts() -> None:
    for lib in ("json", "orjson", "ujson", "simplejson"):
        assert {f"{lib}.loads", f"{lib}.dumps"} <= JSON_CODECS <= CONVERTERS
    assert DICT_VIEWS == {"keys", "items"}


HELPERS = """
import orjson

from app.models import Value


def remove_values(field, field_data):
    removed = set(orjson.loads(field.field_data).keys()) - set(field_data.keys())
    Value.objects.filter(field=field, value__in=removed).delete()


def remove_listed(payload):
    ids = {int(k) for k, _ in orjson.loads(payload).items()}
    Value.objects.filter(id__in=ids).delete()
"""


def test_values_decoded_from_a_row_parameter_key_the_helper_by_that_row(tmp_path: Path) -> None:
    assert findings(tmp_path, HELPERS, """
        import orjson

        from app.helpers import remove_listed, remove_values
        from app.models import Field


        def update(request):
            field = Field.objects.get(pk=request.GET["id"], org=request.user.org)
            remove_values(field, orjson.loads(request.body))
            remove_listed(field.field_data)
        """) == []


@pytest.mark.parametrize("decode", ["orjson.loads(request.body)", "ujson.loads(request.body)"])
def test_request_input_decoded_into_a_key_is_reported_at_the_call(tmp_path: Path, decode: str) -> None:
    listed = """
        from app.models import Value


        def remove_listed(payload):
            ids = {int(k) for k, _ in payload.items()}
            Value.objects.filter(id__in=ids).delete()
        """
    assert findings(tmp_path, listed, f"""
        import orjson
        import ujson

        from app.helpers import remove_listed


        def purge(request):
            remove_listed({decode})
        """) == [("app/views.py", 8, "TNT102")]


def test_what_a_function_passed_in_returns_is_no_value_of_that_parameter(tmp_path: Path) -> None:
    # ``lookup()`` is the caller's code, not a decoding of a parameter: its keys key nothing, and the
    # query keyed by them alone is reported where it is.
    assert findings(tmp_path, """
        from app.models import Value


        def remove_looked_up(lookup):
            wanted = set(lookup().keys())
            Value.objects.filter(id__in=wanted).delete()
        """, """
        from app.helpers import remove_looked_up


        def update(request):
            remove_looked_up(dict)
        """) == [("app/helpers.py", 6, "TNT102")]
