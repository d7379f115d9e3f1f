"""Parameters a function only extends and hands back (*pass-through* parameters): a statement or
queryset given to it is never run there, so the call does not run it either.

``def apply(self, query, model): query = query.where(...); return query`` passes ``query`` through.
A parameter passes through when every use of its name is one of:

- a building method called on it (``where``, ``filter``, ``join``, ``order_by``, …) whose result is
  handed on: bound to the parameter's name again (also as an element of a tuple target) or returned;
- the name itself returned (alone or as an element of a returned tuple);
- an argument of ``self.m(...)``/``cls.m(...)``, a method of the same class in which the matching
  parameter passes through, handed on the same way;
- ``name is None`` / ``name is not None``.

Anything else (an executing method, an attribute read, a call of another function, a nested
function, storing it) and the parameter does not pass through. Purely syntactic: libcst only.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

import libcst as cst

BUILD_METHODS = frozenset({
    "where", "filter", "filter_by", "join", "outerjoin", "join_from", "outerjoin_from", "options",
    "order_by", "group_by", "having", "limit", "offset", "distinct", "select_from", "with_for_update",
    "with_only_columns", "add_columns", "correlate", "correlate_except", "params", "exclude",
    "annotate", "select_related", "prefetch_related", "only", "defer", "values", "returning",
    "execution_options", "set_label_style", "union", "slice", "alias",
})
MAX_DEPTH = 4  # methods handing a parameter to methods of their class: how deep it is followed


class _Check:
    def __init__(self, methods: Mapping[str, cst.FunctionDef], depth: int) -> None:
        self.methods = methods
        self.depth = depth

    def passes(self, fn: cst.FunctionDef, name: str, visiting: frozenset[str]) -> bool:
        body = fn.body.body if isinstance(fn.body, cst.IndentedBlock) else fn.body.body
        return all(self._statement(s, name, visiting | {fn.name.value}) for s in body)

    # ----- statements -----------------------------------------------------------------------
    def _statement(self, stmt: cst.CSTNode, name: str, visiting: frozenset[str]) -> bool:
        if isinstance(stmt, cst.SimpleStatementLine):
            return all(self._small(s, name, visiting) for s in stmt.body)
        if isinstance(stmt, cst.FunctionDef | cst.ClassDef):
            return not _mentions(stmt, name)
        if isinstance(stmt, cst.If | cst.While):
            return (self._test(stmt.test, name) and self._block(stmt.body, name, visiting)
                    and (stmt.orelse is None or self._statement(stmt.orelse, name, visiting)))
        if isinstance(stmt, cst.Else | cst.Finally | cst.ExceptHandler):
            return (self._block(stmt.body, name, visiting)
                    and (not isinstance(stmt, cst.ExceptHandler) or stmt.type is None
                         or not _mentions(stmt.type, name)))
        if isinstance(stmt, cst.For):
            return (not _mentions(stmt.iter, name) and not _mentions(stmt.target, name)
                    and self._block(stmt.body, name, visiting)
                    and (stmt.orelse is None or self._statement(stmt.orelse, name, visiting)))
        if isinstance(stmt, cst.Try):
            return (self._block(stmt.body, name, visiting)
                    and all(self._statement(h, name, visiting) for h in stmt.handlers)
                    and (stmt.orelse is None or self._statement(stmt.orelse, name, visiting))
                    and (stmt.finalbody is None or self._statement(stmt.finalbody, name, visiting)))
        if isinstance(stmt, cst.With):
            return (all(not _mentions(i, name) for i in stmt.items)
                    and self._block(stmt.body, name, visiting))
        return not _mentions(stmt, name)

    def _block(self, block: cst.BaseSuite, name: str, visiting: frozenset[str]) -> bool:
        body: Sequence[cst.CSTNode] = block.body if isinstance(block, cst.IndentedBlock) else block.body
        return all(self._statement(s, name, visiting) for s in body)

    def _small(self, small: cst.CSTNode, name: str, visiting: frozenset[str]) -> bool:
        if isinstance(small, cst.Assign):
            if not all(_rebinds(t.target, name) for t in small.targets):
                return False
            if any(_binds(t.target, name) for t in small.targets):
                return self._handed(small.value, name, visiting)
            return not _mentions(small.value, name)
        if isinstance(small, cst.Return):
            value = small.value
            if value is None:
                return True
            if isinstance(value, cst.Tuple):
                return all(self._handed(e.value, name, visiting) for e in value.elements)
            return self._handed(value, name, visiting)
        return not _mentions(small, name)

    def _test(self, test: cst.BaseExpression, name: str) -> bool:
        """``name is None`` / ``name is not None`` (also inside ``and``/``or``/``not``) may test it."""
        if isinstance(test, cst.BooleanOperation):
            return self._test(test.left, name) and self._test(test.right, name)
        if isinstance(test, cst.UnaryOperation):
            return self._test(test.expression, name)
        if (isinstance(test, cst.Comparison) and _is(test.left, name) and len(test.comparisons) == 1
                and isinstance(test.comparisons[0].operator, cst.Is | cst.IsNot)):
            return not _mentions(test.comparisons[0].comparator, name)
        return not _mentions(test, name)

    # ----- expressions ----------------------------------------------------------------------
    def _handed(self, expr: cst.BaseExpression, name: str, visiting: frozenset[str]) -> bool:
        """``expr`` may be handed on: it is the parameter built upon, or does not mention it."""
        if _is(expr, name):
            return True
        if not isinstance(expr, cst.Call):
            return not _mentions(expr, name)
        func = expr.func
        if (isinstance(func, cst.Attribute) and func.attr.value in BUILD_METHODS
                and _mentions(func.value, name)):
            return self._handed(func.value, name, visiting) and not any(_mentions(a, name) for a in expr.args)
        if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.value.value in (
                "self", "cls"):
            return self._method_call(expr, func.attr.value, name, visiting)
        return not _mentions(expr, name)

    def _method_call(self, call: cst.Call, method: str, name: str, visiting: frozenset[str]) -> bool:
        given = [a for a in call.args if _mentions(a, name)]
        if not given:
            return True
        target = self.methods.get(method)
        if target is None or method in visiting or len(visiting) > self.depth or len(given) > 1:
            return False
        arg = given[0]
        if arg.star or not _is(arg.value, name):
            return False
        param = _param_for(target, call, arg)
        return param is not None and self.passes(target, param, visiting)


def _param_for(fn: cst.FunctionDef, call: cst.Call, arg: cst.Arg) -> str | None:
    params = fn.params
    if arg.keyword is not None:
        names = {p.name.value for p in (*params.params, *params.kwonly_params)}
        return arg.keyword.value if arg.keyword.value in names else None
    positional = [p.name.value for p in (*params.posonly_params, *params.params)][1:]  # without self/cls
    index = [a for a in call.args if a.keyword is None].index(arg)
    return positional[index] if index < len(positional) else None


def _is(node: cst.CSTNode, name: str) -> bool:
    return isinstance(node, cst.Name) and node.value == name


def _binds(target: cst.BaseExpression, name: str) -> bool:
    if isinstance(target, cst.Tuple | cst.List):
        return any(_binds(e.value, name) for e in target.elements)
    return _is(target, name)


def _rebinds(target: cst.BaseExpression, name: str) -> bool:
    """The target binds names only (the parameter's among them, or not at all)."""
    if isinstance(target, cst.Tuple | cst.List):
        return all(_rebinds(e.value, name) for e in target.elements)
    return isinstance(target, cst.Name) or not _mentions(target, name)


def _names(node: cst.CSTNode) -> Iterator[str]:
    if isinstance(node, cst.Name):
        yield node.value
        return
    if isinstance(node, cst.Attribute):
        yield from _names(node.value)  # ``x.name`` does not mention ``name``
        return
    if isinstance(node, cst.Arg):
        yield from _names(node.value)  # nor does the keyword of ``f(name=x)``
        return
    for child in node.children:
        yield from _names(child)


def _mentions(node: cst.CSTNode, name: str) -> bool:
    return any(n == name for n in _names(node))


def returned_names(expr: cst.BaseExpression) -> set[str]:
    """Names a ``return`` may hand back (cheaply, without a walk of the expression): the name itself,
    the head of a chain of calls on it, names given to ``self.m(...)``; each element of a tuple."""
    if isinstance(expr, cst.Tuple):
        return {n for e in expr.elements for n in returned_names(e.value)}
    node: cst.BaseExpression = expr
    while isinstance(node, cst.Call | cst.Attribute):
        if isinstance(node, cst.Attribute):
            node = node.value
            continue
        func = node.func
        if not isinstance(func, cst.Attribute):
            return set()
        if isinstance(func.value, cst.Name) and func.value.value in ("self", "cls"):
            return {a.value.value for a in node.args if isinstance(a.value, cst.Name)}
        node = func.value
    return {node.value} if isinstance(node, cst.Name) else set()


def pass_through(fn: cst.FunctionDef, params: Sequence[str], candidates: set[str],
                 methods: Mapping[str, cst.FunctionDef]) -> tuple[str, ...]:
    """The parameters among ``candidates`` (those some ``return`` mentions) that pass through ``fn``;
    ``methods``: the other methods of its class, by name."""
    check = _Check(methods, MAX_DEPTH)
    return tuple(p for p in params if p in candidates and check.passes(fn, p, frozenset()))
