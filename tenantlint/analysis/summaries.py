"""One file's function summaries and call sites, from its walk (``tenantlint/crossfn/`` combines them).

A summary says which parameters reach a tenant filter (tenant parameters) and which queries on a
tenant table have no tenant filter and are keyed only by parameters (id-keyed), with the findings
reported at them. Positions are resolved only for call arguments that carry request input and for
id-keyed queries; the other lines (a call's, a function's: a chain's steps) are their statement's
first line unless the node is already resolved (``Positions.line``): resolving every call of a
project costs more than analysing it.
"""

from __future__ import annotations

import sys
from dataclasses import replace

import libcst as cst

from tenantlint.analysis.facts import CallFact, FunctionFact, QueryKind, Scoping, Trust
from tenantlint.analysis.interp import later_keys
from tenantlint.analysis.interp.anchor_models import companions
from tenantlint.analysis.interp.context_pins import origin_entries
from tenantlint.analysis.interp.exprs import dotted
from tenantlint.analysis.interp.file_context import FileContext
from tenantlint.analysis.interp.held_models import generic_binding
from tenantlint.analysis.interp.returns import unfiltered
from tenantlint.analysis.interp.signatures import bare_spelling, cst_shape
from tenantlint.analysis.interp.trusted_context import SCHEDULED, in_system_path, is_caller
from tenantlint.analysis.interp.values import Origin, Value
from tenantlint.analysis.orm.owner import owner_params
from tenantlint.analysis.source.parse import Positions
from tenantlint.crossfn.records import CONTEXT, PARAMETER, Arg, KeyedQuery, Site, Summary, TenantEntry
from tenantlint.results import Finding

KEYED_CODES = frozenset({"TNT101", "TNT102"})


def project_callee(defined: frozenset[str] | None, callee: str, dropped: set[str]) -> bool:
    """Whether a call of ``callee`` may resolve to a function of the project (one named as its last
    part, ``crossfn.records.Callees``): always without ``defined``; a name that is not ASCII is
    kept too (CPython's ``ast``, which ``defined`` comes from, normalises identifiers). A name left
    out is added to ``dropped``."""
    if defined is None:
        return True
    last = callee.rsplit(".", 1)[-1]
    if last in defined or not last.isascii():
        return True
    dropped.add(sys.intern(last))
    return False


