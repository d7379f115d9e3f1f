"""The text prefilter: which files must be analysed, which may be skipped, and that a skipped file
never has a finding."""

from __future__ import annotations

import ast
import textwrap
from dataclasses import replace
from pathlib import Path

import pytest

from tenantlint.analysis.settings import Settings
from tenantlint.api import check_source, load_config, make_settings
from tenantlint.prefilter import Prefilter
from tenantlint.prepass import may_define_constants, scan_text

MODELS = """
from django.db import models


class Organization(models.Model):
    name = models.CharField(max_length=100)


class Invoice(models.Model):
    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="bills")
    number = models.CharField(max_length=10)
"""

SERIALIZERS = """
from rest_framework import serializers
from billing.models import Invoice


class BillSerializer(serializers.ModelSerializer):
    class Meta:
        model = Invoice
        fields = ["number"]
"""

QUERIES = '''
OPEN_BILLS = "SELECT * FROM billing_invoice WHERE number = %s"
'''

MUST_PASS = {
    "orm": "from billing.models import Invoice\n\ndef f():\n    return Invoice.objects.all()\n",
    "related": "def f(org):\n    return org.bills.all()\n",
    "default_accessor": "def f(org):\n    return org.invoice_set.all()\n",
    "serializer": ("from rest_framework import viewsets\nfrom billing.serializers import BillSerializer\n\n"
                   "class V(viewsets.GenericViewSet):\n    serializer_class = BillSerializer\n\n"
                   "    def perform_create(self, serializer):\n        serializer.save()\n"),
    "raw_sql": ("from django.db import connection\n\ndef f(n):\n    with connection.cursor() as c:\n"
                "        c.execute('SELECT * FROM billing_invoice WHERE number = %s', [n])\n"),
    "sql_constant": ("from django.db import connection\nfrom billing.queries import OPEN_BILLS\n\n"
                     "def f(n):\n    connection.cursor().execute(OPEN_BILLS, [n])\n"),
    "escaped_sql": ("from django.db import connection\n\ndef f(n):\n"
                    "    connection.cursor().execute('\\nMERGE INTO ledger USING x ON y')\n"),
    "tenant_key": "def view(request):\n    return request.POST['org_id']\n",
    "header_key": "def view(request):\n    return request.headers['X-Org-Id']\n",
    "noqa": "x = 1  # noqa: TNT101\n",
    "tenantlint": "x = 1  # tenantlint: ignore[TNT101] because\n",
    "body_model_field": "def h(payload):\n    return payload.org_id\n",
    "handler_parameter": "@router.get('/x')\ndef h(orgId: int):\n    return orgId\n",
    "getter_key": "def view(request):\n    return request.GET.get('tenant')\n",
    "alias_key": "def h(o: int = Query(alias='organization_id')):\n    return o\n",
    "imported_param_alias": "from deps import OrgParam\n\ndef h(o: OrgParam):\n    return o\n",
    "batch_sink": ("from psycopg2.extras import execute_values as ev\n\ndef f(c, rows):\n"
                   "    ev(c, 'INSERT INTO ledger (a) VALUES %s', rows)\n"),
}

MAY_SKIP = {
    "plain": "import os\n\ndef f(path):\n    with open(path) as fh:\n        return fh.read()\n",
    "sql_word_no_sink": "def f(items):\n    return [i for i in items if i.selected]  # select update\n",
    "sink_no_sql": "def f(cursor):\n    cursor.execute(build())\n",
    "model_substring": "class InvoiceHelper:\n    def total(self):\n        return 1\n",
    # Second stage: the word is in the text but not where the analysis could use it.
    "model_in_strings": ("from django.db import migrations\n\nclass Migration(migrations.Migration):\n"
                         "    operations = [migrations.CreateModel(name='Invoice', fields=[\n"
                         "        ('org', models.ForeignKey(to='billing.organization'))])]\n"),
    "model_in_comment": "def f(x):\n    return x  # see Invoice and org.bills\n",
    "key_in_tuple": "class A:\n    list_display = ('id', 'org_id', 'name')\n",
    "key_in_template": "CACHE_KEY = 'billing:{org_id}:{pk}'\n",
    "key_as_variable": "def handle(slug):\n    org = load(slug)\n    return org\n",
    "sink_word_in_string": "def f(c):\n    c.run('execute the SELECT later')\n",
    # a bare noqa and other tools' codes are never reported (TNT902 is for our codes only)
    "other_tools_noqa": "import os  # noqa: F401\nx = 1  # noqa\n",
}


