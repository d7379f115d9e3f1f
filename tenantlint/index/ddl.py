"""Tables without a model class: ``CREATE TABLE`` in .sql files, Alembic ops, ``Table(...)``."""

from __future__ import annotations

import ast
import logging

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

from tenantlint.config.model import Config
from tenantlint.index.context import FileContext
from tenantlint.index.cst_util import LineFinder, call_name, last_part, positional, string_value
from tenantlint.index.model import FieldInfo, ModelInfo
from tenantlint.index.sqla_models import column_field

_LOG = logging.getLogger("sqlglot")


def _parse_statements(text: str, dialect: str) -> list[exp.Expr]:
    """All statements that parse; a bad statement does not hide the good ones around it."""
    try:
        return [s for s in sqlglot.parse(text, read=dialect) if s is not None]
    except (ParseError, TokenError):
        pass
    out: list[exp.Expr] = []
    for chunk in text.split(";"):
        if "create" not in chunk.lower():
            continue
        try:
            out.extend(s for s in sqlglot.parse(chunk, read=dialect) if s is not None)
        except (ParseError, TokenError):
            continue
    return out


def _table_name(node: exp.Expr | None) -> str | None:
    if isinstance(node, exp.Schema):
        node = node.this
    if isinstance(node, exp.Table):
        return node.name or None
    return None


def _create_fields(schema: exp.Schema) -> tuple[FieldInfo, ...]:
    columns: dict[str, FieldInfo] = {}
    table_fks: dict[str, str] = {}
    for item in schema.expressions:
        if isinstance(item, exp.ColumnDef):
            name = item.name
            required = False
            target: str | None = None
            for constraint in item.args.get("constraints") or ():
                kind = constraint.args.get("kind")
                if isinstance(kind, (exp.NotNullColumnConstraint, exp.PrimaryKeyColumnConstraint)):
                    required = required or not (
                        isinstance(kind, exp.NotNullColumnConstraint)
                        and kind.args.get("allow_null")
                    )
                elif isinstance(kind, exp.Reference):
                    target = _table_name(kind.this)
            columns[name] = FieldInfo(name=name, column=name, fk_target=target, required=required)
        elif isinstance(item, exp.ForeignKey):
            reference = item.args.get("reference")
            target = _table_name(reference.this) if isinstance(reference, exp.Reference) else None
            for col in item.expressions:
                if target:
                    table_fks[col.name] = target
    out: list[FieldInfo] = []
    for name, f in columns.items():
        if f.fk_target is None and name in table_fks:
            f = FieldInfo(
                name=f.name, column=f.column, fk_target=table_fks[name], required=f.required
            )
        out.append(f)
    return tuple(out)


def extract_sql_file(relpath: str, text: str, config: Config) -> tuple[ModelInfo, ...]:
    """``CREATE TABLE`` statements of a .sql file as DDL models (name = table name)."""
    level = _LOG.level
    _LOG.setLevel(logging.CRITICAL)
    try:
        statements = _parse_statements(text, config.sql_dialect)
    finally:
        _LOG.setLevel(level)
    lines = LineFinder(text)
    out: list[ModelInfo] = []
    for stmt in statements:
        if not isinstance(stmt, exp.Create) or str(stmt.args.get("kind", "")).upper() != "TABLE":
            continue
        schema = stmt.this
        table = _table_name(schema)
        if not table:
            continue
        fields = _create_fields(schema) if isinstance(schema, exp.Schema) else ()
        out.append(
            ModelInfo(
                name=table,
                table=table,
                family="ddl",
                path=relpath,
                line=lines.create_table_line(table),
                fields=fields,
            )
        )
    return tuple(out)


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


def extract_table_call(call: ast.Call, ctx: FileContext, var: str | None) -> ModelInfo | None:
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
