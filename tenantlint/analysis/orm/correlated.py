"""Correlated scalar subqueries: ``select(func.max(Rating.score)).where(Rating.recipe_id ==
Recipe.id).scalar_subquery()`` inside a query on ``Recipe``.

SQLAlchemy correlates a scalar subquery (``.scalar_subquery()``, ``.correlate(...)``, ``.lateral()``)
with its enclosing query: ``Recipe`` is the enclosing query's row, not a table of the subquery. A
subquery whose filter pins the foreign key to another tenant table (``Rating.recipe_id``) to that
table's primary key (``Recipe.id``) reads only the children of each row the enclosing query returns,
so it is as confined as that query, which is judged on its own (like Django's ``OuterRef("pk")``).
A FROM subquery (``.subquery()``, ``.cte()``) is not correlated: ``Recipe`` is then every recipe.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import libcst as cst

from tenantlint.analysis.facts import Provenance, Scoping
from tenantlint.analysis.interp.values import Pin
from tenantlint.analysis.orm.columns import column_of, fk_column_to, peek_column

if TYPE_CHECKING:
    from tenantlint.analysis.plugins import Evaluation

CORRELATING = frozenset({"scalar_subquery", "correlate", "lateral", "as_scalar"})
FILTERS = frozenset({"filter", "where"})
PRIMARY = frozenset({"id", "pk"})


def _comparisons(node: cst.BaseExpression) -> Iterator[cst.Comparison]:
    if isinstance(node, cst.Comparison):
        yield node
    elif isinstance(node, cst.Call) and (isinstance(node.func, cst.Name | cst.Attribute)):
        name = node.func.value if isinstance(node.func, cst.Name) else node.func.attr.value
        if name == "and_":
            for a in node.args:
                yield from _comparisons(a.value)


def _outer(ev: Evaluation, model: str, comp: cst.Comparison) -> str | None:
    """The other model whose primary key ``comp`` pins this model's foreign key to, if any."""
    if len(comp.comparisons) != 1 or not isinstance(comp.comparisons[0].operator, cst.Equal):
        return None
    left, right = peek_column(ev, comp.left), peek_column(ev, comp.comparisons[0].comparator)
    for mine, other in ((left, right), (right, left)):
        if mine is None or other is None or mine[1] is None or other[1] not in PRIMARY:
            continue
        if mine[0].model != model or other[0].model == model or other[0].tenant is None:
            continue
        fk = fk_column_to(ev, model, other[0].model)
        column = column_of(ev, mine[0], mine[1])
        if fk is not None and column is not None and column.column == fk:
            return other[0].model
    return None


def correlated_pin(ev: Evaluation, model: str, call: cst.Call) -> Pin | None:
    """The pin of a correlated subquery ``call`` (``<select>.scalar_subquery()``) of ``model``."""
    if not isinstance(call.func, cst.Attribute):
        return None
    node = call.func.value
    while isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
        if node.func.attr.value in FILTERS:
            for arg in node.args:
                for comp in _comparisons(arg.value):
                    outer = _outer(ev, model, comp)
                    if outer is not None:
                        return Pin(Provenance.trusted(f"each row of the enclosing {outer} query"),
                                   Scoping.SCOPED_PARENT, f"correlated subquery on {outer}")
        node = node.func.value
    return None
