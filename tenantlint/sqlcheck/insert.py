"""INSERT: does it set the tenant column (or, for a via-scoped table, its foreign key)?"""

from __future__ import annotations

from sqlglot import exp

from tenantlint.analysis.facts import Scoping
from tenantlint.sqlcheck import dialect_keys as k
from tenantlint.sqlcheck.pins import Pin, constant
from tenantlint.sqlcheck.scoping import analyze_query
from tenantlint.sqlcheck.tenant_tables import SqlTenancy, normalize_table
from tenantlint.sqlcheck.verdict import ParamRef, SqlTableUse


def _params(pins: list[Pin]) -> tuple[ParamRef, ...]:
    seen: list[ParamRef] = []
    for p in pins:
        if isinstance(p, ParamRef) and p not in seen:
            seen.append(p)
    return tuple(seen)


def _select_of(stmt: exp.Insert) -> exp.Expr | None:
    source = k.expr_arg(stmt, k.EXPRESSION)
    while isinstance(source, exp.Subquery) and isinstance(source.this, exp.Expr):
        source = source.this
    if not isinstance(source, exp.Query):
        return None
    with_ = k.expr_arg(stmt, k.WITH)
    if with_ is not None and k.expr_arg(source, k.WITH) is None:
        source = source.copy()
        source.set(k.WITH, with_.copy())
    return source


def insert_uses(stmt: exp.Insert, tenancy: SqlTenancy) -> tuple[SqlTableUse, ...]:
    """The target's INSERT_SETS_TENANT / INSERT_MISSING_TENANT use, then the SELECT part's uses."""
    target = k.expr_arg(stmt, k.THIS)
    columns: list[str] | None = None
    if isinstance(target, exp.Schema):
        columns = [c.name.lower() for c in target.expressions]
        target = target.this
    select = _select_of(stmt)
    verdict = analyze_query(select, tenancy) if select is not None else None
    uses: list[SqlTableUse] = []
    if isinstance(target, exp.Table) and tenancy.is_tenant(target.name):
        table = normalize_table(target.name)
        wanted = list(tenancy.tenant_columns_of(table)) + [
            fk for fk, _ in tenancy.via(table) or ()
        ]
        source = k.expr_arg(stmt, k.EXPRESSION)
        if columns is None:
            if source is None:
                uses.append(
                    SqlTableUse(table, Scoping.INSERT_MISSING_TENANT, (), "no columns inserted")
                )
            else:
                uses.append(
                    SqlTableUse(
                        table, Scoping.INSERT_SETS_TENANT, (), "all columns, no column list"
                    )
                )
        else:
            hit = next((c for c in wanted if c in columns), None)
            if hit is None:
                uses.append(
                    SqlTableUse(
                        table,
                        Scoping.INSERT_MISSING_TENANT,
                        (),
                        f"column list lacks {' / '.join(wanted)}",
                    )
                )
            else:
                index = columns.index(hit)
                pins: list[Pin] = []
                if isinstance(source, exp.Values):
                    for row in source.expressions:
                        values = row.expressions if isinstance(row, exp.Tuple) else [row]
                        if index < len(values):
                            pin = constant(values[index])
                            if pin is not None:
                                pins.append(pin)
                elif verdict is not None and index < len(verdict.projection_pins):
                    pins.extend(verdict.projection_pins[index])
                uses.append(
                    SqlTableUse(table, Scoping.INSERT_SETS_TENANT, _params(pins), f"sets {hit}")
                )
    if verdict is not None:
        uses.extend(verdict.uses)
    return tuple(uses)
