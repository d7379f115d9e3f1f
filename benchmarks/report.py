"""Targets, the results table (rich when available) and the JSON document."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from scenarios import Row

BANDIT = "bandit -r"


@dataclass(frozen=True, slots=True)
class Target:
    """``subject``'s ``metric`` must be at most ``limit`` times ``reference``'s."""

    label: str
    subject: str
    reference: str
    metric: str  # "seconds" or "peak_mb"
    limit: float


def targets(jobs: int) -> list[Target]:
    return [
        Target("cold <= 0.5x bandit", "tenantlint cold", BANDIT, "seconds", 0.5),
        Target("warm <= 0.1x cold", "tenantlint warm", "tenantlint cold", "seconds", 0.1),
        Target(
            "one changed <= 0.15x cold",
            "tenantlint one changed file",
            "tenantlint cold",
            "seconds",
            0.15,
        ),
        Target(
            "pre-commit <= flake8 on the same files",
            "tenantlint pre-commit (10 files)",
            "flake8 (10 files)",
            "seconds",
            1.0,
        ),
        Target("memory <= 2x bandit", "tenantlint cold", BANDIT, "peak_mb", 2.0),
        Target("memory <= 2x bandit", f"tenantlint cold --jobs {jobs}", BANDIT, "peak_mb", 2.0),
        Target(
            "2N files <= 2.2x N files",
            "scaling: tenantlint cold, 2N files",
            "scaling: tenantlint cold, N files",
            "seconds",
            2.2,
        ),
    ]


def _value(row: Row | None, metric: str) -> float | None:
    if row is None or row.error or not row.runs:
        return None
    v = row.seconds if metric == "seconds" else row.peak_mb
    return None if math.isnan(v) or v <= 0 else v


def evaluate(rows: Sequence[Row], jobs: int) -> list[dict[str, object]]:
    """Each target with the measured ratio and "pass", "fail" or "n/a" (something missing)."""
    by_name = {r.name: r for r in rows}
    out: list[dict[str, object]] = []
    for t in targets(jobs):
        subject, reference = by_name.get(t.subject), by_name.get(t.reference)
        if subject is None and reference is None:
            continue
        a, b = _value(subject, t.metric), _value(reference, t.metric)
        ratio = a / b if a is not None and b is not None else None
        status = "n/a" if ratio is None else ("pass" if ratio <= t.limit else "fail")
        out.append(
            {
                "target": t.label,
                "subject": t.subject,
                "reference": t.reference,
                "metric": t.metric,
                "limit": t.limit,
                "ratio": ratio,
                "status": status,
            }
        )
    return out


def _ratio(row: Row, bandit: Row | None, metric: str) -> float | None:
    a, b = _value(row, metric), _value(bandit, metric)
    return a / b if a is not None and b is not None else None


def to_json(
    rows: Sequence[Row], checks: list[dict[str, object]], meta: dict[str, object]
) -> dict[str, object]:
    bandit = next((r for r in rows if r.name == BANDIT), None)
    return {
        "version": 1,
        **meta,
        "rows": [
            {
                "name": r.name,
                "command": list(r.command),
                "seconds": _value(r, "seconds") if r.runs else None,
                "seconds_all": [m.seconds for m in r.runs],
                "cpu_seconds": (
                    sorted(m.cpu_seconds for m in r.runs)[len(r.runs) // 2] if r.runs else None
                ),
                "peak_mb": _value(r, "peak_mb") if r.runs else None,
                "max_single_rss_mb": max((m.max_single_rss_mb for m in r.runs), default=None),
                "tree_rss_mb": max((m.tree_rss_mb for m in r.runs), default=None),
                "pss_mb": max((m.tree_pss_mb for m in r.runs), default=None) or None,
                "returncodes": list(r.returncodes),
                "ratio_seconds_to_bandit": _ratio(r, bandit, "seconds"),
                "ratio_memory_to_bandit": _ratio(r, bandit, "peak_mb"),
                "findings": r.findings,
                "error": r.error,
                "note": r.note,
                "targets": [c for c in checks if c["subject"] == r.name],
            }
            for r in rows
        ],
        "targets": checks,
    }


def _fmt(v: object, spec: str) -> str:
    return "-" if v is None else format(v, spec)


def table_rows(doc: dict[str, object]) -> list[list[str]]:
    out: list[list[str]] = []
    rows = doc["rows"]
    assert isinstance(rows, list)
    for r in rows:
        checks = r["targets"]
        target = "; ".join(f"{c['target']} ({_fmt(c['ratio'], '.2f')})" for c in checks)
        status = ", ".join(str(c["status"]) for c in checks)
        if r["error"]:
            status = "error"
        codes = ",".join(str(c) for c in sorted(set(r["returncodes"])))
        out.append(
            [
                r["name"],
                _fmt(r["seconds"], ".3f"),
                _fmt(r.get("cpu_seconds"), ".2f"),
                _fmt(r["peak_mb"], ".1f"),
                _fmt(r.get("pss_mb"), ".1f"),
                _fmt(r["ratio_seconds_to_bandit"], ".2f"),
                _fmt(r["ratio_memory_to_bandit"], ".2f"),
                codes or "-",
                target or (r["note"] if not r["seconds_all"] else ""),
                status,
            ]
        )
    return out


HEADERS = [
    "scenario",
    "seconds",
    "CPU s",
    "peak MB",
    "pss MB",
    "time/bandit",
    "mem/bandit",
    "exit",
    "target",
    "result",
]


def render(doc: dict[str, object]) -> str:
    """A rich table when rich is importable, else a plain aligned one."""
    data = table_rows(doc)
    try:
        from rich.console import Console
        from rich.table import Table
    except ImportError:
        widths = [max(len(h), *(len(r[i]) for r in data)) for i, h in enumerate(HEADERS)]
        lines = ["  ".join(h.ljust(w) for h, w in zip(HEADERS, widths, strict=True))]
        lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in data]
        return "\n".join(lines)
    table = Table(*HEADERS, title="tenantlint benchmark")
    for r in data:
        table.add_row(*r, style={"fail": "red", "error": "red", "pass": "green"}.get(r[-1]))
    console = Console(width=160, record=True, markup=False)
    with console.capture() as cap:
        console.print(table)
    return cap.get()
