"""Caller-owned rows: a filter pinning a foreign key to the user model to the authenticated user.

``APIToken.objects.get(user=request.user, pk=pk)``, ``Notification.receiver_id == current_user.id``:
the query reads or writes only the caller's own rows, so it cannot reach another tenant's. Such a
pin confines the query (``Scoping.OWNER_SCOPED``, listed as owner-scoped in the audit) without being
a tenant filter: other ids, even trusted ones, are not.

Rows addressed to the caller by an identifying field instead of a foreign key
(``Invite.objects.filter(email=request.user.email)``) are the caller's too: the value is a unique
field of the user model (``unique=True`` on the project's user model) read from the authenticated
user, and the column it pins has that field's name (``email``, or ``invitee_email``). Any other
column equal to it (``name=request.user.email``), or a field the user model does not declare unique,
is no pin.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Protocol

import libcst as cst

from tenantlint.analysis.facts import Provenance, Scoping, Trust
from tenantlint.analysis.interp.caller_fields import (
    addressed_key,
    cached_identity_fields,
    pinned_identity,
    user_models,
)
from tenantlint.analysis.interp.predicates import Leaf, LeafTest, PinResult, Pred, pins_of
from tenantlint.analysis.interp.trusted_context import is_caller
from tenantlint.analysis.interp.values import Pin, SeqValue, Value
from tenantlint.crossfn.records import PARAMETER
from tenantlint.index.relations import OWNER_COLUMNS

if TYPE_CHECKING:
    from tenantlint.analysis.plugins import Evaluation, FileView
    from tenantlint.index.records import ProjectIndex


def user_keys(ev: Evaluation | _HasCtx, table: str, models: tuple[str, ...]) -> frozenset[str]:
    """Lookup keys of ``table`` that pin the row's owner: its foreign keys to the user model (field
    and column), and ``id``/``pk`` when the table is the user model itself."""
    memo = ev.ctx.settings.memo
    key = ("owner-keys", table)
    if key not in memo:
        users_key = ("owner-user-models", "")
        if users_key not in memo:
            memo[users_key] = user_models(ev.ctx.index)
        users: frozenset[str] = memo[users_key]  # type: ignore[assignment]
        out: set[str] = set()
        for name in models:
            info = ev.ctx.index.model(name)
            if info is None:
                continue
            if info.name.lower() in users or info.table.lower() in users:
                out.update({"id", "pk"})
            for f in info.fields:
                target = (f.fk_target or "").rsplit(".", 1)[-1].lower()
                if target and target in users:
                    out.update({f.name, f.column, f"{f.name}__id", f"{f.name}__pk"})
                elif not target and not f.unique and not f.proxy and f.name in OWNER_COLUMNS:
                    out.add(f.name)  # ``created_by = CharField()``: a user id kept without a foreign key
            for field, link in info.links:
                if _links_users(ev.ctx.index, info.name, link, users):
                    out.update({field, f"{field}__id", f"{field}__pk"})
        memo[key] = frozenset(out)
    keys: frozenset[str] = memo[key]  # type: ignore[assignment]
    return keys


def _links_users(index: ProjectIndex, own: str, link: str, users: frozenset[str]) -> bool:
    """A many-to-many field whose link model (``through=`` or the one Django creates) has a foreign
    key of its own to the user model pointing away from ``own``: ``assignees`` of an issue."""
    info = index.model(link)
    if info is None:
        return False
    for f in info.fields:
        target = (f.fk_target or "").rsplit(".", 1)[-1].lower()
        if target and target in users and target != own.lower():
            return True
    return False


class _HasCtx(Protocol):
    @property
    def ctx(self) -> FileView: ...


@dataclass(frozen=True)
class _Ctx:
    ctx: FileView


def owner_params(ctx: FileView, node: cst.CSTNode, table: str, params: frozenset[str]) -> tuple[str, ...]:
    """Parameters among ``params`` that the query ``node`` pins a foreign key to the user model to
    (``Rating.user_id == user_id``, ``filter(user=user)``): a caller passing the authenticated user
    there confines the query to the caller's own rows."""
    models = tuple(name for name, t in ctx.index.by_model.items() if t == table)
    keys = user_keys(_Ctx(ctx), table, models) if models else frozenset()
    if not keys or not params:
        return ()
    found: set[str] = set()
    for sub in _walk(node):
        if isinstance(sub, cst.Comparison) and len(sub.comparisons) == 1 \
                and isinstance(sub.comparisons[0].operator, cst.Equal):
            sides = (sub.left, sub.comparisons[0].comparator)
            for col, value in (sides, sides[::-1]):
                if isinstance(col, cst.Attribute) and col.attr.value in keys \
                        and isinstance(value, cst.Name) and value.value in params:
                    found.add(value.value)
                elif isinstance(col, cst.Attribute):
                    found.update(_identity_param(ctx, col.attr.value, value, params))
        elif isinstance(sub, cst.Arg) and sub.keyword is not None and sub.keyword.value in keys \
                and isinstance(sub.value, cst.Name) and sub.value.value in params:
            found.add(sub.value.value)
        elif isinstance(sub, cst.Arg) and sub.keyword is not None:
            found.update(_identity_param(ctx, sub.keyword.value, sub.value, params))
    return tuple(sorted(found))


