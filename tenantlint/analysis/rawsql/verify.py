"""SQL text that reaches a database call: the verifier's answer (once per distinct text per run) turned
into facts — table uses with their scoping and parameter provenance, or an SQL problem (TNT301/302)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from tenantlint.analysis.facts import FilterFact, QueryFact, QueryKind, Scoping, TableUse
from tenantlint.analysis.rawsql.bindings import ParamBinding
from tenantlint.analysis.rawsql.own_connection import names_tenant_table, own_connection
from tenantlint.analysis.rawsql.text import SqlText
from tenantlint.sqlcheck import SqlAnalysis, SqlTenancy
from tenantlint.sqlcheck.keywords import CLAUSE_WORDS

if TYPE_CHECKING:
    from tenantlint.analysis.plugins import Evaluation


def memo(ev: Evaluation, key: tuple[str, str], make: object) -> object:
    """``make()`` once per run and key (the run-wide memo of ``Settings``)."""
    store = ev.ctx.settings.memo
    if key not in store:
        store[key] = make() if callable(make) else make
    return store[key]


def _tenancy(ev: Evaluation) -> SqlTenancy:
    t = memo(ev, ("sql", "tenancy"), lambda: SqlTenancy.from_index(ev.ctx.index))
    assert isinstance(t, SqlTenancy)
    return t


def analyze(ev: Evaluation, text: SqlText) -> SqlAnalysis:
    """The verifier's answer for ``text``, computed once per distinct text per run."""
    from tenantlint.sqlcheck import analyze_sql  # sqlglot: loaded at the first SQL sink

    dialect = ev.ctx.config.sql_dialect
    key = (f"sql-analysis:{dialect}", text.text)
    result = memo(ev, key, lambda: analyze_sql(text.text, dialect=dialect, tenancy=_tenancy(ev),
                                                 holes=text.hole_names()))
    assert isinstance(result, SqlAnalysis)
    return result


_CLAUSE_WORDS = frozenset(CLAUSE_WORDS)


def _is_sql(text: SqlText) -> bool:
    """SQL by its first keyword; or complete static text at a database call that reads like SQL with
    a misspelt verb (``SELEC id FROM t WHERE ...``: two clause keywords), so the parser can say why."""
    from tenantlint.sqlcheck import looks_like_sql

    if looks_like_sql(text.text):
        return True
    if not text.static:
        return False
    words = {w.lower() for w in text.text.split()}
    return len(words & _CLAUSE_WORDS) >= 2


def verify(ev: Evaluation, node: cst.CSTNode, text: SqlText, binding: ParamBinding,
           seen: set[object] | None = None) -> None:
    """Check ``text`` executed at ``node`` and record its facts; ``seen``: the facts and problems
    already recorded for other texts the call may run (each is recorded once)."""
    if not _is_sql(text):
        return
    result = analyze(ev, text)
    handler = ev.fn.handler_name
    problem = (result.error is not None and text.static) or result.unverifiable is not None
    if problem and own_connection(ev) is not None and not names_tenant_table(_tenancy(ev), text):
        return  # sent to a database the module connects to itself, and naming no tenant table
    seen = set() if seen is None else seen
    if result.error is not None and text.static and ("unparsable", result.error) not in seen:
        seen.add(("unparsable", result.error))
        ev.report_sql_problem(node, "unparsable", f"SQL does not parse: {result.error}")
    if result.unverifiable is not None and ("dynamic", result.unverifiable) not in seen:
        seen.add(("dynamic", result.unverifiable))
        ev.report_sql_problem(node, "dynamic",
                              f"SQL built at run time cannot be verified: {result.unverifiable}")
    inserts: list[TableUse] = []
    others: list[TableUse] = []
    for use in result.uses:
        table_use = table_use_of(ev, use.scoping, use.table, use.detail, use.params, binding,
                               use.written)
        is_insert = use.scoping in (Scoping.INSERT_SETS_TENANT, Scoping.INSERT_MISSING_TENANT)
        (inserts if is_insert else others).append(table_use)
    kind = QueryKind.WRITE if result.kind is QueryKind.WRITE else QueryKind.READ
    for found, uses in ((QueryKind.INSERT, tuple(inserts)), (kind, tuple(others))):
        if uses and (found, uses) not in seen:
            seen.add((found, uses))
            ev.record(QueryFact(node, found, "sql", uses, handler))


def table_use_of(ev: Evaluation, scoping: Scoping, table: str, detail: str,
               params: tuple[object, ...], binding: ParamBinding,
               written: tuple[object, ...] = ()) -> TableUse:
    if ev.fn.system_depth:
        reason = ev.fn.system_reason
        return TableUse(table, Scoping.SYSTEM_SCOPE, None, f"{detail}; {reason}" if detail and reason
                        else detail or reason)
    from tenantlint.sqlcheck.verdict import ParamRef

    values = [binding.lookup(p) for p in params if isinstance(p, ParamRef)]
    bad = [v for v in values if v is not None and v.untrusted]
    untrusted = bad[0].prov if bad else None
    if bad and scoping is Scoping.TRUSTED_FILTER and len(bad) == len(values):
        scoping = Scoping.UNTRUSTED_FILTER
    if untrusted is None:  # the tenant column is set to request input (``SET org_id = %s``)
        moved = [binding.lookup(p) for p in written if isinstance(p, ParamRef)]
        untrusted = next((v.prov for v in moved if v is not None and v.untrusted), None)
    known = [v for v in values if v is not None]
    known.sort(key=lambda v: v.untrusted)  # the deciding (safe) values first
    filters = tuple(FilterFact.of(scoping, detail, v.prov) for v in known)
    return TableUse(table, scoping, untrusted, detail, filters)


