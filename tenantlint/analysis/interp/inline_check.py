"""A membership check written inline in a handler, before the values it checks are trusted:

    if not ProjectMember.objects.filter(workspace__slug=slug, project_id=project.id,
                                        member=request.user).exists():
        return Response(status=403)

The test negates a lookup of a membership table (one linking the user model to the tenant or to a
tenant-scoped parent) that pins its user foreign key to the caller, and the branch leaves the
handler. The other lookups' values that are handler names (``slug``) are verified from there on, and
reads made earlier with them are verified too, like a call of a configured check.

A lookup that refuses by itself needs no ``if``: ``get_object_or_404(Member, project=project,
user=request.user)`` or ``Member.objects.get(...)`` as a statement verifies ``project`` the same way,
and a fetched row whose tenant keys it (``project=check.project``) is checked after its fetch. Beside
a lookup, ``row.owner_id == request.user.id`` (the caller owns the row) and
``request.user.is_superuser`` (a platform administrator) admit the caller too.
"""

from __future__ import annotations

import libcst as cst

from tenantlint.analysis.facts import Provenance
from tenantlint.analysis.interp.after_fetch import tenant_row
from tenantlint.analysis.interp.checks import verify_earlier
from tenantlint.analysis.interp.evaluator import Evaluator
from tenantlint.analysis.interp.exprs import dotted
from tenantlint.analysis.interp.function_state import FunctionState
from tenantlint.analysis.interp.guards import scope_checked
from tenantlint.analysis.interp.trusted_context import is_caller
from tenantlint.analysis.interp.values import ModelRef, RowValue, Value
from tenantlint.index.relations import (
    MEMBERSHIP_WORDS,
    is_membership_table,
    is_tenant_link,
    is_user_model,
    model_of,
)

SUPERUSER_FLAGS = frozenset({"is_superuser"})
ANY = "*"  # every name: what a superuser test admits
REFUSING_FETCHES = frozenset({"get_object_or_404", "aget_object_or_404"})
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
    """``not A`` (or ``A is None``: a ``first()`` that found nothing) -> [A]; ``not A and not B`` ->
    [A, B] (past the test, one of them holds)."""
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        return [test.expression]
    if (isinstance(test, cst.Comparison) and len(test.comparisons) == 1
            and isinstance(test.comparisons[0].operator, cst.Is)
            and isinstance(test.comparisons[0].comparator, cst.Name)
            and test.comparisons[0].comparator.value == "None"):
        return [test.left]
    if isinstance(test, cst.BooleanOperation) and isinstance(test.operator, cst.And):
        left, right = _alternatives(test.left), _alternatives(test.right)
        return left + right if left is not None and right is not None else None
    return None


def _checked(ev: Evaluator, state: FunctionState, lookup: cst.BaseExpression,
             ) -> tuple[str, list[str]] | None:
    """The lookup's name and the untrusted handler names it checks, when it is a membership lookup
    pinned to the caller, or a test that the caller owns a row or is a superuser (``_admitted``);
    ``lookup`` may be a name still bound to one (``is_admin``)."""
    if isinstance(lookup, cst.Name):
        held = state.held_expr(lookup.value)
        if held is None:
            return None
        lookup = held[0]
    admitted = _admitted(ev, state, lookup)
    if admitted is not None:
        return admitted
    root, args = _chain(lookup)
    if not args:
        return None  # no lookup method called (``if user_has_permission(...)``): nothing to evaluate
    return _caller_lookup(ev, state, root, args)


def _caller_lookup(ev: Evaluator, state: FunctionState, root: cst.BaseExpression, args: list[cst.Arg],
                   ) -> tuple[str, list[str]] | None:
    """``root`` is a membership table and ``args`` pin its user foreign key to the caller: the
    lookup's name and the untrusted handler names among the other arguments."""
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


def _admitted(ev: Evaluator, state: FunctionState, test: cst.BaseExpression,
              ) -> tuple[str, list[str]] | None:
    """An alternative beside a membership lookup that admits the caller by itself:
    ``request.user.is_superuser`` (a platform administrator: every name, ``ANY``), or
    ``row.owner_id == request.user.id`` (the caller owns the row named by the handler: that name)."""
    if isinstance(test, cst.Attribute):
        if test.attr.value in SUPERUSER_FLAGS and is_caller(ev.eval(test.value, use=False)):
            return "superuser", [ANY]
        return None
    if not (isinstance(test, cst.Comparison) and len(test.comparisons) == 1
            and isinstance(test.comparisons[0].operator, cst.Equal | cst.Is)):
        return None
    left, right = test.left, test.comparisons[0].comparator
    for row_side, user_side in ((left, right), (right, left)):
        name = _owned_name(ev, state, row_side)
        if name is not None and is_caller(ev.eval(user_side, use=False)):
            return "owner", [name]
    return None


