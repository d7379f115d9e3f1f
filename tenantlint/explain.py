"""``tenantlint explain PATH:LINE``: why the queries on one line are or are not confined to a tenant.

Built from the facts the analysis records (``analysis.facts``): each query's tables, each tenant
predicate with the provenance chain of its value, the membership checks that verified a value, the
findings reported there, and a verdict that answers "fix or suppress?".
"""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from tenantlint.analysis.facts import FileFacts, FilterFact, QueryFact, TableUse, Trust
from tenantlint.analysis.source.parse import Positions
from tenantlint.audit import SAFE_SCOPINGS, scoped_by_text, scoping_label
from tenantlint.index.records import ProjectIndex
from tenantlint.results import UNKNOWN_ORIGIN, Finding, Span

_VERIFIED = "verified"


@dataclass(frozen=True, slots=True)
class FilterView:
    how: str  # scoping value of the predicate ("trusted-filter", "scoped-parent", …)
    detail: str  # "filter org", "related manager invoices"
    expression: str  # "org=request.user.org" when the code shows it, else ""
    trust: str  # "trusted" | "untrusted" | "unknown"
    chain: tuple[str, ...]  # where the value comes from, the value first; grows across functions


@dataclass(frozen=True, slots=True)
class TableView:
    table: str
    scoped_by: str  # "org_id", "via invoice (invoice_id)"; "" for a table the index does not know
    scoping: str  # the audit's scoping value
    label: str
    status: str  # "proven" | "assumed" | "not proven"
    filters: tuple[FilterView, ...]
    untrusted: str  # the request input the tenant value comes from, "" when none


@dataclass(frozen=True, slots=True)
class QueryView:
    span: Span
    snippet: str
    kind: str
    family: str
    handler: str | None
    tables: tuple[TableView, ...]
    membership: tuple[str, ...]  # membership checks that verified a value this query uses
    findings: tuple[Finding, ...] = ()
    suppressed: tuple[Finding, ...] = ()
    verdict: str = ""


@dataclass(frozen=True, slots=True)
class Explanation:
    path: str
    line: int
    queries: tuple[QueryView, ...]
    others: tuple[Finding, ...] = ()  # findings on the line that are not about a query
    suppressed_others: tuple[Finding, ...] = ()
    notes: tuple[str, ...] = field(default=())


def _status(scoping: str) -> str:
    if scoping == UNKNOWN_ORIGIN:
        return "assumed"
    return "proven" if scoping in SAFE_SCOPINGS else "not proven"


def _key_of(detail: str) -> str | None:
    """``"filter invoice__org"`` -> ``"invoice__org"``."""
    head, _, key = detail.partition(" ")
    return key if head == "filter" and key and key.replace("_", "").isalnum() else None


def _expression(module: cst.Module, node: cst.CSTNode, key: str | None) -> str:
    """``key=value`` as written in the query, when a keyword argument spells it."""
    if key is None:
        return ""
    found: list[str] = []

    class _Args(cst.CSTVisitor):
        def visit_Arg(self, arg: cst.Arg) -> None:
            if not found and arg.keyword is not None and arg.keyword.value == key:
                found.append(f"{key}={' '.join(module.code_for_node(arg.value).split())}")

    node.visit(_Args())
    return found[0] if found else ""


def _chain(f: FilterFact) -> tuple[str, ...]:
    steps = tuple(s.text + (f" ({s.path}:{s.line})" if s.path else "") for s in f.chain)
    if steps:
        return steps
    if f.trust is Trust.UNKNOWN:
        return ("origin unknown: a parameter of a function that is not a request handler, a "
                "constant, or self",)
    return ()


def _site_scoping(use: TableUse) -> str:
    from tenantlint.analysis.engine import site_scoping

    return site_scoping(use)


def _table_view(use: TableUse, index: ProjectIndex, module: cst.Module, node: cst.CSTNode) -> TableView:
    scoping = _site_scoping(use)
    known = index.tenant_table(use.table)
    filters = tuple(
        FilterView(f.how.value, f.detail, _expression(module, node, _key_of(f.detail)), f.trust.value,
                   _chain(f))
        for f in use.filters
    )
    return TableView(use.table, scoped_by_text(known) if known else "", scoping, scoping_label(scoping),
                     _status(scoping), filters, use.untrusted.source if use.untrusted else "")


