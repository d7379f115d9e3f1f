"""Crashes and false positives found by running tenantlint over real code (issue 8.6).

Each test holds the smallest snippet that reproduced the problem on a real tree: the CPython
standard library, makeplane/plane and GlitchTip.
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

from tenantlint.analysis.engine import analyze_text
from tenantlint.analysis.settings import Settings
from tenantlint.api import load_config, make_settings
from tests.index_helpers import extract_source

MODELS = """
from django.db import models


class Organization(models.Model):
    name = models.CharField(max_length=100)


class Invoice(models.Model):
    org = models.ForeignKey(Organization, on_delete=models.CASCADE)
    number = models.CharField(max_length=20)
"""


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    root: Path = tmp_path_factory.mktemp("proj")
    (root / "tenantlint.toml").write_text('global_tables = ["Organization"]\n')
    (root / "app").mkdir()
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "models.py").write_text(MODELS)
    return make_settings(load_config(root))


def lint(settings: Settings, source: str, want_sites: bool = False):  # type: ignore[no-untyped-def]
    return analyze_text("app/views.py", textwrap.dedent(source).lstrip("\n"), settings, want_sites)


def codes(settings: Settings, source: str) -> list[tuple[int, str]]:
    return sorted((f.line, f.code) for f in lint(settings, source).findings)


# ----- crashes ---------------------------------------------------------------------------------


def _deep_concatenation(parts: int) -> str:
    # pydoc_data/topics.py: one dict value made of ~2,200 adjacent string literals.
    body = "\n".join(f"    'part {i} '" for i in range(parts))
    return f"topics = {{'x': (\n{body}\n)}}\n"


def test_deeply_concatenated_string_is_analyzed_not_crashed(settings: Settings) -> None:
    text = _deep_concatenation(2500)
    limit = sys.getrecursionlimit()
    result = analyze_text("pydoc_data/topics.py", text, settings, want_sites=True)
    assert result.error is None
    assert result.findings == []
    assert sys.getrecursionlimit() == limit  # the headroom is given back


def test_deeply_concatenated_string_in_a_models_file_is_indexed(settings: Settings) -> None:
    text = MODELS + _deep_concatenation(2500)
    models = extract_source("app/models.py", text, settings.config)
    assert {m.name for m in models} >= {"Organization", "Invoice"}


def test_save_of_a_created_row_is_not_a_second_insert(settings: Settings) -> None:
    # plane bgtasks/recent_visited_task.py: ``row = X.objects.create(...); row.save()`` recorded a
    # second insert at a made-up node, and asking for its position raised KeyError.
    source = """
    from app.models import Invoice

    def touch(org, number):
        row = Invoice.objects.create(org=org, number=number)
        row.number = number + "-1"
        row.save(update_fields=["number"])
    """
    result = lint(settings, source, want_sites=True)
    assert result.error is None
    assert [(s.line, s.kind) for s in result.sites] == [(4, "insert")]


def test_save_of_a_constructed_instance_is_still_an_insert(settings: Settings) -> None:
    source = """
    from app.models import Invoice

    def add(number):
        row = Invoice(number=number)
        row.save()
    """
    assert codes(settings, source) == [(4, "TNT104")]


def test_valid_python_beyond_libcst_grammar_is_analyzed(settings: Settings) -> None:
    # test/test_grammar.py and test/typinganndata/ann_module.py: ``(name): int`` is valid Python
    # that libcst rejects; the file was reported TNT999 and none of it was analysed.
    source = """
    from app.models import Invoice

    (pars): bool = True

    def show(pk):
        (name): int
        return Invoice.objects.get(pk=pk)
    """
    result = lint(settings, source, want_sites=True)
    assert result.error is None
    assert sorted((f.line, f.code) for f in result.findings) == [(7, "TNT101")]


def test_really_invalid_python_is_still_tnt999(settings: Settings) -> None:
    result = lint(settings, "print 'hello'\n")
    assert result.error is not None
    assert [f.code for f in result.findings] == ["TNT999"]


def test_models_of_a_file_beyond_libcst_grammar_are_indexed(settings: Settings) -> None:
    text = MODELS + "\n(flag): bool = True\n"
    assert {m.name for m in extract_source("app/models.py", text, settings.config)} >= {"Invoice"}


# ----- false positives -------------------------------------------------------------------------

LINES = """
from django.db import models

