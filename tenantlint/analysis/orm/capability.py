"""A public view's row looked up by its secret token: a capability, not a tenant leak.

A view that declares itself public (DRF ``permission_classes = [AllowAny]``, every entry ``AllowAny``,
on the class or a base of the same file) serves anyone who holds the URL. When it looks a row up by
a secret token column (``index/tokens.py``: unique, not the primary key, filled by a random generator
by default) pinned to the value the client sent (``DeployBoard.objects.get(anchor=anchor)``), holding
the token is the authorisation: the row is the one published under that token, not one of any
tenant. The lookup is listed as ``public-capability`` in the audit, and the row carries its tenant
like any scoped row (``Issue.objects.filter(project_id=board.project_id)`` is then scoped).

Nothing else in a public view is excused: a query with no filter, a lookup by the primary key, by a
non-random unique field (``slug``) or by the URL's tenant is reported as anywhere else.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tenantlint.analysis.facts import Provenance, Scoping
from tenantlint.analysis.interp.checks import permission_classes
from tenantlint.analysis.interp.predicates import Leaf
from tenantlint.analysis.interp.values import Pin
from tenantlint.index.records import TenantTable

if TYPE_CHECKING:
    from tenantlint.analysis.plugins import Evaluation

PUBLIC_PERMISSIONS = frozenset({"AllowAny"})


def token_fields(ev: Evaluation, tenant: TenantTable) -> frozenset[str]:
    """Secret-token fields (and columns) of the table's models."""
    memo = ev.ctx.settings.memo
    key = ("capability-tokens", tenant.table)
    if key not in memo:
        out: set[str] = set()
        for name in tenant.models:
            info = ev.ctx.index.model(name)
            if info is not None:
                out.update(n for f in info.fields if f.token for n in (f.name, f.column))
        memo[key] = frozenset(out)
    found: frozenset[str] = memo[key]  # type: ignore[assignment]
    return found


def public_view(ev: Evaluation) -> bool:
    """The handler is a method of a view whose permission classes are all ``AllowAny``."""
    owner = ev.fn.owner
    if ev.fn.handler is None or owner is None:
        return False
    names = permission_classes(ev.ctx, owner)  # type: ignore[arg-type]
    return bool(names) and all(n in PUBLIC_PERMISSIONS for n in names)


def capability_pin(ev: Evaluation, tenant: TenantTable, leaf: Leaf) -> Pin | None:
    """A pin for ``token=<value>`` in a public view (any value: the client holds the token)."""
    if leaf.op != "eq" or "__" in leaf.key or leaf.key not in token_fields(ev, tenant):
        return None
    if not public_view(ev):
        return None
    prov = Provenance.trusted(f"{tenant.table} row by its secret {leaf.key}, in a public view")
    return Pin(prov, Scoping.PUBLIC_CAPABILITY, f"secret token {leaf.key} (public view)", confines=True)
