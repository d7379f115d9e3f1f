"""A fetched row checked through the parent its tenancy comes through (docs/concepts.md, "Checked
after the fetch").

A table with no tenant column of its own, tenant-scoped through a required foreign key (``via``), has
the tenant of the row that key points to. Comparing that parent's tenant with a trusted value::

    attachment = Attachment.objects.get(id=attachment_id)
    if attachment.owner.realm != user_profile.realm:
        raise JsonableError("No such attachment")

checks the fetched row's tenant as much as ``if attachment.realm != ...`` would on a table with the
column. Any foreign key of the row to a row of another tenant table counts, one hop deep, also on a
table with a tenant column of its own (``prereg_user.referred_by.realm``, ``attachment.message.
realm_id``): a row of one tenant does not point into another, the assumption every foreign key to a
tenant row makes (docs/concepts.md). The compared name must be the parent's tenant column or
relation (``note.card.board_id`` compares a board id, not a tenant).
"""

from __future__ import annotations

import libcst as cst

from tenantlint.analysis.interp.exprs import dotted
from tenantlint.analysis.interp.function_state import FunctionState
from tenantlint.analysis.interp.values import RowValue
from tenantlint.index.records import ProjectIndex
from tenantlint.index.relations import model_of


def via_tenant_row(index: ProjectIndex, node: cst.BaseExpression,
                   fn: FunctionState) -> tuple[str, RowValue] | None:
    """``attachment.owner.realm`` / ``attachment.owner.realm_id`` of a fetched row of a tenant table
    whose foreign key ``owner`` points to another tenant table, naming that parent's tenant column
    or relation: (``attachment``, its row)."""
    text = dotted(node)
    parts = text.split(".") if text else []
    if len(parts) != 3 or parts[0] not in fn.env:
        return None
    row = fn.env[parts[0]]
    if not isinstance(row, RowValue) or row.origin is None or row.origin.tenant is None:
        return None
    tenant = row.origin.tenant
    if not tenant.models:
        return None
    model = index.model(tenant.models[0])
    fk = next((f for f in model.fields if f.name == parts[1]), None) if model is not None else None
    target = model_of(index, fk.fk_target) if fk is not None and fk.fk_target else None
    parent = index.tenant_table_of_model(target.name) if target is not None else None
    if parent is None or parent.table == tenant.table:
        return None
    names = parent.tenant_names() | {f"{n}_id" for n in parent.tenant_names()}
    return (parts[0], row) if parts[2] in names else None