def _project(tmp_path: Path) -> Settings:
    (tmp_path / "tenantlint.toml").write_text('tenant_models = ["Organization"]\n')
    pkg = tmp_path / "billing"
    pkg.mkdir()
    for name, text in (("models", MODELS), ("serializers", SERIALIZERS), ("queries", QUERIES)):
        (pkg / f"{name}.py").write_text(textwrap.dedent(text))
    return make_settings(load_config(tmp_path))


@pytest.fixture()
def settings(tmp_path: Path) -> Settings:
    return _project(tmp_path)


def _prefilter(settings: Settings) -> Prefilter:
    aliases = ["deps.OrgParam"]  # as if deps.py defined ``OrgParam = Annotated[int, Query(alias=...)]``
    facts = replace(settings.facts, param_aliases=dict.fromkeys(aliases, ""))
    return Prefilter.build(settings.index, settings.config, settings.related, facts)


def _may(pf: Prefilter, text: str) -> bool:
    """Both stages, as the runner calls it."""
    return pf.may_matter(text, ast.parse(text))


@pytest.mark.parametrize("name", sorted(MUST_PASS))
def test_files_that_could_report_are_analysed(settings: Settings, name: str) -> None:
    assert _prefilter(settings).may_matter(MUST_PASS[name])
    assert _may(_prefilter(settings), MUST_PASS[name])


@pytest.mark.parametrize("name", sorted(MAY_SKIP))
def test_files_that_cannot_report_are_skipped(settings: Settings, name: str) -> None:
    text = MAY_SKIP[name]
    assert not _may(_prefilter(settings), text)
    assert check_source(text, "app/x.py", settings.config, settings).findings == []


def test_sql_keyword_after_an_escape_still_counts(settings: Settings) -> None:
    pf = _prefilter(settings)
    assert _may(pf, "def f(c):\n    c.execute('\\tSELECT 1 FROM ledger')\n")
    assert not _may(pf, "def f(c):\n    c.execute(build('selection'))\n")


def test_first_stage_alone_is_a_superset(settings: Settings) -> None:
    """Without a tree only the text stage runs: everything the second stage skips for a word in a
    string or comment still passes it."""
    pf = _prefilter(settings)
    for name in ("model_in_strings", "model_in_comment", "key_in_tuple", "key_in_template"):
        assert pf.may_matter(MAY_SKIP[name])


def test_prefilter_tokens(settings: Settings) -> None:
    pf = _prefilter(settings)
    assert {"Invoice", "invoice", "invoice_set", "bills", "BillSerializer"} <= pf.tokens
    assert "OPEN_BILLS" in pf.constants
    assert "org-id" in pf.tenant_keys


def test_a_skip_never_loses_a_finding(settings: Settings) -> None:
    """Over every sample, skipped or not: a file the prefilter skips has no findings, and a file
    with findings is never skipped. Both verdicts occur, so the assertions cannot pass vacuously."""
    pf = _prefilter(settings)
    verdicts = {"skipped": 0, "analysed with findings": 0}
    for text in (*MUST_PASS.values(), *MAY_SKIP.values()):
        found = check_source(text, "app/x.py", settings.config, settings).findings
        if not _may(pf, text):
            verdicts["skipped"] += 1
            assert found == [], text
        elif found:
            verdicts["analysed with findings"] += 1
    assert all(verdicts.values()), verdicts


