"""SQLAlchemy Core ``Table(...)`` calls and Alembic ``op.create_table``/``op.add_column``, read
from CPython's ``ast`` (no SQL parser: ``ddl.py`` parses SQL files with sqlglot)."""

from __future__ import annotations

import ast

from tenantlint.index.ast_util import call_name, last_part, positional, string_value
from tenantlint.index.orm_context import ModelFile
from tenantlint.index.records import FieldInfo, ModelInfo
from tenantlint.index.sqla_models import column_field


def _sa_columns(args: list[ast.expr]) -> tuple[FieldInfo, ...]:
    out: list[FieldInfo] = []
    for arg in args:
        if isinstance(arg, ast.Call) and last_part(call_name(arg) or "") == "Column":
            f = column_field(arg, None, False)
            if f is not None:
                out.append(f)
    fk_constraints = _fk_constraints(args)
    return tuple(
        FieldInfo(f.name, f.column, fk_constraints[f.column], f.required)
        if f.fk_target is None and f.column in fk_constraints
        else f
        for f in out
    )


def _fk_constraints(args: list[ast.expr]) -> dict[str, str]:
    """``sa.ForeignKeyConstraint(["org_id"], ["orgs.id"])`` -> ``{"org_id": "orgs"}``."""
    out: dict[str, str] = {}
    for arg in args:
        if isinstance(arg, ast.Call) and last_part(call_name(arg) or "") == "ForeignKeyConstraint":
            pos = positional(arg)
            if len(pos) >= 2 and isinstance(pos[0], ast.List) and isinstance(pos[1], ast.List):
                for local, remote in zip(pos[0].elts, pos[1].elts, strict=False):
                    col, ref = string_value(local), string_value(remote)
                    if col and ref:
                        parts = ref.split(".")
                        out[col] = parts[-2] if len(parts) >= 2 else parts[0]
    return out


def extract_table_call(call: ast.Call, ctx: ModelFile, var: str | None) -> ModelInfo | None:
    """``Table("invoices", metadata, Column(...))``, ``op.create_table``, ``op.add_column``."""
    func = call_name(call) or ""
    short = last_part(func)
    args = positional(call)
    table = string_value(args[0]) if args else None
    if not table:
        return None
    if short == "Table":
        family, name = "sqlalchemy", var or table
    elif short in ("create_table", "add_column") and func.startswith("op."):
        family, name = "alembic", table
    else:
        return None
    return ModelInfo(
        name=name,
        table=table,
        family=family,
        path=ctx.relpath,
        line=ctx.lines.call_line(short, table),
        fields=_sa_columns(args[1:]),
    )
