"""The row a by-id getter hands back, trusted at a call whose id is trusted (docs/concepts.md).

A function (or method, a generic base one included) whose every ``return`` hands back one row
fetched with no tenant filter by a query keyed by one of its parameters alone, or ``None`` (also as
the ``(found, row)`` pair ``return True, obj`` / ``return False, None``), returns "the row of the id
you passed": kind ``byid:POSITION:PARAM:SLOT`` (``SLOT`` is ``""`` for the row itself, ``I/N`` for
item ``I`` of an ``N``-tuple). At a call whose argument for that parameter is a checked id (a name
a check has verified, still holding what was checked), the row is a trusted one: a comparison with
its tenant checks another row, and its fields key later queries as a scoped row's do. In a function
that is no handler, a call keyed by one of that function's parameters (or by values read from rows
its parameters alone fetched) gives, for a table with no tenant of its own, the row of the id the
caller's caller passes: the row is that parameter's question, as a row the function fetched itself
by it is (``ok, document =
DocumentService.get_by_id(document_id)``, then ``Log.kb_id == document.kb_id`` is keyed by
``document_id``, judged at the function's calls). Such a row is not trusted. Keyed by anything else,
the call gives what it gave before (nothing known); its query is judged at the call as ever.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import libcst as cst

from tenantlint.analysis.facts import Provenance, Scoping, Trust
from tenantlint.analysis.interp.exprs import is_none
from tenantlint.analysis.interp.returns import NO_VALUE
from tenantlint.analysis.interp.user_lookup import bound_argument
from tenantlint.analysis.interp.values import Origin, QueryValue, ReturnedTuple, RowValue, SeqValue, Value
from tenantlint.crossfn.records import KEYED_ROWS, PARAMETER

BY_ID = "byid"  # return kind ``byid:POSITION:PARAM:SLOT``
_METHOD_FIRST = ("self", "cls")


def _fetch(value: Value) -> Origin | None:
    """The query of the unscoped single-row fetch ``value`` is, keyed by one parameter alone."""
    origin: Origin | None = None
    if isinstance(value, RowValue):
        origin = value.fetched_by or value.origin or value.untenanted_fetch
    elif isinstance(value, QueryValue) and value.single_row:
        origin = value.origin
        if value.state.verdict()[0] is not Scoping.UNSCOPED:
            return None
    if origin is None or origin.keys is None or len(origin.keys) != 1:
        return None
    if any(state.verdict()[0] is not Scoping.UNSCOPED for _, state in origin.uses):
        return None
    return origin


def _fetch_key(value: Value) -> str | None:
    origin = _fetch(value)
    return origin.keys[0] if origin is not None and origin.keys else None


def _table(value: Value) -> str:
    origin = _fetch(value)
    return origin.table if origin is not None else ""


def by_id_kind(returns: Sequence[Value], nodes: Sequence[cst.BaseExpression | None],
               params: Sequence[str], generic: bool = False) -> str:
    """The ``byid`` kind of a function with these ``return`` values (and their expressions);
    ``generic``: the first walk of a generic base method, whose table each call's receiver names."""
    if len(returns) != len(nodes) or not params:
        return ""
    keys: set[str] = set()
    slots: set[str] = set()
    tables: set[str] = set()
    nones: list[set[int]] = []  # the ``None`` positions of each tuple ``return`` without a row
    sizes: set[int] = set()
    for value, node in zip(returns, nodes, strict=True):
        if value is NO_VALUE or is_none(node):
            continue
        if isinstance(node, cst.Tuple):
            if type(value) is not SeqValue or len(node.elements) != len(value.items) \
                    or any(v.untrusted for v in value.items):
                return ""
            size = len(node.elements)
            sizes.add(size)
            empty = {i for i, el in enumerate(node.elements) if is_none(el.value)}
            rows = [(i, k) for i, v in enumerate(value.items) if i not in empty
                    for k in (_fetch_key(v),) if k is not None]
            if len(rows) > 1:
                return ""
            if rows:
                slots.add(f"{rows[0][0]}/{size}")
                keys.add(rows[0][1])
                tables.add(_table(value.items[rows[0][0]]))
            else:
                nones.append(empty)
            continue
        key = _fetch_key(value)
        if key is None:
            return ""
        slots.add("")
        keys.add(key)
        tables.add(_table(value))
    if len(keys) != 1 or len(slots) != 1 or len(sizes) > 1:
        return ""
    (key,), (slot,) = keys, slots
    if key not in params:
        return ""
    if slot and any(int(slot.split("/")[0]) not in empty for empty in nones):
        return ""  # ``return False, other``: the row's place holds something else
    if slot == "" and sizes:
        return ""
    position = list(params).index(key) - (1 if params[0] in _METHOD_FIRST else 0)
    if position < 0:
        return ""
    table = "" if generic or len(tables) != 1 else tables.pop()
    if not table and not generic:
        return ""
    return f"{BY_ID}:{position}:{key}:{slot}:{table}"


