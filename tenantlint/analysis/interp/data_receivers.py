"""Receivers that are provably no class or instance of the project: ``re.search``, ``opts.get``.

A method's caller set is closed when the project spells its name as often as resolved calls use it
(``crossfn/closure.py``, ``crossfn/generic.py``). A spelling on a receiver that cannot hold a class
of the project, or an instance of one, is no call of any method of the project, and is left out of
that count. Provably so (CPython ``ast``, one walk per module, no types):

- a standard-library module a module-level ``import`` binds (``import re``: ``re.search``), or an
  attribute chain below one (``os.environ.get``); a module of the project may hold a function of
  that name, which a resolved call would count, so other modules are left counted;
- a literal or a builtin container built in place (``{...}.get``, ``", ".join``, ``dict(..).get``);
- request data: ``request.json``, ``request.args`` (and the other parsed parts of a request),
  ``request.get_json()``, ``await request.get_json()``, and ``request`` itself when the module
  imports it from a package (``from flask import request``);
- a local variable of a function whose every binding there is one of the values above
  (``opts = {}``, ``req = await request.get_json()``).

A parameter, an attribute, a call's result or a variable bound to anything else may hold any
class of the project (a subclass passed in): its spellings still count.
"""

from __future__ import annotations

import ast
import sys

from tenantlint.index.ast_util import children

# The parts of a request that hold parsed input (dicts, strings, files), whatever the framework.
REQUEST_DATA = frozenset({"json", "args", "form", "values", "headers", "cookies", "files", "data",
                          "GET", "POST", "FILES", "COOKIES", "META", "query_params", "query_string",
                          "path_params"})
REQUEST_READS = frozenset({"get_json", "get_data", "body"})  # calls returning parsed input
_CONTAINERS = frozenset({"dict", "list", "set", "tuple", "frozenset", "str", "bytes", "sorted"})
_LITERALS = (ast.Dict, ast.List, ast.Set, ast.Tuple, ast.Constant, ast.JoinedStr, ast.DictComp,
             ast.ListComp, ast.SetComp)
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
_STDLIB = frozenset(sys.stdlib_module_names)
_SCOPE_KINDS = frozenset({ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef})
_ASSIGNS = frozenset({ast.Assign, ast.AnnAssign, ast.NamedExpr})
_BINDERS = frozenset({ast.Global, ast.Nonlocal, ast.Import, ast.ImportFrom, ast.ExceptHandler,
                      ast.MatchAs, ast.MatchStar, ast.MatchMapping})


def _module_names(tree: ast.Module) -> tuple[frozenset[str], bool]:
    """The names module-level ``import`` statements (also in a module-level ``try``/``if``) bind to
    standard-library modules, and whether ``request`` is imported from a package."""
    stdlib: set[str] = set()
    request = False
    stmts: list[ast.stmt] = [*tree.body]
    for stmt in stmts:  # grows: the bodies of module-level ``try``/``if`` (``try: import re``)
        if isinstance(stmt, ast.Try | ast.If):
            stmts.extend(stmt.body)
            stmts.extend(stmt.orelse)
            if isinstance(stmt, ast.Try):
                stmts.extend(stmt.finalbody)
                stmts.extend(s for h in stmt.handlers for s in h.body)
        if isinstance(stmt, ast.Import):
            for alias in stmt.names:
                local = alias.asname or alias.name.split(".", 1)[0]
                if alias.name.split(".", 1)[0] in _STDLIB:
                    stdlib.add(local)
        elif isinstance(stmt, ast.ImportFrom) and not stmt.level:
            request = request or any(a.name == "request" and a.asname is None for a in stmt.names)
    return frozenset(stdlib), request


def _is_request(node: ast.expr, request: bool, local: frozenset[str]) -> bool:
    return node.__class__ is ast.Name and node.id == "request" and (  # type: ignore[attr-defined]
        request and "request" not in local)


def _request_data(node: ast.expr) -> bool:
    """``request.json``, ``request.get_json()``, ``await request.form`` (any ``request`` name:
    the parsed parts of a request hold input, never a class of the project)."""
    if isinstance(node, ast.Await):
        node = node.value
    if isinstance(node, ast.Call):
        node = node.func
        reads = REQUEST_READS
    else:
        reads = REQUEST_DATA
    return (isinstance(node, ast.Attribute) and node.attr in reads
            and isinstance(node.value, ast.Name) and node.value.id == "request")


def _data(node: ast.expr, local: frozenset[str]) -> bool:
    """A value that is no class or instance of the project, built in place."""
    if isinstance(node, _LITERALS):
        return True
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _CONTAINERS
            and node.func.id not in local):
        return True
    return _request_data(node)


class _Scope:
    """One function's walk: its local names, those bound only to data, and the receivers read."""

    def __init__(self) -> None:
        self.local: set[str] = set()  # every name the function binds (parameters included)
        self.stores: dict[str, int] = {}
        self.data_stores: dict[str, int] = {}
        self.unsure: set[str] = set()  # bound by something not a plain store (import, def, except)
        self.receivers: list[ast.expr] = []  # the values of attributes read in the function

    def plain(self) -> frozenset[str]:
        return frozenset(n for n, k in self.data_stores.items()
                         if k == self.stores.get(n) and n not in self.unsure)


