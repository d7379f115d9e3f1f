"""Parts of the Markdown audit shared with nothing else: the header facts, code locations (linked
with ``--source-url``), "where the problems are" tables and the delta against a previous audit."""

from __future__ import annotations

import os
from collections.abc import Callable

from tenantlint.audit import AuditData, format_share, share, summarize
from tenantlint.audit_breakdown import FindingCount, by_directory, by_endpoint, coverage
from tenantlint.reporters.markdown import code as _code_span

MAX_ROWS = 25


def _code(value: str) -> str:
    return _code_span(value) if value.strip() else ""


def location(data: AuditData, path: str, line: int = 0, column: int = 0,
             from_root: bool = False) -> str:
    """``path:line:col`` as an inline code span, linked to the source when a template is given."""
    shown = path if from_root else data.meta.display(path)
    label = shown + (f":{line}" if line else "") + (f":{column}" if column else "")
    span = _code(label)
    url = data.meta.link(path, line, from_root=from_root)
    if url is None:
        return span
    return f"[{span}](<{url.replace('>', '%3E').replace(' ', '%20')}>)"


def header(data: AuditData) -> str:
    meta, config = data.meta, data.config
    parts = [f"Project {_code(data.project)}"]
    if meta.generated:
        parts.append(f"generated {meta.generated}")
    parts.append(f"commit {_code(meta.short_commit)}" if meta.commit else "not a git checkout")
    if meta.branch:
        parts.append(f"branch {_code(meta.branch)}")
    parts.append(f"tenantlint {_code(data.tool_version)}")
    if config.source is not None:
        root = meta.root or str(config.root)
        parts.append("config " + _code(os.path.relpath(config.source, root).replace(os.sep, "/")))
    else:
        parts.append("config: defaults (no config file)")
    return " · ".join(parts)


def _table(header_row: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(header_row) + " |", "|" + "---|" * len(header_row)]
    out.extend("| " + " | ".join(row) + " |" for row in rows)
    return out


def _count_rows(rows: list[FindingCount], label_head: str) -> list[str]:
    shown = [[_code(r.label) + (f" in {_code(r.where)}" if r.where else ""), str(r.errors),
              str(r.warnings), str(r.total)] for r in rows[:MAX_ROWS]]
    out = _table([label_head, "Errors", "Warnings", "Findings"], shown)
    if len(rows) > MAX_ROWS:
        out += ["", f"{len(rows) - MAX_ROWS} more not shown."]
    return out


def breakdown(data: AuditData) -> list[str]:
    cover = coverage(data)
    if not cover and not data.result.findings:
        return []
    out = ["", "## Where the problems are", "", "### Coverage per tenant table", "",
           "Least covered first. *Unknown origin*: filtered by a value whose origin is unknown "
           "(accepted, not proven).", ""]
    out += _table(["Table", "Proven", "Unknown origin", "Not proven", "Proven share"], [
        [_code(c.table), str(c.proven), str(c.assumed), str(c.unproven),
         format_share(share(c.proven, c.sites))]
        for c in cover[:MAX_ROWS]
    ])
    if len(cover) > MAX_ROWS:
        out += ["", f"{len(cover) - MAX_ROWS} more tables in the tenant table list."]
    if data.result.findings:
        out += ["", "### Findings by directory", ""] + _count_rows(by_directory(data), "Directory")
        out += ["", "### Findings by endpoint", ""] + _count_rows(by_endpoint(data), "Endpoint")
    return out


def delta(data: AuditData, text: Callable[[str | None], str]) -> list[str]:
    found = data.delta
    if found is None:
        return []
    now = summarize(data)
    before = found.previous
    share_before = share(before.proven, before.sites)
    out = ["", "## Changes since the previous audit", "",
           f"Compared with the audit of {text(before.label)}. Findings are matched by rule, file, "
           "table, handler and code, not by line.", ""]
    out += _table(["Metric", "Then", "Now"], [
        ["Findings", str(len(before.findings)), str(now.findings)],
        ["Query sites", str(before.sites), str(now.sites)],
        ["Proven scoped", format_share(share_before), format_share(now.share)],
    ])
    for title, items in (("New findings", found.new), ("Fixed since then", found.fixed)):
        out += ["", f"### {title} ({len(items)})", ""]
        if not items:
            out.append("None.")
            continue
        out += _table(["Code", "Location", "Message"], [
            [_code(f.key.code), location(data, f.key.path, f.line, from_root=True)
             if items is found.new else _code(f"{f.key.path}:{f.line}"), text(f.message)]
            for f in items
        ])
    if found.tables:
        out += ["", "### Tables whose coverage changed", ""]
        out += _table(["Table", "Proven then", "Proven now"], [
            [_code(t.table), f"{t.before[1]} of {t.before[0]}" if t.before else "\u2014",
             f"{t.after[1]} of {t.after[0]}" if t.after else "\u2014"]
            for t in found.tables
        ])
    return out
