"""Secret-token columns: unique, not the primary key, filled by a random generator by default.

``anchor = models.CharField(unique=True, default=make_anchor)`` with ``make_anchor`` returning
``uuid4().hex``, ``token = models.CharField(unique=True, default=secrets.token_urlsafe)``: the value
is a capability (a share link, a public board's address), not an identifier the rows are listed by.
The analysis uses these only in views that declare themselves public (``analysis/orm/capability.py``).
"""

from __future__ import annotations

import ast

from tenantlint.index.ast_util import dotted, walk

# Calls that return an unguessable value (``uuid1`` is time-based, ``random`` is predictable).
RANDOM_CALLS = frozenset({"uuid4", "token_urlsafe", "token_hex", "token_bytes", "get_random_string"})


def _last(node: ast.expr) -> str:
    return (dotted(node, calls="reject") or "").rsplit(".", 1)[-1]


def _calls_random(node: ast.AST) -> bool:
    return any(isinstance(sub, ast.Call) and _last(sub.func) in RANDOM_CALLS for sub in walk(node))


def random_functions(module: ast.Module) -> frozenset[str]:
    """Top-level functions of the module that return a random value (``return uuid4().hex``)."""
    out: set[str] = set()
    for stmt in module.body:
        if not isinstance(stmt, ast.FunctionDef):
            continue
        returns = [n for n in walk(stmt) if isinstance(n, ast.Return) and n.value is not None]
        if returns and all(_calls_random(r) for r in returns):
            out.add(stmt.name)
    return frozenset(out)


def random_default(node: ast.expr | None, local: frozenset[str]) -> bool:
    """A column ``default=`` that draws a random value on each insert: a random generator itself
    (``uuid.uuid4``, ``secrets.token_urlsafe``), a function of the module returning one, or a
    lambda calling one."""
    if node is None:
        return False
    if isinstance(node, ast.Lambda):
        return _calls_random(node.body)
    name = _last(node)
    return name in RANDOM_CALLS or (isinstance(node, ast.Name) and name in local)
