"""Ids a helper returns that are as good as the row its caller passes (docs/concepts.md, "Scoped ids
through ordinary data handling").

A function that is no handler, whose every ``return`` gives ids of rows that carry their tenant
(``list(UserProfile.objects.filter(realm=realm).values_list("id", flat=True))``) or values of one of
its parameters and scoped ids together (``{target.id} | set(scoped_ids)``, ``list(admin_ids) +
[target.id]``, ``[u.id for u in users]``), returns ids whose confinement is that parameter's
question: kind ``keyedids:POSITION:PARAM:TABLE`` (``TABLE``: the table of the scoped ids, or ``""``
when no ``return`` holds any). The scoped part names rows of the tenant whatever the caller passes;
the parameter's part names the rows the caller passed in. At a call:

- a row that carries its tenant, or another trusted value, passed for that parameter gives scoped
  ids of ``TABLE`` (or of the passed row's table), as the rows a query keyed by that parameter finds
  are judged confined at such a call (the id-keyed helper is not reported for it);
- the caller's own parameter (or a value read from rows its parameters alone fetched) gives values
  of that origin: a query keyed by them is judged at the caller's own call sites;
- request input gives request input; anything else (an unscoped query's ids, a constant, values of
  two origins) gives nothing known, and a query keyed by it stays reported.
"""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst

from tenantlint.analysis.facts import Provenance, Trust
from tenantlint.analysis.interp.by_id_rows import parameter_keys
from tenantlint.analysis.interp.returns import NO_VALUE
from tenantlint.analysis.interp.scoped_ids import carried
from tenantlint.analysis.interp.user_lookup import bound_argument
from tenantlint.analysis.interp.values import QueryValue, SeqValue, Value

KEYED_IDS = "keyedids"  # return kind ``keyedids:POSITION:PARAM:TABLE``
_METHOD_FIRST = ("self", "cls")
_PLAIN = (Value, SeqValue)


def keyed_ids_kind(returns: Sequence[Value], params: Sequence[str]) -> str:
    """The ``keyedids`` kind of a function with these ``return`` values, or ``""``."""
    values = [r for r in returns if r is not NO_VALUE]
    if not values or not params:
        return ""
    keys: set[str] = set()
    tables: dict[str, None] = {}  # in order: the first names the ids, as a union's first operand does
    for value in values:
        if isinstance(value, QueryValue) or value.untrusted:
            return ""
        if carried(value):  # scoped ids, or a scoped row (``return active_user_ids(realm.id)``)
            assert value.scoped_row_of is not None
            tables[value.scoped_row_of] = None
            continue
        if type(value) not in _PLAIN:
            return ""
        found = parameter_keys(value)
        if found is None:
            return ""
        keys.add(found)
        if value.beside_scoped:
            tables[value.beside_scoped] = None
    if len(keys) != 1:
        return ""
    (key,) = keys
    position = keyed_position(key, params)
    if position is None:
        return ""
    return f"{KEYED_IDS}:{position}:{key}:{next(iter(tables), '')}"


def keyed_position(key: str, params: Sequence[str]) -> int | None:
    """The position a call binds the parameter ``key`` at (after ``self``/``cls``); None when ``key``
    names no one parameter (rows fetched by two: ``a,b``)."""
    if key not in params:
        return None
    position = list(params).index(key) - (1 if params and params[0] in _METHOD_FIRST else 0)
    return position if position >= 0 else None


def keyed_ids_value(kind: str, node: cst.Call, values: Sequence[Value], helper: str) -> Value | None:
    """The caller's value of a call of a function of kind ``keyedids`` (:func:`keyed_ids_kind`)."""
    what, _, rest = kind.partition(":")
    parts = rest.split(":", 2)
    if what != KEYED_IDS or len(parts) != 3 or not parts[0].isdigit():
        return None
    position, name, table = int(parts[0]), parts[1], parts[2]
    bound = bound_argument(node, values, position, name)
    if bound is None:
        return None
    passed = bound[1]
    if passed.untrusted:
        return Value(Provenance.untrusted(f"{passed.prov.source}, through {helper}()"))
    if passed.trusted or carried(passed):
        of = table or passed.scoped_row_of
        if not of:
            return None
        given = passed.prov.source or "a scoped row"
        return Value(Provenance.trusted(f"ids of {of} {helper}() returns for {given}"), scoped_row_of=of)
    if passed.prov.trust is Trust.UNKNOWN and parameter_keys(passed) is not None:
        return Value(passed.prov)
    return None
