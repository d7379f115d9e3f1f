from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

from tenantlint.reporters import ReportOptions, UnknownReporterError, get_reporter, reporter_names
from tenantlint.reporters.github import escape_data, escape_property
from tenantlint.reporters.markdown import cell
from tenantlint.results import FileError, Finding, RunResult, Span, Stats, Suppression
from tenantlint.rules.registry import ALL_RULES

# OASIS SARIF 2.1.0 JSON schema (docs.oasis-open.org/sarif/sarif/v2.1.0), vendored for offline tests.
SARIF_SCHEMA = Path(__file__).resolve().parent / "data" / "sarif-schema-2.1.0.json"

SOURCE = (
    "from app.models import Invoice\n"
    "\n"
    "def list_invoices(request):\n"
    "    x = request.GET['tag']\n"
    "    return Invoice.objects.filter(tags__in=[x])\n"
    "\n"
    "def other():\n"
    "    pass\n"
)

UNSCOPED = Finding(
    "TNT101",
    "query on tenant table 'invoices' has no tenant filter: filter(tags__in=[x])",
    "app/views.py",
    Span(5, 12, 5, 48),
    "invoices",
    "list_invoices",
    "Invoice.objects.filter(tags__in=[x])",
)
DYNAMIC_SQL = Finding("TNT301", "SQL built at run time", "app/db.py", Span(3, 5, 3, 40))
FROM_BODY = Finding(
    "TNT201",
    "tenant key 'org_id' read from request body",
    "app/api.py",
    Span(8, 9, 8, 30),
    None,
    "create",
    "request.json['org_id']",
)
SUPPRESSED = Finding(
    "TNT101",
    "query on tenant table 'invoices' has no tenant filter",
    "app/jobs.py",
    Span(2, 1, 2, 25),
    "invoices",
    None,
    "Invoice.objects.all()",
    Suppression("tenantlint", "nightly export runs for every org"),
)
BASELINED = Finding(
    "TNT102",
    "update of tenant table 'invoices' has no tenant filter",
    "app/jobs.py",
    Span(4, 1, 4, 30),
    "invoices",
    None,
    "Invoice.objects.update(x=1)",
    Suppression("baseline", ""),
)


def result(
    *findings: Finding, suppressed: tuple[Finding, ...] = (), errors: tuple[FileError, ...] = ()
) -> RunResult:
    return RunResult(
        findings=findings, suppressed=suppressed, errors=errors, stats=Stats(4, 9, 0.4149)
    )


def reader(path: str) -> str | None:
    return SOURCE if path == "app/views.py" else None


def test_registry_names_and_unknown_format() -> None:
    assert reporter_names() == ("text", "json", "sarif", "github", "markdown")
    for name in reporter_names():
        assert get_reporter(name).name == name
    with pytest.raises(UnknownReporterError, match="unknown format 'xml'"):
        get_reporter("xml")


def test_text_plain_lines_sorted_and_literal() -> None:
    out = get_reporter("text").render(
        result(
            UNSCOPED, DYNAMIC_SQL, FROM_BODY, errors=(FileError("bad.py", "syntax error at 3:1"),)
        )
    )
    assert out.splitlines() == [
        "app/api.py:8:9: TNT201 tenant key 'org_id' read from request body",
        "app/db.py:3:5: TNT301 SQL built at run time",
        "app/views.py:5:12: TNT101 query on tenant table 'invoices' has no tenant filter: "
        "filter(tags__in=[x])",
        "bad.py: error: syntax error at 3:1",
    ]


def test_text_plain_skips_errors_already_reported_as_tnt999() -> None:
    tnt999 = Finding("TNT999", "cannot parse: invalid syntax", "bad.py", Span(1, 1, 1, 2))
    out = get_reporter("text").render(
        result(tnt999, errors=(FileError("bad.py", "invalid syntax"),))
    )
    assert out == "bad.py:1:1: TNT999 cannot parse: invalid syntax\n"


def test_text_terminal_code_frame_summary_and_markup_escaping() -> None:
    options = ReportOptions(terminal=True, color=False, read_source=reader)
    out = get_reporter("text").render(
        result(UNSCOPED, DYNAMIC_SQL, suppressed=(SUPPRESSED,)), options
    )
    lines = out.splitlines()
    header = (
        "app/views.py:5:12: TNT101 query on tenant table 'invoices' has no tenant filter: "
        "filter(tags__in=[x])"
    )
    assert header in lines
    start = lines.index(header)
    assert lines[start + 1 : start + 7] == [
        "  3 | def list_invoices(request):",
        "  4 |     x = request.GET['tag']",
        "> 5 |     return Invoice.objects.filter(tags__in=[x])",
        "    |            " + "^" * 36,
        "  6 |",
        "  7 | def other():",
    ]
    assert "Found 2 findings (1 suppressed) in 4 files, 0.41s" in lines
    assert "     1  TNT101  unscoped-query" in lines
    assert "     1  TNT301  unverifiable-sql" in lines
    assert "\x1b[" not in out


