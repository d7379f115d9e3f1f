"""Every row of the SQL sink table has a case that the analysis reports, and that the prefilter lets
through; the prefilter's sink words and the SQL verbs come from the table, not from a copy."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest

from tenantlint.analysis.rawsql.sink_table import SINKS, SqlSink, sink_words
from tenantlint.api import check_source, load_config, make_settings
from tenantlint.prefilter import SINK_WORDS, SQL_KEYWORD, Prefilter
from tenantlint.sqlcheck.keywords import SQL_VERBS
from tenantlint.sqlcheck.parse import looks_like_sql

MODELS = """
from django.db import models


class Organization(models.Model):
    name = models.CharField(max_length=100)


class Invoice(models.Model):
    org = models.ForeignKey(Organization, on_delete=models.CASCADE)
    number = models.CharField(max_length=10)
"""


def _module(sink: SqlSink) -> tuple[str, int]:
    """The case as a module, and the line of its call."""
    head = f"{sink.imports}\n\n\n" if sink.imports else ""
    text = f"{head}def f(cur, rows, n):\n    {sink.case}\n"
    return text, text.count("\n")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("sinks")
    (root / "tenantlint.toml").write_text('tenant_models = ["Organization"]\n')
    (root / "billing").mkdir()
    (root / "billing" / "models.py").write_text(textwrap.dedent(MODELS))
    return root


def test_the_table_names_each_sink_once() -> None:
    keys = [(s.kind, s.name) for s in SINKS]
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize("sink", SINKS, ids=lambda s: s.name)
def test_every_sink_has_a_case_that_is_reported(sink: SqlSink, project: Path) -> None:
    config = load_config(project)
    settings = make_settings(config)
    text, line = _module(sink)
    result = check_source(text, str(project / "app.py"), config, settings)
    found = {(f.line, f.code) for f in result.findings}
    assert (line, sink.expect) in found, f"{sink.name}: {sorted(found)}"
    prefilter = Prefilter.of(settings)
    assert prefilter.may_matter(text, ast.parse(text)), f"the prefilter skips {sink.name}"


@pytest.mark.parametrize("sink", SINKS, ids=lambda s: s.name)
def test_the_prefilter_knows_every_sink(sink: SqlSink) -> None:
    assert any(word in sink.last_name.lower() for word in SINK_WORDS)


def test_sink_words_are_the_fewest_that_cover_the_table() -> None:
    words = sink_words()
    for word in words:  # none is redundant: some sink is covered by it alone
        assert any([w for w in words if w in s.last_name.lower()] == [word] for s in SINKS)


@pytest.mark.parametrize("verb", SQL_VERBS)
def test_one_verb_list(verb: str) -> None:
    assert looks_like_sql(f"{verb.upper()} x")
    assert SQL_KEYWORD.search(f"{verb} ")