def summarize(path: str, ctx: FileContext, findings: list[Finding], positions: Positions,
              dropped: set[str]) -> tuple[list[Summary], list[Site]]:
    """``dropped``: filled with the last names of the callees whose call sites are not recorded
    (:func:`project_callee`)."""
    tenant_params: dict[str, dict[str, int]] = {}
    keyed: dict[str, list[KeyedQuery]] = {}
    codes_at: dict[int, set[str]] = {}
    for f in findings:
        if f.code in KEYED_CODES:
            codes_at.setdefault(f.line, set()).add(f.code)
    own: dict[str, dict[int, tuple[str, ...]]] = {}
    row_params = {fn.qualname: fn.rows for fn in ctx.facts.functions if fn.rows}
    for origin in ctx.origins:
        if origin.function is None or origin.tenant is None:
            continue
        if codes_at and origin.handler is None:  # its own findings (dropped if only tasks call it)
            line = positions.span(origin.node).line
            if line in codes_at:
                own.setdefault(origin.function, {})[line] = tuple(sorted(codes_at[line]))
        params = _pinned_params(origin)
        if params:
            line = positions.line(origin.node)
            found = tenant_params.setdefault(origin.function, {})
            for name in params:
                found.setdefault(name, line)
        if origin.handler is not None or origin.internal:
            continue
        keys, anchors = _keys_and_anchors(origin)
        if keys is None:
            continue
        beside = companions(ctx, origin.node, anchors, frozenset(keys))
        if beside is None:  # another tenant model read beside the anchored one, not confined
            anchors, beside = (), ()
        scheduled = _scheduled_codes(origin)
        if codes_at or scheduled:
            line = positions.span(origin.node).line  # the line of its finding, exactly
            codes = codes_at.get(line) or scheduled
            if codes:
                owner = owner_params(ctx, origin.node, origin.table, frozenset(keys))
                keyed_entries = origin.entries if origin.keys is not None else ()
                rows = tuple(a for a in anchors if a in row_params.get(origin.function, ()))
                binding, reach, held = generic_binding(ctx, origin)
                tenants = tuple(sorted(origin.tenant.tenant_names())) if origin.spread else ()
                keyed.setdefault(origin.function, []).append(
                    KeyedQuery(line, tuple(sorted(codes)), origin.table, keys, _label(origin.node),
                               owner, anchors, keyed_entries, rows, binding, reach, held, beside,
                               tenants))
    entries = _context_entries(ctx, positions)
    summaries: list[Summary] = []
    seen: set[str] = set()
    for fn in ctx.facts.functions:
        if fn.qualname in seen:
            continue
        seen.add(fn.qualname)
        summaries.append(Summary(
            fn.qualname, path, positions.line(fn.node), fn.params, fn.handler, fn.open,
            tuple(sorted(tenant_params.get(fn.qualname, {}).items())), tuple(keyed.get(fn.qualname, ())),
            fn.check, _returns(path, fn, positions), fn.system,
            tuple(sorted(own.get(fn.qualname, {}).items())), fn.passes, fn.guards,
            tuple(entries.get(fn.qualname, ())), positions.last_line(fn.node), fn.signature,
            fn.definition, fn.bases, fn.keeps,
        ))
    system = in_system_path(ctx.path, ctx.settings.config)
    defined = ctx.settings.defined
    sites = [_site(path, call, positions, ctx.built_at.get(id(call.node)), system)
             for call in ctx.facts.calls if project_callee(defined, call.callee, dropped)]
    return summaries, sites


def _context_entries(ctx: FileContext, positions: Positions) -> dict[str, list[TenantEntry]]:
    """Per function, the ``self.context`` entries its tenant filters and written tenant columns
    take their values from (``interp/context_pins.py``), once per entry and query."""
    pins = [*(p for o in ctx.origins for p in origin_entries(o)), *ctx.context_pins]
    out: dict[str, list[TenantEntry]] = {}
    seen: set[tuple[str, str, int]] = set()
    for function, entry, node in pins:
        line = positions.line(node)
        if (function, entry, line) not in seen:
            seen.add((function, entry, line))
            out.setdefault(function, []).append(TenantEntry(CONTEXT, entry, line, function, _label(node)))
    return out


def _returns(path: str, fn: FunctionFact, positions: Positions) -> str:
    """A builder's kind names the line of its query's finding and its file, for the chain."""
    if fn.built is None:
        return fn.returns
    return f"{fn.returns}:{positions.span(fn.built).line}:{path}"


def _scheduled_codes(origin: Origin) -> set[str]:
    """The codes an id-keyed query of a scheduled task would have outside system scope: a scheduler
    passes it no request input, but a handler calling the task too may (TNT101/TNT102 at its call)."""
    codes: set[str] = set()
    for kind, state in origin.uses:
        if state.bypass is not Scoping.SYSTEM_SCOPE or not state.bypass_detail.startswith(SCHEDULED):
            return set()
        if replace(state, bypass=None).verdict()[0] is Scoping.UNSCOPED and kind is not QueryKind.INSERT:
            codes.add("TNT102" if kind is QueryKind.WRITE else "TNT101")
    return codes


def _pinned_params(origin: Origin) -> set[str]:
    """The parameters a tenant filter of the query pins (its tenant parameters), in the states
    not already confined by a trusted pin that holds whatever else filters them (a membership join
    pinned to the authenticated user: ``workspace__slug=slug`` beside it only narrows the caller's
    own tenants, so ``slug`` is no tenant parameter)."""
    out: set[str] = set()
    states = [s for _, s in origin.uses] + ([origin.latest] if origin.latest is not None else [])
    for state in states:
        if any(p.confines and p.prov.trust is Trust.TRUSTED for p in state.pins):
            continue
        for pin in state.pins:
            if pin.prov.trust is Trust.UNKNOWN and pin.prov.source.startswith(PARAMETER):
                out.add(pin.prov.source[len(PARAMETER):])
    return out


