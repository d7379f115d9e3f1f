"""Decorators that only wrap: the function they decorate keeps its callers (docs/concepts.md,
"Across functions").

A decorator of the project whose wrapper takes ``*args, **kwargs`` and calls the wrapped function with
exactly those, and that does nothing else with the function (only ``functools.wraps`` sees it), is a
forwarding decorator: a caching or logging wrapper, not a registration. The decorated function's call
sites are then its callers as if it had no decorator, so its caller set is not left open::

    def cache_with_key(keyfunc):                 # a factory: "factory"
        def decorator(func):                     # the decorator itself: "plain"
            @wraps(func)
            def wrapper(*args, **kwargs):
                key = keyfunc(*args, **kwargs)
                ...
                return func(*args, **kwargs)
            return wrapper
        return decorator

A decorator that stores the function (``REGISTRY.append(func)``), passes it to anything but
``wraps``, returns something else than its wrapper, or calls it with other arguments than its
wrapper's own ``*args, **kwargs`` is not one: its callers may not be the function's.

The pre-pass (CPython ``ast``, per file) records each top-level function that is one, as
``pkg.module.name`` -> ``plain`` or ``factory``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from tenantlint.index.ast_util import dotted, spreads_only, walk

_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
PLAIN = "plain"
FACTORY = "factory"
_WRAPS = frozenset({"wraps", "functools.wraps"})


def _below(fn: ast.AST) -> Iterator[ast.AST]:
    """The nodes under ``fn`` (nested functions included), not ``fn`` itself."""
    return (node for node in walk(fn) if node is not fn)


def _returns(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.Return]:
    """The ``return`` statements of ``fn`` itself (not of functions nested in it)."""
    out: list[ast.Return] = []
    todo: list[ast.AST] = list(fn.body)
    while todo:
        node = todo.pop()
        if isinstance(node, ast.Return):
            out.append(node)
        if not isinstance(node, (*_FUNCTIONS, ast.ClassDef, ast.Lambda)):
            todo.extend(ast.iter_child_nodes(node))
    return out


def _single_param(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> str | None:
    a = fn.args
    params = [*a.posonlyargs, *a.args]
    if len(params) != 1 or a.vararg or a.kwarg or a.kwonlyargs:
        return None
    return params[0].arg


def _returned_name(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> str | None:
    """The one local name every ``return`` of ``fn`` returns, if there is one."""
    names = {r.value.id if isinstance(r.value, ast.Name) else None for r in _returns(fn)}
    if len(names) != 1:
        return None
    return names.pop()


_Function = ast.FunctionDef | ast.AsyncFunctionDef


def _nested(fn: _Function, name: str) -> _Function | None:
    found = [s for s in fn.body if isinstance(s, _FUNCTIONS) and s.name == name]
    return found[0] if len(found) == 1 else None


def _only_wraps(decorator: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """``decorator(func)`` returns a wrapper that forwards its ``*args, **kwargs`` to ``func``, and
    ``func`` is used nowhere else but in ``wraps(func)``."""
    handed = _single_param(decorator)
    wrapper_name = _returned_name(decorator)
    if handed is None or wrapper_name is None:
        return False
    wrapper = _nested(decorator, wrapper_name)
    if wrapper is None:
        return False
    a = wrapper.args
    if a.posonlyargs or a.args or a.kwonlyargs or a.vararg is None or a.kwarg is None:
        return False
    args, kwargs = a.vararg.arg, a.kwarg.arg
    allowed: set[int] = set()
    called = False
    for node in _below(decorator):
        if isinstance(node, (*_FUNCTIONS, ast.Lambda)):
            args_of = node.args
            if handed in {p.arg for p in (*args_of.posonlyargs, *args_of.args, *args_of.kwonlyargs)}:
                return False  # a nested function rebinding the name: too clever to follow
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id == handed:
                if not spreads_only(node.args, node.keywords, args, kwargs, exact=True):
                    return False
                allowed.add(id(func))
                called = True
            elif (dotted(func, calls="reject") in _WRAPS and len(node.args) == 1 and not node.keywords
                  and isinstance(node.args[0], ast.Name) and node.args[0].id == handed):
                allowed.add(id(node.args[0]))
        elif isinstance(node, ast.Name) and node.id == handed and not isinstance(node.ctx, ast.Load):
            return False  # rebound
    if not called:
        return False
    uses = [n for n in _below(decorator) if isinstance(n, ast.Name) and n.id == handed]
    return all(id(n) in allowed for n in uses)


def forwarding_kind(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> str | None:
    """``plain`` when ``fn`` is a forwarding decorator, ``factory`` when it returns one, else None."""
    if _only_wraps(fn):
        return PLAIN
    inner_name = _returned_name(fn)
    inner = _nested(fn, inner_name) if inner_name is not None else None
    if inner is not None and _only_wraps(inner):
        return FACTORY
    return None


def forwarding_decorators(module: str, tree: ast.Module) -> dict[str, str]:
    """``pkg.module.name`` -> ``plain``/``factory`` for the top-level forwarding decorators of one file."""
    out: dict[str, str] = {}
    for stmt in tree.body:
        if isinstance(stmt, _FUNCTIONS):
            kind = forwarding_kind(stmt)
            if kind is not None:
                out[f"{module}.{stmt.name}" if module else stmt.name] = kind
    return out
