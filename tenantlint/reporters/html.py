"""The audit report as one self-contained HTML file (``tenantlint audit --output report.html``).

The page is rendered by jinja2 with autoescaping on, so every piece of text that comes from the
scanned code (paths, snippets, source lines, messages, table and model names, reasons, config
values) reaches the page as text, never as markup. Code frames are escaped text inside ``<pre>``.
CSS and a small vanilla script (sorting on header click, a filter box per table) are inlined; the
script never reads data from the page as HTML (only ``textContent``) and writes only text. A
Content-Security-Policy meta tag allows exactly that script (by its SHA-256) and no other script,
no network and no plug-ins, so even a failure of escaping could not run injected code.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import jinja2
from markupsafe import Markup, escape

from tenantlint.audit import (
    SAFE_SCOPINGS,
    AuditData,
    FrameLine,
    SourceReader,
    TableSummary,
    config_items,
    finding_frames,
    format_share,
    scoped_by_text,
    scoping_label,
    sites_by_table,
    summarize,
    tenant_tables,
)
from tenantlint.audit import bypasses as list_bypasses
from tenantlint.audit_meta import AuditMeta
from tenantlint.reporters.audit_sections import charts, delta_context
from tenantlint.reporters.base import no_source, sorted_findings
from tenantlint.results import DYNAMIC_SQL_TABLE, UNKNOWN_ORIGIN, Finding, QuerySite
from tenantlint.rules.registry import rule_for

TEMPLATES = Path(__file__).resolve().parent / "templates"
TEMPLATE = "audit.html.j2"


@dataclass(frozen=True, slots=True)
class FrameRow:
    gutter: str
    text: str
    cls: str  # "" | "hit" | "caret"


def frame_rows(frame: list[FrameLine]) -> list[FrameRow]:
    """A code frame as ``> 12 | text`` rows, with a caret row under the first spanned line."""
    if not frame:
        return []
    width = len(str(frame[-1].number))
    rows: list[FrameRow] = []
    for line in frame:
        marker = ">" if line.marked else " "
        gutter = f"{marker} {line.number:>{width}} | "
        rows.append(FrameRow(gutter, line.text, "hit" if line.marked else ""))
        if line.caret:
            rows.append(FrameRow(f"  {' ' * width} | ", line.caret, "caret"))
    return rows


def script_hash(script: str) -> str:
    """The CSP source expression (``'sha256-…'``) allowing exactly ``script``."""
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def content_security_policy(script: str) -> str:
    return (
        "default-src 'none'; style-src 'unsafe-inline'; "
        f"script-src {script_hash(script)}; base-uri 'none'; form-action 'none'"
    )


def _asset(name: str) -> str:
    text = (TEMPLATES / name).read_text(encoding="utf-8")
    if "</" in text or "<!--" in text:
        raise ValueError(f"{name} must not contain '</' or '<!--' (it is inlined)")
    return text


def breakable(value: object) -> Markup:
    """An identifier (``query_results``, ``InvoiceView.get_queryset``) escaped, with a line-break
    opportunity after each ``_``, ``.`` and ``/`` and between CamelCase words, so a narrow column
    does not split it inside a word."""
    text = str(value or "")
    out: list[str] = []
    for i, ch in enumerate(text):
        if ch.isupper() and i and text[i - 1].islower():
            out.append("<wbr>")  # CamelCase: OrgCustomer<wbr>ListView
        out.append(str(escape(ch)))
        if ch in "_./":
            out.append("<wbr>")
    return Markup("".join(out))


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["breakable"] = breakable
    return env


@dataclass(frozen=True, slots=True)
class PathCell:
    """A path shown as segments that wrap only after a "/" (never inside a name), maybe linked."""

    text: str
    parts: tuple[str, ...]
    url: str | None


def path_cell(meta: AuditMeta, path: str, line: int = 0, from_root: bool = False) -> PathCell:
    """``path`` as reported (relative to the current directory), or relative to the root."""
    shown = path if from_root else meta.display(path)
    pieces = shown.split("/")
    parts = tuple(p + "/" for p in pieces[:-1]) + (pieces[-1],)
    return PathCell(shown, parts, meta.link(path, line, from_root=from_root))


def _finding_row(f: Finding, frame: list[FrameLine], meta: AuditMeta) -> dict[str, Any]:
    rule = rule_for(f.code)
    return {
        "code": f.code,
        "name": rule.name,
        "severity": rule.severity,
        "path": path_cell(meta, f.path, f.span.line),
        "line": f.span.line,
        "column": f.span.column,
        "table": f.table or "",
        "handler": f.handler or "",
        "message": f.message,
        "snippet": f.snippet or "",
        "frame": frame_rows(frame),
        "url": meta.link(f.path, f.span.line),
    }


def _site_row(s: QuerySite, meta: AuditMeta) -> dict[str, Any]:
    return {
        "path": path_cell(meta, s.path, s.line),
        "line": s.line,
        "column": s.column,
        "kind": s.kind,
        "scoping": s.scoping,
        "label": scoping_label(s.scoping),
        "status": status(s.scoping),
        "handler": s.handler or "",
        "snippet": s.snippet or "",
        "detail": s.detail,
        "origin": s.origin,
    }


def status(scoping: str) -> str:
    """The badge class of a scoping: proven ("ok"), accepted but not proven ("assumed"), or not."""
    if scoping in SAFE_SCOPINGS:
        return "ok"
    return "assumed" if scoping == UNKNOWN_ORIGIN else "bad"


def _tables(data: AuditData, per_table: dict[str, TableSummary]) -> list[dict[str, Any]]:
    tables = []
    for t in tenant_tables(data.index):
        counts = per_table[t.table]
        tables.append(
            {
                "table": t.table,
                "models": ", ".join(t.models),
                "scoped_by": scoped_by_text(t),
                "reason": t.reason,
                "where": path_cell(data.meta, t.path, t.line, from_root=True) if t.path else None,
                "line": t.line,
                "sites": counts.sites,
                "proven": counts.proven,
                "share": format_share(counts.share),
                "share_sort": -1 if counts.share is None else counts.share,
            }
        )
    return tables


def _site_groups(data: AuditData, per_table: dict[str, TableSummary]) -> list[dict[str, Any]]:
    known = {t.table for t in data.index.tables.values()}
    groups = []
    for number, (name, sites) in enumerate(sites_by_table(data).items(), start=1):
        counts = per_table[name]
        groups.append(
            {
                "id": f"sites-{number}",
                "table": name,
                "known": name in known or name == DYNAMIC_SQL_TABLE,
                "dynamic": name == DYNAMIC_SQL_TABLE,
                "sites": [_site_row(s, data.meta) for s in sites],
                "count": counts.sites,
                "proven": counts.proven,
                "unproven": counts.unproven,
                "share": format_share(counts.share),
            }
        )
    return groups


def _header(data: AuditData) -> dict[str, Any]:
    meta, config = data.meta, data.config
    source = ""
    if config.source is not None:
        root = Path(meta.root) if meta.root else config.root
        try:
            source = os.path.relpath(config.source, root).replace(os.sep, "/")
        except ValueError:  # another drive (Windows)
            source = config.source.name
    return {
        "project": data.project,
        "generated": meta.generated,
        "commit": meta.commit or "",
        "short_commit": meta.short_commit,
        "branch": meta.branch or "",
        "config_source": source,
    }


def context(data: AuditData, read_source: SourceReader) -> dict[str, Any]:
    """The template's variables: plain values only, all text still unescaped."""
    summary = summarize(data)
    per_table = {t.table: t for t in summary.by_table}
    findings = sorted_findings(data.result.findings)
    frames = finding_frames(findings, read_source)
    script = _asset("audit.js")
    counts = dict(summary.by_scoping)
    return {
        **_header(data),
        "tool_version": data.tool_version,
        "summary": summary,
        "share": format_share(summary.share),
        "share_value": summary.share,
        "scopings": [
            {"scoping": k, "label": scoping_label(k), "count": n, "status": status(k),
             "seen": k in counts}
            for k, n in summary.scoping_rows()
        ],
        "charts": charts(data),
        "delta": delta_context(data),
        "tables": _tables(data, per_table),
        "site_groups": _site_groups(data, per_table),
        "findings": [_finding_row(f, frames[f], data.meta) for f in findings],
        "bypasses": [
            {"b": b, "path": path_cell(data.meta, b.path, b.line)} for b in list_bypasses(data)
        ],
        "config": [
            (key, json.dumps(value, ensure_ascii=False))
            for key, value in config_items(data.config)
        ],
        "errors": [{"path": path_cell(data.meta, e.path), "message": e.message}
                   for e in data.result.errors],
        "style": Markup(_asset("audit.css")),
        "script": Markup(script),
        "csp": content_security_policy(script),
    }


class HtmlAuditReporter:
    """Renders :class:`AuditData` to one self-contained, offline HTML page."""

    name = "html"
    description = "the audit report as one self-contained HTML file"

    def write(self, data: AuditData, stream: TextIO, read_source: SourceReader = no_source) -> None:
        template = _environment().get_template(TEMPLATE)
        stream.write(template.render(**context(data, read_source)))

    def render(self, data: AuditData, read_source: SourceReader = no_source) -> str:
        buffer = io.StringIO()
        self.write(data, buffer, read_source)
        return buffer.getvalue()
