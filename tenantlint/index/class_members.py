"""Managers a model declares in its class body: its query entry points besides ``objects``."""

from __future__ import annotations

import ast

from tenantlint.index.ast_util import Source, dotted, last_part


def is_manager_value(value: ast.expr | None) -> bool:
    """``models.Manager()``, ``SoftDeleteManager()``, ``InvoiceQuerySet.as_manager()``,
    ``Manager.from_queryset(InvoiceQuerySet)()``."""
    if not isinstance(value, ast.Call):
        return False
    func = value.func
    if isinstance(func, ast.Call):  # ``Manager.from_queryset(QS)()``
        return last_part(dotted(func.func) or "") == "from_queryset"
    short = last_part(dotted(func) or "")
    return short.endswith("Manager") or short == "as_manager"


def managers(cls: ast.ClassDef, src: Source) -> tuple[str, ...]:
    """Names assigned a manager directly in ``cls``'s body, in source order."""
    out: list[str] = []
    if not src.is_block(cls.body):
        return ()
    for stmt in cls.body:
        if isinstance(stmt, ast.Assign) and is_manager_value(stmt.value):
            names = [t.id for t in stmt.targets if isinstance(t, ast.Name)]
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) \
                and is_manager_value(stmt.value):
            names = [stmt.target.id]
        else:
            continue
        out.extend(n for n in names if n not in out)
    return tuple(out)


# django-scopes: ``objects = ScopedManager(space="space")`` refuses to query outside ``with scope(...)``.
SCOPED_MANAGERS = frozenset({"ScopedManager"})


def scoped_managers(cls: ast.ClassDef, src: Source) -> tuple[str, ...]:
    """Names assigned a django-scopes ``ScopedManager(...)`` in ``cls``'s body: managers that scope
    themselves."""
    out: list[str] = []
    if not src.is_block(cls.body):
        return ()
    for stmt in cls.body:
        value: ast.expr | None
        if isinstance(stmt, ast.Assign):
            targets, value = stmt.targets, stmt.value
        elif isinstance(stmt, ast.AnnAssign):
            targets, value = [stmt.target], stmt.value
        else:
            continue
        if not isinstance(value, ast.Call):
            continue
        func = value.func.func if isinstance(value.func, ast.Call) else value.func  # ``X.from_queryset(Q)()``
        if isinstance(func, ast.Attribute) and func.attr == "from_queryset":
            func = func.value
        if last_part(dotted(func) or "") not in SCOPED_MANAGERS:
            continue
        out.extend(t.id for t in targets if isinstance(t, ast.Name) and t.id not in out)
    return tuple(out)