from app.models import Invoice


class Line(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE)
    org = models.ForeignKey("Organization", on_delete=models.CASCADE)
    label = models.CharField(max_length=20)
"""


@pytest.fixture(scope="module")
def line_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    root: Path = tmp_path_factory.mktemp("lines")
    (root / "tenantlint.toml").write_text('global_tables = ["Organization"]\n')
    (root / "app").mkdir()
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "models.py").write_text(MODELS)
    (root / "app" / "lines.py").write_text(LINES)
    return make_settings(load_config(root))


def test_outerref_subquery_is_scoped_through_its_outer_query(line_settings: Settings) -> None:
    # plane (143 findings) and GlitchTip: ``Subquery(X.objects.filter(parent=OuterRef("id")))``
    # inside a scoped query was reported TNT101 on its own.
    source = """
    from django.db.models import Exists, OuterRef, Subquery
    from app.lines import Line
    from app.models import Invoice

    def annotated(org):
        lines = Line.objects.filter(invoice=OuterRef("pk")).values("label")[:1]
        same_org = Line.objects.filter(org_id=OuterRef("org_id"))
        by_label = Line.objects.filter(label=OuterRef("number"))  # not a relation: unscoped
        return Invoice.objects.filter(org=org).annotate(
            first=Subquery(lines), any=Exists(same_org), odd=Exists(by_label))
    """
    assert codes(line_settings, source) == [(8, "TNT101")]


def test_outerref_in_an_unscoped_outer_query_still_reports_the_outer(line_settings: Settings) -> None:
    source = """
    from django.db.models import OuterRef, Subquery
    from app.lines import Line
    from app.models import Invoice

    def annotated():
        lines = Line.objects.filter(invoice=OuterRef("pk")).values("label")[:1]
        return Invoice.objects.annotate(first=Subquery(lines))
    """
    assert codes(line_settings, source) == [(7, "TNT101")]


def test_prefetch_queryset_is_scoped_through_its_outer_query(line_settings: Settings) -> None:
    # plane views: ``prefetch_related(Prefetch("label_issue", queryset=IssueLabel.objects.all()))``.
    source = """
    from django.db.models import Prefetch
    from app.lines import Line
    from app.models import Invoice

    def listing(org):
        return Invoice.objects.filter(org=org).prefetch_related(
            Prefetch("line_set", queryset=Line.objects.all()))

    def direct():
        return list(Line.objects.all())
    """
    assert codes(line_settings, source) == [(10, "TNT101")]


def test_bulk_update_of_instances_is_not_an_unscoped_read(settings: Settings) -> None:
    # plane (19 findings): ``X.objects.bulk_update(rows, ["field"])`` after a scoped fetch was
    # reported TNT101; the instances' own query is what is judged.
    source = """
    from app.models import Invoice

    def renumber(org):
        rows = list(Invoice.objects.filter(org=org))
        for row in rows:
            row.number = row.number + "-1"
        Invoice.objects.bulk_update(rows, ["number"], batch_size=100)

    def renumber_all():
        rows = list(Invoice.objects.all())
        Invoice.objects.bulk_update(rows, ["number"])
    """
    assert codes(settings, source) == [(10, "TNT101")]


def test_request_reads_inside_list_and_tuple_literals(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Elements of list/tuple literals are evaluated: `org_id__in=[request.GET["org_id"]]` is TNT103."""
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "models.py").write_text(
        "from django.db import models\n\n\nclass Org(models.Model):\n    pass\n\n\n"
        "class Invoice(models.Model):\n    org = models.ForeignKey(Org, on_delete=models.CASCADE)\n"
    )
    (tmp_path / "app" / "views.py").write_text(
        "from app.models import Invoice\n\n\ndef v(request):\n"
        "    return Invoice.objects.filter(org_id__in=[request.GET['org_id']])\n"
    )
    monkeypatch.chdir(tmp_path)
    from tenantlint.api import check_paths, load_config

    result = check_paths([Path(".")], load_config(), jobs=1)
    assert sorted((f.line, f.code) for f in result.findings) == [(5, "TNT103"), (5, "TNT201")]
