"""A row re-read by its own id (docs/concepts.md, "A row re-read by its own id").

A function that already holds a fetched row and reads it again by its primary key, to lock it or to
refresh it::

    image = ImageAttachment.objects.get(path_id=path_id)          # judged here
    ...
    ensure_thumbnails(ImageAttachment.objects.select_for_update().get(id=image.id))

reads no row the first fetch did not: the second query is judged where the row was fetched (reported
there when that fetch has no tenant filter), not a second time. Only the row's own table counts
(``Thumbnail.objects.get(id=image.id)`` reads another table's row by a number that is no key of it),
only a row still unchecked (a checked or scoped row is trusted, its id with it), and only reads: a
write keyed by it (``.update()``, ``.delete()``) is reported as ever.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING

import libcst as cst

from tenantlint.analysis.facts import Provenance, QueryKind, Scoping
from tenantlint.analysis.interp.values import Pin, QueryState, RowValue, Value

if TYPE_CHECKING:
    from tenantlint.analysis.interp.predicates import Leaf

ID_KEYS = frozenset({"id", "pk"})
DETAIL = "the row's own id"  # prefix of the pin's detail: the pin holds for reads only


def own_row_table(env: Mapping[str, Value], key: str, op: str, node: cst.BaseExpression) -> str:
    """``id=image.id`` / ``pk=image.pk`` with ``image`` a row fetched earlier in the function and
    still unchecked: that row's table (lower case), else ""."""
    if key not in ID_KEYS or op != "eq" or not isinstance(node, cst.Attribute) \
            or node.attr.value not in ID_KEYS or not isinstance(node.value, cst.Name):
        return ""
    row = env.get(node.value.value)
    if not isinstance(row, RowValue) or row.origin is None or row.origin.tenant is None:
        return ""
    return row.origin.table.lower()


def own_id_pin(leaf: Leaf, table: str) -> Pin | None:
    """The pin of a lookup by the own id of a held row of ``table``: judged where it was fetched."""
    if not leaf.own_row or leaf.own_row != table.lower():
        return None
    return Pin(Provenance.trusted(f"{DETAIL} ({leaf.own_row} row fetched earlier, judged there)"),
               Scoping.SCOPED_PARENT, f"{DETAIL}: the {leaf.own_row} row fetched earlier, judged there")


def for_use(kind: QueryKind, state: QueryState) -> QueryState:
    """``state`` as a use of ``kind`` sees it: a write does not keep the pin of a row's own id."""
    if kind is QueryKind.READ or not any(p.detail.startswith(DETAIL) for p in state.pins):
        return state
    return replace(state, pins=tuple(p for p in state.pins if not p.detail.startswith(DETAIL)))
