"""Rows that carry their tenant, reached through the ids and relations of such a row.

A row fetched by a scoped query, ``self`` in a tenant model's method, ``self.instance`` in a
serializer, ``OuterRef`` of a scoped outer query: each belongs to the caller's tenant, and so do the
rows it names. ``Issue.objects.filter(id__in=cycle.issue_ids)``, ``Label.objects.get(pk=obj.label_id)``,
``Group.id.in_(self.group_ids)`` and ``issue_module__module_id=OuterRef("pk")`` are confined by it.
The assumption is the one every foreign key to a tenant row makes: a row does not point into
another tenant. Ids from anywhere else, even trusted ones, are not tenant filters.

A plain id column (no declared foreign key: Peewee ``group_id = CharField()``, Django
``IntegerField``) holding the *primary keys* of rows that carry their tenant confines the rows it
matches in the same way (``Track.group_id == group_id`` after a scoped ``get_or_none`` of the group
by ``group_id`` that returns when none is found; ``Track.group_id.in_([g.id for g in groups])`` over
a scoped query): the ids name the caller's rows whatever column holds them. Other values taken from
such rows (a name, a status) are not ids and pin nothing.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from tenantlint.analysis.facts import Scoping
from tenantlint.analysis.interp.predicates import Leaf
from tenantlint.analysis.interp.values import Pin, QueryValue, Value
from tenantlint.index.records import TenantTable
from tenantlint.index.relations import fields_with_bases, relation_to_tenant_row

if TYPE_CHECKING:
    from tenantlint.analysis.plugins import Evaluation

PRIMARY_KEYS = frozenset({"id", "pk"})
OUTER_ROW = "<outer query row>"  # ``scoped_row_of`` of ``OuterRef(...)`` (``orm/django.py``)
_ID_COLUMN = re.compile(r"(_ids?|[a-z0-9]Ids?)$")


def scoped_query(value: Value) -> bool:
    """A scoped queryset or select of a tenant table (``invoice__in=scoped_invoices``)."""
    if not isinstance(value, QueryValue) or value.origin is None or value.origin.tenant is None:
        return False
    scoping, untrusted, _ = value.state.verdict()
    return scoping.is_safe and untrusted is None


def carries_tenant(value: Value) -> bool:
    """A scoped row, a value taken from one, or a scoped query's rows; never request input."""
    return not value.untrusted and bool(value.scoped_row_of or scoped_query(value))


def id_pin(leaf: Leaf, models: tuple[str, ...] = (), table: str | None = None,
           rows: frozenset[tuple[str, str, str]] = frozenset()) -> Pin | None:
    """``pk``/``id`` pinned (``=`` or ``in``) to ids that a row carrying its tenant holds, or to the
    URL parameter named for the model (``project_id`` for ``Project``) that a membership check has
    verified, or verified as the view property so named (``pk`` that ``view.project_id`` returns):
    the check looked the caller up as a member of that very row.

    The primary key of a scoped row of *another* table (``Invoice.objects.get(pk=project.id)``)
    is no id of ``table``: it names whichever invoice has that number, in any tenant."""
    if leaf.key not in PRIMARY_KEYS or leaf.op not in ("eq", "in"):
        return None
    value = leaf.value
    if table is not None and value.row_key and value.scoped_row_of not in (None, table):
        return None
    if carries_tenant(leaf.value):
        return Pin(leaf.value.prov, Scoping.SCOPED_PARENT, f"{leaf.key} taken from a scoped row")
    source = leaf.value.prov.source
    verified = _VERIFIED.match(source) if leaf.value.trusted else None
    name = verified.group(2) or verified.group(1) if verified is not None else ""
    if name and any(name in (f"{_snake(m)}_id", f"{_snake(m)}_pk") for m in models):
        return Pin(leaf.value.prov, Scoping.SCOPED_PARENT, f"{leaf.key} verified as the caller's")
    if verified is not None and not verified.group(2) and rows:
        check = source[verified.end():].lstrip("@")
        if any((check, verified.group(1), m) in rows for m in models):
            return Pin(leaf.value.prov, Scoping.SCOPED_PARENT,
                       f"{leaf.key} verified by {check}, which fetched this row by it")
    return None


# ``pk, verified by X`` / ``pk as view.project_id, verified by X`` (verified through a view property)
_VERIFIED = re.compile(r"(\w+)(?: as view\.(\w+))?, verified by ")


