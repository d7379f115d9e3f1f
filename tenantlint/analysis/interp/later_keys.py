"""A query kept in a name by a statement that keys it by nothing, narrowed by later statements.

::

    def users_for_api(realm, *, target_user=None):
        base_query = CustomProfileFieldValue.objects.select_related("field")
        if target_user is not None:
            values = base_query.filter(user_profile=target_user)
        else:
            values = base_query.filter(field__realm_id=realm.id)
        return field_values(values)

Written in one statement, each narrowed query is keyed only by the function's parameters and judged
at its calls ("Across functions"). Kept in a name first, the base query (``Origin.bare``: its own
statement names no value at all) takes the parameters each later statement narrows it by
(``QueryState.later_keys``: ``target_user`` on one path, ``realm`` on the other, both after the
join). When every use of the query is so narrowed, it is keyed by those parameters
(``analysis/summaries.py``), as if each statement had been written whole; one use of the base as it
stands (``values = base_query``), or a narrowing by anything but parameters, leaves it reported
where it is.
"""

from __future__ import annotations

from dataclasses import replace

import libcst as cst

from tenantlint.analysis.facts import Provenance
from tenantlint.analysis.interp.calls import param_keys
from tenantlint.analysis.interp.values import Origin, QueryState, QueryValue, Value
from tenantlint.crossfn.records import CONSTANT


def _root(expr: cst.BaseExpression) -> str | None:
    """``base`` of ``base.filter(...).order_by(...)``: the name a chain of method calls starts on."""
    node = expr
    seen_call = False
    while isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
        seen_call = True
        node = node.func.value
    return node.value if seen_call and isinstance(node, cst.Name) else None


def narrowed(expr: cst.BaseExpression, value: Value, statement: cst.CSTNode | None,
             params: frozenset[str], env: dict[str, Value], model_cls: bool = False,
             held_models: frozenset[str] = frozenset()) -> Value:
    """``value`` (what ``expr`` evaluated to) with the parameters it narrows a bare query by;
    ``model_cls``/``held_models``: ``cls`` is the model, or holds one (``cls.model.id`` is a column,
    no key), as for ``calls.param_keys``."""
    if not isinstance(value, QueryValue) or value.origin is None or not value.origin.bare \
            or value.origin.statement is statement:
        return value
    root = _root(expr)
    if root is None:
        return value
    held = env.get(root)
    if not isinstance(held, QueryValue) or held.origin is not value.origin:
        return value
    stand_in = dict(env)
    stand_in[root] = Value(Provenance.unknown(CONSTANT + root))  # the base's own keys: none
    keys = param_keys(expr, params, stand_in, model_cls, held_models, none_if_empty=False)
    before = held.state.later_keys
    if keys is None:
        later: tuple[str, ...] | None = None
    elif not keys:
        later = before  # ``.order_by("name")``: narrows by nothing new
    else:
        later = tuple(sorted({*(before or ()), *keys}))
    return value.with_state(replace(value.state, later_keys=later))


def keys_of(origin: Origin, states: list[QueryState]) -> tuple[str, ...] | None:
    """The parameters a bare query is keyed by when every state it was used in was narrowed by
    parameters; None otherwise. A bare query of one branch that a join merged into another's name
    (``Origin.merged``) before any use of its own is keyed as that other one is: every use of the
    name after the join is a use of both."""
    if not origin.bare:
        return None
    seen = {id(origin)}
    while not origin.uses and origin.merged is not None and id(origin.merged) not in seen:
        origin = origin.merged
        seen.add(id(origin))
        if not origin.bare:
            return None
        states = [s for _, s in origin.uses] or ([origin.latest] if origin.latest is not None else [])
    if not states:
        return None
    found: set[str] = set()
    for state in states:
        if not state.later_keys:
            return None
        found.update(state.later_keys)
    return tuple(sorted(found))
