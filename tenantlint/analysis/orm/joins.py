"""Joins to the parent tables of a via-scoped table (SQLAlchemy/SQLModel and Peewee).

``select(Line).join(Invoice, Invoice.id == Line.invoice_id).where(Invoice.org_id == org)`` is the
join form of Django's ``invoice__org=org``: a table scoped only through a
required foreign key is scoped by a join along that foreign key chain followed by a mandatory pin on a
joined parent (its tenant column, or its own foreign key to a scoped row).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import libcst as cst
from libcst.helpers import get_full_name_for_node

from tenantlint.analysis.orm import columns as col
from tenantlint.index.records import TenantTable
from tenantlint.sqlcheck.tenant_tables import normalize_table, via_parent

if TYPE_CHECKING:
    from tenantlint.analysis.plugins import Evaluation


@dataclass(frozen=True, slots=True)
class Hop:
    """One step of a via chain: ``child.fk`` -> ``parent.id``."""

    child: str  # table (lower-case)
    fk: str  # FK column of the child
    parent: str  # table (lower-case)
    tenant: TenantTable  # the parent's tenancy


def via_chain(ev: Evaluation, tenant: TenantTable | None) -> tuple[Hop, ...]:
    """The hops from a via-scoped table up to its directly scoped ancestor (empty when direct)."""
    if tenant is None or not tenant.via or not tenant.via_columns:
        return ()
    key = ("join-chain", tenant.table)
    memo = ev.ctx.settings.memo
    if key not in memo:
        hops: list[Hop] = []
        current: TenantTable | None = tenant
        seen: set[str] = set()
        while current is not None and current.via and current.via_columns and len(hops) < 8:
            child = normalize_table(current.table)
            parent = via_parent(ev.ctx.index, current)
            parent_tenant = ev.ctx.index.tenant_table(parent) if parent else None
            if parent is None or parent_tenant is None or parent in seen:
                break
            seen.add(child)
            hops.append(Hop(child, current.via_columns[0].lower(), parent, parent_tenant))
            current = parent_tenant
        memo[key] = tuple(hops)
    result: tuple[Hop, ...] = memo[key]  # type: ignore[assignment]
    return result


def _side(ev: Evaluation, node: cst.BaseExpression) -> tuple[str, str] | None:
    """``Invoice.id`` -> (table, column), without side effects."""
    found = col.peek_column(ev, node)
    if found is None or found[1] is None:
        return None
    ref = col.column_of(ev, found[0], found[1])
    if ref is None:
        return None
    return normalize_table(ref.table), ref.column.lower()


def _onclause_ok(ev: Evaluation, hop: Hop, node: cst.BaseExpression) -> bool:
    """The ON clause equates the hop's FK with a column of the parent (``Invoice.id == Line.invoice_id``)."""
    if isinstance(node, cst.Comparison) and len(node.comparisons) == 1:
        if not isinstance(node.comparisons[0].operator, cst.Equal):
            return False
        sides = {_side(ev, node.left), _side(ev, node.comparisons[0].comparator)}
        return (hop.child, hop.fk) in sides and any(s is not None and s[0] == hop.parent for s in sides)
    if isinstance(node, cst.Call) and (get_full_name_for_node(node.func) or "").rsplit(".", 1)[-1] == "and_":
        return any(_onclause_ok(ev, hop, a.value) for a in node.args if a.keyword is None)
    return False


def _relationship_target(ev: Evaluation, hop: Hop, node: cst.BaseExpression) -> bool:
    """``join(Line.invoice)``: a relationship attribute of the child pointing at the parent."""
    found = col.peek_column(ev, node)
    if found is None or found[1] is None or normalize_table(found[0].table) != hop.child:
        return False
    ref = col.column_of(ev, found[0], found[1])
    if ref is None or ref.relation_to is None:
        return False
    target = ev.ctx.index.table_of_model(ref.relation_to) or ref.relation_to
    return normalize_table(target) == hop.parent and ref.column.lower() == hop.fk


def joined_parent(ev: Evaluation, tenant: TenantTable | None, joined: tuple[str, ...],
                  call: cst.Call) -> str | None:
    """The parent table a ``.join(...)`` call adds to the chain already joined, if it does."""
    hops = via_chain(ev, tenant)
    if len(joined) >= len(hops) or not call.args:
        return None
    hop = hops[len(joined)]
    positional = [a.value for a in call.args if a.keyword is None and not a.star]
    onclause = next((a.value for a in call.args if a.keyword and a.keyword.value in ("onclause", "on")),
                    positional[1] if len(positional) > 1 else None)
    if not positional:
        return None
    target = positional[0]
    if _relationship_target(ev, hop, target):
        return hop.parent
    model = col.peek_model(ev, target)
    if model is None or normalize_table(model.table) != hop.parent:
        return None
    if onclause is None or _onclause_ok(ev, hop, onclause):
        return hop.parent  # no ON clause: the ORM joins along the foreign key
    return None


def joined_child(ev: Evaluation, model: str, table: str, call: cst.Call) -> tuple[str, TenantTable] | None:
    """``User.query.join(Subscription)`` (or with ``Subscription.user_id == User.id``): a tenant
    table joined along its own foreign key to the queried table. A mandatory pin of that child by a
    trusted row or the tenant (``Subscription.alert == self``) confines the queried rows: each one is
    pointed at by a child row of the tenant, and a row does not point into another tenant.

    The child may also be a link table with no tenant of its own (``DataSource.query.join(
    DataSourceGroup)``, nullable foreign keys to both sides) that has a foreign key to a tenant
    table: a pin of that foreign key to a trusted row (``DataSourceGroup.group == group``) keeps the
    link rows of that row, and they point at rows of its tenant only (:func:`link_tenancy`)."""
    positional = [a.value for a in call.args if a.keyword is None and not a.star]
    if not positional:
        return None
    child = col.peek_model(ev, positional[0]) or ev.model_of(positional[0])
    if child is None or normalize_table(child.table) == normalize_table(table):
        return None
    tenancy = child.tenant or link_tenancy(ev, child.model, child.table)
    if tenancy is None:
        return None
    fk = col.fk_column_to(ev, child.model, model)
    if fk is None:
        return None
    onclause = next((a.value for a in call.args if a.keyword and a.keyword.value in ("onclause", "on")),
                    positional[1] if len(positional) > 1 else None)
    if onclause is not None:
        hop = Hop(normalize_table(child.table), fk.lower(), normalize_table(table), tenancy)
        if not _onclause_ok(ev, hop, onclause):
            return None
    return child.table, tenancy


def link_tenancy(ev: Evaluation, model: str, table: str) -> TenantTable | None:
    """A table that is no tenant table but has a foreign key to one (a link table), as a joined
    child: it has no tenant column, so only a pin of such a foreign key to a trusted row
    (``columns.tenant_test``: ``parent <fk>``) scopes the rows it is joined to. None when no foreign
    key of the model points at a tenant table."""
    if ev.ctx.index.model(model) is None:
        return None
    link = TenantTable(table=table, models=(model,), tenant_field=None, tenant_column=None,
                       reason="link table joined to the queried table")
    return link if col.fk_parents(ev, link) else None


def parents_of(ev: Evaluation, tenant: TenantTable | None,
               joined: tuple[str, ...]) -> tuple[tuple[str, TenantTable], ...]:
    """The joined parents (table, tenancy) whose pins scope the child."""
    hops = via_chain(ev, tenant)
    return tuple((h.parent, h.tenant) for h in hops[: len(joined)])
