"""One file through the analysis: parse → walk → facts → rules → findings (positions on demand)."""

from __future__ import annotations

import ast

import libcst as cst

from tenantlint.analysis.facts import FileFacts, QueryFact, QueryKind, Scoping, TableUse, Trust
from tenantlint.analysis.interp.failure import SourceError, error_result
from tenantlint.analysis.interp.file_context import FileContext
from tenantlint.analysis.interp.imports import collect_imports
from tenantlint.analysis.interp.returns import narrowed
from tenantlint.analysis.interp.values import Origin, QueryState
from tenantlint.analysis.interp.walker import Walker
from tenantlint.analysis.plugins import registered_plugins
from tenantlint.analysis.settings import Settings
from tenantlint.analysis.source.nesting import nesting_headroom
from tenantlint.analysis.source.parse import Positions, collector_paused_after, decode, parse
from tenantlint.analysis.summaries import project_callee, summarize
from tenantlint.crossfn.returns import PASSES_ASKED
from tenantlint.crossfn.switch import summaries_off
from tenantlint.results import (
    DYNAMIC_SQL_TABLE,
    UNKNOWN_ORIGIN,
    UNVERIFIABLE,
    FileResult,
    Finding,
    QuerySite,
    UnresolvedSite,
)
from tenantlint.rules.base import Issue
from tenantlint.rules.registry import fact_rules
from tenantlint.suppress import apply_suppressions, parse_suppressions
from tenantlint.untrusted import bidi_findings, with_bidi


def _worst(states: list[QueryState]) -> QueryState:
    if len(states) == 1:
        return states[0]  # most queries are used once: no ranking
    return max(states, key=lambda s: s.rank())


def origin_facts(origins: list[Origin]) -> list[QueryFact]:
    """Each query is reported once, at the statement that created it, in its worst used state.
    A generic base method walked once per concrete model gives one fact per query naming them."""
    facts: list[QueryFact] = []
    bound: dict[tuple[int, QueryKind], list[tuple[str, QueryFact]]] = {}
    for origin in origins:
        for fact in _origin_facts(origin):
            if origin.binding is None:
                facts.append(fact)
            else:
                bound.setdefault((id(fact.node), fact.kind), []).append((origin.binding, fact))
    facts.extend(_merge_bound(group) for group in bound.values())
    return facts


def _merge_bound(group: list[tuple[str, QueryFact]]) -> QueryFact:
    """One fact for a query of a generic base: per scoping verdict, the concrete tables it has."""
    first = group[0][1]
    by_scoping: dict[Scoping, list[tuple[str, TableUse]]] = {}
    for label, fact in group:
        for use in fact.uses:
            by_scoping.setdefault(use.scoping, []).append((label, use))
    uses: list[TableUse] = []
    for scoping, labelled in by_scoping.items():
        label, use = labelled[0]
        named = [f"{lab} \u2192 {u.table}" for lab, u in labelled[:3]]
        more = f" and {len(labelled) - 3} more" if len(labelled) > 3 else ""
        detail = f"as {', '.join(named)}{more}" + (f"; {use.detail}" if use.detail else "")
        uses.append(TableUse(use.table, scoping, use.untrusted, detail, use.filters))
    return QueryFact(first.node, first.kind, first.family, tuple(uses), first.handler)


def _origin_facts(origin: Origin) -> list[QueryFact]:
    if origin.tenant is None or origin.internal or origin.tentative:
        return []
    facts: list[QueryFact] = []
    uses = origin.uses or [(QueryKind.READ, origin.latest or QueryState())]
    by_kind: dict[QueryKind, list[QueryState]] = {}
    for kind, state in uses:
        by_kind.setdefault(kind, []).append(state)
    for kind in (QueryKind.READ, QueryKind.WRITE):
        if kind not in by_kind:
            continue
        worst = _worst(by_kind[kind])
        scoping, untrusted, detail = worst.verdict()
        if origin.via and scoping is Scoping.UNSCOPED and not narrowed(origin):
            continue  # no filter from any source: reported in the builder, where it is
        if origin.via:
            detail = f"{detail}; {origin.via}" if detail else origin.via
        filters = worst.filters() if worst.bypass is None else ()
        use = TableUse(origin.table, scoping, untrusted, detail, filters)
        facts.append(QueryFact(origin.node, kind, origin.family, (use,), origin.handler))
    return facts


def walk_file(path: str, module: cst.Module, settings: Settings, text: str | None = None) -> FileContext:
    """The walk's context: its facts, and the statement hints for positions. ``text``: the module's
    source, when known (lets plug-ins skip searches for names the file never spells)."""
    ctx = FileContext(path, module, settings, collect_imports(module), registered_plugins(), source=text)
    Walker(ctx).walk_module()
    ctx.facts.queries[:0] = origin_facts(ctx.origins)
    return ctx


def _dedupe(issues: list[Issue]) -> list[Issue]:
    seen: set[tuple[int, str]] = set()
    out = []
    for issue in issues:
        key = (id(issue.node), issue.code)
        if key not in seen:
            seen.add(key)
            out.append(issue)
    return out


def analyze_text(
    path: str, text: str, settings: Settings, want_sites: bool = False, tree: ast.Module | None = None,
    own_from: int = 1,
) -> FileResult:
    """``tree``: what ``source.guarded_ast`` returned for ``text``, when the caller already ran it
    (the depth guard is then not repeated, and positions reuse the tree). ``own_from``: the first
    line of ``text`` that is its own (a chunk of a large file repeats small statements of earlier
    chunks above it): only queries from there on are counted in ``FileResult.queries``."""
    with nesting_headroom():
        try:
            return _analyze_text(path, text, settings, want_sites, tree, own_from)
        except RecursionError:
            return with_bidi(error_result(path, SourceError("code nested too deeply to analyze")), text)


