"""A call of a project-defined manager or queryset method that filters by its parameters
(``index/manager_methods.py``): ``FeatureState.objects.live(environment=env)`` is judged as
``FeatureState.objects.filter(environment=env)``, the caller's arguments bound to the parameters the
method's filter names (docs/concepts.md, "Across functions")."""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from tenantlint.analysis.interp.own_id import own_row_table
from tenantlint.analysis.interp.predicates import Leaf, Pred
from tenantlint.analysis.interp.values import QueryValue, Value
from tenantlint.analysis.orm.lookups import split_lookup
from tenantlint.index.manager_methods import Summary, decode

if TYPE_CHECKING:
    from tenantlint.analysis.plugins import Evaluation


def _classes(ev: Evaluation, q: QueryValue, call: cst.Call) -> tuple[str, ...] | None:
    """The classes whose methods the receiver of ``call`` has, the manager's first: both for the
    manager attribute itself (``Model.objects.m()``), the queryset class only for a queryset made
    from it (``Model.objects.filter(...).m()``). None when the models of the table disagree."""
    origin = q.origin
    func = call.func
    if origin is None or origin.tenant is None or not isinstance(func, cst.Attribute):
        return None
    on_manager = origin.node is func.value and isinstance(func.value, cst.Attribute)
    attr = func.value.attr.value if on_manager and isinstance(func.value, cst.Attribute) else "objects"
    facts = ev.ctx.settings.facts.model_managers
    seen = {facts.get(f"{model}.{attr}") for model in origin.tenant.models}
    if len(seen) != 1:
        return None
    entry = seen.pop()
    if entry is None or len({*entry.split("|")}) != 1:
        return None
    manager, _, queryset = entry.split("|")[0].partition(",")
    return tuple(c for c in ((manager, queryset) if on_manager else (queryset,)) if c)


def summary_of(ev: Evaluation, q: QueryValue, method: str, call: cst.Call) -> Summary | None:
    classes = _classes(ev, q, call)
    methods = ev.ctx.settings.facts.manager_methods
    for cls in classes or ():
        entry = methods.get(f"{cls}.{method}")
        if entry is not None:
            return decode(entry)
    return None


def bound_leaves(ev: Evaluation, summary: Summary, call: cst.Call, values: list[Value]) -> list[Pred]:
    """The method's filter with the caller's arguments (their ``values``, in order) for its
    parameters. The method's rows are a subset of those its bound lookups alone select (the rest
    of its chain only narrows), so a lookup whose parameter the call does not visibly bind (a
    default, ``*args``, ``**options``) is left out: it pins nothing."""
    by_param: dict[str, tuple[Value, cst.BaseExpression]] = {}
    extra: list[tuple[str, Value, cst.BaseExpression]] = []
    positional: int | None = 0  # None after ``*args``: the positions are not known
    for arg, value in zip(call.args, values, strict=True):
        if arg.star == "*":
            positional = None
        elif arg.star:
            continue
        elif arg.keyword is None:
            if positional is not None and positional < len(summary.params):
                by_param[summary.params[positional]] = (value, arg.value)
                positional += 1
        elif arg.keyword.value in summary.params or arg.keyword.value in summary.keyword_only:
            by_param[arg.keyword.value] = (value, arg.value)
        elif summary.spread:  # ``**kwargs`` handed on to the filter: one more lookup
            extra.append((arg.keyword.value, value, arg.value))
    preds: list[Pred] = []
    pairs = [(key, *by_param[param]) for key, param in summary.lookups if param in by_param] + extra
    for key, value, node in pairs:
        path, op = split_lookup(key)
        preds.append(Leaf(path, value, None, op, own_row_table(ev.fn.env, path, op, node)))
    return preds
