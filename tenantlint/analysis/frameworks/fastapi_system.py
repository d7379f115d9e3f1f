"""FastAPI routes that depend on a ``system_scope`` dependency are system code.

``system_scope`` names context managers and decorators inside which queries are deliberately
cross-tenant; in FastAPI the same role is played by a dependency (``Depends(get_admin_user)``): a route
that only an instance administrator may call. A route depends on it through a parameter
(``admin = Depends(get_admin_user)``), its decorator's or its router's ``dependencies=[...]``, a router
built by a project subclass of ``APIRouter`` whose ``__init__`` passes such a dependency
(``AdminAPIRouter()``), or, in a class-based controller, a class-level dependency of the controller
or of a project base (``user: User = Depends(get_admin_user)``; a subclass's attribute of the same
name hides its base's).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import libcst as cst

from tenantlint.analysis.interp.exprs import dotted_name
from tenantlint.analysis.plugins import ClassInfo
from tenantlint.analysis.rawsql.constants import module_name, resolve_import

if TYPE_CHECKING:
    from tenantlint.analysis.plugins import FileView

INJECTED = frozenset({"Depends", "Security"})


def _last(name: str | None) -> str:
    return (name or "").rsplit(".", 1)[-1]


def dependency_calls(call: cst.Call) -> Iterator[cst.Call]:
    """The ``Depends(f)``/``Security(f)`` calls in ``dependencies=[...]`` of a route decorator or
    router constructor."""
    for a in call.args:
        if a.keyword is None or a.keyword.value != "dependencies":
            continue
        if not isinstance(a.value, cst.List | cst.Tuple):
            continue
        for el in a.value.elements:
            v = el.value
            if isinstance(v, cst.Call) and _last(dotted_name(v.func)) in INJECTED:
                yield v


def listed_dependencies(call: cst.Call) -> set[str]:
    """Names in ``dependencies=[Depends(f), ...]`` of a route decorator or router constructor."""
    return {_last(dotted_name(v.args[0].value)) for v in dependency_calls(call) if v.args}


def router_dependencies(ctx: FileView, router: cst.BaseExpression | None) -> set[str]:
    """What a module-level route object is built with: its constructor's ``dependencies=`` and, for a
    project subclass of the framework's router, those its ``__init__`` passes on."""
    if not isinstance(router, cst.Call):
        return set()
    out = listed_dependencies(router)
    callee = dotted_name(router.func)
    if callee and _last(callee)[:1].isupper():
        qualified = resolve_import(ctx.imports.qualify(callee), ctx.path)
        out |= ctx.settings.member_types.dependencies(qualified)
    return out


def controller_dependencies(ctx: FileView, cls: ClassInfo) -> frozenset[str]:
    mod = module_name(ctx.path)
    return ctx.settings.member_types.dependencies(f"{mod}.{cls.name}" if mod else cls.name)


def is_system(ctx: FileView, names: set[str] | frozenset[str]) -> bool:
    scope = ctx.settings.system_handlers  # ``system_scope`` names and ``operator_checks``
    return any(n in scope or _last(ctx.imports.original_name(n)) in scope for n in names if n)