def _keys_and_anchors(origin: Origin) -> tuple[tuple[str, ...] | None, tuple[str, ...]]:
    """The parameters a query is keyed by (None: not judged at its calls) and, among them, its
    anchors: the parameters a foreign key to a tenant table is pinned to in every state the query
    was used in (``crossfn/combine.py``)."""
    states = [s for _, s in origin.uses] or ([origin.latest] if origin.latest is not None else [])
    common = frozenset.intersection(*(s.anchors for s in states)) if states else frozenset()
    keys = origin.keys if origin.keys is not None else later_keys.keys_of(origin, states)
    if keys is None and origin.narrowing_keys is not None and common.intersection(origin.narrowing_keys):
        # ``cls.data_source == data_source`` beside ``cls.query_hash == gen_query_hash(query)``: the
        # rows of the row passed in, narrowed by a value computed from parameters.
        keys = origin.narrowing_keys
    if origin.spread and (keys is not None or origin.keys is None):
        # the callers' keywords are its filter (``interp/kwargs_filters.py``); what narrows it later
        # only narrows the rows they choose
        keys = tuple(sorted({*(keys or ()), origin.spread}))
    if keys is None:
        return None, ()
    return keys, tuple(sorted(common.intersection(keys)))


def _label(node: cst.CSTNode) -> str:
    if isinstance(node, cst.Call):
        text = dotted(node.func)
        if text:
            return text
    text = cst.Module(body=[]).code_for_node(node)
    text = " ".join(text.split())
    return text if len(text) <= 60 else text[:57] + "..."


def _site(path: str, call: CallFact, positions: Positions, built: list[Origin] | None,
          system: bool) -> Site:
    args = tuple(
        Arg(a.position, a.keyword, a.prov.trust.value, a.prov.source,
            positions.span(a.node) if a.prov.trust is Trust.UNTRUSTED or a.unpinned else None,
            positions.snippet(a.node) if a.prov.trust is Trust.UNTRUSTED or a.unpinned else None,
            caller=is_caller(Value(a.prov)), listed=a.listed, literal=a.literal, payload=a.payload,
            entries=a.entries, checked=a.checked, unpinned=a.unpinned, pinned=a.pinned,
            entry_sources=a.entry_sources)
        for a in call.args
    )
    return Site(call.callee, path, positions.line(call.node), call.caller, call.handler,
                call.celery, call.open_args, args, call.reference,
                bool(built) and not any(unfiltered(o) and not _caller_keyed(o) for o in built or ()),
                call.queries,
                call.rows, call.selector, call.selected, system=system, via=call.via,
                shape=_shape(call, positions), bare=bare_spelling(call.node), queue=call.queue,
                stored=call.stored)


def _caller_keyed(origin: Origin) -> bool:
    """A builder's query that the caller (no handler) narrowed with keys from its own parameters
    only (``locked().filter(user_profile_id=user_profile_id)`` in a helper): an id-keyed query of
    the caller, judged across functions where it is (``crossfn/combine.py``): reported there when
    a caller of the helper is not known, at a call passing request input into those keys, nowhere
    when every call is known and passes none. The builder's query became the caller's own."""
    return origin.handler is None and not origin.internal and _keys_and_anchors(origin)[0] is not None


def _shape(call: CallFact, positions: Positions) -> str:
    """The call as written (``shapes.py``); none for a call run through an executor (a stand-in
    built for it: the name is an argument there, no call)."""
    if positions.stand_ins and id(call.node) in positions.stand_ins:
        return ""
    return cst_shape(call.node, call.callee.rsplit(".", 1)[-1])
