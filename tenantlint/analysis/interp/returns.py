"""What a function returns, for its callers (across functions): a row or queryset confined to the
caller's tenant, request input, or nothing worth passing on.

A function's kind is written ``row:TABLE`` (a row fetched by a query scoped with a trusted value),
``rows:TABLE`` (such a queryset), ``untrusted:SOURCE`` (request input) or ``""``. Every ``return``
with a value must agree: one unscoped or unknown value makes the kind ``""``, any request input makes
it ``untrusted``. A query pinned to the function's own parameters counts as scoped, as a row it
fetches does inside the function: those parameters are tenant parameters, whose request-input
arguments are reported at the call sites.
"""

from __future__ import annotations

import libcst as cst

from tenantlint.analysis.facts import TENANT_CONFINING, Provenance, Scoping
from tenantlint.analysis.interp.scoped_keys import KEYS_KIND, returned_keys
from tenantlint.analysis.interp.signed_values import signed, signed_value
from tenantlint.analysis.interp.values import (
    Built,
    Origin,
    QueryValue,
    ReturnedTuple,
    RowValue,
    ScopedKeys,
    SeqValue,
    Value,
)
from tenantlint.crossfn.records import BUILDER

_OUTER_ROW = "<outer query row>"  # ``OuterRef`` inside a subquery: not a row a caller can hold


def unexecuted(value: QueryValue, statement: cst.CSTNode | None) -> bool:
    """``value`` is a statement or queryset built in ``statement`` and used by nothing so far: an
    expression statement that throws it away never runs it (``delete(Model)`` without
    ``session.execute``, a Django queryset never iterated)."""
    origin = value.origin
    return origin is not None and not origin.uses and statement is not None and origin.statement is statement


# A builder's kind: ``query:FAMILY:TABLE:SINGLE`` from the walk, ``...:LINE:PATH`` in its summary.


def built_query(returns: list[Value], fresh: list[Value], qualname: str | None) -> QueryValue | None:
    """The query a builder returns: every ``return`` hands on the same query, created in this
    function and used by nothing before, on a tenant table with no tenant filter and no key taken
    from the function's parameters (those are id-keyed helpers, judged at their call sites)."""
    if qualname is None or not returns or len(returns) != len(fresh):
        return None
    if any(r is not f for r, f in zip(returns, fresh, strict=True)):
        return None
    origins = {id(r.origin): r.origin for r in returns if isinstance(r, QueryValue)}
    if len(origins) != 1:
        return None
    (origin,) = origins.values()
    if (origin is None or origin.tenant is None or origin.function != qualname or origin.binding
            or origin.internal or origin.tentative or origin.keys):
        return None
    for r in returns:
        assert isinstance(r, QueryValue)
        scoping, untrusted, _ = r.state.verdict()
        if scoping is not Scoping.UNSCOPED or untrusted is not None:
            return None
    first = returns[0]
    assert isinstance(first, QueryValue)
    return first


def unfiltered(origin: Origin) -> bool:
    """A builder's query at its call, used somewhere with no tenant filter: then it is reported in the
    builder too, where it is (and at the call when the caller narrowed it with other filters)."""
    states = [s for _, s in origin.uses] or ([origin.latest] if origin.latest is not None else [])
    return any(s.verdict()[0] is Scoping.UNSCOPED for s in states)


def narrowed(origin: Origin) -> bool:
    """The caller narrowed a builder's query in the statement of the call: a method with arguments
    applied to it (``locked().filter(pk=pk)``), not only evaluated (``every().count()``)."""
    node = origin.node
    while node is not origin.via_call:
        if not isinstance(node, cst.Call | cst.Subscript):
            return False
        if isinstance(node, cst.Call):
            if node.args:
                return True
            if not isinstance(node.func, cst.Attribute):
                return False
            node = node.func.value
        else:
            node = node.value
    return False


def builder_kind(query: QueryValue) -> str:
    assert query.origin is not None
    return f"{BUILDER}:{query.origin.family}:{query.origin.table}:{1 if query.single_row else 0}"


SIGNED_KIND = "signed"  # a value a signature check returned (``signed_values.py``)

# ``return None`` (or a bare ``return``): no value, so no kind of its own. A function that returns a
# created or scoped row, or None when there is nothing to do, still returns that row to its callers.
NO_VALUE = Value()


