"""Class decorators that only file the class in a dict of the module and hand it back unchanged.

::

    _gfk_types = {}

    def gfk_type(cls):
        _gfk_types[cls.__tablename__] = cls
        return cls

Such a decorator calls nothing of the class: code that takes the class out of the dict
(``_gfk_types[kind].query.get(pk)``) must spell a method's name to call it, and a spelled name
that resolves to no function already keeps every method of that name reachable, as a ``getattr``
by a name that is no literal keeps every method (``crossfn/reach.py``). So a class under it is, for
the question "may anything but code naming it call this method?", as a class under no decorator.

The pre-pass (CPython ``ast``, per file) records the qualified name of each module-level function
of one parameter whose body (a docstring aside) is only assignments of that parameter into entries
of module-level dicts (``REGISTRY[key] = cls``) followed by ``return cls``. Anything else it does (a
call, an attribute set on the class, a registry that is a parameter or an import) makes it no
such decorator.
"""

from __future__ import annotations

import ast

MARK = "registry"  # the value of each recorded name
# What a dict key may not hold: it could run code of the class
_RUNS = (ast.Call, ast.NamedExpr, ast.Await, ast.Yield, ast.YieldFrom, ast.Lambda)


def registry_decorators(module: str, tree: ast.Module) -> dict[str, str]:
    """Qualified name -> :data:`MARK` for each registry-only decorator defined in ``tree``."""
    dicts = _module_dicts(tree)
    out: dict[str, str] = {}
    if not dicts:
        return out
    for fn in tree.body:
        if isinstance(fn, ast.FunctionDef) and _files_only(fn, dicts):
            out[f"{module}.{fn.name}" if module else fn.name] = MARK
    return out


def _module_dicts(tree: ast.Module) -> frozenset[str]:
    """Names bound at module level to an empty dict (``{}``, ``dict()``)."""
    found: set[str] = set()
    for stmt in tree.body:
        target: ast.expr | None = None
        value: ast.expr | None = None
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            target, value = stmt.targets[0], stmt.value
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            target, value = stmt.target, stmt.value
        if not isinstance(target, ast.Name):
            continue
        empty_literal = isinstance(value, ast.Dict) and not value.keys
        empty_call = (isinstance(value, ast.Call) and isinstance(value.func, ast.Name)
                      and value.func.id == "dict" and not value.args and not value.keywords)
        if empty_literal or empty_call:
            found.add(target.id)
    return frozenset(found)


def _files_only(fn: ast.FunctionDef, dicts: frozenset[str]) -> bool:
    args = fn.args
    if fn.decorator_list or args.posonlyargs or args.vararg or args.kwonlyargs or args.kwarg \
            or len(args.args) != 1:
        return False
    param = args.args[0].arg
    body = list(fn.body)
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
            and isinstance(body[0].value.value, str):
        body = body[1:]  # the docstring
    if len(body) < 2 or not _returns(body[-1], param):
        return False
    return all(_files(stmt, param, dicts) for stmt in body[:-1])


def _returns(stmt: ast.stmt, param: str) -> bool:
    return isinstance(stmt, ast.Return) and isinstance(stmt.value, ast.Name) and stmt.value.id == param


def _files(stmt: ast.stmt, param: str, dicts: frozenset[str]) -> bool:
    """``REGISTRY[key] = param`` into a module-level dict, with a key that calls nothing."""
    if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1):
        return False
    target = stmt.targets[0]
    if not (isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name)
            and target.value.id in dicts):
        return False
    if not (isinstance(stmt.value, ast.Name) and stmt.value.id == param):
        return False
    return not any(isinstance(n, _RUNS) for n in ast.walk(target.slice))
