"""Rows that carry their tenant, reached through the ids and relations of such a row.

A row fetched by a scoped query, ``self`` in a tenant model's method, ``self.instance`` in a
serializer, ``OuterRef`` of a scoped outer query: each belongs to the caller's tenant, and so do the
rows it names. ``Issue.objects.filter(id__in=cycle.issue_ids)``, ``Label.objects.get(pk=obj.label_id)``,
``Group.id.in_(self.group_ids)`` and ``issue_module__module_id=OuterRef("pk")`` are confined by it.
The assumption is the one every foreign key to a tenant row makes: a row does not point into
another tenant. Ids from anywhere else, even trusted ones, are not tenant filters.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from tenantlint.analysis.facts import Scoping
from tenantlint.analysis.interp.predicates import Leaf
from tenantlint.analysis.interp.values import Pin, QueryValue, Value
from tenantlint.index.records import TenantTable
from tenantlint.index.relations import relation_to_tenant_row

if TYPE_CHECKING:
    from tenantlint.analysis.plugins import Evaluation

PRIMARY_KEYS = frozenset({"id", "pk"})


def scoped_query(value: Value) -> bool:
    """A scoped queryset or select of a tenant table (``invoice__in=scoped_invoices``)."""
    if not isinstance(value, QueryValue) or value.origin is None or value.origin.tenant is None:
        return False
    scoping, untrusted, _ = value.state.verdict()
    return scoping.is_safe and untrusted is None


def carries_tenant(value: Value) -> bool:
    """A scoped row, a value taken from one, or a scoped query's rows; never request input."""
    return not value.untrusted and bool(value.scoped_row_of or scoped_query(value))


def id_pin(leaf: Leaf, models: tuple[str, ...] = ()) -> Pin | None:
    """``pk``/``id`` pinned (``=`` or ``in``) to ids that a row carrying its tenant holds, or to the
    URL parameter named for the model (``project_id`` for ``Project``) that a membership check has
    verified: the check looked the caller up as a member of that very row."""
    if leaf.key not in PRIMARY_KEYS or leaf.op not in ("eq", "in"):
        return None
    if carries_tenant(leaf.value):
        return Pin(leaf.value.prov, Scoping.SCOPED_PARENT, f"{leaf.key} taken from a scoped row")
    verified = _VERIFIED.match(leaf.value.prov.source) if leaf.value.trusted else None
    if verified is not None and any(verified.group(1) == f"{_snake(m)}_id" for m in models):
        return Pin(leaf.value.prov, Scoping.SCOPED_PARENT, f"{leaf.key} verified as the caller's")
    return None


_VERIFIED = re.compile(r"(\w+), verified by ")


def _snake(model: str) -> str:
    """``ProjectMember`` -> ``project_member``."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", model.rsplit(".", 1)[-1]).lower()


def carried_pin(ev: Evaluation, tenant: TenantTable, leaf: Leaf) -> Pin | None:
    """Rows reached from a row that carries its tenant: the ids a scoped row holds
    (``Issue.objects.filter(id__in=cycle.issue_ids)``, ``pk=obj.other_id``, ``id__in=`` a scoped
    queryset's ``values_list``), and a relation path ending on a foreign key to a tenant table
    pinned to such a row (``issue_module__module_id=OuterRef("pk")``)."""
    pin = id_pin(leaf, tenant.models)
    if pin is not None or "__" not in leaf.key or leaf.op not in ("eq", "in"):
        return pin
    if not carries_tenant(leaf.value):
        return None
    memo = ev.ctx.settings.memo
    slot = ("relation-to-tenant-row", f"{tenant.table}|{leaf.key}")
    if slot not in memo:
        memo[slot] = next((found for m in tenant.models
                           if (found := relation_to_tenant_row(ev.ctx.index, m, leaf.key))), None)
    target = memo[slot]
    if not isinstance(target, str):
        return None
    return Pin(leaf.value.prov, Scoping.SCOPED_PARENT, f"relation {leaf.key} to a scoped {target} row")


