"""The user model, and the fields that identify one user besides its id.

``Invite.objects.filter(email=request.user.email)``: the value is a unique field of the user model
read from the authenticated user, so the rows it picks are addressed to the caller
(``analysis/orm/owner.py`` makes them owner-scoped). Reading such a field of the caller gives a value
whose provenance names the field (``request.user.email``), so that it is not mistaken for the user
itself or for its id.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from tenantlint.analysis.facts import Provenance
from tenantlint.analysis.interp.predicates import Leaf
from tenantlint.analysis.interp.trusted_context import is_caller
from tenantlint.analysis.interp.values import Value

if TYPE_CHECKING:
    from tenantlint.analysis.plugins import FileView
    from tenantlint.index.records import ProjectIndex

# Bases that make a class the user model (Django auth, flask-login, fastapi-users).
USER_BASES = frozenset({"AbstractUser", "AbstractBaseUser", "UserMixin", "SQLAlchemyBaseUserTable",
                        "SQLAlchemyBaseUserTableUUID", "BaseUser"})
# How a foreign key names the user model without naming its class.
USER_REFERENCES = frozenset({"AUTH_USER_MODEL", "get_user_model", "User"})


def user_models(index: ProjectIndex) -> frozenset[str]:
    """Names (class and table, lower case) that denote the user model."""
    out = {name.lower() for name in USER_REFERENCES}
    for defs in index.models.values():
        for m in defs:
            if m.name == "User" or USER_BASES.intersection(m.bases):
                out.update({m.name.lower(), m.table.lower()})
    return frozenset(n for n in out if n)


def identity_fields(index: ProjectIndex) -> frozenset[str]:
    """Fields that identify one user besides its id: unique, non-key fields the project's user model
    declares (``email = models.EmailField(unique=True)``)."""
    users = user_models(index)
    out: set[str] = set()
    for defs in index.models.values():
        for m in defs:
            if m.name.lower() in users or m.table.lower() in users:
                out.update(f.name for f in m.fields if f.unique and not f.fk_target
                           and f.name not in ("id", "pk", "uuid"))
    return frozenset(out)


def cached_identity_fields(ctx: FileView) -> frozenset[str]:
    memo = ctx.settings.memo
    key = ("owner-identity-fields", "")
    if key not in memo:
        memo[key] = identity_fields(ctx.index)
    fields: frozenset[str] = memo[key]  # type: ignore[assignment]
    return fields


def caller_field(ctx: FileView, recv: Value, attr: str) -> Value | None:
    """``request.user.email``: a unique identifying field of the authenticated user, spelled in its
    provenance (``<caller>.email``) so that an owner pin can tell it from the user itself."""
    if attr not in cached_identity_fields(ctx) or not is_caller(recv):
        return None
    return Value(Provenance.trusted(f"{recv.prov.source}.{attr}"))


_ID_ATTR = re.compile(r"[a-z0-9]_ids?$")


def caller_table(ctx: FileView) -> str | None:
    """The table of the user model when it is tenant-scoped (a user belongs to one tenant), and the
    project has exactly one such user model."""
    memo = ctx.settings.memo
    key = ("caller-tenant-table", "")
    if key not in memo:
        users = user_models(ctx.index)
        tables = {m.table for defs in ctx.index.models.values() for m in defs
                  if (m.name.lower() in users or m.table.lower() in users)
                  and ctx.index.tenant_table(m.table) is not None}
        memo[key] = next(iter(tables)) if len(tables) == 1 else ""
    table: str = memo[key]  # type: ignore[assignment]
    return table or None


def caller_ids(ctx: FileView, text: str, value: Value) -> Value | None:
    """``current_user.group_ids``, ``request.user.team_id``: ids the authenticated user's own row holds,
    when the user model is a tenant table. That row carries its tenant, and so do the rows its ids
    name ("Rows that carry their tenant"); the user's own id and tenant column are not such ids."""
    head, dot, attr = text.rpartition(".")
    if not dot or not value.trusted or not _ID_ATTR.search(attr):
        return None
    if not is_caller(Value(Provenance.trusted(head))) or (table := caller_table(ctx)) is None:
        return None
    tenant = ctx.index.tenant_table(table)
    if tenant is None or attr in tenant.tenant_names():
        return None
    return Value(value.prov, scoped_row_of=table, key_field=attr)


def addressed_key(key: str, field: str) -> bool:
    """A column named for the identifying field: ``email``, ``invitee_email``."""
    return key == field or key.endswith(f"_{field}")


def pinned_identity(ctx: FileView, leaf: Leaf) -> bool:
    """``email=request.user.email``: the rows addressed to the caller by a unique field of theirs."""
    source = leaf.value.prov.source
    head, dot, field = source.rpartition(".")
    if not dot or field not in cached_identity_fields(ctx) or not addressed_key(leaf.key, field):
        return False
    return is_caller(Value(Provenance(leaf.value.prov.trust, head)))
