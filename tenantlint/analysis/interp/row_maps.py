"""Dicts of fetched rows checked one by one in a later loop (docs/concepts.md, "Checked after the fetch").

A handler that fetches every id of a list first (to tell a missing one apart) and checks the rows
afterwards, before any work::

    kb_map = {}
    for kb_id in kb_ids:
        e, kb = KnowledgebaseService.get_by_id(kb_id)
        if not e:
            return error("Can't find this dataset!")
        kb_map[kb_id] = kb
    for kb_id, kb in kb_map.items():
        if not check_kb_team_permission(kb, user_id):
            return error("no authorization")

checks each fetched row as a check right after the fetch would. ``kb_map`` is a :class:`RowMap`
while ``{}`` received only rows of one fetch not yet checked (``d[key] = row``, a key of any
origin): its ``.values()`` and ``.items()`` give that row back (:func:`view_of`, :func:`element`),
so a check of the loop's row in the later loop is a check of the fetch's row (``guards.py``).

The later loop must check every row it is given: a plain ``for`` over ``d.values()`` / ``d.items()``
whose body never leaves the loop early (no ``break``/``continue``: a skipped row stays in the dict
unchecked), rebinds neither name, and whose top level has ``if not <call>(row, ...): <leave>``
(:func:`checks_each`). Whether that call checks the row is the callee's guard's business; a loop of
any other shape binds its row to a value of no fetch. A string key (``d["x"] = row``), a row of
another fetch or any other value stored makes the dict an ordinary one.
"""

from __future__ import annotations

from dataclasses import replace

import libcst as cst

from tenantlint.analysis.interp.block_paths import unconditional
from tenantlint.analysis.interp.call_rows import call_of
from tenantlint.analysis.interp.checked_loops import plain_body
from tenantlint.analysis.interp.function_state import FunctionState
from tenantlint.analysis.interp.guards import unchecked_row
from tenantlint.analysis.interp.values import (
    UNKNOWN,
    DictValue,
    ReturnedTuple,
    RowMap,
    RowMapView,
    RowValue,
    Value,
    empty_dict,
)
from tenantlint.analysis.source.children import preorder

_VIEWS = frozenset({"values", "items"})
CHANGERS = frozenset({"update", "setdefault", "fromkeys", "pop", "popitem", "clear"})
_LEAVING = (cst.Return, cst.Raise)


def stored(fn: FunctionState, holder: Value | None, target: cst.Subscript, node: cst.BaseExpression,
           value: Value) -> DictValue | None:
    """``holder[key] = node`` (``target``, a key that is no string constant), ``node`` evaluated to
    ``value``: a :class:`RowMap` when ``holder`` is ``{}`` or a map of rows of the same fetch and
    ``value`` is a row of a fetch not yet checked, fetched in place or handed back by a project call,
    stored on every pass (:func:`unconditional`, ``block_paths``) under the id it was fetched by; an
    ordinary dict when ``holder`` was a map and ``value`` is anything else; None otherwise (the dict
    is whatever else it becomes)."""
    if isinstance(holder, RowMap):
        put = stored(fn, None, target, node, value)
        return holder if isinstance(put, RowMap) and holder.same_fetch(put) else ordinary(holder)
    fetch: cst.CSTNode
    if unchecked_row(value):
        assert isinstance(value, RowValue) and value.origin is not None
        put, fetch = RowMap(UNKNOWN, empty=False, row=value), value.origin.node
    elif isinstance(node, cst.Name) and call_of(fn, node.value) is not None:
        held = fn.bound_exprs.get(node.value) or fn.unpacked_calls.get(node.value)
        assert held is not None
        put, fetch = RowMap(UNKNOWN, empty=False, row=value, call=held[0]), held[0]
    else:
        return None
    if not _keyed_by_fetch(target, node, fetch) or not unconditional(fn.body, target):
        return ordinary(holder) if isinstance(holder, RowMap) else None
    if holder is None:
        return put
    return replace(put, prov=holder.prov) if empty_dict(holder) else None


def _keyed_by_fetch(target: cst.Subscript, node: cst.BaseExpression, fetch: cst.CSTNode) -> bool:
    """The key of ``d[key] = row`` tells the rows apart: a name the fetch was keyed by (``kb_id`` of
    ``get_by_id(kb_id)``) or the row's own id (``kb.id``). Rows stored at another key (``kb.name``)
    may overwrite each other, and an overwritten row is never checked by the later loop."""
    index = target.slice[0].slice if len(target.slice) == 1 else None
    key = index.value if isinstance(index, cst.Index) else None
    if isinstance(key, cst.Attribute) and key.attr.value in ("id", "pk") and isinstance(key.value, cst.Name) \
            and isinstance(node, cst.Name) and key.value.value == node.value:
        return True  # ``kb_map[kb.id] = kb``
    return isinstance(key, cst.Name) and any(
        isinstance(n, cst.Name) and n.value == key.value for n in preorder(fetch))