def _snake(model: str) -> str:
    """``ProjectMember`` -> ``project_member``."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", model.rsplit(".", 1)[-1]).lower()


def carried_pin(ev: Evaluation, tenant: TenantTable, leaf: Leaf) -> Pin | None:
    """Rows reached from a row that carries its tenant: the ids a scoped row holds
    (``Issue.objects.filter(id__in=cycle.issue_ids)``, ``pk=obj.other_id``, ``id__in=`` a scoped
    queryset's ``values_list``), and a relation path ending on a foreign key to a tenant table
    pinned to such a row (``issue_module__module_id=OuterRef("pk")``)."""
    pin = (id_pin(leaf, tenant.models, tenant.table, ev.ctx.settings.verified_rows)
           or reference_pin(ev, tenant, leaf)
           or unique_value_pin(ev, tenant, leaf))
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




def plain_id_columns(ev: Evaluation, tenant: TenantTable) -> frozenset[str]:
    """Columns (and field names) of the table's models named like ids (``group_id``, ``groupId``)
    that are no declared foreign key, no primary or unique key and not the tenant column."""
    memo = ev.ctx.settings.memo
    slot = ("plain-id-columns", tenant.table)
    if slot not in memo:
        tenant_names = tenant.tenant_names()
        out: set[str] = set()
        for model in tenant.models:
            for f in fields_with_bases(ev.ctx.index, model):
                if (f.fk_target is None and not f.unique and not f.proxy and f.column
                        and f.column not in tenant_names and _ID_COLUMN.search(f.column)):
                    out.update({f.name, f.column})
        memo[slot] = frozenset(out)
    found: frozenset[str] = memo[slot]  # type: ignore[assignment]
    return found


def reference_pin(ev: Evaluation, tenant: TenantTable, leaf: Leaf) -> Pin | None:
    """A plain id column pinned (``=`` or ``in``) to the primary keys of rows that carry their
    tenant: ``Track.group_id == group_id`` once a scoped fetch proved ``group_id``. Pinned to the
    outer query's primary key (``entity_identifier=OuterRef("pk")``), any plain column is such a
    reference, whatever its name: the correlation says it holds the outer rows' keys."""
    value = leaf.value
    if leaf.op not in ("eq", "in") or not carries_tenant(value):
        return None
    if outer_primary_key(value):
        if leaf.key not in plain_columns(ev, tenant):
            return None
        return Pin(value.prov, Scoping.SCOPED_PARENT, f"{leaf.key} holds the outer query row's primary key")
    if not value.row_key or leaf.key not in plain_id_columns(ev, tenant):
        return None
    detail = f"{leaf.key} holds ids of scoped {value.scoped_row_of} rows"
    return Pin(value.prov, Scoping.SCOPED_PARENT, detail)


def outer_primary_key(value: Value) -> bool:
    """``OuterRef("pk")`` / ``OuterRef("id")``: the primary key of the enclosing query's row."""
    return value.scoped_row_of == OUTER_ROW and value.key_field in PRIMARY_KEYS


def plain_columns(ev: Evaluation, tenant: TenantTable) -> frozenset[str]:
    """Fields (and columns) of the table's models that are no foreign key, no primary key, no
    association proxy and not the tenant column (``entity_identifier``, ``object_pk``)."""
    memo = ev.ctx.settings.memo
    slot = ("plain-columns", tenant.table)
    if slot not in memo:
        tenant_names = tenant.tenant_names()
        memo[slot] = frozenset(
            n for model in tenant.models for f in fields_with_bases(ev.ctx.index, model)
            if f.fk_target is None and not f.proxy and f.column and f.column not in tenant_names
            and f.name not in PRIMARY_KEYS and f.column not in PRIMARY_KEYS for n in (f.name, f.column))
    found: frozenset[str] = memo[slot]  # type: ignore[assignment]
    return found


def unique_fields(ev: Evaluation, tenant: TenantTable) -> frozenset[str]:
    """Fields (and columns) of the table's models that identify one row: unique, not a foreign key."""
    memo = ev.ctx.settings.memo
    slot = ("unique-fields", tenant.table)
    if slot not in memo:
        memo[slot] = frozenset(n for model in tenant.models for f in fields_with_bases(ev.ctx.index, model)
                               if f.unique and f.fk_target is None and not f.proxy
                               for n in (f.name, f.column) if n)
    found: frozenset[str] = memo[slot]  # type: ignore[assignment]
    return found


def unique_value_pin(ev: Evaluation, tenant: TenantTable, leaf: Leaf) -> Pin | None:
    """A unique field pinned (``=`` or ``in``) to values of that same field read from rows of the same
    table that carry their tenant (``path_id__in={a.path_id for a in message.attachment_set.all()}``,
    minus or intersected with anything): they name those rows and no other."""
    value = leaf.value
    if leaf.op not in ("eq", "in") or not carries_tenant(value) or isinstance(value, QueryValue):
        return None
    if value.scoped_row_of != tenant.table or not value.key_field or value.key_field != leaf.key:
        return None
    if leaf.key not in unique_fields(ev, tenant):
        return None
    return Pin(value.prov, Scoping.SCOPED_PARENT, f"{leaf.key} taken from scoped {tenant.table} rows")
