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
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import jinja2
from markupsafe import Markup

from tenantlint.audit import (
    SAFE_SCOPINGS,
    AuditData,
    FrameLine,
    SourceReader,
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
from tenantlint.audit import bypasses as list_bypasses
from tenantlint.reporters.base import no_source, sorted_findings
from tenantlint.results import Finding
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


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _finding_row(f: Finding, frame: list[FrameLine]) -> dict[str, Any]:
    rule = rule_for(f.code)
    return {
        "code": f.code,
        "name": rule.name,
        "severity": rule.severity,
        "path": f.path,
        "line": f.span.line,
        "column": f.span.column,
        "table": f.table or "",
        "handler": f.handler or "",
        "message": f.message,
        "snippet": f.snippet or "",
        "frame": frame_rows(frame),
    }


def context(data: AuditData, read_source: SourceReader) -> dict[str, Any]:
    """The template's variables: plain values only, all text still unescaped."""
    summary = summarize(data)
    per_table = {t.table: t for t in summary.by_table}
    groups = sites_by_table(data)
    tables = []
    for t in tenant_tables(data.index):
        counts = per_table[t.table]
        tables.append(
            {
                "table": t.table,
                "models": ", ".join(t.models),
                "scoped_by": scoped_by_text(t),
                "reason": t.reason,
                "where": f"{t.path}:{t.line}" if t.path else "",
                "sites": counts.sites,
                "proven": counts.proven,
                "share": format_share(counts.share),
                "share_sort": -1 if counts.share is None else counts.share,
            }
        )
    known = {t.table for t in data.index.tables.values()}
    site_groups = []
    for number, (name, sites) in enumerate(groups.items(), start=1):
        counts = per_table[name]
        site_groups.append(
            {
                "id": f"sites-{number}",
                "table": name,
                "known": name in known,
                "sites": [
                    {
                        "path": s.path,
                        "line": s.line,
                        "column": s.column,
                        "kind": s.kind,
                        "scoping": s.scoping,
                        "label": scoping_label(s.scoping),
                        "proven": is_proven(s),
                        "handler": s.handler or "",
                        "snippet": s.snippet or "",
                        "detail": s.detail,
                    }
                    for s in sites
                ],
                "count": counts.sites,
                "proven": counts.proven,
                "unproven": counts.unproven,
                "share": format_share(counts.share),
            }
        )
    findings = sorted_findings(data.result.findings)
    frames = finding_frames(findings, read_source)
    script = _asset("audit.js")
    config = data.config
    return {
        "root": data.root,
        "tool_version": data.tool_version,
        "config_source": config.source.as_posix() if config.source else "",
        "summary": summary,
        "share": format_share(summary.share),
        "share_value": summary.share,
        "scopings": [
            {"scoping": k, "label": scoping_label(k), "count": n, "proven": k in SAFE_SCOPINGS}
            for k, n in summary.by_scoping
        ],
        "tables": tables,
        "site_groups": site_groups,
        "findings": [_finding_row(f, frames[f]) for f in findings],
        "bypasses": list_bypasses(data),
        "config": [
            (key, json.dumps(value, ensure_ascii=False)) for key, value in config_items(config)
        ],
        "errors": list(data.result.errors),
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
