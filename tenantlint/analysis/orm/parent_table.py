"""Which table a foreign key points to, against the row whose id is pinned to it.

A foreign key to a tenant table pinned to a scoped row (``Line.objects.filter(invoice_id=
invoice.id)``) confines the rows through that row: they belong to its tenant. Pinned to the primary
key of a scoped row of *another* table (``invoice_id=order.id``, ``Task.project_id == document.id``)
it names whichever parent has that number, in any tenant, and confines nothing. Only the row's own
primary key tells the table for certain (``Value.row_key``): an id a row holds (``comment.issue_id``)
names a row of a table the value does not record, and is judged as before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tenantlint.analysis.interp.values import Value
from tenantlint.index.records import TenantTable
from tenantlint.index.relations import fields_with_bases

if TYPE_CHECKING:
    from tenantlint.analysis.plugins import Evaluation

_KEY_SUFFIXES = ("__id", "__pk")


def foreign_row_key(ev: Evaluation, tenant: TenantTable, key: str, value: Value) -> bool:
    """``value`` is the primary key of a scoped row of a table that the foreign key ``key`` (a field
    name, its column, or ``field__id``) of ``tenant``'s models does not point to."""
    if not value.row_key or not value.scoped_row_of:
        return False
    name = next((key[: -len(s)] for s in _KEY_SUFFIXES if key.endswith(s)), key)
    if "__" in name:
        return False  # a relation path: the pinned field is not this table's foreign key
    memo = ev.ctx.settings.memo
    slot = ("fk-targets", f"{tenant.table}|{name}")  # per table and key: the index is fixed for a run
    if slot not in memo:
        index = ev.ctx.index
        memo[slot] = frozenset((index.table_of_model(f.fk_target) or f.fk_target).lower()
                               for model in tenant.models for f in fields_with_bases(index, model)
                               if f.fk_target and name in (f.name, f.column))
    targets: frozenset[str] = memo[slot]  # type: ignore[assignment]
    return bool(targets) and value.scoped_row_of.lower() not in targets
