from __future__ import annotations

import base64
import hashlib
import html
import io
import json
import re
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest
from rich.console import Console

from tenantlint.audit import (
    AuditData,
    bypasses,
    code_frame,
    config_items,
    format_share,
    sites_by_table,
    summarize,
    write_audit,
)
from tenantlint.index.records import ProjectIndex
from tenantlint.reporters.audit_markdown import MarkdownAuditReporter, code, fence_for, text
from tenantlint.reporters.base import normalised
from tenantlint.reporters.html import HtmlAuditReporter
from tenantlint.reporters.progress import progress
from tenantlint.results import RunResult, Span
from tests.audit_sample import (
    ALERT_PAYLOAD,
    ATTR_PAYLOAD,
    CONFIG,
    DATA,
    PAYLOADS,
    QUOTE_PAYLOAD,
    RESULT,
    TITLE_PAYLOAD,
    read_source,
)

# --- summary helpers -------------------------------------------------------------------------


def test_summary_counts() -> None:
    s = summarize(DATA)
    assert (s.files, s.queries, s.tenant_tables) == (42, 57, 3)
    assert (s.sites, s.proven) == (7, 4)
    assert s.share == pytest.approx(4 / 7)
    assert format_share(s.share) == "57.1%"
    assert (s.findings, s.suppressed, s.errors) == (3, 2, 1)
    assert dict(s.by_scoping) == {
        "trusted-filter": 1,
        "related-manager": 1,
        "auto-scoped-manager": 1,
        "system-scope": 1,
        "untrusted-filter": 1,
        "weakened": 1,
        "unscoped": 1,
    }
    assert [k for k, _ in s.by_scoping][:4] == [
        "trusted-filter",
        "related-manager",
        "auto-scoped-manager",
        "system-scope",
    ]
    assert [(t.table, t.sites, t.proven) for t in s.by_table] == [
        ("audit_log", 0, 0),
        ("invoices", 5, 3),
        ("line_items", 2, 1),
    ]
    assert s.by_table[0].share is None
    assert [(c.code, c.severity, c.count) for c in s.by_code] == [
        ("TNT101", "error", 1),
        ("TNT201", "error", 1),
        ("TNT301", "warning", 1),
    ]
    assert s.by_severity == (("error", 2), ("warning", 1))


def test_share_formatting_never_rounds_up_to_complete() -> None:
    assert format_share(None) == "n/a"
    assert format_share(1.0) == "100.0%"
    assert format_share(9999 / 10000) == "99.9%"
    assert format_share(0.0) == "0.0%"


def test_empty_project() -> None:
    data = AuditData(RunResult(findings=()), ProjectIndex(), CONFIG, ".", "0.1.0")
    s = summarize(data)
    assert (s.sites, s.proven, s.share, s.by_table, s.by_code) == (0, 0, None, (), ())
    assert "n/a" in HtmlAuditReporter().render(data)
    assert "No tenant tables were found" in MarkdownAuditReporter().render(data)


def test_site_on_table_missing_from_index_is_kept() -> None:
    stray = replace(RESULT.query_sites[0], table="ghosts")
    data = replace(DATA, result=replace(RESULT, query_sites=RESULT.query_sites + (stray,)))
    groups = sites_by_table(data)
    assert list(groups) == ["audit_log", "invoices", "line_items", "ghosts"]
    assert groups["ghosts"] == [stray]
    assert summarize(data).sites == 8


def test_bypasses_with_reasons() -> None:
    found = bypasses(DATA)
    assert [(b.kind, b.path, b.line, b.code) for b in found] == [
        ("system-scope", "billing/tasks.py", 12, None),
        ("auto-scoped-manager", "billing/views.py", 20, None),
        ("tenantlint", "billing/admin.py", 30, "TNT101"),
        ("noqa", "billing/tasks.py", 4, "TNT102"),
    ]
    assert found[0].reason == "inside system_scope(): nightly dunning job"
    assert found[2].reason.startswith("staff-only export")
    assert found[3].reason == ""


def test_config_items_cover_every_key() -> None:
    items = dict(config_items(CONFIG))
    # where the config came from and the root are in the header (relative), not config keys
    assert set(items) == set(CONFIG.__dataclass_fields__) - {"source", "root"}
    assert items["trusted_sources"] == list(CONFIG.trusted_sources)
    assert items["discover"] is True
    json.dumps(items)  # every value is JSON-compatible


