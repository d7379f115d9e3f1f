"""A filter list written in a call and passed to a helper that applies it (``docs/concepts.md``).

Pass-through helpers take the conditions of their query from the caller: ``FileService.filter_delete
([File.kind == "folder", File.name == kb.name])`` runs ``delete().where(*filters)``. Such a list is
the query's whole filter, so it is judged where it is written: it confines the rows when one of its
conditions pins a tenant column, or names rows by an id (the id of a scoped row, or any id-like
column compared with something that is not a constant: judged where that value comes from, as
before). A list of conditions on other columns only (names, kinds, statuses) compared with constants
or with values that are no ids selects the rows of every tenant: *unpinned*. A condition holding
request input makes the argument request input instead (``calls._payload``), and a parameter passed
on keeps the list with the callers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from tenantlint.analysis.facts import Trust
from tenantlint.analysis.interp.predicates import Leaf, PredValue
from tenantlint.analysis.interp.values import SeqValue, Value
from tenantlint.crossfn.records import PARAMETER

if TYPE_CHECKING:
    from tenantlint.analysis.interp.file_context import FileContext

_PIN_OPS = frozenset({"eq", "in"})


UNPINNED = "unpinned"  # no condition confines the rows
PINNED = "pinned"  # a condition pins a tenant column to a trusted value: the rows are the tenant's


def judged(ctx: FileContext, node: cst.CSTNode, value: Value) -> str:
    """For ``node`` (an argument), a list or tuple of conditions written in the call: ``PINNED``
    when one of them pins a tenant column to a trusted value, ``UNPINNED`` when none confines the
    rows to a tenant or names them by an id; else (any other argument) ""."""
    if not isinstance(node, cst.List | cst.Tuple) or not isinstance(value, SeqValue):
        return ""
    if value.open_ended or not node.elements or len(node.elements) != len(value.items):
        return ""
    tenant = _tenant_attrs(ctx)
    leaves: list[tuple[Leaf, cst.BaseExpression]] = []
    for element, item in zip(node.elements, value.items, strict=True):
        if isinstance(element, cst.StarredElement) or not isinstance(item, PredValue):
            return ""
        leaf = item.pred
        if not isinstance(leaf, Leaf) or leaf.table is None or item.prov.trust is Trust.UNTRUSTED:
            return ""  # an and/or tree, a column of no known table: not judged here
        leaves.append((leaf, element.value))
    if any(leaf.key.rsplit("__", 1)[-1] in tenant and leaf.op in _PIN_OPS
           and leaf.value.prov.trust is Trust.TRUSTED for leaf, _ in leaves):
        return PINNED  # every condition holds: the rows are the tenant's, whatever else they pick
    if all(_unconfining(leaf, node, tenant) for leaf, node in leaves):
        return UNPINNED
    return ""


def _unconfining(leaf: Leaf, node: cst.BaseExpression, tenant: frozenset[str]) -> bool:
    value = leaf.value
    if value.prov.trust is Trust.UNTRUSTED or value.prov.source.startswith(PARAMETER):
        return False  # request input (reported as such), or the caller's parameter: its callers judge it
    column = leaf.key.rsplit("__", 1)[-1]
    if column in tenant and leaf.op in _PIN_OPS:
        return False  # a tenant condition
    if value.row_key:
        return False  # the id of a scoped row
    if value.prov.trust is Trust.TRUSTED and value.scoped_row_of is None:
        return False  # a trusted value read from no row (the caller's id, a verified tenant)
    if _id_like(column) and not _constant(node):
        return False  # rows named by an id from elsewhere: judged where that id comes from
    return True


def _id_like(column: str) -> bool:
    return column in ("id", "pk") or column.endswith("_id")


def _constant(node: cst.BaseExpression) -> bool:
    """The compared value of a condition (``File.kind == "folder"``) is a literal or a constant."""
    if isinstance(node, cst.Comparison) and len(node.comparisons) == 1:
        node = node.comparisons[0].comparator
    else:
        return False
    if isinstance(node, cst.SimpleString | cst.Integer | cst.Float | cst.ConcatenatedString):
        return True
    if isinstance(node, cst.Name):
        return node.value in ("True", "False", "None") or node.value.isupper()
    root: cst.BaseExpression = node
    while isinstance(root, cst.Attribute):
        root = root.value
    return isinstance(root, cst.Name) and isinstance(node, cst.Attribute) and root.value[:1].isupper()


def _tenant_attrs(ctx: FileContext) -> frozenset[str]:
    from tenantlint.analysis.interp.guards import tenant_attrs

    memo = ctx.settings.memo
    slot = ("guards", "tenant-attrs")
    found = memo.get(slot)
    if not isinstance(found, frozenset):
        found = memo[slot] = tenant_attrs(ctx.index)
    return found
