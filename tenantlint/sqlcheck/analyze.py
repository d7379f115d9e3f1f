"""SQL text -> per-table tenant verdicts (the raw-SQL verifier's entry point)."""

from __future__ import annotations

from dataclasses import replace

from sqlglot import exp
from sqlglot.errors import OptimizeError, SqlglotError

from tenantlint.analysis.facts import QueryKind
from tenantlint.sqlcheck import dialect_keys as k
from tenantlint.sqlcheck.dml import as_select, tenant_writes
from tenantlint.sqlcheck.holes import harmful_reason, hole_nodes
from tenantlint.sqlcheck.insert import insert_uses
from tenantlint.sqlcheck.parse import parse_sql
from tenantlint.sqlcheck.scoping import analyze_query
from tenantlint.sqlcheck.tenant_tables import SqlTenancy, normalize_table
from tenantlint.sqlcheck.verdict import SqlAnalysis, SqlTableUse

_KIND_RANK = {QueryKind.READ: 0, QueryKind.INSERT: 1, QueryKind.WRITE: 2}


def statement_kind(stmt: exp.Expr) -> QueryKind | None:
    if isinstance(stmt, exp.Insert):
        return QueryKind.INSERT
    if isinstance(stmt, (exp.Update, exp.Delete, exp.Merge)):
        return QueryKind.WRITE
    if isinstance(stmt, exp.Query):
        return QueryKind.READ
    return None


def _hole_problem(stmt: exp.Expr, text_holes: frozenset[str]) -> str | None:
    found = hole_nodes(stmt, text_holes)
    located = {hole for hole, _ in found}
    for node in stmt.walk():
        for comment in node.comments or ():
            located.update(h for h in text_holes if h in comment)
    for _, node in found:
        reason = harmful_reason(node)
        if reason is not None:
            return reason
    missing = text_holes - located
    return "interpolated where the statement's structure depends on it" if missing else None


def _statement_uses(stmt: exp.Expr, tenancy: SqlTenancy) -> tuple[SqlTableUse, ...]:
    if isinstance(stmt, exp.Insert):
        return insert_uses(stmt, tenancy)
    root = as_select(stmt) if isinstance(stmt, (exp.Update, exp.Delete, exp.Merge)) else stmt
    if root is None or not isinstance(root, exp.Query):
        return ()
    uses = analyze_query(root, tenancy).uses
    target = k.expr_arg(stmt, k.THIS)
    if not isinstance(stmt, exp.Update) or not isinstance(target, exp.Table):
        return uses
    table = normalize_table(target.name)
    written = tenant_writes(stmt, tenancy.tenant_columns_of(table))
    if not written:
        return uses
    return tuple(replace(u, written=written) if u.table == table else u for u in uses)


def analyze_sql(
    text: str, *, dialect: str, tenancy: SqlTenancy, holes: frozenset[str] = frozenset()
) -> SqlAnalysis:
    """Verdicts for every tenant-table reference in ``text``; never raises on bad input.

    ``text`` is taken to be SQL (the caller gates string constants with ``looks_like_sql``):
    text that does not parse, or parses as a non-statement (``SELEC * FRM x``), is an ``error``.
    Statements sqlglot does not model (``VACUUM``, ``BEGIN``, ``SET``) give ``kind=None``.

    ``holes`` are the identifiers the caller substituted for run-time interpolations.
    """
    present = frozenset(h for h in holes if h in text)
    parsed = parse_sql(text, dialect)
    if parsed.error is not None:
        if present:
            return SqlAnalysis(
                None, (), None, f"SQL built at run time does not parse: {parsed.error}"
            )
        if not text.strip():
            return SqlAnalysis(None, (), None, None)
        return SqlAnalysis(None, (), parsed.error, None)
    kind: QueryKind | None = None
    uses: list[SqlTableUse] = []
    unverifiable: str | None = None
    for stmt in parsed.statements:
        stmt_kind = statement_kind(stmt)
        if stmt_kind is None:
            continue
        if kind is None or _KIND_RANK[stmt_kind] > _KIND_RANK[kind]:
            kind = stmt_kind
        if present:
            problem = _hole_problem(stmt, present)
            if problem is not None:
                unverifiable = unverifiable or problem
                continue
        try:
            uses.extend(_statement_uses(stmt, tenancy))
        except (OptimizeError, SqlglotError, RecursionError) as e:
            reason = f"cannot resolve the statement's scopes: {e}"
            if present:
                unverifiable = unverifiable or reason
            else:
                return SqlAnalysis(kind, tuple(uses), reason, None)
    return SqlAnalysis(kind, tuple(uses), None, unverifiable)
