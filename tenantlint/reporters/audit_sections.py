"""The HTML audit's "where the problems are" charts and its delta against a previous audit."""

from __future__ import annotations

from typing import Any

from tenantlint.audit import AuditData, format_share, share
from tenantlint.audit_breakdown import FindingCount, by_directory, by_endpoint, coverage
from tenantlint.reporters.charts import Bar, Segment, bar_chart

MAX_BARS = 25


def _finding_bars(rows: list[FindingCount]) -> list[Bar]:
    bars = []
    for r in rows[:MAX_BARS]:
        label = r.label if not r.where else f"{r.label} ({r.where})"
        note = f"{r.total} finding{'s' if r.total != 1 else ''}"
        if r.errors and r.warnings:
            note += f" ({r.errors} error{'s' if r.errors != 1 else ''})"
        bars.append(Bar(label, (Segment(r.errors, "seg-bad", f"{r.errors} errors"),
                                Segment(r.warnings, "seg-warn", f"{r.warnings} warnings")), note))
    return bars


def charts(data: AuditData) -> dict[str, Any]:
    """Inline SVG charts (Markup) with how many rows each leaves out."""
    cover = coverage(data)
    coverage_bars = [
        Bar(c.table,
            (Segment(c.proven, "seg-ok", f"{c.proven} proven scoped"),
             Segment(c.assumed, "seg-assumed", f"{c.assumed} filtered by a value of unknown origin"),
             Segment(c.unproven, "seg-bad", f"{c.unproven} not proven")),
            f"{c.proven} of {c.sites} proven ({format_share(share(c.proven, c.sites))})")
        for c in cover[:MAX_BARS]
    ]
    directories = by_directory(data)
    endpoints = by_endpoint(data)
    return {
        "coverage": bar_chart(coverage_bars, "Query sites per tenant table", normalise=True),
        "coverage_more": max(len(cover) - MAX_BARS, 0),
        "directories": bar_chart(_finding_bars(directories), "Findings by directory",
                                 normalise=False),
        "directories_more": max(len(directories) - MAX_BARS, 0),
        "endpoints": bar_chart(_finding_bars(endpoints), "Findings by endpoint", normalise=False),
        "endpoints_more": max(len(endpoints) - MAX_BARS, 0),
        "any": bool(cover or directories),
    }


def _signed(n: int) -> str:
    return f"+{n}" if n > 0 else str(n)


def delta_context(data: AuditData) -> dict[str, Any] | None:
    delta = data.delta
    if delta is None:
        return None
    from tenantlint.audit import summarize

    now = summarize(data)
    before = delta.previous
    share_before, share_now = share(before.proven, before.sites), now.share
    points = None
    if share_before is not None and share_now is not None:
        points = f"{(share_now - share_before) * 100:+.1f} points"
    return {
        "label": before.label,
        "findings": _signed(delta.findings_change),
        "new": [
            {"f": f, "url": data.meta.link(f.key.path, f.line, from_root=True)}
            for f in delta.new
        ],
        "fixed": list(delta.fixed),
        "share_before": format_share(share_before),
        "share_now": format_share(share_now),
        "share_points": points or "n/a",
        "sites": _signed(now.sites - before.sites),
        "tables": [
            {"table": t.table,
             "before": f"{t.before[1]} of {t.before[0]}" if t.before else "\u2014",
             "after": f"{t.after[1]} of {t.after[0]}" if t.after else "\u2014"}
            for t in delta.tables
        ],
    }
