"""DML has no root scope in sqlglot: rewrite a copy of UPDATE/DELETE/MERGE into a SELECT over the
same sources (target, FROM/USING, joins) and WHERE, so that one scope walk covers every shape."""

from __future__ import annotations

from sqlglot import exp

from tenantlint.sqlcheck import dialect_keys as k
from tenantlint.sqlcheck.pins import constant
from tenantlint.sqlcheck.verdict import ParamRef


def _detach_joins(table: exp.Expr, joins: list[exp.Expr]) -> exp.Expr:
    nested = k.list_arg(table, k.JOINS)
    if nested:
        table.set(k.JOINS, None)
        joins.extend(nested)
    return table


def _comma(source: exp.Expr, joins: list[exp.Expr]) -> None:
    nested: list[exp.Expr] = []
    joins.append(exp.Join(this=_detach_joins(source, nested)))
    joins.extend(nested)


def as_select(stmt: exp.Expr) -> exp.Select | None:
    """A SELECT with the statement's sources and WHERE (its SET values as the select list)."""
    if not isinstance(stmt, (exp.Update, exp.Delete, exp.Merge)):
        return None
    copy = stmt.copy()
    joins: list[exp.Expr] = []
    target = k.expr_arg(copy, k.THIS)
    projections: list[exp.Expr] = []
    on: exp.Expr | None = None
    if isinstance(copy, exp.Update):
        for pair in k.list_arg(copy, k.EXPRESSIONS):
            value = k.expr_arg(pair, k.EXPRESSION)
            if value is not None:
                projections.append(value.copy())
    if not isinstance(target, exp.Expr):
        return None
    _detach_joins(target, joins)
    if isinstance(copy, exp.Update):
        from_ = k.expr_arg(copy, k.FROM)
        if from_ is not None:
            source = k.expr_arg(from_, k.THIS)
            if source is not None:
                _comma(source, joins)
            for extra in k.list_arg(from_, k.EXPRESSIONS):
                _comma(extra, joins)
    elif isinstance(copy, exp.Delete):
        for source in k.list_arg(copy, k.USING):
            _comma(source, joins)
    else:
        using = k.expr_arg(copy, k.USING)
        on = k.expr_arg(copy, k.ON)
        if using is not None:
            nested: list[exp.Expr] = []
            joins.append(exp.Join(this=_detach_joins(using, nested), on=on.copy() if on else None))
            joins.extend(nested)
    select = exp.Select(expressions=projections or [exp.Star()])
    select.set(k.FROM, exp.From(this=target))
    if joins:
        select.set(k.JOINS, joins)
    where = k.expr_arg(copy, k.WHERE)
    if where is not None:
        select.set(k.WHERE, where)
    with_ = k.expr_arg(copy, k.WITH)
    if with_ is not None:
        select.set(k.WITH, with_)
    return select


def tenant_writes(stmt: exp.Expr, tenant_columns: tuple[str, ...]) -> tuple[ParamRef, ...]:
    """Placeholders an UPDATE's SET assigns to one of the target's ``tenant_columns``."""
    if not isinstance(stmt, exp.Update):
        return ()
    target = k.expr_arg(stmt, k.THIS)
    names = {target.name.lower(), target.alias_or_name.lower()} if isinstance(target, exp.Table) else set()
    refs: list[ParamRef] = []
    for pair in k.list_arg(stmt, k.EXPRESSIONS):
        column = k.expr_arg(pair, k.THIS)
        value = k.expr_arg(pair, k.EXPRESSION)
        if not isinstance(column, exp.Column) or value is None:
            continue
        if column.table and column.table.lower() not in names:
            continue
        if column.name.lower() not in tenant_columns:
            continue
        pin = constant(value)
        if isinstance(pin, ParamRef) and pin not in refs:
            refs.append(pin)
    return tuple(refs)