def _owned_name(ev: Evaluator, state: FunctionState, node: cst.BaseExpression) -> str | None:
    """``project.owner_id`` / ``project.owner``: an untrusted handler name holding a row, and a
    foreign key of its model to the user model."""
    text = dotted(node)
    parts = text.split(".") if text else []
    if len(parts) != 2 or parts[0] not in state.env or not state.env[parts[0]].untrusted:
        return None
    value = state.env[parts[0]]
    table = (value.origin.table if value.origin is not None else value.table) if isinstance(
        value, RowValue) else ""
    if not table:
        return None
    index = ev.ctx.index
    for model, model_table in index.by_model.items():
        info = model_of(index, model) if model_table.lower() == table.lower() else None
        field = next((f for f in info.fields if parts[1] in (f.name, f.column)), None) if info else None
        if field is not None and is_user_model(index, field.fk_target):
            return parts[0]
    return None


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
    named = [names for _, names in lookups if ANY not in names]
    if not named:
        return  # only superuser tests: nothing named
    checked = [n for n in named[0] if all(n in names for names in named[1:])]
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


def _refusing_lookup(expr: cst.BaseExpression) -> tuple[cst.BaseExpression, list[cst.Arg]] | None:
    """``get_object_or_404(Member, project=p, user=request.user)`` or ``Member.objects.get(...)``: a
    lookup that refuses (404, or raises) when no row is found; its root and keyword arguments."""
    if type(expr) is cst.Await:  # exact classes: no ``ABCMeta.__instancecheck__`` per statement
        expr = expr.expression  # type: ignore[attr-defined]
    if type(expr) is not cst.Call:
        return None
    assert isinstance(expr, cst.Call)
    name = dotted(expr.func) or ""
    if name.rsplit(".", 1)[-1] in REFUSING_FETCHES and expr.args and expr.args[0].keyword is None:
        root, args = _chain(expr.args[0].value)
        return root, args + [a for a in expr.args[1:] if a.keyword is not None]
    if isinstance(expr.func, cst.Attribute) and expr.func.attr.value in ("get", "aget"):
        return _chain(expr)
    return None


def _link_key(ev: Evaluator, model: str, key: str) -> bool:
    """``project``, ``team_id``, ``workspace__slug``: a key through the membership table's foreign key
    to the tenant model or a tenant-scoped table (what it links the user to)."""
    info = model_of(ev.ctx.index, model)
    head = key.split("__", 1)[0]
    field = next((f for f in info.fields if head in (f.name, f.column)), None) if info else None
    return field is not None and bool(field.fk_target) and is_tenant_link(ev.ctx.index, field.fk_target or "")


def _constant(node: cst.BaseExpression) -> bool:
    """``True``, ``15``, ``"admin"``, ``Member.Role.ADMIN``: a flag or role, not another row's key."""
    if isinstance(node, cst.Name):
        return node.value in ("True", "False", "None")
    if isinstance(node, cst.Attribute):
        return node.attr.value.isupper()
    return isinstance(node, cst.BaseNumber | cst.SimpleString)


def refusing_membership(ev: Evaluator, state: FunctionState, expr: cst.BaseExpression) -> None:
    """A statement that fetches the caller's membership row and refuses without one
    (``get_object_or_404(Member, project=project, user=request.user)``: a table named as a
    membership table, keyed by nothing else than its links to the tenant and constants such as
    ``is_active=True``): the handler names it is keyed by are verified, as by ``if not <lookup>:
    return 403``; a fetched row whose tenant keys it (``project=check.project``,
    ``project_id=check.project_id``) is checked after its fetch."""
    found = _refusing_lookup(expr)
    if found is None:
        return
    root, args = found
    if not args:
        return
    lookup = _caller_lookup(ev, state, root, args)
    if lookup is None:
        return
    name, names = lookup
    model = _membership_model(ev, root)
    if model is None or not any(w in model.rsplit(".", 1)[-1].lower() for w in MEMBERSHIP_WORDS):
        return  # no ``if``: only a table named as one (the caller's vote on an issue checks nothing)
    rows: list[tuple[str, RowValue]] = []
    for arg in args:
        assert arg.keyword is not None
        value = arg.value
        if _constant(value) or is_caller(ev.eval(value, use=False)):
            continue
        if not _link_key(ev, model, arg.keyword.value):
            return  # keyed by something else too (an issue's reaction): not a membership lookup
        row = tenant_row(value, state)
        if row is not None:
            rows.append(row)
    for row_name, row_value in rows:
        scope_checked(state, row_name, row_value, Provenance.trusted(f"the caller's {name} row"),
                    f"checked after the fetch by a {name} lookup")
    if names and state.handler is not None:
        _verify(ev, state, [(name, names)], earlier=True)
