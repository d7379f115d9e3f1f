"""Ids proven by a scoped fetch: once ``Project.objects.get(pk=pk, workspace__slug=slug)`` (scoped)
has returned a row, ``pk`` is the id of a row of the caller's tenant, and rows keyed by it carry
their tenant (``UserFavorite.objects.filter(project_id=pk)``).

A fetch that raises when no row matches (``get``, ``get_object_or_404``, ``one``) proves its id names
at once; one that may return nothing (``first``, ``get_or_none``, ``one_or_none``) proves them after
``if not row: return``/``raise``, on the path that goes on.
"""

from __future__ import annotations

import libcst as cst

from tenantlint.analysis.facts import Provenance
from tenantlint.analysis.interp.function_state import FunctionState
from tenantlint.analysis.interp.values import RowValue, Value

RAISING = frozenset({"get", "aget", "get_object_or_404", "aget_object_or_404", "one", "get_by_id",
                     "get_or_404", "first_or_404", "one_or_404", "scalar_one"})
MAYBE = frozenset({"first", "afirst", "last", "get_or_none", "one_or_none", "scalar_one_or_none"})
ID_NAMES = frozenset({"id", "pk"})
PENDING = "\x00keyed:"  # env key prefix: a row whose id names are proven once it is checked


def _method(call: cst.Call) -> str:
    func = call.func
    if isinstance(func, cst.Attribute):
        return func.attr.value
    return func.value if isinstance(func, cst.Name) else ""


def _id_names(call: cst.Call) -> tuple[str, ...]:
    """Names pinned to the primary key along a call chain: ``pk=name``, ``id=name``,
    ``Model.id == name``."""
    out: list[str] = []
    node: cst.BaseExpression = call
    while True:
        if isinstance(node, cst.Call):
            for arg in node.args:
                value = arg.value
                if arg.keyword is not None:
                    if arg.keyword.value in ID_NAMES and isinstance(value, cst.Name):
                        out.append(value.value)
                elif isinstance(value, cst.Comparison) and len(value.comparisons) == 1:
                    target = value.comparisons[0]
                    if not isinstance(target.operator, cst.Equal):
                        continue
                    for side, other in ((value.left, target.comparator), (target.comparator, value.left)):
                        if (isinstance(side, cst.Attribute) and side.attr.value in ID_NAMES
                                and isinstance(other, cst.Name)):
                            out.append(other.value)
            node = node.func
        elif isinstance(node, cst.Attribute):
            node = node.value
        else:
            return tuple(out)


def _prove(state: FunctionState, names: tuple[str, ...], table: str) -> None:
    for name in names:
        current = state.env.get(name)
        if current is not None and current.scoped_row_of:
            continue
        state.env[name] = Value(Provenance.trusted(f"{name}, the id of a scoped {table} row"),
                                scoped_row_of=table, row_key=True)


def fetched(state: FunctionState, target: cst.BaseExpression, node: cst.BaseExpression,
            value: Value) -> None:
    """``row = <scoped single-row fetch keyed by id names>``: prove them now or once checked."""
    if not (isinstance(target, cst.Name) and isinstance(node, cst.Call) and isinstance(value, RowValue)):
        return
    if not (value.trusted and value.scoped_row_of):
        return
    method = _method(node)
    if method not in RAISING and method not in MAYBE:
        return
    names = tuple(n for n in _id_names(node) if n != target.value)
    if not names:
        return
    if method in RAISING:
        _prove(state, names, value.scoped_row_of)
    else:
        state.env[PENDING + target.value] = Value(Provenance.trusted(",".join(names)),
                                                  scoped_row_of=value.scoped_row_of)


def checked(state: FunctionState, test: cst.BaseExpression) -> None:
    """``if not row:`` / ``if row is None:`` whose branch leaves: the row's id names are proven."""
    name: str | None = None
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not) \
            and isinstance(test.expression, cst.Name):
        name = test.expression.value
    elif isinstance(test, cst.Comparison) and len(test.comparisons) == 1 \
            and isinstance(test.comparisons[0].operator, cst.Is) and isinstance(test.left, cst.Name):
        comparator = test.comparisons[0].comparator
        if isinstance(comparator, cst.Name) and comparator.value == "None":
            name = test.left.value
    pending = state.env.pop(PENDING + name, None) if name is not None else None
    if pending is not None and pending.scoped_row_of:
        _prove(state, tuple(pending.prov.source.split(",")), pending.scoped_row_of)
