"""A lookup keyed by one parameter and confined to another: an existence check written as a query.

A check function often asks the database instead of comparing in Python::

    def accessible4deletion(cls, search_id, user_id):
        search = cls.model.select(cls.model.id).where(
            cls.model.id == search_id, cls.model.created_by == user_id, cls.model.status == "1").first()
        return search is not None

The row is found only when the row ``search_id`` names has the owner (or the tenant) ``user_id``: a
truthy answer proves ``search_id`` as ``if search.created_by != user_id: return False`` would
(``access_predicates.py`` reads it as the pair ``(search_id, ID, user_id)``). What counts, all of:

* a chain of query methods (``select``, ``where``, ``filter``, ``get``, ``get_or_none``, ``first``,
  ``exists``, ``count``, ``dicts``, ``paginate``, ``limit``, ``order_by``, ``objects``) on one model
  (``cls.model``, ``Search``, ``cls``) with no join: the conditions name the rows of that model;
* among the mandatory conditions (the arguments of ``where``/``filter``/``get``, ``&``-ed parts,
  keywords): ``<model>.id == <parameter>`` (``pk``, or ``id=``/``pk=``), and ``<model>.<column> ==
  <value>`` where the column names a tenant (``tenant_id``) or an owner (``created_by``,
  ``user_id``) and the value is another parameter, a parameter's tenant, or a trusted value the
  function reads itself (``current_user.id``).

A ``|`` alternative is one condition among the others and counts for nothing. A join may bring
other models' columns into the conditions: not read.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import libcst as cst

from tenantlint.analysis.interp.exprs import dotted
from tenantlint.index.relations import OWNER_COLUMNS

CHAIN = frozenset({"select", "where", "filter", "get", "get_or_none", "first", "exists", "count",
                   "dicts", "tuples", "paginate", "limit", "order_by", "objects", "all"})
# Methods whose answer is truthy exactly when the query finds a row.
ANSWERS = frozenset({"exists", "first", "count", "get", "get_or_none", "dicts", "tuples"})
# Methods whose answer is one row, or None when nothing is found (``get`` raises instead).
ROW_OR_NONE = frozenset({"first", "get_or_none", "get"})
_CONDITIONS = frozenset({"where", "filter", "get", "get_or_none"})
_IDS = ("id", "pk")

# (checked id parameter, the parameter or TRUSTED it is confined to)
Confinement = tuple[str, str]


def confined_lookup(value: cst.BaseExpression, params: Sequence[str], names: frozenset[str],
                    against: Callable[[cst.BaseExpression], str | None]) -> frozenset[Confinement]:
    """What the truth of ``value`` (a query chain, or its first row) proves: the id parameter it is
    keyed by, confined to the tenant or owner ``against`` reads (``names``: the tenant attributes)."""
    node = value.expression if isinstance(value, cst.Await) else value
    conditions: list[tuple[str | None, str, cst.BaseExpression]] = []  # (receiver, column, value)
    while isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
        method = node.func.attr.value
        if method not in CHAIN:
            return frozenset()
        if method in _CONDITIONS:
            for arg in node.args:
                if arg.star:
                    return frozenset()
                if arg.keyword is not None:
                    conditions.append((None, arg.keyword.value, arg.value))
                else:
                    conditions.extend(_conjuncts(arg.value))
        node = node.func.value
    if isinstance(node, cst.Attribute) and node.attr.value == "objects":
        node = node.value  # ``Model.objects``: the model
    model = dotted(node, calls=False)
    if model is None or not conditions:
        return frozenset()
    ids: set[str] = set()
    others: set[str] = set()
    for receiver, column, side in conditions:
        if receiver is not None and receiver != model:
            continue
        if column in _IDS and isinstance(side, cst.Name) and side.value in params:
            ids.add(side.value)
        elif column in names or column in OWNER_COLUMNS:
            found = against(side)
            if found is not None:
                others.add(found)
    return frozenset((i, o) for i in ids for o in others if i != o)


def _conjuncts(node: cst.BaseExpression) -> list[tuple[str | None, str, cst.BaseExpression]]:
    """The ``<receiver>.<column> == <value>`` parts of a mandatory condition (``&``-ed parts too)."""
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.BitAnd):
        return _conjuncts(node.left) + _conjuncts(node.right)
    if not (isinstance(node, cst.Comparison) and len(node.comparisons) == 1
            and isinstance(node.comparisons[0].operator, cst.Equal)):
        return []
    out: list[tuple[str | None, str, cst.BaseExpression]] = []
    sides = (node.left, node.comparisons[0].comparator)
    for column, value in (sides, sides[::-1]):
        if isinstance(column, cst.Attribute):
            receiver = dotted(column.value, calls=False)
            if receiver is not None:
                out.append((receiver, column.attr.value, value))
    return out