def return_kind(returns: list[Value]) -> str:
    returns = [r for r in returns if r is not NO_VALUE]
    if not returns:
        return ""
    untrusted = next((r for r in returns if r.untrusted), None)
    if untrusted is not None:
        return f"untrusted:{untrusted.prov.source}"
    kinds = {_scoped(r) for r in returns}
    if len(kinds) == 1:
        (kind,) = kinds
        return kind or _tuple_kind(returns)
    return rows_of_one_table(kinds)


def rows_of_one_table(kinds: set[str]) -> str:
    """``rows:TABLE`` when each ``return`` gives a scoped row, queryset or id of that one table: a
    helper returning its own scoped queryset on one path and another helper's on the other
    (``return get_active_streams(realm)`` / ``return Stream.objects.filter(realm=realm)``; the
    other helper's rows come back as scoped values, ``row:TABLE``). Its callers get scoped values
    of the table, not one row."""
    parts = {kind.partition(":") for kind in kinds}
    if {what for what, _, _ in parts} != {"row", "rows"} or len({table for _, _, table in parts}) != 1:
        return ""
    return f"rows:{parts.pop()[2]}"


TUPLE = "tuple"  # ``tuple:KIND|KIND|...``: a tuple each of whose elements has that kind (or "")
_MAX_TUPLE = 8


def _tuple_kind(returns: list[Value]) -> str:
    """``return messages, propagate``: every ``return`` a tuple (or list) display of the same length,
    with no request input in it; each position's kind is the one every ``return`` agrees on."""
    if not all(type(r) is SeqValue and not r.open_ended for r in returns):
        return ""
    seqs = [r for r in returns if isinstance(r, SeqValue)]
    size = len(seqs[0].items)
    if not 2 <= size <= _MAX_TUPLE or any(len(r.items) != size for r in seqs):
        return ""
    if any(i.untrusted for r in seqs for i in r.items):
        return ""
    kinds: list[str] = []
    for pos in range(size):
        found = {_scoped(r.items[pos]) for r in seqs}
        kinds.append(found.pop() if len(found) == 1 else rows_of_one_table(found))
    if not any(kinds):
        return ""
    return f"{TUPLE}:{'|'.join(kinds)}"


def _scoped(value: Value) -> str:
    if isinstance(value, ScopedKeys):  # ``return {u.id: u.email for u in scoped}``
        keys = value.keys
        return f"{KEYS_KIND}:{keys.scoped_row_of}" if keys.trusted and keys.scoped_row_of else ""
    if type(value) is Value and signed(value):
        return SIGNED_KIND  # ``return signer.unsign(token)``: a value the server issued
    if isinstance(value, QueryValue):
        origin = value.origin
        if origin is None or origin.tenant is None:
            return ""
        scoping, untrusted, _ = value.state.verdict()
        if untrusted is not None or scoping not in TENANT_CONFINING:
            return ""
        return f"{'row' if value.single_row else 'rows'}:{origin.table}"
    if value.trusted and value.scoped_row_of and value.scoped_row_of != _OUTER_ROW:
        return f"row:{value.scoped_row_of}"
    return ""


def returned_value(kind: str, helper: str) -> Value | None:
    """The caller's value of a call of ``helper`` that returns ``kind``."""
    what, _, rest = kind.partition(":")
    if what == BUILDER:
        parts = rest.split(":", 4)
        if len(parts) != 5 or not parts[3].isdigit():
            return None
        family, table, single, line, path = parts
        return Built(family=family, table=table, single_row=single == "1", helper=helper, path=path,
                     line=int(line))
    if what == "untrusted":
        return Value(Provenance.untrusted(f"{rest or 'request input'}, returned by {helper}()"))
    if what == TUPLE:
        items = [returned_value(k, helper) if k else None for k in rest.split("|")]
        return ReturnedTuple(items=tuple(v if v is not None else Value() for v in items))
    if what == "row":
        return RowValue(Provenance.trusted(f"a row of {rest} returned by {helper}()"),
                        scoped_row_of=rest, table=rest)
    if what == "rows":
        return Value(Provenance.trusted(f"rows of {rest} returned by {helper}()"), scoped_row_of=rest)
    if what == SIGNED_KIND:
        return signed_value(f"returned by {helper}()")
    if what == KEYS_KIND:
        return returned_keys(rest, helper)
    return None