def grown(holder: Value, method: str) -> DictValue | None:
    """``d.update(...)``, ``d.setdefault(...)``, ``d.pop(...)``, ``d.clear()`` of a :class:`RowMap`:
    :func:`ordinary`; None for any other value or method."""
    return ordinary(holder) if isinstance(holder, RowMap) and method in CHANGERS else None


def ordinary(holder: Value) -> DictValue:
    """A :class:`RowMap` changed by one of :data:`CHANGERS` (``d.update(...)``, ``d.pop(...)``,
    ``d.clear()``...): an ordinary dict from now on (a row taken out is never checked by the later
    loop)."""
    return DictValue(holder.prov, empty=False)


def view_of(method: str, recv: Value, args: list[Value]) -> RowMapView | None:
    """``d.values()`` / ``d.items()`` of a :class:`RowMap`."""
    if method not in _VIEWS or args or not isinstance(recv, RowMap):
        return None
    return RowMapView(recv.prov, row=recv.row, call=recv.call, pairs=method == "items")


def element(value: Value) -> Value | None:
    """One element of iterating a :class:`RowMapView`: the row, or the pair ``(key, row)``."""
    if not isinstance(value, RowMapView) or value.row is None:
        return None
    return ReturnedTuple(value.prov, items=(Value(value.prov), value.row)) if value.pairs else value.row


def bound(fn: FunctionState, stmt: cst.For, view: Value) -> None:
    """After ``for key, row in d.items()`` bound ``row`` to a row a project call handed back: the
    name holds that call's row, as the name it was stored from did (``call_rows.call_of``)."""
    name = row_name(stmt)
    if isinstance(view, RowMapView) and view.call is not None and name is not None \
            and view.row is not None and fn.env.get(name) is view.row:
        fn.unpacked_calls[name] = (view.call, view.row)
        fn.unpacked_first.discard(name)  # the call's row now, not the first name of an earlier pair


def row_name(stmt: cst.For) -> str | None:
    """The name a ``for`` binds the row of a view to: ``for row in d.values()``, ``for key, row in
    d.items()``."""
    func = stmt.iter.func if isinstance(stmt.iter, cst.Call) else None
    if not isinstance(func, cst.Attribute) or func.attr.value not in _VIEWS or stmt.asynchronous:
        return None
    target = stmt.target
    if func.attr.value == "values":
        return target.value if isinstance(target, cst.Name) else None
    if isinstance(target, cst.Tuple | cst.List) and len(target.elements) == 2 \
            and all(isinstance(e.value, cst.Name) for e in target.elements):
        second = target.elements[1].value
        assert isinstance(second, cst.Name)
        return second.value
    return None


def checks_each(stmt: cst.For, body: cst.CSTNode | None) -> bool:
    """The loop checks every row it is given, whenever the code around it runs: not under a condition
    in the function's ``body`` (``block_paths.unconditional``), a plain body
    (``checked_loops.plain_body``) with ``if not <call>(row, ...): <return or raise>`` at its top
    level."""
    name = row_name(stmt)
    if name is None or not isinstance(stmt.iter, cst.Call) or stmt.orelse is not None \
            or not unconditional(body, stmt):
        return False
    func = stmt.iter.func
    assert isinstance(func, cst.Attribute)
    holder = func.value.value if isinstance(func.value, cst.Name) else ""
    if not holder or not plain_body(stmt, (name, holder)):
        return False
    return any(_refused_unless_called(s, name) for s in stmt.body.body)


def _refused_unless_called(stmt: cst.BaseStatement | cst.BaseSmallStatement, name: str) -> bool:
    """``if not <call>(..., name, ...): ... <return or raise>``."""
    if not isinstance(stmt, cst.If) or stmt.orelse is not None:
        return False
    last = stmt.body.body[-1] if stmt.body.body else None
    leaves = isinstance(last, cst.SimpleStatementLine) and any(isinstance(s, _LEAVING) for s in last.body)
    if not leaves:
        return False
    test = stmt.test
    if not isinstance(test, cst.UnaryOperation) or not isinstance(test.operator, cst.Not):
        return False
    call = test.expression.expression if isinstance(test.expression, cst.Await) else test.expression
    return isinstance(call, cst.Call) and any(
        isinstance(a.value, cst.Name) and a.value.value == name for a in call.args)
