"""A request value refused unless it equals a trusted one: ``if current_user.id != tenant_id: return``.

A handler that leaves (returns, raises, aborts) when a name holding request input differs from a
trusted value goes on only when the two are equal: on that path the name holds the trusted value,
and a tenant filter pinned to it pins the trusted value (the URL's ``tenant_id`` refused unless it
is the caller's own id, where the tenant is its owner user). Only a plain name is narrowed (a local
or a parameter), only by ``!=`` (``is not``, ``not ... ==``, each ``or``-ed alternative) against
a value that is itself trusted, and only
on the path after the ``if`` whose body leaves; an ``==`` test whose body goes on narrows nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from tenantlint.analysis.facts import Provenance, Trust
from tenantlint.analysis.interp.exprs import dotted
from tenantlint.analysis.interp.refusals import mismatch_sides, not_in_sides
from tenantlint.analysis.interp.values import QueryValue, RowValue, Value

if TYPE_CHECKING:
    from tenantlint.analysis.interp.evaluator import Evaluator
    from tenantlint.analysis.interp.function_state import FunctionState


def narrow_equal(ev: Evaluator, state: FunctionState, test: cst.BaseExpression) -> None:
    """On the path after ``if <name> != <trusted>: <leave>``, ``name`` holds the trusted value (each
    ``or``-ed alternative: the path goes on only when every one of them is false)."""
    for sides in mismatch_sides(test):
        for name, other in (sides, sides[::-1]):
            if not isinstance(name, cst.Name):
                continue
            held = state.env.get(name.value)
            if held is None or held.prov.trust is not Trust.UNTRUSTED:
                continue
            value = ev.eval(other, use=False)
            if value.prov.trust is Trust.TRUSTED:
                text = dotted(other) or value.prov.source
                why = f"{name.value}, refused unless equal to {text}"
                state.env[name.value] = Value(Provenance.trusted(why))
                break


# Builtins that hand back the elements of their one argument.
_COPIES = frozenset({"list", "set", "tuple", "frozenset", "sorted"})


def narrow_member(ev: Evaluator, state: FunctionState, test: cst.BaseExpression) -> None:
    """On the path after ``if <name> not in <the caller's tenants>: <leave>``, ``name`` is one of
    them (each ``or``-ed alternative, as for ``!=``). The caller's tenants: a display whose elements
    are trusted values or spread such tenants (``{tenant_id, *(t["tenant_id"] for t in joined)}``), a
    comprehension over them, a query scoped to the caller, or what a call given only trusted values
    returns (``joined_tenants(current_user.id)``); a name bound once to one of these reads it back."""
    for name, pool in not_in_sides(test):
        if not isinstance(name, cst.Name):
            continue
        held = state.env.get(name.value)
        if held is None or held.prov.trust is not Trust.UNTRUSTED:
            continue
        if _tenants_of_trusted(ev, state, pool, 8):
            text = dotted(pool) or "the caller's tenants"
            state.env[name.value] = Value(Provenance.trusted(f"{name.value}, refused unless among {text}"))


def _tenants_of_trusted(ev: Evaluator, state: FunctionState, pool: cst.BaseExpression, depth: int,
                        value: Value | None = None) -> bool:
    """``value``: what a name was bound to (the walk already evaluated it: a call is not evaluated
    twice, which would record its call site twice)."""
    if depth <= 0:
        return False
    if isinstance(pool, cst.Name) and value is None:
        bound = state.held_expr(pool.value)
        if bound is None:
            return False
        return _tenants_of_trusted(ev, state, bound[0], depth - 1, bound[1])
    if isinstance(pool, cst.Set | cst.List | cst.Tuple):
        return bool(pool.elements) and all(
            _tenants_of_trusted(ev, state, el.value, depth - 1) if isinstance(el, cst.StarredElement)
            else _simple_trusted(ev, el.value) for el in pool.elements)
    if isinstance(pool, cst.GeneratorExp | cst.ListComp | cst.SetComp):
        one = pool.for_in.inner_for_in is None
        return one and _tenants_of_trusted(ev, state, pool.for_in.iter, depth - 1)
    if isinstance(pool, cst.Call):
        if isinstance(value, QueryValue | RowValue):
            return _scoped_to_caller(value)
        if dotted(pool.func, calls=False) in _COPIES and len(pool.args) == 1 and not pool.args[0].star:
            return _tenants_of_trusted(ev, state, pool.args[0].value, depth - 1)
        func = dotted(pool.func, calls=False)
        if func is None or ev.ctx.model_name(func.split(".", 1)[0]) is not None:
            return False  # a query chain (``Team.objects.values_list(...)``) read only from its bound value
        return bool(pool.args) and all(not a.star and _simple_trusted(ev, a.value) for a in pool.args)
    return False


def _simple_trusted(ev: Evaluator, node: cst.BaseExpression) -> bool:
    """A name or attribute chain (evaluated without side effects) holding a trusted value."""
    return dotted(node, calls=False) is not None and ev.eval(node, use=False).trusted


def _scoped_to_caller(value: Value) -> bool:
    if isinstance(value, QueryValue):
        if value.origin is None or value.origin.tenant is None:
            return False
        scoping, untrusted, _ = value.state.verdict()
        return scoping.is_safe and untrusted is None
    return value.trusted