def _analyze_text(
    path: str, text: str, settings: Settings, want_sites: bool, tree: ast.Module | None, own_from: int
) -> FileResult:
    with collector_paused_after(text) as pause:
        pause()  # before the parse too: its own pause would end (and a pass start) right after it
        try:
            module = parse(text, accepted=True if tree is not None else None, tree=tree)
        except SourceError as exc:
            return with_bidi(error_result(path, exc), text)
        result = _analyze_module(path, text, settings, want_sites, tree, module, own_from)
        # freed by reference counting while the collector is off: the next pass would otherwise
        # walk the whole tree (built while it was off, so all of it young) once more
        del module, tree
    return result


def _analyze_module(path: str, text: str, settings: Settings, want_sites: bool,
                    tree: ast.Module | None, module: cst.Module, own_from: int) -> FileResult:
    result = FileResult(path)
    ctx = walk_file(path, module, settings, text)
    facts = ctx.facts
    issues = _dedupe([i for rule in fact_rules() for i in rule.check(facts)])
    result.unresolved_calls = facts.unresolved_calls
    positions = Positions(module, text, tree, ctx.statement_hints, stand_ins=ctx.stand_ins)
    positions.expect([issue.node for issue in issues])
    findings: list[Finding] = []
    per_line: set[tuple[int, str]] = set()
    for issue in issues:
        span = positions.span(issue.node)
        if (span.line, issue.code) in per_line:
            continue  # each root cause once per statement and code
        per_line.add((span.line, issue.code))
        findings.append(Finding(issue.code, issue.message, path, span, issue.table, issue.handler,
                                positions.snippet(issue.node)))
    findings.extend(bidi_findings(path, text))  # TNT903: suppressed below like every code
    if "noqa" in text.lower() or "tenantlint" in text:
        comments = parse_suppressions(text)
        reported, suppressed, meta = apply_suppressions(findings, comments, path)
        findings = reported + meta
        result.suppressed = suppressed
        result.comments = list(comments)
    result.findings = findings
    dropped: set[str] = set()
    if not summaries_off():
        result.summaries, result.calls = summarize(path, ctx, findings, positions, dropped)
    defined = settings.defined
    result.returns_asked = sorted(c for c in ctx.returns_asked
                                  if c == PASSES_ASKED or project_callee(defined, c, dropped))
    result.dropped = sorted(dropped)
    if want_sites:
        result.sites = sites(path, facts, positions)
    for u in facts.unresolved:
        span = positions.span(u.node)
        result.unresolved.append(UnresolvedSite(path, span.line, span.column, u.reason,
                                                positions.snippet(u.node)))
    # last: a line asked for here must not change which spans were resolved above
    result.queries = len(facts.queries) if own_from <= 1 else sum(
        1 for q in facts.queries if positions.line(q.node) >= own_from)
    return result


# A predicate that rests on a value of unknown origin (a parameter of a helper, a constant, ``self``)
# is accepted by the rules (the callers are checked) but is not proven scoped: the audit says so.
_VALUE_SCOPINGS = frozenset({Scoping.TRUSTED_FILTER, Scoping.SCOPING_METHOD, Scoping.INSERT_SETS_TENANT})


def site_scoping(use: TableUse) -> str:
    """The audit's scoping value of one table use."""
    deciding = use.deciding
    if use.scoping in _VALUE_SCOPINGS and deciding is not None and deciding.trust is Trust.UNKNOWN:
        return UNKNOWN_ORIGIN
    if use.scoping is Scoping.INSERT_SETS_TENANT:
        return "untrusted-filter" if use.untrusted else "trusted-filter"
    if use.scoping is Scoping.INSERT_MISSING_TENANT:
        return "unscoped"
    if use.untrusted is not None:
        return "untrusted-filter"
    return str(use.scoping.value)


def origin_text(use: TableUse) -> str:
    """Where the deciding predicate's value comes from: ``request.user.org``; "" when unknown."""
    deciding = use.deciding
    if deciding is None or not deciding.chain:
        return ""
    return " \u2190 ".join(step.text for step in deciding.chain)


def sites(path: str, facts: FileFacts, positions: Positions) -> list[QuerySite]:
    out = []
    for q in facts.queries:
        span = positions.span(q.node)
        for use in q.uses:
            out.append(QuerySite(path, span.line, span.column, use.table, q.kind.value,
                                 site_scoping(use), q.handler, positions.snippet(q.node), use.detail,
                                 origin_text(use)))
    for problem in facts.sql_problems:
        if problem.kind != "dynamic":
            continue  # TNT302 (unparsable SQL) is a file-level problem, not a query site
        span = positions.span(problem.node)
        scoping, detail = (UNVERIFIABLE, problem.message) if problem.system is None else (
            str(Scoping.SYSTEM_SCOPE.value), problem.system)
        out.append(QuerySite(path, span.line, span.column, DYNAMIC_SQL_TABLE, "read",
                             scoping, problem.handler, positions.snippet(problem.node), detail))
    return out


def analyze_bytes(path: str, data: bytes, settings: Settings, want_sites: bool = False) -> FileResult:
    try:
        text = decode(data)
    except SourceError as exc:
        return error_result(path, exc)
    return analyze_text(path, text, settings, want_sites)