def checked_id(node: cst.BaseExpression, value: Value) -> bool:
    """``channel_id``, a name a check has verified and that still holds what was checked (its trusted
    value names it: ``channel_id, checked by ...``). Other trusted values (the caller's own id, the
    id of some scoped row) are no id of the getter's table."""
    return isinstance(node, cst.Name) and value.prov.trust is Trust.TRUSTED \
        and value.prov.source.startswith(f"{node.value}, ")


def parameter_keys(value: Value) -> str | None:
    """The parameters an id of unknown origin stands for: ``a`` for the parameter ``a`` itself,
    ``a,b`` for a value read from rows fetched by ``a`` and ``b`` alone; else None."""
    prov = value.prov
    if prov.trust is not Trust.UNKNOWN or value.untrusted:
        return None
    for prefix in (PARAMETER, KEYED_ROWS):
        if prov.source.startswith(prefix) and len(prov.source) > len(prefix):
            return prov.source[len(prefix):]
    return None


def by_id_row(kind: str, node: cst.Call, values: Sequence[Value], helper: str,
              held: Callable[[cst.BaseExpression], str | None],
              untenanted: Callable[[str], bool] | None = None) -> Value | None:
    """The caller's value of a call of a by-id getter (``kind`` from :func:`by_id_kind`): a trusted
    row when the id passed is a checked one; with ``untenanted`` (the caller is no handler; it tells
    a table with no tenant of its own), a row of such a table keyed by the caller's parameters when
    the id passed is one of them (:func:`parameter_keys`); else None (nothing known, as before: a
    tenant table's row is checked after the call as the call's result, ``call_rows.py``). ``held``:
    the table of the one model a receiver class holds (a generic base method's row is of that
    table)."""
    what, _, rest = kind.partition(":")
    parts = rest.split(":", 3)
    if what != BY_ID or len(parts) != 4 or not parts[0].isdigit():
        return None
    position, name, slot, table = int(parts[0]), parts[1], parts[2], parts[3]
    passed = bound_argument(node, values, position, name)
    if passed is None:
        return None
    keys = parameter_keys(passed[1]) if untenanted is not None else None
    if keys is None and not checked_id(passed[0].value, passed[1]):
        return None
    prov = passed[1].prov
    if not table:
        func = node.func
        found = held(func.value) if isinstance(func, cst.Attribute) else None
        if found is None:
            return None
        table = found
    if keys is not None:  # the parameters' question, not a trusted row (a parameter is no checked id)
        assert untenanted is not None  # keys are read only for a caller that tells untenanted tables
        if not untenanted(table):
            return None
        row = RowValue(Provenance.unknown(KEYED_ROWS + keys), table=table)
    else:
        row = RowValue(Provenance.trusted(f"the {table} row {helper}() fetches by {prov.source}"),
                       scoped_row_of=table, table=table)
    if not slot:
        return row
    at, size = (int(p) for p in slot.split("/"))
    return ReturnedTuple(items=tuple(row if i == at else Value() for i in range(size)))
