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

from tenantlint.analysis.facts import Provenance, Scoping
from tenantlint.analysis.interp.values import QueryValue, RowValue, Value

# Scopings that confine a query by themselves, when the value that decides them is trusted.
_SCOPED = frozenset({Scoping.TRUSTED_FILTER, Scoping.RELATED_MANAGER, Scoping.SCOPED_PARENT,
                     Scoping.SCOPING_METHOD, Scoping.AUTO_SCOPED})
_OUTER_ROW = "<outer query row>"  # ``OuterRef`` inside a subquery: not a row a caller can hold


def unexecuted(value: QueryValue, statement: cst.CSTNode | None) -> bool:
    """``value`` is a statement or queryset built in ``statement`` and used by nothing so far: an
    expression statement that throws it away never runs it (``delete(Model)`` without
    ``session.execute``, a Django queryset never iterated)."""
    origin = value.origin
    return origin is not None and not origin.uses and statement is not None and origin.statement is statement


def return_kind(returns: list[Value]) -> str:
    if not returns:
        return ""
    untrusted = next((r for r in returns if r.untrusted), None)
    if untrusted is not None:
        return f"untrusted:{untrusted.prov.source}"
    kinds = {_scoped(r) for r in returns}
    if len(kinds) == 1:
        (kind,) = kinds
        return kind
    return ""


def _scoped(value: Value) -> str:
    if isinstance(value, QueryValue):
        origin = value.origin
        if origin is None or origin.tenant is None:
            return ""
        scoping, untrusted, _ = value.state.verdict()
        if untrusted is not None or scoping not in _SCOPED:
            return ""
        return f"{'row' if value.single_row else 'rows'}:{origin.table}"
    if value.trusted and value.scoped_row_of and value.scoped_row_of != _OUTER_ROW:
        return f"row:{value.scoped_row_of}"
    return ""


def returned_value(kind: str, helper: str) -> Value | None:
    """The caller's value of a call of ``helper`` that returns ``kind``."""
    what, _, rest = kind.partition(":")
    if what == "untrusted":
        return Value(Provenance.untrusted(f"{rest or 'request input'}, returned by {helper}()"))
    if what == "row":
        return RowValue(Provenance.trusted(f"a row of {rest} returned by {helper}()"),
                        scoped_row_of=rest, table=rest)
    if what == "rows":
        return Value(Provenance.trusted(f"rows of {rest} returned by {helper}()"), scoped_row_of=rest)
    return None