def _identity_param(ctx: FileView, key: str, value: cst.BaseExpression,
                    params: frozenset[str]) -> tuple[str, ...]:
    """``filter(email=user.email)`` with ``user`` a parameter: the rows addressed to that user."""
    if not (isinstance(value, cst.Attribute) and isinstance(value.value, cst.Name)):
        return ()
    name, field = value.value.value, value.attr.value
    if name in params and field in cached_identity_fields(ctx) and addressed_key(key, field):
        return (name,)
    return ()


def _walk(node: cst.CSTNode) -> list[cst.CSTNode]:
    out: list[cst.CSTNode] = []
    todo = [node]
    while todo:
        current = todo.pop()
        out.append(current)
        todo.extend(current.children)
    return out


def single_leaf(leaf: Leaf) -> Leaf | None:
    """``leaf`` as an ``=`` leaf: itself, or ``key__in=[v]`` (a list written in place whose only
    element, or every element, is the same kind of value) as ``key=v``; None for anything else."""
    if leaf.op == "eq":
        return leaf
    value = leaf.value
    if leaf.op != "in" or not isinstance(value, SeqValue) or value.open_ended or not value.items:
        return None
    first = value.items[0]
    if any(item.prov != first.prov for item in value.items[1:]):
        return None
    return replace(leaf, value=first, op="eq")


def owner_pin(ev: Evaluation, table: str, models: tuple[str, ...], leaf: Leaf) -> Pin | None:
    """A pin for ``leaf`` when it confines ``table`` to the caller's own rows (``assignees__in=
    [request.user]`` is ``assignees=request.user``)."""
    found = single_leaf(leaf)
    if found is None:
        return None
    leaf = found
    if pinned_identity(ev.ctx, leaf):
        return Pin(leaf.value.prov, Scoping.OWNER_SCOPED, f"addressed to the caller by {leaf.key}",
                   confines=True)
    if not is_caller(leaf.value) or leaf.key not in user_keys(ev, table, models):
        return None
    return Pin(leaf.value.prov, Scoping.OWNER_SCOPED, f"owner {leaf.key}", confines=True)


def owned_row(ev: Evaluation, table: str, pred: Pred) -> Provenance | None:
    """A row of a table that is not tenant-scoped (the tenant table itself, ``Project``) fetched
    with a mandatory conjunct pinning its owner to the caller: the caller's own row, trusted
    whatever its other keys (``code=code`` from the URL) say."""
    models = tuple(name for name, t in ev.ctx.index.by_model.items() if t == table)
    if not models:
        return None

    def test(leaf: Leaf) -> Pin | None:
        return owner_pin(ev, table, models, leaf)

    result = pins_of(pred, test, lambda leaf: False)
    return Provenance.trusted(f"the caller's own {table} row") if result.pins else None


# Pins that confine a query without being a tenant filter: the caller's own rows, a secret token.
CONFINING = frozenset({Scoping.OWNER_SCOPED, Scoping.CAPABILITY})


def tenant_pins(pred: Pred, test: LeafTest, is_key: Callable[[Leaf], bool]) -> PinResult:
    """``pins_of`` where an owner (or capability) pin counts only when mandatory:
    ``Q(owned_by=user) | Q(public=True)`` is no confinement at all (TNT101), not a weakened tenant
    filter (TNT105)."""
    result = pins_of(pred, test, is_key)
    if result.pins or not result.weakened:
        return result

    def tenant_only(leaf: Leaf) -> Pin | None:
        pin = test(leaf)
        return pin if pin is not None and pin.how not in CONFINING else None

    return pins_of(pred, tenant_only, is_key)


def owned_insert(ev: Evaluation, table: str, models: tuple[str, ...], tenant_field: str | None,
                 keywords: dict[str, Value]) -> Provenance | None:
    """An insert that sets no tenant into a table whose tenant foreign key is nullable, owned by the
    caller (a foreign key to the user model set to the authenticated user: a personal token, an
    avatar): a user-level row the model allows, not a row missing its tenant. In a function that is
    not a request handler, an owner set from one of its parameters (``user=user``, ``user_id=
    user.id``) is the user its callers pass: a user-level row as well."""
    if tenant_field is None or not models:
        return None
    for name in models:
        info = ev.ctx.index.model(name)
        field = next((f for f in info.fields if f.name == tenant_field), None) if info else None
        if field is None or field.required:
            return None
    keys = user_keys(ev, table, models)
    for key, value in keywords.items():
        if key in keys and is_caller(value):
            return Provenance.trusted(f"the caller's own row ({key})")
        if key in keys and ev.fn.handler is None and _parameter(value):
            param = value.prov.source[len(PARAMETER):]
            return Provenance.trusted(f"a user-level row of the user passed as '{param}' ({key})")
    return None


def _parameter(value: Value) -> bool:
    """A parameter of the function (or an attribute of it: ``user.id``), nothing else."""
    prov = value.prov
    return (prov.trust is Trust.UNKNOWN and prov.source.startswith(PARAMETER)
            and len(prov.source) > len(PARAMETER))
