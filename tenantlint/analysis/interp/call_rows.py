"""Rows handed back by a project function, checked after the call (docs/concepts.md).

A row a helper fetched by an id (``memory = MemoryService.get_by_memory_id(memory_id)``) and handed
back is checked after the call as a row fetched in place is checked after the fetch: by comparing
its tenant column with a trusted value (or a parameter) and refusing on mismatch, or by a tenant
guard of another function (``if not memory_accessible(memory): raise``). Past the check:

* the row is a trusted one (or as good as the parameter it was checked against);
* the id the call was keyed by is the id of a row of that tenant: the name holding it is trusted
  for the rest of the function, as after a check of the id itself;
* the call's read is confined: the helper's id-keyed query is not reported through that argument
  (``crossfn/combine.py`` skips it for queries that only read). Its writes ran before the check,
  so an id-keyed write reached through the call is still reported.

Only a call with exactly one argument that a check can verify (request input or a parameter) is
followed: with two, which of them keyed the row is not known.
"""

from __future__ import annotations

from dataclasses import replace

import libcst as cst

from tenantlint.analysis.facts import CallFact, Provenance, Trust
from tenantlint.analysis.interp.exprs import dotted
from tenantlint.analysis.interp.function_state import FunctionState
from tenantlint.analysis.interp.values import Value
from tenantlint.crossfn.records import PARAMETER, TRUSTED_CHECK


def call_of(fn: FunctionState, name: str) -> int | None:
    """The index in the file's calls of the project call ``name`` still holds the result of."""
    ctx = fn.ctx
    bound = fn.bound_exprs.get(name) or fn.unpacked_calls.get(name)
    if ctx is None or bound is None or fn.env.get(name) is not bound[1]:
        return None
    expr = bound[0].expression if isinstance(bound[0], cst.Await) else bound[0]
    if not isinstance(expr, cst.Call):
        return None
    calls = ctx.facts.calls
    for i in range(len(calls) - 1, -1, -1):
        if calls[i].node is expr:
            return i if not calls[i].celery and not calls[i].reference else None
    return None


def _verifiable(prov: Provenance) -> bool:
    return prov.trust is Trust.UNTRUSTED or (
        prov.trust is Trust.UNKNOWN and prov.source.startswith(PARAMETER))


def check_call_row(fn: FunctionState, name: str, prov: Provenance, detail: str) -> bool:
    """``name`` holds a row a project call handed back, and its tenant was just checked against
    ``prov`` (trusted, or a parameter): the call's one verifiable argument is verified for reads, the
    name holding it (if any) and the row become trusted (or as good as that parameter)."""
    ctx = fn.ctx
    index = call_of(fn, name)
    trusted = prov.trust is Trust.TRUSTED
    if ctx is None or index is None or not (trusted or _verifiable(prov)) or prov.trust is Trust.UNTRUSTED:
        return False
    call: CallFact = ctx.facts.calls[index]
    open_ = [i for i, a in enumerate(call.args) if _verifiable(a.prov)]
    if len(open_) != 1 or call.open_args:
        return False
    key = call.args[open_[0]].node
    rebound = (Provenance.trusted(f"{key.value}, {detail}") if trusted and isinstance(key, cst.Name)
               else prov)
    mark_checked(fn, index, open_[0], TRUSTED_CHECK if trusted else prov.source, rebound)
    after = Provenance.trusted(f"{name}, {detail}") if trusted else prov
    row = fn.env[name]
    fn.env[name] = replace(row, prov=after)
    for held_by in (fn.bound_exprs, fn.unpacked_calls):
        if name in held_by:
            held_by[name] = (held_by[name][0], fn.env[name])
    return True


def mark_checked(fn: FunctionState, index: int, position: int, mark: str, rebound: Provenance) -> bool:
    """Argument ``position`` of call ``index`` was checked (``mark``: :data:`TRUSTED_CHECK` or the
    parameter it was checked against); the name it was read from, while it still holds that value
    (or is a parameter not rebound yet), now holds ``rebound``. True when a name was rebound."""
    ctx = fn.ctx
    assert ctx is not None
    call: CallFact = ctx.facts.calls[index]
    arg = call.args[position]
    ctx.facts.calls[index] = replace(call, args=tuple(
        replace(a, checked=mark) if i == position else a for i, a in enumerate(call.args)))
    key = arg.node
    if not isinstance(key, cst.Name):
        return False
    held = fn.env.get(key.value)
    if not ((held is not None and held.prov == arg.prov) or (held is None and key.value in fn.params)):
        return False
    fn.env[key.value] = Value(rebound)
    return True


def unpacked_call(fn: FunctionState, target: cst.Tuple, value: cst.BaseExpression) -> None:
    """``found, row = Service.get_by_id(pk)`` (just bound): each name of the target holds a part
    of what the call handed back."""
    expr = value.expression if isinstance(value, cst.Await) else value
    if not isinstance(expr, cst.Call):
        return
    for i, el in enumerate(target.elements):
        if isinstance(el.value, cst.Name) and el.value.value in fn.env:
            fn.unpacked_calls[el.value.value] = (value, fn.env[el.value.value])
            if i == 0:
                fn.unpacked_first.add(el.value.value)
            else:
                fn.unpacked_first.discard(el.value.value)


def called_row(node: cst.BaseExpression, fn: FunctionState, tenant_names: frozenset[str]) -> str | None:
    """``memory.tenant_id`` / ``memory.tenant.id`` of a row a project call handed back, naming a
    tenant column or relation of some tenant table: the name holding the row."""
    text = dotted(node)
    parts = text.split(".") if text else []
    if len(parts) not in (2, 3) or (len(parts) == 3 and parts[2] not in ("id", "pk")):
        return None
    if parts[1] not in tenant_names or call_of(fn, parts[0]) is None:
        return None
    return parts[0]
