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
