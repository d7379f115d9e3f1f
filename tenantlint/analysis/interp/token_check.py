"""Secret-token columns of a table, and rows refused unless their secret equals the client's value.

A *secret* column (``index/tokens.py``: unique, not the primary key, a secret generator's default
or a name that says so; or listed in ``secret_token_columns``) holds a value the client presents to
prove it may use the row (``analysis/orm/capability.py`` reads a lookup by it). The same holds for a
row fetched by another key and refused unless its secret matches::

    invite = Invite.objects.get(pk=pk, workspace__slug=slug)
    if not token or invite.token != token:  # token: request input
        return Response(status=403)

On the path that goes on, the client has shown the invitation's token: the query that fetched the
row is a capability lookup (``capability`` in the audit, not TNT101/TNT103, whatever its other
filters), and the row is a trusted one, so ``invite.workspace`` is the invitation's own tenant. The
test is read by ``guards.mismatch_sides`` (``!=``, ``is not``, ``not ==``, each ``or``-ed
alternative); the branch must leave the function (return, raise, abort), and the other side must be
what the client sent (request input) or a parameter of a helper (then judged at its callers), never a
constant or another column of the row. A mismatch that only logs, or a comparison of a column that
is not a secret (``invite.email != email``), proves nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import libcst as cst

from tenantlint.analysis.facts import Provenance, Scoping, Trust
from tenantlint.analysis.interp.exprs import dotted
from tenantlint.analysis.interp.guards import mismatch_sides, scope_checked
from tenantlint.analysis.interp.values import RowValue
from tenantlint.crossfn.records import PARAMETER
from tenantlint.index.records import TenantTable

if TYPE_CHECKING:
    from tenantlint.analysis.interp.evaluator import Evaluator
    from tenantlint.analysis.interp.function_state import FunctionState
    from tenantlint.analysis.plugins import FileView


@dataclass(frozen=True, slots=True)
class TokenColumns:
    """A table's token columns (field and column names): ``secret`` ones are capabilities anywhere,
    the other ``tokens`` only in public views."""

    secret: frozenset[str] = frozenset()
    tokens: frozenset[str] = frozenset()


def token_columns(ctx: FileView, tenant: TenantTable) -> TokenColumns:
    """The token columns of the table's models, with those ``secret_token_columns`` names."""
    memo = ctx.settings.memo
    key = ("capability-tokens", tenant.table)
    if key not in memo:
        owners = {m.lower() for m in tenant.models} | {tenant.table.lower()}
        configured = {field for entry in ctx.config.secret_token_columns
                      for model, _, field in (entry.partition("."),) if model.lower() in owners}
        secret: set[str] = set(configured)  # a column the index does not list counts as named
        tokens: set[str] = set()
        for name in tenant.models:
            info = ctx.index.model(name)
            for f in info.fields if info is not None else ():
                names = (f.name, f.column)
                if f.secret or f.name in configured or f.column in configured:
                    secret.update(names)
                elif f.token:
                    tokens.update(names)
        memo[key] = TokenColumns(frozenset(n for n in secret if n), frozenset(n for n in tokens if n))
    found: TokenColumns = memo[key]  # type: ignore[assignment]
    return found


def _secret_of_row(node: cst.BaseExpression, fn: FunctionState, ev: Evaluator
                   ) -> tuple[str, RowValue, str] | None:
    """``invite.token`` of a fetched row of a tenant table whose ``token`` is a secret column:
    (``invite``, its row, ``token``)."""
    parts = (dotted(node, calls=False) or "").split(".")
    if len(parts) != 2:
        return None
    row = fn.env.get(parts[0])
    origin = row.fetched_by if isinstance(row, RowValue) else None
    if not isinstance(row, RowValue) or origin is None or origin.tenant is None:
        return None
    if parts[1] not in token_columns(ev.ctx, origin.tenant).secret:
        return None
    return parts[0], row, parts[1]


def token_checked(ev: Evaluator, fn: FunctionState, test: cst.BaseExpression) -> None:
    """``if row.token != <client's value>: refuse``: the query that fetched ``row`` is a capability
    lookup, and the row is trusted (the caller calls this only for a branch that leaves)."""
    for left, right in mismatch_sides(test):
        for row_side, value_side in ((left, right), (right, left)):
            found = _secret_of_row(row_side, fn, ev)
            if found is None:
                continue
            value = ev.eval(value_side, use=False)
            parameter = value.prov.trust is Trust.UNKNOWN and value.prov.source.startswith(PARAMETER)
            if not (value.untrusted or parameter):
                continue
            name, row, attr = found
            prov = Provenance.trusted(f"{name}, refused unless its secret {attr} equals {value.prov.source}")
            scope_checked(fn, name, row, prov, f"secret token {attr} checked after the fetch",
                          how=Scoping.CAPABILITY, confines=True)
            return
