"""Tables without a model class: ``CREATE TABLE`` in .sql files, Alembic ops, ``Table(...)``."""

from __future__ import annotations

import logging

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

from tenantlint.config.options import Config
from tenantlint.index.ast_util import LineFinder
from tenantlint.index.records import FieldInfo, ModelInfo

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
