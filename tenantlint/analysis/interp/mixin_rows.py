"""The scoped row a mixin's method hands back, of the model it is called on (docs/concepts.md,
"Across functions").

A method of a mixin of models (``BelongsToOrgMixin.get_by_id_and_org(cls, object_id, org)`` reading
``cls.query``) is walked once per model deriving from the mixin, ``cls`` standing for that model
(``held_models.py``). When every walk returns one row of its own model, fetched by a query confined
to the tenant (by a trusted value or by the method's own parameters, which are then tenant
parameters whose request-input arguments are reported at the calls), the method's kind is
:data:`CLASS_ROW`: a call spelled on a model (``models.Group.get_by_id_and_org(group_id,
self.current_org)``, also through an executor wrapper such as ``get_object_or_404(models.Group.
get_by_id_and_org, group_id, self.current_org)``) gives a scoped row of that model's table, as a
function returning ``row:TABLE`` does. A walk returning anything else (a model with no tenant
column: its row is not confined) leaves the kind empty.
"""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst

from tenantlint.analysis.facts import FunctionFact, Provenance
from tenantlint.analysis.interp.values import RowValue, Value

CLASS_ROW = "clsrow"  # return kind: a scoped row of the model the call is spelled on


def class_row_kind(walks: Sequence[tuple[str, str]]) -> str:
    """:data:`CLASS_ROW` when each walk's return kind (``return_kind``) is ``row:`` of the table of
    the model that walk binds ``cls`` to; ``walks``: (return kind, that model's table) per walk."""
    if not walks:
        return ""
    return CLASS_ROW if all(table and kind == f"row:{table}" for kind, table in walks) else ""


def mark_class_row(functions: Sequence[FunctionFact], qualname: str, fn: cst.FunctionDef,
                   walks: Sequence[tuple[str, str]]) -> None:
    """Give the recorded fact of the mixin method ``fn`` (``qualname``) the kind
    :func:`class_row_kind` finds for its walks, unless its first walk found it a by-id getter."""
    kind = class_row_kind(walks)
    if not kind:
        return
    for fact in reversed(functions):
        if fact.qualname == qualname and fact.node is fn:
            fact.returns = fact.returns or kind
            return


def class_row(table: str | None, helper: str) -> Value | None:
    """The caller's value of a call of a :data:`CLASS_ROW` method spelled on a model of ``table``."""
    if not table:
        return None
    return RowValue(Provenance.trusted(f"a row of {table} returned by {helper}()"),
                    scoped_row_of=table, table=table)
