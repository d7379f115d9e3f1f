"""A membership check written inline in a handler, before the values it checks are trusted:

    if not ProjectMember.objects.filter(workspace__slug=slug, project_id=project.id,
                                        member=request.user).exists():
        return Response(status=403)

The test negates a lookup of a membership table (one linking the user model to the tenant or to a
tenant-scoped parent) that pins its user foreign key to the caller, and the branch leaves the
handler. The other lookups' values that are handler names (``slug``) are verified from there on, and
reads made earlier with them are verified too, like a call of a configured check.
"""

from __future__ import annotations

import libcst as cst

from tenantlint.analysis.facts import Provenance
from tenantlint.analysis.interp.checks import verify_earlier
from tenantlint.analysis.interp.evaluator import Evaluator
from tenantlint.analysis.interp.exprs import dotted
from tenantlint.analysis.interp.function_state import FunctionState
from tenantlint.analysis.interp.trusted_context import is_caller
from tenantlint.analysis.interp.values import ModelRef, Value
from tenantlint.index.relations import is_membership_table, is_user_model, model_of

LOOKUP_METHODS = frozenset({"filter", "filter_by", "get", "exists", "first", "one_or_none", "scalar",
                            "get_or_none", "where", "afilter", "aexists"})


def _chain(node: cst.BaseExpression) -> tuple[cst.BaseExpression, list[cst.Arg]]:
    """The root of ``Model.objects.filter(...).exists()`` and the keyword arguments along it."""
    args: list[cst.Arg] = []
    while True:
        if isinstance(node, cst.Call):
            func = node.func
            if isinstance(func, cst.Attribute) and func.attr.value in LOOKUP_METHODS:
                args.extend(a for a in node.args if a.keyword is not None)
            node = func
        elif isinstance(node, cst.Attribute):
            node = node.value
        else:
            return node, args


def _membership_model(ev: Evaluator, root: cst.BaseExpression) -> str | None:
    model = ev.eval(root, use=False)
    if not isinstance(model, ModelRef) or not model.model:
        return None
    return model.model if is_membership_table(ev.ctx.index, model.model) else None


def _user_key(ev: Evaluator, model: str, key: str) -> bool:
    info = model_of(ev.ctx.index, model)
    head = key.split("__", 1)[0]
    field = next((f for f in info.fields if head in (f.name, f.column)), None) if info else None
    return field is not None and is_user_model(ev.ctx.index, field.fk_target)


def _alternatives(test: cst.BaseExpression) -> list[cst.BaseExpression] | None:
    """``not A`` -> [A]; ``not A and not B`` -> [A, B] (past the test, one of them holds)."""
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        return [test.expression]
    if isinstance(test, cst.BooleanOperation) and isinstance(test.operator, cst.And):
        left, right = _alternatives(test.left), _alternatives(test.right)
        return left + right if left is not None and right is not None else None
    return None


def _checked(ev: Evaluator, state: FunctionState, lookup: cst.BaseExpression,
             ) -> tuple[str, list[str]] | None:
    """The lookup's name and the untrusted handler names it checks, when it is a membership lookup
    pinned to the caller; ``lookup`` may be a name still bound to one (``is_admin``)."""
    if isinstance(lookup, cst.Name):
        held = state.bound_exprs.get(lookup.value)
        if held is None or state.env.get(lookup.value) is not held[1]:
            return None
        lookup = held[0]
    root, args = _chain(lookup)
    if not args:
        return None  # no lookup method called (``if user_has_permission(...)``): nothing to evaluate
    model = _membership_model(ev, root)
    if model is None:
        return None
    pinned = False
    checked: list[str] = []
    for arg in args:
        assert arg.keyword is not None
        value = arg.value
        if isinstance(value, cst.Name) and value.value in state.env:
            if state.env[value.value].untrusted:
                checked.append(value.value)
            continue
        if not pinned and _user_key(ev, model, arg.keyword.value):
            pinned = is_caller(ev.eval(value, use=False))
    return (dotted(root) or model, checked) if pinned else None


def _either(test: cst.BaseExpression) -> list[cst.BaseExpression]:
    """``A or B`` -> [A, B]; ``A`` -> [A] (inside the branch, one of them holds)."""
    if isinstance(test, cst.BooleanOperation) and isinstance(test.operator, cst.Or):
        return _either(test.left) + _either(test.right)
    return [test]


def membership_branch(ev: Evaluator, state: FunctionState, test: cst.BaseExpression) -> None:
    """``if <membership lookup> or <another>: …``: inside the branch, the names every lookup checked
    are verified (the caller walks the branch on its own copy of the environment; reads made before
    the test are not verified, as the other branch may use them)."""
    if state.handler is None:
        return
    found = [_checked(ev, state, a) for a in _either(test)]
    if any(f is None for f in found):
        return
    _verify(ev, state, [f for f in found if f is not None], earlier=False)


def _verify(ev: Evaluator, state: FunctionState, lookups: list[tuple[str, list[str]]],
            earlier: bool) -> None:
    checked = [n for n in lookups[0][1] if all(n in names for _, names in lookups[1:])]
    if not checked:
        return
    name = " or ".join(dict.fromkeys(n for n, _ in lookups))
    provs = frozenset(state.env[n].prov for n in checked)
    for n in checked:
        state.env[n] = Value(Provenance.trusted(f"{n}, verified by a {name} lookup"))
    if earlier:
        verify_earlier(ev.ctx, state, provs, f"{name} lookup")


def inline_membership(ev: Evaluator, state: FunctionState, test: cst.BaseExpression) -> None:
    """Verify the names an ``if not <membership lookup>: leave`` test checks (the caller has
    already established that the branch leaves the handler). With ``if not a and not b: leave``
    one of the lookups held: the names every one of them checks are verified."""
    if state.handler is None:
        return
    alternatives = _alternatives(test)
    if not alternatives:
        return
    found = [_checked(ev, state, a) for a in alternatives]
    if any(f is None for f in found):
        return
    _verify(ev, state, [f for f in found if f is not None], earlier=True)
