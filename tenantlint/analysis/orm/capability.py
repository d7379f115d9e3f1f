"""Rows looked up by a secret token: a capability, not a tenant leak.

A row whose secret token the client presents (an API key, an invitation's or a share link's token,
a reply address's token) is the one that token was issued for: holding the token is the
authorisation, and there is no tenant to filter by yet — the tenant is then taken from the row. A
lookup pinning a *secret* column (``index/tokens.py``: unique, not the primary key, a secret
generator's default or a name that says so; or listed in ``secret_token_columns``) to a value,
as a mandatory equality (``APIToken.objects.get(token=token)``, ``APIToken.token == token``), is a
capability lookup wherever it is written: not TNT101/TNT102/TNT103, listed as ``capability`` in the
audit with the column, and the row carries its tenant like any scoped row
(``Issue.objects.filter(project_id=board.project_id)`` is then scoped).

A *token* column that is not plainly a secret (``uuid = UUIDField(unique=True, default=uuid4)``)
is often a row's public identifier, used in URLs instead of the primary key: a lookup by it is a
capability only in a view that declares itself public (DRF ``permission_classes = [AllowAny]``,
every entry ``AllowAny``, on the class or a base of the same file).

Nothing else is excused: a query with no filter, a lookup by the primary key, by a unique field that
is no token (``slug``), a token under ``OR`` or compared with ``__in``/``!=``, is reported as
anywhere else. A row fetched otherwise and then refused unless its secret column equals the client's
value is a capability too (``analysis/interp/token_check.py``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tenantlint.analysis.facts import Provenance, Scoping
from tenantlint.analysis.interp.checks import permission_classes
from tenantlint.analysis.interp.predicates import Leaf
from tenantlint.analysis.interp.signed_values import signed
from tenantlint.analysis.interp.token_check import token_columns
from tenantlint.analysis.interp.values import Pin
from tenantlint.index.records import TenantTable

if TYPE_CHECKING:
    from tenantlint.analysis.plugins import Evaluation

PUBLIC_PERMISSIONS = frozenset({"AllowAny"})


def public_view(ev: Evaluation) -> bool:
    """The handler is a method of a view whose permission classes are all ``AllowAny``."""
    owner = ev.fn.owner
    if ev.fn.handler is None or owner is None:
        return False
    names = permission_classes(ev.ctx, owner)  # type: ignore[arg-type]
    return bool(names) and all(n in PUBLIC_PERMISSIONS for n in names)


def capability_pin(ev: Evaluation, tenant: TenantTable, leaf: Leaf) -> Pin | None:
    """A pin for ``token=<value>`` on a secret column (anywhere) or a token column (in a public
    view): any value, the client holds the token."""
    if leaf.op != "eq" or "__" in leaf.key:
        return None
    if signed(leaf.value) and _unique(ev, tenant, leaf.key):
        prov = Provenance.trusted(f"{tenant.table} row by its {leaf.key}, {leaf.value.prov.source}")
        return Pin(prov, Scoping.CAPABILITY, f"{leaf.key} signed by the server", confines=True)
    columns = token_columns(ev.ctx, tenant)
    if leaf.key in columns.secret:
        where = ""
    elif leaf.key in columns.tokens and public_view(ev):
        where = ", in a public view"
    else:
        return None
    prov = Provenance.trusted(f"{tenant.table} row by its secret {leaf.key}{where}")
    return Pin(prov, Scoping.CAPABILITY, f"secret token {leaf.key}{where}", confines=True)


def _unique(ev: Evaluation, tenant: TenantTable, key: str) -> bool:
    """``key`` names one row of ``tenant``'s table: the primary key or a unique field."""
    if key == "pk":
        return True
    for name in tenant.models:
        info = ev.ctx.index.model(name)
        if info is not None and any(f.unique and key in (f.name, f.column) for f in info.fields):
            return True
    return False