def not_project_receivers(tree: ast.Module) -> set[int]:
    """The ids of the receiver expressions (the ``value`` of attributes) in ``tree`` that are
    provably no class or instance of the project."""
    stdlib, request = _module_names(tree)
    out: set[int] = set()
    nonlocals: set[str] = set()  # declared ``nonlocal``/``global`` anywhere: rebound from elsewhere
    scopes: list[tuple[ast.AST, _Scope]] = []
    module_scope = _Scope()
    todo: list[tuple[ast.AST, _Scope]] = [(tree, module_scope)]
    while todo:
        root, scope = todo.pop()
        scopes.append((root, scope))
        if isinstance(root, _SCOPES):
            args = root.args
            for a in [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]:
                if a is not None:
                    scope.local.add(a.arg)
                    scope.unsure.add(a.arg)
            stack: list[ast.AST] = [root.body] if isinstance(root, ast.Lambda) else [*root.body]
        else:
            stack = children(root)
        pop, push, extend = stack.pop, stack.append, stack.extend
        name_class, attribute, load = ast.Name, ast.Attribute, ast.Load
        while stack:
            node = pop()
            cls = node.__class__
            if cls is name_class:
                if node.ctx.__class__ is not load:  # type: ignore[attr-defined]
                    ident: str = node.id  # type: ignore[attr-defined]
                    scope.local.add(ident)
                    scope.stores[ident] = scope.stores.get(ident, 0) + 1
                continue
            if cls is attribute:
                scope.receivers.append(node.value)  # type: ignore[attr-defined]
                push(node.value)  # type: ignore[attr-defined]
                continue
            if cls in _SCOPE_KINDS:
                if cls is not ast.Lambda:
                    name: str = node.name  # type: ignore[attr-defined]
                    scope.local.add(name)
                    scope.unsure.add(name)
                    stack.extend(node.decorator_list)  # type: ignore[attr-defined]
                if cls is ast.ClassDef:
                    stack.extend(node.bases)  # type: ignore[attr-defined]
                    stack.extend(node.body)  # type: ignore[attr-defined]  # class body: same scope here
                else:
                    args = node.args  # type: ignore[attr-defined]
                    stack.extend(d for d in [*args.defaults, *args.kw_defaults] if d is not None)
                    todo.append((node, _Scope()))
                continue
            if cls in _ASSIGNS:
                targets = node.targets if cls is ast.Assign else [node.target]  # type: ignore[attr-defined]
                value = node.value  # type: ignore[attr-defined]
                if value is not None:
                    for t in targets:
                        if t.__class__ is ast.Name:
                            scope.data_stores.setdefault(t.id, 0)
                            if _data(value, frozenset()):
                                scope.data_stores[t.id] += 1
            elif cls not in _BINDERS:
                pass
            elif cls is ast.Global or cls is ast.Nonlocal:
                nonlocals.update(node.names)  # type: ignore[attr-defined]
            elif cls is ast.Import or cls is ast.ImportFrom:
                for alias in node.names:  # type: ignore[attr-defined]
                    bound = alias.asname or alias.name.split(".", 1)[0]
                    scope.local.add(bound)
                    scope.unsure.add(bound)
            elif cls is ast.ExceptHandler and node.name:  # type: ignore[attr-defined]
                scope.local.add(node.name)  # type: ignore[attr-defined]
                scope.unsure.add(node.name)  # type: ignore[attr-defined]
            elif isinstance(node, ast.MatchAs | ast.MatchStar) and node.name:
                scope.local.add(node.name)
                scope.unsure.add(node.name)
            elif isinstance(node, ast.MatchMapping) and node.rest:
                scope.local.add(node.rest)
                scope.unsure.add(node.rest)
            extend(children(node))
    for root, scope in scopes:
        local = frozenset(scope.local)
        plain = scope.plain() - nonlocals if root is not tree else frozenset()
        for recv in scope.receivers:
            if _not_project(recv, plain, local if root is not tree else frozenset(), stdlib,
                            request):
                out.add(id(recv))
    return out


def _not_project(recv: ast.expr, plain: frozenset[str], local: frozenset[str],
                 stdlib: frozenset[str], request: bool) -> bool:
    if recv.__class__ is ast.Name:
        name: str = recv.id  # type: ignore[attr-defined]
        if name in plain:
            return True
        if name in local:
            return False
        return name in stdlib or _is_request(recv, request, local)
    if _data(recv, local):
        return True
    root = recv
    while root.__class__ is ast.Attribute:
        root = root.value  # type: ignore[attr-defined]
    return root is not recv and root.__class__ is ast.Name and root.id in stdlib and (  # type: ignore[attr-defined]
        root.id not in local)  # type: ignore[attr-defined]