def test_code_frame_marks_span_and_caret() -> None:
    frame = code_frame("a\nbb\n    x = y\ncc\ndd\nee\n", Span(3, 5, 3, 10))
    assert [line.number for line in frame] == [1, 2, 3, 4, 5]
    assert [line.marked for line in frame] == [False, False, True, False, False]
    assert frame[2].caret == "    ^^^^^"
    assert code_frame(None, Span(1, 1, 1, 2)) == []
    assert code_frame("one line\n", Span(7, 1, 7, 2)) == []


# --- HTML ------------------------------------------------------------------------------------


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.scripts: list[str] = []
        self.text: list[str] = []
        self._in_script = False
        self.rows: list[list[str]] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))
        self._in_script = tag == "script"
        if tag == "tr" and ("class", "finding") in attrs:
            self._row = []
        if tag == "td" and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._row is not None and self._cell is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        if tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts.append(data)
        else:
            self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)


@pytest.fixture(scope="module")
def page() -> str:
    return HtmlAuditReporter().render(DATA, read_source)


@pytest.fixture(scope="module")
def parsed(page: str) -> _Collector:
    collector = _Collector()
    collector.feed(page)
    collector.close()
    return collector


def test_html_has_no_unescaped_payload(page: str) -> None:
    for payload in PAYLOADS:
        assert payload not in page
    assert "<script>alert" not in page
    assert "<script>document" not in page
    assert "<img" not in page
    assert "onerror=" not in page.replace("&#34;onerror=", "").replace("onerror=&#34;", "")
    assert page.count("<script") == 1


def test_html_payloads_render_as_text(parsed: _Collector) -> None:
    body = "".join(parsed.text)
    for payload in (TITLE_PAYLOAD, ATTR_PAYLOAD, QUOTE_PAYLOAD, ALERT_PAYLOAD):
        assert payload in body


def test_html_structure_has_only_our_tags_and_no_event_handlers(parsed: _Collector) -> None:
    allowed = {
        "html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "h3", "p",
        "code", "nav", "a", "section", "div", "span", "meter", "table", "thead", "tbody", "tr",
        "th", "td", "button", "input", "details", "summary", "pre", "br", "script", "wbr", "dl",
        "dt", "dd", "colgroup", "col", "svg", "g", "rect", "text",
    }  # fmt: skip
    assert {tag for tag, _ in parsed.tags} <= allowed
    for tag, attrs in parsed.tags:
        for name, value in attrs:
            assert not name.startswith("on"), (tag, name)
            assert name not in ("src", "srcdoc", "action", "formaction"), (tag, name)
            if name == "href":  # in-page anchors, or links to the code (--source-url)
                assert value is not None
                assert value.startswith(("#", SOURCE_LINK)), value


SOURCE_LINK = "https://git.example/org/repo/blob/0123456789abcdef0123456789abcdef01234567/project/"


def test_html_is_self_contained(page: str) -> None:
    assert "<link" not in page
    outside_links = re.sub(r'href="https://git\.example/[^"]*"', "", page)
    assert "http://" not in outside_links and "https://" not in outside_links
    assert "url(" not in page and "@import" not in page


def test_html_has_no_absolute_local_path_and_names_the_commit(page: str) -> None:
    assert "/srv/" not in page.replace(SOURCE_LINK, "")
    assert ">repo/project<" in page and ">2026-01-02 03:04 UTC<" in page
    assert ">0123456789ab<" in page and ">main<" in page
    assert ">pyproject.toml<" in page  # the config, relative to the root
    assert f'href="{SOURCE_LINK}billing/views.py#L5"' in page


def test_csp_allows_exactly_the_inline_script(page: str, parsed: _Collector) -> None:
    (script,) = parsed.scripts
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    meta = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', page)
    assert meta is not None
    policy = html.unescape(meta.group(1))
    assert f"script-src 'sha256-{digest}'" in policy
    assert "default-src 'none'" in policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert page.index("Content-Security-Policy") < page.index("<script")
    assert "innerHTML" not in script and "eval(" not in script


def test_html_findings_match_json(parsed: _Collector) -> None:
    findings = normalised(RESULT).to_json()["findings"]
    expected = [(f["code"], f["name"], f["path"], str(f["line"])) for f in findings]
    got = [(row[1], row[2], row[3], row[4]) for row in parsed.rows]
    assert len(got) == 3
    assert got == expected