def test_may_define_constants() -> None:
    import ast

    assert may_define_constants(ast.parse("X = 'select 1'\n"))
    assert may_define_constants(ast.parse("class Q:\n    A: str = f'{B} where x'\n"))
    assert may_define_constants(ast.parse("X = ('a, '\n     'b FROM c')\n"))
    assert not may_define_constants(ast.parse("app_name = 'billing'\nwith x:\n    pass\n"))
    assert not may_define_constants(ast.parse("X = f'{B} x'\n"))
    assert not may_define_constants(ast.parse("X = 1\ndef f():\n    y = 'select 1'\n"))
    assert not may_define_constants(ast.parse("with x:\n    pass\n"))


def test_scan_text_collects_each_kind_once() -> None:
    from tenantlint.config.options import Config

    cfg = Config()
    scan = scan_text("billing/serializers.py", textwrap.dedent(SERIALIZERS), cfg)
    assert scan.facts.serializer_models == {"BillSerializer": "Invoice"}
    scan = scan_text("billing/queries.py", textwrap.dedent(QUERIES), cfg)
    assert scan.facts.sql_constants == {"billing.queries.OPEN_BILLS":
                                        "SELECT * FROM billing_invoice WHERE number = %s"}
    assert scan_text("x.py", "def f(:\n", cfg).models == ()


def test_no_tenant_table_no_identifier_counts(tmp_path: Path) -> None:
    """In a project where no tenant table was found (no configuration, nothing discovered), naming a
    model, an accessor or a serializer cannot lead to one: only what the rules without a tenant
    table read still makes a file analysed (tenant keys, SQL at a sink, our suppression comments,
    imported key aliases). Every file skipped has no findings, whatever the verdict."""
    (tmp_path / "tenantlint.toml").write_text("discover = false\n")
    pkg = tmp_path / "billing"
    pkg.mkdir()
    for name, text in (("models", MODELS), ("serializers", SERIALIZERS), ("queries", QUERIES)):
        (pkg / f"{name}.py").write_text(textwrap.dedent(text))
    bare = make_settings(load_config(tmp_path))
    assert not bare.index.tables
    pf = _prefilter(bare)
    skipped = {"orm", "serializer"}  # the accessor samples name a tenant key (``def f(org)``)
    for name, text in MUST_PASS.items():
        assert _may(pf, text) is (name not in skipped), name
        if name in skipped:
            assert check_source(text, "app/x.py", bare.config, bare).findings == [], name


def test_files_the_prepass_parsed_are_skipped_without_a_second_parse(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file whose bytes the pre-pass parsed without error, and that the prefilter's first stage
    (its text) skips, is skipped without CPython parsing it again; a file with a syntax error is
    still parsed and reported (TNT999), and a file that may matter is analysed as before."""
    from tenantlint.analysis.source import parse as parse_module
    from tenantlint.api import check_paths

    (tmp_path / "tenantlint.toml").write_text('tenant_models = ["Organization"]\n')
    pkg = tmp_path / "billing"
    pkg.mkdir()
    (pkg / "models.py").write_text(textwrap.dedent(MODELS))
    (pkg / "plain.py").write_text(MAY_SKIP["plain"])
    (pkg / "broken.py").write_text("def f(:\n")
    (pkg / "views.py").write_text(MUST_PASS["orm"])
    parsed: list[str] = []
    real = parse_module.guarded_ast

    def counting(text: str) -> ast.Module | None:
        parsed.append(text)
        return real(text)

    config = load_config(tmp_path)
    result = check_paths([tmp_path], config)  # the pre-pass parses every file first
    monkeypatch.setattr(parse_module, "guarded_ast", counting)
    again = check_paths([tmp_path], config)
    assert [(f.path.rsplit("/", 1)[-1], f.code) for f in again.findings] == \
        [(f.path.rsplit("/", 1)[-1], f.code) for f in result.findings]
    assert ("broken.py", "TNT999") in [(f.path.rsplit("/", 1)[-1], f.code) for f in again.findings]
    assert MAY_SKIP["plain"] not in parsed  # skipped by its text, not parsed again
    assert "def f(:\n" in parsed and MUST_PASS["orm"] in parsed