def test_text_terminal_with_color_keeps_brackets() -> None:
    options = ReportOptions(terminal=True, color=True, read_source=reader)
    out = get_reporter("text").render(result(UNSCOPED), options)
    assert "\x1b[" in out
    assert "filter(tags__in=[x])" in out


def test_text_terminal_no_findings() -> None:
    out = get_reporter("text").render(result(), ReportOptions(terminal=True))
    assert out == "No findings in 4 files, 0.41s\n"


def test_json_is_the_spec_document_sorted_with_fixed_key_order() -> None:
    out = get_reporter("json").render(
        result(UNSCOPED, DYNAMIC_SQL, errors=(FileError("z.py", "bad"), FileError("a.py", "bad")))
    )
    assert out.endswith("}\n") and out.startswith('{\n  "version": 1,\n  "findings": [\n')
    doc = json.loads(out)
    assert list(doc) == ["version", "findings", "errors", "stats"]
    assert [f["path"] for f in doc["findings"]] == ["app/db.py", "app/views.py"]
    assert list(doc["findings"][1]) == [
        "code",
        "name",
        "severity",
        "message",
        "path",
        "line",
        "column",
        "end_line",
        "end_column",
        "table",
        "handler",
        "snippet",
        "trace",
    ]
    assert doc["findings"][1]["trace"] == []
    assert doc["findings"][1]["snippet"] == "Invoice.objects.filter(tags__in=[x])"
    assert doc["findings"][0]["table"] is None
    assert [e["path"] for e in doc["errors"]] == ["a.py", "z.py"]
    assert doc["stats"] == {"files": 4, "queries": 9, "unresolved_query_like": 0, "unresolved_calls": 0}
    timed = json.loads(get_reporter("json").render(
        result(DYNAMIC_SQL, UNSCOPED, errors=(FileError("z.py", "bad"),)), ReportOptions(timing=True)))
    assert timed["stats"] == {"files": 4, "queries": 9, "unresolved_query_like": 0, "unresolved_calls": 0,
                              "seconds": 0.41}
    again = get_reporter("json").render(
        result(DYNAMIC_SQL, UNSCOPED, errors=(FileError("a.py", "bad"), FileError("z.py", "bad")))
    )
    assert again == out


def _sarif(res: RunResult) -> dict[str, object]:
    doc: dict[str, object] = json.loads(
        get_reporter("sarif").render(res, ReportOptions(read_source=reader))
    )
    return doc


def test_sarif_validates_against_the_2_1_0_schema() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    doc = _sarif(
        result(
            UNSCOPED,
            DYNAMIC_SQL,
            suppressed=(SUPPRESSED, BASELINED),
            errors=(FileError("bad.py", "x"),),
        )
    )
    validator = jsonschema.Draft4Validator(schema)
    errors = sorted(validator.iter_errors(doc), key=str)
    assert errors == []


