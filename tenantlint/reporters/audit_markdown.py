"""The audit report as Markdown (``tenantlint audit --output report.md``), the HTML's content.

Text from the scanned code is escaped for where it lands: in a table cell or paragraph, line breaks
collapse to spaces, ``|``, backslashes and Markdown punctuation are backslash-escaped and ``&``,
``<``, ``>`` become entities (so raw HTML stays text on GitHub and elsewhere); code goes in inline
code spans fenced by more backticks than it contains, or in fenced blocks longer than any backtick
run of the frame.
"""

from __future__ import annotations

import io
import json
import re
from typing import TextIO

from tenantlint.audit import (
    SAFE_SCOPINGS,
    AuditData,
    FrameLine,
    SourceReader,
    TableSummary,
    bypasses,
    config_items,
    finding_frames,
    format_share,
    is_proven,
    scoped_by_text,
    scoping_label,
    sites_by_table,
    summarize,
    tenant_tables,
)
from tenantlint.reporters import audit_markdown_sections as sections
from tenantlint.reporters.base import no_source, sorted_findings
from tenantlint.reporters.markdown import code as _code_span
from tenantlint.rules.registry import rule_for

_PUNCTUATION = "`*_[]|~#!"


def text(value: str | None) -> str:
    """Plain text safe in a table cell or paragraph: one line, nothing interpreted."""
    body = " ".join((value or "").split()).replace("\\", "\\\\")
    for ch in _PUNCTUATION:
        body = body.replace(ch, "\\" + ch)
    return body.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def code(value: str | None) -> str:
    """An inline code span (pipes escaped for tables); "" for empty text."""
    if not value or not value.strip():
        return ""
    return _code_span(value)


def fence_for(body: str) -> str:
    """A backtick fence longer than any backtick run in ``body`` (at least three)."""
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    return "`" * max(3, longest + 1)


def code_block(lines: list[str]) -> list[str]:
    body = "\n".join(lines)
    fence = fence_for(body)
    return [fence + "text", *lines, fence]


def frame_text(frame: list[FrameLine]) -> list[str]:
    width = len(str(frame[-1].number)) if frame else 0
    out: list[str] = []
    for line in frame:
        marker = ">" if line.marked else " "
        out.append(f"{marker} {line.number:>{width}} | {line.text}".rstrip())
        if line.caret:
            out.append(f"  {' ' * width} | {line.caret}")
    return out


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out.extend("| " + " | ".join(row) + " |" for row in rows)
    return out


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


