"""Parameters whose entries a function leaves as they were (docs/concepts.md, "Trusted values").

A caller that stored an entry (``req["id"] = mcp_id``, ``stored_entries.py``) forgets it when it
passes the dict bare to a call: the callee may write it. A function of the project whose every use
of the parameter only reads it cannot, so the call keeps the caller's stored entries::

    @classmethod
    def filter_update(cls, filters, update_data):
        return cls.model.update(update_data).where(*filters).execute()   # a query reads it

A use of the parameter reads it when it is:

- an entry read (``data["k"]``, ``data[k]``) that is not assigned, deleted or called a method on
  (other than a read: ``data["k"].get(...)``), nor handed on whole (only read as a value in an
  expression, a test or an argument);
- a read-only method of it (``data.get(...)``, ``keys``, ``values``, ``items``, ``copy``, ...);
- a spread (``f(**data)``, ``f(*data)``): the callee gets a copy;
- a test (``if data``, ``not data``, ``data is None``, ``"k" in data``, ``data == other``; ``data
  or {}`` hands it on);
- an argument of a builtin that only reads (``len(data)``, ``dict(data)``, ``isinstance``, ...) or of
  a call that builds a query (``Model.update(data)``, ``Model.insert(data)``: the ORM reads it; the
  walk tells which calls those are).

Anything else (assigned to another name, returned, put in a container, passed to another function,
an attribute written, a nested function or lambda naming it, the parameter rebound) and the
parameter may be changed by the function. Purely syntactic over libcst, given the query calls.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import cast

import libcst as cst

from tenantlint.analysis.interp.calls import resolve_call
from tenantlint.analysis.interp.checked_loops import READ_ONLY_METHODS
from tenantlint.analysis.interp.file_context import FileContext
from tenantlint.analysis.interp.fixed_sets import names_read
from tenantlint.analysis.interp.function_state import FunctionState
from tenantlint.analysis.source.children import code_children

_READING_BUILTINS = frozenset({
    "len", "dict", "list", "tuple", "set", "frozenset", "sorted", "bool", "str", "repr", "isinstance",
    "hasattr", "getattr", "print", "any", "all", "iter", "enumerate", "zip", "id", "type", "hash",
})
_SCOPES = frozenset({cst.FunctionDef, cst.ClassDef, cst.Lambda})
_Targeted = cst.AssignTarget | cst.AugAssign | cst.AnnAssign | cst.NamedExpr | cst.Del | cst.For | cst.CompFor
_TARGETS = frozenset({cst.AssignTarget, cst.AugAssign, cst.AnnAssign, cst.NamedExpr, cst.Del, cst.For,
                      cst.CompFor, cst.AsName})


def kept_params(fn: cst.FunctionDef, params: Sequence[str], query_calls: Collection[int]) -> tuple[str, ...]:
    """The parameters among ``params`` whose entries ``fn`` never changes; ``query_calls``: ids of the
    calls in ``fn`` that the walk evaluated to a query. One walk of the body, by node class (this
    runs on every function summarised)."""
    wanted = frozenset(params)
    if not wanted:
        return ()
    spoilt: set[str] = set()
    todo: list[cst.CSTNode] = list(fn.body.body)
    while todo and len(spoilt) < len(wanted):
        node = todo.pop()
        kind = type(node)
        if kind is cst.Name:
            name = cast(cst.Name, node).value
            if name in wanted:
                spoilt.add(name)  # handed on whole: aliased, returned, put in a container
        elif kind is cst.Call:
            todo.extend(_call_parts(cast(cst.Call, node), wanted, spoilt, query_calls))
        elif kind is cst.Attribute:  # ``data.x`` read, ``other.data``: no use of ``data``
            value = cast(cst.Attribute, node).value
            if not _is_param(value, wanted):
                todo.append(value)
        elif kind is cst.Subscript:
            value = cast(cst.Subscript, node).value
            # ``data["k"]`` read (an assignment to it is a target, a method call of it a call)
            todo.extend(c for c in code_children(node) if not (c is value and _is_param(c, wanted)))
        elif kind is cst.Arg:  # ``f(data=x)``: the keyword is no use
            todo.append(cast(cst.Arg, node).value)
        elif kind is cst.If or kind is cst.While:
            test = cast(cst.If | cst.While, node).test
            _tested(test, wanted, todo)  # ``if data:``
            todo.extend(c for c in code_children(node) if c is not test)
        elif kind is cst.UnaryOperation:  # ``not data``
            _tested(cast(cst.UnaryOperation, node).expression, wanted, todo)
        elif kind is cst.Comparison:  # ``data is None``, ``"k" in data``
            comparison = cast(cst.Comparison, node)
            _tested(comparison.left, wanted, todo)
            for part in comparison.comparisons:
                _tested(part.comparator, wanted, todo)
        elif kind in _TARGETS:
            target = cast(cst.AsName, node).name if kind is cst.AsName else cast(_Targeted, node).target
            spoilt |= _mentioned(target, wanted)  # ``data["k"] = v``, ``data = ...``, ``data.x = v``
            loop = cast(cst.For | cst.CompFor, node).iter if kind is cst.For or kind is cst.CompFor else None
            todo.extend(c for c in code_children(node)
                        if c is not target and not (c is loop and _is_param(c, wanted)))  # ``for k in data``
        elif kind in _SCOPES:
            spoilt |= _mentioned(node, wanted)  # a closure may change it whenever it runs
        else:
            todo.extend(code_children(node))
    return tuple(p for p in params if p not in spoilt)


def _tested(expr: cst.BaseExpression, wanted: frozenset[str], todo: list[cst.CSTNode]) -> None:
    """``expr`` is only tested: the parameter's bare name there (also as an operand of ``and``/``or``
    in the test) is a read; anything else is walked."""
    if _is_param(expr, wanted):
        return
    if type(expr) is cst.BooleanOperation:
        _tested(expr.left, wanted, todo)
        _tested(expr.right, wanted, todo)
        return
    todo.append(expr)


def _call_parts(call: cst.Call, wanted: frozenset[str], spoilt: set[str], query_calls: Collection[int]
                ) -> list[cst.CSTNode]:
    """What of ``call`` is still to walk; the parameters it may change added to ``spoilt``."""
    out: list[cst.CSTNode] = []
    func = call.func
    if isinstance(func, cst.Attribute):
        owner = func.value
        if _is_param(owner, wanted) or (isinstance(owner, cst.Subscript) and _is_param(owner.value, wanted)):
            if func.attr.value not in READ_ONLY_METHODS:  # ``data.update(x)``, ``data["ids"].append(x)``
                spoilt |= _mentioned(owner, wanted)
            if isinstance(owner, cst.Subscript):
                out.extend(c for c in code_children(owner) if c is not owner.value)
        else:
            out.append(func)
    else:
        out.append(func)
    for arg in call.args:
        if isinstance(arg.value, cst.Name) and arg.value.value in wanted:
            if not _arg_read(arg, call, query_calls):
                spoilt.add(arg.value.value)
            continue
        out.append(arg.value)
    return out


def _arg_read(arg: cst.Arg, call: cst.Call, query_calls: Collection[int]) -> bool:
    if arg.star:
        return True  # ``f(**data)``: the callee gets a copy of the entries
    func = call.func
    if isinstance(func, cst.Name) and func.value in _READING_BUILTINS:
        return True
    return id(call) in query_calls  # ``Model.update(data)``: the ORM reads it


def _is_param(node: cst.CSTNode, wanted: frozenset[str]) -> bool:
    return type(node) is cst.Name and node.value in wanted


def _mentioned(node: cst.CSTNode, names: frozenset[str]) -> set[str]:
    return names_read(node) & names


def kept_arg(ctx: FileContext, fn: FunctionState, call: cst.Call, arg: cst.Arg) -> bool:
    """The caller's side: the callee of ``call`` (a project function, by its summary from an earlier
    pass) leaves the entries of the dict passed bare as ``arg`` as they were. The call is marked as
    given stored entries (``CallFact.stored``): its file is walked again once summaries are known."""
    fn.stored_calls.add(id(call))
    callee = resolve_call(ctx, fn, call.func)
    if callee is None:
        return False
    ctx.returns_asked.add(callee)
    keeps = ctx.settings.returns.keeps_of(callee) if ctx.settings.returns.keeps else ()
    if not keeps:
        return False
    if arg.keyword is not None:
        return any(name == arg.keyword.value for _, name in keeps)
    position = 0
    for a in call.args:
        if a is arg:
            break
        if a.star:
            return False  # ``f(*rest, data)``: its position is not known
        if a.keyword is None:
            position += 1
    return any(at == position for at, _ in keeps)