def test_html_content(page: str, parsed: _Collector) -> None:
    body = " ".join("".join(parsed.text).split())
    assert 'id="summary-share">57.1%<' in page
    assert 'id="summary-sites">7<' in page
    assert 'id="summary-proven">4<' in page
    assert 'id="summary-bypasses">4<' in page
    # summary comes first
    assert page.index('id="summary"') < page.index('id="tables"') < page.index('id="findings"')
    # tables with reasons, sites with scoping, bypass reasons, config keys, errors
    assert "column org_id (billing/models.py:12)" in body
    assert "via invoice (invoice_id)" in body
    assert "No query sites found on this table." in body
    assert "inside system_scope(): nightly dunning job" in body
    assert "(no reason given)" in body
    for key in set(CONFIG.__dataclass_fields__) - {"source", "root"}:
        assert f">{key}<" in page
    assert "billing/broken.py" in body
    # the code frame from the source, with the marker line and caret
    assert "> 5 | return Invoice.objects.filter(tags__in=[tag])" in body
    assert 'cursor.execute(f"SELECT * FROM invoices WHERE name = {name}")' in body
    # FROM_REQUEST has no readable source: its snippet is shown instead
    assert "request.data['org_id']" in body


# --- Markdown --------------------------------------------------------------------------------


def test_markdown_cell_escaping() -> None:
    assert text("a|b\nc`d") == "a\\|b c\\`d"
    assert text("<script>") == "&lt;script&gt;"
    assert text("a\\|b") == "a\\\\\\|b"
    assert code("x`y|z") == "``x`y\\|z``"
    assert code(None) == "" and code("  ") == ""
    assert fence_for("```\n````") == "`````"
    assert fence_for("plain") == "```"


def _cells(row: str) -> int:
    return len(re.split(r"(?<!\\)\|", row.strip())) - 2


def test_markdown_report() -> None:
    md = MarkdownAuditReporter().render(DATA, read_source)
    lines = md.splitlines()
    # every table row has as many cells as its header
    width = 0
    for line in lines:
        if line.startswith("|"):
            if not width:
                width = _cells(line)
            assert _cells(line) == width, line
        else:
            width = 0
    # no raw HTML outside code (fenced blocks and inline spans are literal)
    outside = re.sub(r"(`{3,})text\n.*?\n\1", "", md, flags=re.S)
    outside = re.sub(r"(`+) ?.*? ?\1", "", outside)
    assert "<script" not in outside and "<img" not in outside
    assert "| Proven scoped | 57.1% (4 of 7) |" in md
    assert "## Findings (3)" in md and "## Deliberate bypasses (4)" in md
    assert "> 5 | " in md and "    return Invoice.objects.filter(tags__in=[tag])" in md
    assert "inside system\\_scope(): nightly dunning job" in md
    assert "staff-only export \\| reviewed \\`2024\\`" in md
    for key in set(CONFIG.__dataclass_fields__) - {"source", "root"}:
        assert f"| `{key}` |" in md
    assert md.index("\n## Summary") < md.index("\n## Tenant tables") < md.index("\n## Findings (")


# --- write_audit and progress ----------------------------------------------------------------


@pytest.mark.parametrize("name", ["report.html", "report.HTM", "report.md"])
def test_write_audit_by_suffix(tmp_path: Path, name: str) -> None:
    out = tmp_path / name
    write_audit(DATA, out, read_source)
    content = out.read_text(encoding="utf-8")
    if name.endswith(".md"):
        assert content.startswith("# Tenant isolation audit")
    else:
        assert content.startswith("<!DOCTYPE html>")


def test_write_audit_rejects_unknown_suffix(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="report.txt"):
        write_audit(DATA, tmp_path / "report.txt", read_source)
    assert not (tmp_path / "report.txt").exists()


def test_progress_enabled_draws_and_disabled_is_silent(capsys: pytest.CaptureFixture[str]) -> None:
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=100)
    with progress(3, True, console=console) as advance:
        advance(2)
        advance(1)
    assert "3/3" in buffer.getvalue()
    with progress(3, False) as advance:
        advance(3)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


def test_every_scoping_label_is_one_a_query_site_can_have() -> None:
    # Query sites carry a Scoping's value, except inserts (analysis.engine.site_scoping lists them as
    # trusted-filter / untrusted-filter / unscoped), filters by a value of unknown origin, and SQL
    # built at run time. A label nothing produces is dead text in the report.
    from tenantlint.analysis.facts import Scoping
    from tenantlint.audit import SCOPING_LABELS
    from tenantlint.results import UNKNOWN_ORIGIN, UNVERIFIABLE

    inserts = {Scoping.INSERT_SETS_TENANT, Scoping.INSERT_MISSING_TENANT}
    producible = {s.value for s in Scoping if s not in inserts} | {UNKNOWN_ORIGIN, UNVERIFIABLE}
    assert set(SCOPING_LABELS) == producible