class MarkdownAuditReporter:
    """Renders :class:`AuditData` as one Markdown document."""

    name = "audit-markdown"
    description = "the audit report as Markdown"

    def write(self, data: AuditData, stream: TextIO, read_source: SourceReader = no_source) -> None:
        stream.write("\n".join(self.lines(data, read_source)) + "\n")

    def render(self, data: AuditData, read_source: SourceReader = no_source) -> str:
        buffer = io.StringIO()
        self.write(data, buffer, read_source)
        return buffer.getvalue()

    def lines(self, data: AuditData, read_source: SourceReader) -> list[str]:
        summary = summarize(data)
        found_bypasses = bypasses(data)
        config = data.config
        out = [
            "# Tenant isolation audit",
            "",
            sections.header(data),
            "",
            "## Summary",
            "",
        ]
        severities = ", ".join(_plural(n, sev) for sev, n in summary.by_severity if n)
        out += _table(
            ["Metric", "Value"],
            [
                ["Files scanned", str(summary.files)],
                ["Tenant tables", str(summary.tenant_tables)],
                ["Queries on tenant tables", str(summary.queries)],
                [
                    "Query sites (one per query and tenant table it touches)",
                    str(summary.table_sites),
                ],
                ["SQL built at run time (tables unknown, TNT301)", str(summary.dynamic)],
                [
                    "Proven scoped",
                    f"{format_share(summary.share)} ({summary.proven} of {summary.sites})",
                ],
                ["Filtered by a value of unknown origin (not proven)", str(summary.assumed)],
                ["Findings", f"{summary.findings}" + (f" ({severities})" if severities else "")],
                [
                    "Deliberate bypasses",
                    f"{len(found_bypasses)} ({summary.suppressed} suppressed)",
                ],
                ["Files not analyzed", str(summary.errors)],
            ],
        )
        out += ["", "### Findings by rule", ""]
        if summary.by_code:
            out += _table(
                ["Code", "Rule", "Severity", "Findings"],
                [[code(c.code), c.name, c.severity, str(c.count)] for c in summary.by_code],
            )
        else:
            out.append("No findings.")
        out += ["", "### Query sites by scoping", ""]
        out += _table(
            ["Scoping", "Meaning", "Proven scoped", "Sites"],
            [
                [code(k), text(scoping_label(k)), "yes" if k in SAFE_SCOPINGS else "no", str(n)]
                for k, n in summary.scoping_rows()
            ],
        )
        out += sections.delta(data, text)
        out += sections.breakdown(data)
        out += self._tables(data, {t.table: t for t in summary.by_table})
        out += self._sites(data)
        out += self._findings(data, read_source)
        out += ["", f"## Deliberate bypasses ({len(found_bypasses)})", ""]
        if found_bypasses:
            out += _table(
                ["Kind", "Location", "Table", "Code", "Reason", "Handler", "Snippet"],
                [
                    [
                        text(b.kind),
                        sections.location(data, b.path, b.line, b.column),
                        code(b.table),
                        code(b.code),
                        text(b.reason) if b.reason else "_(no reason given)_",
                        code(b.handler),
                        code(b.snippet),
                    ]
                    for b in found_bypasses
                ],
            )
        else:
            out.append("No bypasses.")
        if data.result.errors:
            out += ["", f"## Files not analyzed ({len(data.result.errors)})", ""]
            out += _table(
                ["Path", "Error"],
                [[sections.location(data, e.path), text(e.message)] for e in data.result.errors],
            )
        out += ["", "## Config used", ""]
        out += _table(
            ["Key", "Value"],
            [
                [code(key), code(json.dumps(value, ensure_ascii=False))]
                for key, value in config_items(config)
            ],
        )
        return out

    def _tables(self, data: AuditData, counts: dict[str, TableSummary]) -> list[str]:
        tables = tenant_tables(data.index)
        out = ["", f"## Tenant tables ({len(tables)})", ""]
        if not tables:
            out.append("No tenant tables were found.")
            return out
        rows = []
        for t in tables:
            c = counts[t.table]
            scoped_by = scoped_by_text(t)
            rows.append(
                [
                    code(t.table),
                    text(", ".join(t.models)),
                    code(scoped_by),
                    text(t.reason),
                    sections.location(data, t.path, t.line, from_root=True) if t.path else "",
                    str(c.sites),
                    str(c.proven),
                    format_share(c.share),
                ]
            )
        out += _table(
            ["Table", "Models", "Scoped by", "Why", "Defined at", "Sites", "Proven", "Share"], rows
        )
        return out

    def _sites(self, data: AuditData) -> list[str]:
        out = ["", "## Query sites per tenant table"]
        for name, sites in sites_by_table(data).items():
            proven = sum(1 for s in sites if is_proven(s))
            share = format_share(proven / len(sites) if sites else None)
            out += [
                "",
                f"### {code(name)}: {_plural(len(sites), 'site')}, {proven} proven ({share})",
                "",
            ]
            if not sites:
                out.append("No query sites found on this table.")
                continue
            out += _table(
                ["Location", "Kind", "Scoping", "Proven", "Handler", "Code", "Detail"],
                [
                    [
                        sections.location(data, s.path, s.line, s.column),
                        text(s.kind),
                        code(s.scoping),
                        "yes" if is_proven(s) else "**no**",
                        code(s.handler),
                        code(s.snippet),
                        text(s.detail) + (f" (value from {code(s.origin)})" if s.origin else ""),
                    ]
                    for s in sites
                ],
            )
        return out

    def _findings(self, data: AuditData, read_source: SourceReader) -> list[str]:
        findings = sorted_findings(data.result.findings)
        out = ["", f"## Findings ({len(findings)})"]
        if not findings:
            return out + ["", "No findings."]
        frames = finding_frames(findings, read_source)
        for number, f in enumerate(findings, start=1):
            rule = rule_for(f.code)
            where = sections.location(data, f.path, f.span.line, f.span.column)
            title = f"### {number}. {code(f.code)} {rule.name} ({rule.severity}) at {where}"
            out += ["", title, ""]
            out.append(text(f.message))
            extra = [
                f"{label}: {code(value)}"
                for label, value in (("table", f.table), ("handler", f.handler))
                if value
            ]
            if extra:
                out += ["", " · ".join(extra)]
            frame = frames[f]
            if frame:
                out += ["", *code_block(frame_text(frame))]
            elif f.snippet:
                out += ["", *code_block(f.snippet.splitlines())]
        return out
