"""Request handlers walked in system scope by themselves: under a ``system_scope`` decorator or a
FastAPI dependency of one (``frameworks/fastapi_system.py``), or behind an operator check
(``operator_checks``: a decorator, a DRF permission class or a FastAPI dependency that admits only the
instance's operators, its super admins). Such a handler is system code for the functions it calls
too: a helper only system code calls runs in system scope (``crossfn/combine.py``), and the audit
names the handler's decorator or permission as the reason its queries are deliberately cross-tenant.

A DRF view's ``permission_classes`` make its handlers operator-only when one of them is an operator
check and the view does not choose its permissions per action (``get_permissions``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from tenantlint.analysis.interp.checks import permission_classes
from tenantlint.analysis.plugins import ClassInfo, local_lineage

if TYPE_CHECKING:
    from tenantlint.analysis.interp.file_context import FileContext
    from tenantlint.analysis.settings import Settings

SYSTEM_HANDLER = "a system_scope handler: "  # why the queries of such a handler are system code
OPERATOR_HANDLER = "an operator-only handler: "  # ... behind an ``operator_checks`` check


def operator_permission(ctx: FileContext, cls: ClassInfo) -> str | None:
    """The operator check among the view's ``permission_classes``, if it applies to every action."""
    checks = ctx.settings.operator_checks
    if not checks:
        return None
    found = [p for p in permission_classes(ctx, cls) if p in checks]
    if not found or _chooses_permissions(ctx, cls):
        return None
    return found[0]


def _chooses_permissions(ctx: FileContext, cls: ClassInfo) -> bool:
    import libcst as cst

    for c in local_lineage(ctx, cls):
        body = c.node.body.body if isinstance(c.node.body, cst.IndentedBlock) else ()
        if any(isinstance(s, cst.FunctionDef) and s.name.value == "get_permissions" for s in body):
            return True
    return False


def system_handler(decorators: Sequence[str], settings: Settings, permission: str | None) -> str:
    """Why a handler walked in system scope by itself is system code: its operator check or
    ``system_scope`` decorator, its operator permission class, else its dependency on one."""
    for name in decorators:
        last = name.rsplit(".", 1)[-1]
        if last in settings.operator_checks:
            return f"{OPERATOR_HANDLER}@{name}"
        if last in settings.system_scope:
            return f"{SYSTEM_HANDLER}@{name}"
    if permission is not None:
        return f"{OPERATOR_HANDLER}permission_classes {permission}"
    return f"{SYSTEM_HANDLER}a system_scope or operator_checks dependency"
