"""Decorators that hand the decorated function a trusted value (docs/concepts.md, "Trusted values").

A project decorator whose wrapper calls the wrapped function with the authenticated user (or any
value ``trusted_sources`` covers), by position or by keyword, injects that value::

    def require_admin(func):
        @wraps(func)
        def wrapper(request, user_profile, /, *args, **kwargs):   # user_profile: a trusted source
            if not user_profile.is_admin:
                raise PermissionDenied
            return func(request, user_profile, *args, **kwargs)   # position 1 is trusted
        return wrapper

    @require_admin
    def export(request, user):   # ``user`` is what the wrapper passed at position 1: trusted
        ...

The pre-pass (CPython ``ast``, per file) records, for each top-level function that calls a function
it was handed (a parameter of an enclosing function) from inside a nested function, which positions
and keywords of that call carry a trusted value: an expression ``trusted_sources`` matches
(``request.user``, ``user_profile`` when configured), or a local name the wrapper assigned only from
such an expression (``user_profile = request.user``). Positions stop at the first ``*args``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping

from tenantlint.config.patterns import PatternSet
from tenantlint.index.ast_util import dotted

_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


def _dotted(node: ast.expr) -> str | None:
    return dotted(node, calls="mark")


def _params(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    a = fn.args
    names = {p.arg for p in (*a.posonlyargs, *a.args, *a.kwonlyargs)}
    names.update(p.arg for p in (a.vararg, a.kwarg) if p is not None)
    return names


def _own_nodes(fn: ast.AST) -> Iterator[ast.AST]:
    """The nodes of ``fn``'s body, not descending into nested functions or classes."""
    todo = list(ast.iter_child_nodes(fn))
    while todo:
        node = todo.pop()
        yield node
        if not isinstance(node, (*_FUNCTIONS, ast.ClassDef, ast.Lambda)):
            todo.extend(ast.iter_child_nodes(node))


def _trusted_text(arg: ast.expr, assigned: Mapping[str, list[ast.expr]], trusted: PatternSet) -> str | None:
    """The trusted source ``arg`` is: its own text when a pattern matches it, else the one
    expression a local name was assigned from, when that matches."""
    text = _dotted(arg)
    if text is None:
        return None
    if trusted.match(text) is not None:
        return text
    values = assigned.get(text, []) if isinstance(arg, ast.Name) else []
    if len(values) == 1:
        source = _dotted(values[0])
        if source is not None and trusted.match(source) is not None:
            return source
    return None


def _assignments(fn: ast.AST) -> dict[str, list[ast.expr]]:
    out: dict[str, list[ast.expr]] = {}
    for node in _own_nodes(fn):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                for t in ast.walk(target):
                    if isinstance(t, ast.Name):
                        # ``a = b = v`` binds each name to v; an unpacking binds it to a part
                        out.setdefault(t.id, []).append(node.value if target is t else target)
        elif isinstance(node, ast.AnnAssign | ast.AugAssign | ast.For | ast.With | ast.NamedExpr):
            targets = [node.target] if not isinstance(node, ast.With) else [
                i.optional_vars for i in node.items if i.optional_vars is not None]
            for target in targets:
                for t in ast.walk(target):
                    if isinstance(t, ast.Name):
                        value = node.value if isinstance(node, ast.AnnAssign | ast.NamedExpr) else None
                        out.setdefault(t.id, []).append(value if value is not None else t)
    return out


def _forwards(wrapper: ast.FunctionDef | ast.AsyncFunctionDef, handed: set[str],
              trusted: PatternSet) -> dict[str, str]:
    """Position (as digits) or keyword -> trusted source, for the calls of a handed-in function."""
    assigned = _assignments(wrapper)
    local = _params(wrapper) | set(assigned)
    out: dict[str, str] = {}
    for node in _own_nodes(wrapper):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id in handed and node.func.id not in local):
            continue
        for i, arg in enumerate(node.args):
            if isinstance(arg, ast.Starred):
                break
            source = _trusted_text(arg, assigned, trusted)
            if source is not None:
                out[str(i)] = source
        for kw in node.keywords:
            if kw.arg is not None:
                source = _trusted_text(kw.value, assigned, trusted)
                if source is not None:
                    out[kw.arg] = source
    return out


def _nested(fn: ast.FunctionDef | ast.AsyncFunctionDef, handed: set[str],
            trusted: PatternSet, out: dict[str, str]) -> None:
    for node in _own_nodes(fn):
        if isinstance(node, _FUNCTIONS):
            found = _forwards(node, handed, trusted)
            for key, source in found.items():
                out.setdefault(key, source)
            _nested(node, handed | _params(node), trusted, out)


def injecting_decorators(module: str, tree: ast.Module, trusted: PatternSet) -> dict[str, str]:
    """``pkg.module.decorator`` -> ``"1=user_profile;user=request.user"``: the positions and
    keywords at which each top-level decorator of one file passes the function it wraps a trusted
    value (empty when it passes none)."""
    out: dict[str, str] = {}
    for stmt in tree.body:
        if not isinstance(stmt, _FUNCTIONS):
            continue
        found: dict[str, str] = {}
        _nested(stmt, _params(stmt), trusted, found)
        if found:
            key = f"{module}.{stmt.name}" if module else stmt.name
            out[key] = ";".join(f"{k}={v}" for k, v in sorted(found.items()))
    return out


def parse_injections(facts: Mapping[str, str]) -> dict[str, dict[str, str]]:
    """Decorator's last dotted part -> {position or keyword -> trusted source}. Two decorators of
    one name in different modules keep only what both inject."""
    out: dict[str, dict[str, str]] = {}
    for qualname, text in sorted(facts.items()):
        entries = dict(part.split("=", 1) for part in text.split(";") if "=" in part)
        name = qualname.rsplit(".", 1)[-1]
        if name in out:
            entries = {k: v for k, v in out[name].items() if entries.get(k) == v}
        out[name] = entries
    return {k: v for k, v in out.items() if v}
