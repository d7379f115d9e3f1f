"""Plain-text listing of tenant tables for ``tenantlint tables``."""

from __future__ import annotations

from collections.abc import Mapping

from tenantlint.index.membership import RecognisedCheck
from tenantlint.index.records import ProjectIndex, TenantTable


def _how(t: TenantTable) -> str:
    if t.via:
        return "via " + "__".join(t.via) + " (" + ", ".join(t.via_columns) + ")"
    if t.alt_columns:
        return " / ".join(n for n in (t.tenant_column, *t.alt_columns) if n)
    return (
        f"{t.tenant_field}"
        if t.tenant_field == t.tenant_column
        else f"{t.tenant_field} ({t.tenant_column})"
    )


def _set_by(t: TenantTable) -> str:
    if t.always_set:
        return "; set on insert by a trusted default of the model"
    fields = [n for n in t.set_by if n != "*"]
    return f"; set on insert from {fields[0]} by the model" if fields else ""


def render_tables(index: ProjectIndex, checks: tuple[RecognisedCheck, ...] = (),
                  injecting: Mapping[str, str] | None = None,
                  scheduled: Mapping[str, str] | None = None) -> str:
    """One line per tenant table, sorted: ``table  (Models)  scoped by …  — reason``; then the
    membership checks recognised by their bodies, with where each was found, the project
    decorators that pass the functions they wrap a trusted value (``index/injection.py``), and the
    tasks a scheduler runs (system scope), with where each was registered."""
    rows = [
        (t.table, "(" + ", ".join(t.models) + ")" if t.models else "", _how(t), t.reason + _set_by(t))
        for _, t in sorted(index.tables.items())
    ]
    lines: list[str] = []
    if rows:
        w0 = max(len(r[0]) for r in rows)
        w1 = max(len(r[1]) for r in rows)
        w2 = max(len(r[2]) for r in rows)
        for table, models, how, reason in rows:
            lines.append(f"{table:<{w0}}  {models:<{w1}}  {how:<{w2}}  — {reason}".rstrip())
    lines.append(f"{len(rows)} tenant table{'s' if len(rows) != 1 else ''}")
    if index.global_tables:
        lines.append("global (never scoped): " + ", ".join(sorted(index.global_tables)))
    if checks:
        lines.append(f"recognised membership checks ({len(checks)}):")
        lines.extend(f"  {c.describe()}" for c in checks)
    if injecting:
        lines.append(f"decorators passing a trusted value ({len(injecting)}):")
        for name, text in sorted(injecting.items()):
            what = ", ".join(f"{'position ' if k.isdigit() else ''}{k} <- {v}"
                             for k, v in (e.split("=", 1) for e in text.split(";")))
            lines.append(f"  {name}: {what}")
    if scheduled:
        lines.append(f"scheduled tasks, system scope ({len(scheduled)}):")
        lines.extend(f"  {name}  — scheduled by {where}" for name, where in sorted(scheduled.items()))
    return "\n".join(lines) + "\n"
