"""Request handlers walked in system scope by themselves: under a ``system_scope`` decorator or a
FastAPI dependency of one (``frameworks/fastapi_system.py``). Such a handler is system code for the
functions it calls too: a helper only system code calls runs in system scope (``crossfn/combine.py``),
and the audit names the handler's decorator as the reason its queries are deliberately cross-tenant.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

SYSTEM_HANDLER = "a system_scope handler: "  # why the queries of such a handler are system code


def system_handler(decorators: Sequence[str], system_scope: Iterable[str]) -> str:
    """Why a handler walked in system scope by itself is system code: its ``system_scope``
    decorator, else its dependency on one."""
    names = frozenset(system_scope)
    for name in decorators:
        if name.rsplit(".", 1)[-1] in names:
            return f"{SYSTEM_HANDLER}@{name}"
    return f"{SYSTEM_HANDLER}a system_scope dependency"
