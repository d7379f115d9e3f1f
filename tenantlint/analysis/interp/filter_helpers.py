"""A filter expression built by a helper method of the same class: ``.where(cls._visible(ids, uid))``.

A method of the class being walked whose body is only ``return <expression>`` (a docstring aside)
and whose expression builds a predicate (``(cls.model.tenant_id.in_(ids) & ...) | (cls.model.tenant_id
== uid)``) is read at the call as if written there: its parameters take the call's argument values,
so the query that uses the predicate is judged by its real tenant filter and the values the caller
passes. Anything else the expression would do (build or run a query, read request input, call a
project function) makes the call an ordinary call: everything it recorded is taken back and the call
is evaluated as before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import libcst as cst

from tenantlint.analysis.interp.predicates import PredValue
from tenantlint.analysis.interp.values import Value

if TYPE_CHECKING:
    from tenantlint.analysis.interp.evaluator_part import EvaluatorPart

_ACTIVE: set[int] = set()  # helpers being read inline (recursion is cut off)


def _returned_expression(fn: cst.FunctionDef) -> cst.BaseExpression | None:
    """``<expr>`` of a body that is only ``return <expr>`` (after an optional docstring)."""
    body = fn.body.body if isinstance(fn.body, cst.IndentedBlock) else fn.body.body
    statements = list(body)
    if statements and isinstance(statements[0], cst.SimpleStatementLine) and len(statements[0].body) == 1 \
            and isinstance(statements[0].body[0], cst.Expr) \
            and isinstance(statements[0].body[0].value, cst.SimpleString | cst.ConcatenatedString):
        statements = statements[1:]
    if len(statements) != 1 or not isinstance(statements[0], cst.SimpleStatementLine):
        return None
    line = statements[0]
    if len(line.body) != 1 or not isinstance(line.body[0], cst.Return):
        return None
    return line.body[0].value


def _method(part: EvaluatorPart, func: cst.Attribute) -> cst.FunctionDef | None:
    """The method ``cls.name``/``self.name`` calls, when the walked method's class defines it."""
    owner = part.fn.owner
    if owner is None or not isinstance(func.value, cst.Name) or func.value.value not in ("cls", "self"):
        return None
    for stmt in owner.node.body.body:
        if isinstance(stmt, cst.FunctionDef) and stmt.name.value == func.attr.value:
            return stmt
    return None


def _bind(fn: cst.FunctionDef, call: cst.Call, values: list[Value]) -> dict[str, Value] | None:
    """Parameter -> argument value; None when the call cannot be matched plainly."""
    params = [p.name.value for p in fn.params.params]
    decorators = {d.decorator.value for d in fn.decorators if isinstance(d.decorator, cst.Name)}
    if "staticmethod" not in decorators and params:
        params = params[1:]  # cls / self
    kwonly = [p.name.value for p in fn.params.kwonly_params]
    bound: dict[str, Value] = {}
    position = 0
    for arg, value in zip(call.args, values, strict=True):
        if arg.star:
            return None
        if arg.keyword is None:
            if position >= len(params):
                return None
            bound[params[position]] = value
            position += 1
        elif arg.keyword.value in params or arg.keyword.value in kwonly:
            bound[arg.keyword.value] = value
        else:
            return None
    if fn.params.star_arg not in (None, cst.MaybeSentinel.DEFAULT) or fn.params.star_kwarg is not None:
        return None
    return bound


def inline_filter(part: EvaluatorPart, node: cst.Call, func: cst.Attribute) -> Value | None:
    """The predicate a one-expression helper of this class builds from the call's arguments, or
    None (the call is then evaluated as any other, as if this had not been tried)."""
    method = _method(part, func)
    expr = _returned_expression(method) if method is not None else None
    if method is None or expr is None or id(method) in _ACTIVE:
        return None
    ctx, fn = part.ctx, part.fn
    facts = ctx.facts
    lists: tuple[list[Any], ...] = (ctx.origins, facts.queries, facts.request_reads, facts.sql_problems,
                                    facts.unresolved, facts.calls)
    unresolved_calls = facts.unresolved_calls
    before = [len(x) for x in lists]
    values = [part.eval(a.value) for a in node.args]
    bound = _bind(method, node, values)
    if bound is None:
        _restore(part, lists, before, unresolved_calls)
        return None
    after_args = [len(x) for x in lists]
    args_unresolved = facts.unresolved_calls
    saved_env, saved_loops = fn.env, fn.loop_names
    fn.env, fn.loop_names = dict(bound), set()
    _ACTIVE.add(id(method))
    try:
        result = part.eval(expr, use=False)
    finally:
        _ACTIVE.discard(id(method))
        fn.env, fn.loop_names = saved_env, saved_loops
    # Building or running a query, or reading request input, is no mere filter expression.
    grew = any(len(x) > n for x, n in zip(lists[:4], after_args[:4], strict=True))
    if not isinstance(result, PredValue) or result.pred is None or grew:
        _restore(part, lists, before, unresolved_calls)
        return None
    _restore(part, lists, after_args, args_unresolved)  # the helper's own walk records its calls
    return result


def _restore(part: EvaluatorPart, lists: tuple[list[Any], ...], sizes: list[int],
             unresolved_calls: int) -> None:
    for items, n in zip(lists, sizes, strict=True):
        del items[n:]
    part.ctx.facts.unresolved_calls = unresolved_calls
