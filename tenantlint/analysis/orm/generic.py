"""Generic relations: rows that point at a row of any model through a content type and an object id.

Django's ``GenericForeignKey("content_type", "object_id")`` pairs a foreign key to ``ContentType``
with a plain id column. A filter pinning the content type to one model's
(``content_type=ContentType.objects.get_for_model(Invite)``) makes the object id beside it a foreign
key to that model: ``object_id=invite.id`` reads the rows of that one ``Invite`` row, which carry its
tenant when the row does (a trusted row, a row passed into a helper and judged at its calls).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import libcst as cst

from tenantlint.analysis.facts import Provenance
from tenantlint.analysis.interp.predicates import Leaf
from tenantlint.analysis.interp.values import Instance, ModelRef, RowValue, Value
from tenantlint.crossfn.records import CONSTANT

if TYPE_CHECKING:
    from tenantlint.analysis.plugins import Evaluation
    from tenantlint.index.records import TenantTable

CONTENT_TYPE_OF = "ContentType.objects.get_for_model"


@dataclass(frozen=True, slots=True)
class ContentTypeOf(Value):
    """The content type of one model: ``ContentType.objects.get_for_model(Invite)``."""

    table: str = ""


def content_type(ev: Evaluation, qualname: str, call: cst.Call) -> Value | None:
    """``ContentType.objects.get_for_model(Model)`` (or of a row of it); None for any other call."""
    if not qualname.endswith(CONTENT_TYPE_OF) or not call.args:
        return None
    values = ev.eval_args(call)
    target = values[0]
    table = ""
    if isinstance(target, ModelRef | Instance | RowValue):
        table = target.table
    return ContentTypeOf(Provenance.unknown(f"{CONSTANT}content type of {table}"), table=table) \
        if table else Value()


def generic_parents(ev: Evaluation, tenant: TenantTable, leaves: list[Leaf]) -> dict[str, str]:
    """Object-id keys of ``tenant``'s generic relations whose content type ``leaves`` pin to one
    model: key -> that model's table."""
    pairs = {pair for name in tenant.models if (m := ev.ctx.index.model(name)) is not None
             for pair in m.generic}
    if not pairs:
        return {}
    out: dict[str, str] = {}
    for ct, fk in pairs:
        for leaf in leaves:
            if leaf.op == "eq" and leaf.key in (ct, f"{ct}_id", f"{ct}__id") \
                    and isinstance(leaf.value, ContentTypeOf):
                out[fk] = leaf.value.table
    return out