def _membership(tables: tuple[TableView, ...]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for t in tables:
        for f in t.filters:
            for step in f.chain:
                if _VERIFIED in step:
                    seen.setdefault(step, None)
    return tuple(seen)


def verdict(view: QueryView) -> str:
    """The answer to "fix or suppress?" for one query."""
    if view.findings:
        codes = ", ".join(sorted({f.code for f in view.findings}))
        worst = next((t for t in view.tables if t.status == "not proven"), None)
        advice = _advice(worst.scoping if worst else "", worst)
        return f"FIX ({codes}): {advice}"
    if view.suppressed:
        kinds = ", ".join(sorted({f.suppression.kind for f in view.suppressed if f.suppression}))
        return (f"SUPPRESSED ({kinds}): reported, then silenced here; keep it only if the query is "
                "deliberately cross-tenant, and say why in the comment")
    statuses = {t.status for t in view.tables}
    if statuses == {"proven"}:
        how = "; ".join(f"{t.table}: {t.label}" for t in view.tables)
        return f"OK: confined to one tenant ({how}); nothing to fix or suppress"
    if "assumed" in statuses:
        return ("OK, not proven: the tenant filter's value has no known origin here (a helper's "
                "parameter, a constant, self); it is safe when every caller passes its own tenant, "
                "and callers that pass request input are reported at the call")
    how = "; ".join(f"{t.table}: {t.label}" for t in view.tables)
    if "not proven" in statuses:
        return (f"NOT REPORTED here ({how}): the query is keyed by this function's parameters and is "
                "judged at its calls, across functions: a call that passes request input is reported "
                "at that call; calls that pass values their callers scoped are not reported")
    return "NOT REPORTED: " + how


_CODE_SCOPING = {"TNT101": "unscoped", "TNT102": "unscoped", "TNT103": "untrusted-filter",
                 "TNT104": "unscoped", "TNT105": "weakened", "TNT301": "unverifiable"}


def finding_advice(f: Finding) -> str:
    """"Fix or suppress?" for a finding that is not about a query on the line (TNT201, TNT301…)."""
    if f.suppression is not None:
        return f"SUPPRESSED ({f.suppression.kind}): keep it only with a reason in the comment"
    if f.code == "TNT201":
        return ("FIX: the handler reads the tenant from client input; take it from the "
                "authenticated user, or verify membership before using it")
    if f.code == "TNT202":
        return "FIX: give the view a get_queryset() that filters on the caller's tenant"
    return f"FIX ({f.code}): " + _advice(_CODE_SCOPING.get(f.code, ""), None)


def _advice(scoping: str, table: TableView | None) -> str:
    column = table.scoped_by if table and table.scoped_by else "the tenant column"
    if scoping == "unscoped":
        return (f"filter on {column} with the caller's tenant (request.user…, a verified id) or "
                "reach the rows through a scoped parent; if the query is deliberately cross-tenant, "
                "wrap it in system_scope or suppress it with a reason")
    if scoping == "untrusted-filter":
        source = table.untrusted if table and table.untrusted else "the request"
        return (f"the tenant value comes from {source}: check the caller's membership first "
                "(a function in membership_checks) or use the authenticated user's tenant")
    if scoping == "weakened":
        return "the tenant predicate is optional (OR, negation, IS NULL): make it a required AND"
    if scoping == "unverifiable":
        return ("the SQL is built at run time, so its tables cannot be checked: build it from "
                "constant text and parameters, or review it and suppress with a reason")
    return "see the finding's rule: tenantlint rules CODE"


def _covers(span: Span, line: int) -> bool:
    return span.line <= line <= max(span.end_line, span.line)


def explain_facts(path: str, line: int, module: cst.Module, facts: FileFacts, positions: Positions,
                  index: ProjectIndex, findings: list[Finding], suppressed: list[Finding]
                  ) -> Explanation:
    """The explanation of ``line`` from one file's facts and findings."""
    chosen: list[tuple[QueryFact, Span]] = []
    for q in facts.queries:
        span = positions.span(q.node)
        if _covers(span, line):
            chosen.append((q, span))
    claimed: set[int] = set()
    views = []
    for q, span in sorted(chosen, key=lambda qs: (qs[1].line, qs[1].column)):
        tables = tuple(_table_view(u, index, module, q.node) for u in q.uses)
        on = tuple(f for f in findings if f.span.line == span.line and _about(f, tables))
        off = tuple(f for f in suppressed if f.span.line == span.line and _about(f, tables))
        claimed.update(id(f) for f in on + off)
        view = QueryView(span, positions.snippet(q.node), q.kind.value, q.family, q.handler, tables,
                         _membership(tables), on, off)
        views.append(_with_verdict(view))
    others = tuple(f for f in findings if f.span.line == line and id(f) not in claimed)
    quiet = tuple(f for f in suppressed if f.span.line == line and id(f) not in claimed)
    notes: tuple[str, ...] = ()
    if not views and not others and not quiet:
        notes = ("no query on this line: tenantlint found no ORM query or SQL execution that "
                 "starts on it or spans it",)
    return Explanation(path, line, tuple(views), others, quiet, notes)


def _about(f: Finding, tables: tuple[TableView, ...]) -> bool:
    return f.table is None or any(t.table == f.table for t in tables)


def _with_verdict(view: QueryView) -> QueryView:
    from dataclasses import replace

    return replace(view, verdict=verdict(view))