def test_sarif_driver_rules_results_and_suppressions() -> None:
    doc = _sarif(result(UNSCOPED, DYNAMIC_SQL, suppressed=(SUPPRESSED, BASELINED)))
    assert doc["version"] == "2.1.0" and "sarif-schema-2.1.0" in str(doc["$schema"])
    run = doc["runs"][0]  # type: ignore[index]
    driver = run["tool"]["driver"]
    assert (
        driver["name"] == "tenantlint"
        and driver["version"]
        and driver["informationUri"].startswith("https://")
    )
    assert [r["id"] for r in driver["rules"]] == [r.code for r in ALL_RULES]
    tnt101 = driver["rules"][0]
    assert tnt101["shortDescription"]["text"] == ALL_RULES[0].summary
    assert tnt101["help"]["markdown"] == ALL_RULES[0].documentation()
    assert tnt101["defaultConfiguration"]["level"] == "error"
    assert "security" in tnt101["properties"]["tags"]
    by_line = {
        (
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
        ): r
        for r in run["results"]
    }
    unscoped = by_line[("app/views.py", 5)]
    assert (
        unscoped["ruleId"] == "TNT101"
        and unscoped["ruleIndex"] == 0
        and unscoped["level"] == "error"
    )
    assert (
        unscoped["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
    )
    assert unscoped["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 5,
        "startColumn": 12,
        "endLine": 5,
        "endColumn": 48,
        "snippet": {"text": "Invoice.objects.filter(tags__in=[x])"},
    }
    assert "suppressions" not in unscoped
    assert by_line[("app/db.py", 3)]["level"] == "warning"
    assert by_line[("app/jobs.py", 2)]["suppressions"] == [
        {"kind": "inSource", "justification": "nightly export runs for every org"}
    ]
    assert by_line[("app/jobs.py", 4)]["suppressions"] == [{"kind": "external"}]


def test_sarif_fingerprints_survive_line_shifts_and_count_occurrences() -> None:
    def fps(*findings: Finding) -> list[str]:
        run = _sarif(result(*findings))["runs"][0]  # type: ignore[index]
        return [r["partialFingerprints"]["tenantlint/v1"] for r in run["results"]]

    shifted = Finding(
        UNSCOPED.code,
        UNSCOPED.message,
        UNSCOPED.path,
        Span(9, 16, 9, 52),
        UNSCOPED.table,
        UNSCOPED.handler,
        "Invoice.objects.filter(\n  tags__in=[x])",
    )
    assert fps(UNSCOPED) == fps(shifted)
    twin = Finding(
        UNSCOPED.code,
        UNSCOPED.message,
        UNSCOPED.path,
        Span(7, 1, 7, 30),
        UNSCOPED.table,
        UNSCOPED.handler,
        UNSCOPED.snippet,
    )
    first, second = fps(UNSCOPED, twin)
    assert first.endswith(":1") and second.endswith(":2") and first[:-2] == second[:-2]
    other = Finding(
        "TNT101", "m", "app/views.py", Span(5, 12, 5, 48), "invoices", "detail", UNSCOPED.snippet
    )
    assert fps(other) != fps(UNSCOPED)


def test_github_annotations_and_escaping() -> None:
    odd = Finding("TNT301", "built: 100% dynamic,\nsee docs", "app/a,b:c.py", Span(3, 5, 3, 40))
    out = get_reporter("github").render(result(UNSCOPED, odd))
    assert out.splitlines() == [
        "::warning file=app/a%2Cb%3Ac.py,line=3,col=5,endLine=3,endColumn=40,"
        "title=TNT301 unverifiable-sql::built: 100%25 dynamic,%0Asee docs",
        "::error file=app/views.py,line=5,col=12,endLine=5,endColumn=48,"
        "title=TNT101 unscoped-query::query on tenant table 'invoices' has no tenant filter: "
        "filter(tags__in=[x])",
    ]
    assert escape_property("a%b\r\n:,") == "a%25b%0D%0A%3A%2C"
    assert escape_data("a%b\r\n:,") == "a%25b%0D%0A:,"


def test_markdown_table() -> None:
    piped = Finding(
        "TNT105", "filter `org = :org OR public` | weakened <b>", "app/q.py", Span(1, 1, 1, 5)
    )
    out = get_reporter("markdown").render(result(UNSCOPED, piped, suppressed=(SUPPRESSED,)))
    lines = out.splitlines()
    assert lines[0] == "### tenantlint: 2 findings in 4 files"
    assert "| Severity | Rule | Location | Message |" in lines
    assert (
        "| error | `TNT105` weakened-tenant-filter | `app/q.py:1:1` | "
        "filter \\`org = :org OR public\\` \\| weakened &lt;b&gt; |"
    ) in lines
    assert lines.index(
        "| error | `TNT105` weakened-tenant-filter | `app/q.py:1:1` | "
        "filter \\`org = :org OR public\\` \\| weakened &lt;b&gt; |"
    ) > lines.index("|---|---|---|---|")
    assert any(
        line.startswith("| error | `TNT101` unscoped-query | `app/views.py:5:12` |")
        for line in lines
    )
    assert "1 suppressed" in out
    assert cell("a\nb|c") == "a b\\|c"


def test_markdown_cells_are_inert() -> None:
    """Text from the scanned code never becomes an image, a link, HTML or a code span."""
    hostile = "![x](https://evil.test/p.png) [click](http://evil.test) <img src=x> `a` www.evil.test *b*"
    out = cell(hostile)
    for live in (r"(?<!\\)!(?<!\\)\[", r"(?<!\\)\]\(", "<img", r"(?<!\\)`", "https?://", r"www\.",
                 r"(?<!\\)\*"):
        assert re.search(live, out) is None, live
    assert "&lt;img src=x&gt;" in out and "\\!\\[x\\]" in out
    assert "\\`a\\`" in out


def test_reporter_writes_to_the_given_stream() -> None:
    stream = io.StringIO()
    get_reporter("json").write(result(), stream, ReportOptions())
    assert json.loads(stream.getvalue())["findings"] == []
