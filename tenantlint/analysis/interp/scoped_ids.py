"""Scoped ids: values read from rows that carry their tenant, followed through ordinary data handling
(docs/concepts.md, "Rows that carry their tenant").

A value taken from a scoped row or queryset (``Value.scoped_row_of``: ``[g.id for g in groups]``,
``message.attachment_set`` rows' ``path_id``) stays such a value through

- set operations whose result holds only values of a scoped operand: ``a - b`` when ``a`` is scoped,
  ``a & b`` when either is, ``a | b``, ``a ^ b`` and ``a + b`` when both are (also as ``a.difference(b)``,
  ``a.intersection(b)``, ``a.union(b)`` and the augmented ``-=``, ``&=``, ``|=``, ``+=``);
- ``set(x)``, ``frozenset(x)``, ``list(x)``, ``tuple(x)``, ``sorted(x)``, ``reversed(x)``, ``x.copy()``;
- a local grown in place (``ids.append(v)``, ``add``, ``insert``, ``extend``, ``update``): it stays
  scoped while every value put into it is; an empty ``[]``/``set()`` holds none of its own. One value
  of another source makes it an ordinary value, and request input makes it request input.

A union (or list display) of scoped ids and the values of one parameter (``[edited_message.id,
*scoped.values_list("id", flat=True)]``, ``{target.id} | scoped_ids``) is keyed by that parameter
alone: the scoped part names rows of the tenant whatever the caller passes, so the rows it finds are
confined exactly when the parameter's are, and the query is judged at the function's call sites
(docs/concepts.md, "Across functions"). Values of two parameters, or of another source, key nothing.

The same holds for a union of querysets: ``Message.objects.filter(id=target.id) | scoped`` (also
``|=``), with ``scoped`` rows a helper returned confined, holds the rows the query keyed by the
parameter ``target`` finds and rows of the tenant: it is keyed by that parameter alone.

Request input stays request input, except where the result can only hold values of the scoped operand
(``scoped - request_ids``, ``request_ids & scoped``). Arithmetic is not a set operation: an operand
that is a number literal keeps the ordinary merge of provenance.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from tenantlint.analysis.facts import Trust
from tenantlint.analysis.interp.exprs import merge_prov
from tenantlint.analysis.interp.values import QueryValue, Value, empty_collection, own_origin
from tenantlint.crossfn.records import CONSTANT

if TYPE_CHECKING:
    from tenantlint.analysis.plugins import Evaluation

# Methods of a list or set that put their argument(s) into the receiver.
GROWERS = frozenset({"append", "add", "insert", "extend", "update"})
# Methods returning a new set or list built from the receiver and their arguments.
_SUBSETS = frozenset({"difference", "intersection"})
_COPIES = frozenset({"copy", "union"})
_NUMBERS = (cst.Integer, cst.Float, cst.Imaginary)


def carried(value: Value) -> bool:
    """A value read from rows that carry their tenant, and not request input."""
    return bool(value.scoped_row_of) and not value.untrusted and not isinstance(value, QueryValue)


def kept(value: Value) -> Value:
    """``value`` as a plain value (a copy or a subset of it): what makes it scoped ids, and no more."""
    return Value(value.prov, scoped_row_of=value.scoped_row_of, row_key=value.row_key,
                 key_field=value.key_field, beside_scoped=value.beside_scoped)


def joined(values: list[Value]) -> Value | None:
    """All of ``values`` together (a union, a concatenation): scoped when each is (or is empty)."""
    held = [v for v in values if not empty_collection(v)]
    if not held or not all(carried(v) for v in held):
        return None
    first = held[0]
    fields = {v.key_field for v in held}
    return Value(first.prov, scoped_row_of=first.scoped_row_of, row_key=all(v.row_key for v in held),
                 key_field=first.key_field if len(fields) == 1 else "")


def keyed(values: list[Value]) -> Value | None:
    """All of ``values`` together when, besides scoped ids (and empty collections), they are values
    of one and the same parameter (or of rows fetched by parameters alone): that origin's value."""
    rest = [v for v in values if not empty_collection(v) and not carried(v)]
    if not rest or len(rest) == len([v for v in values if not empty_collection(v)]):
        return None
    first = rest[0].prov
    if any(v.prov != first or isinstance(v, QueryValue) for v in rest):
        return None
    if first.trust is not Trust.UNKNOWN or not own_origin(rest[0]) or first.source.startswith(CONSTANT):
        return None
    tables = [v.scoped_row_of or v.beside_scoped for v in values if carried(v) or v.beside_scoped]
    return Value(first, beside_scoped=tables[0] if tables else "")  # the first names them, as in ``joined``


def set_operation(op: cst.BaseBinaryOp | cst.BaseAugOp, left: Value, right: Value,
                  nodes: tuple[cst.BaseExpression, ...] = ()) -> Value | None:
    """The result of ``left <op> right`` when it holds scoped ids only (or, for ``-``, only values of
    ``left``), else None."""
    if any(isinstance(n, _NUMBERS) for n in nodes):
        return None
    if isinstance(op, cst.Subtract | cst.SubtractAssign):
        return kept(left)  # only values of ``left`` remain, wherever ``right`` comes from
    if isinstance(op, cst.BitAnd | cst.BitAndAssign):
        return kept(left) if carried(left) else kept(right) if carried(right) else None
    if isinstance(op, cst.BitOr | cst.BitXor | cst.Add | cst.BitOrAssign | cst.BitXorAssign | cst.AddAssign):
        return joined([left, right]) or keyed([left, right])
    return None


def operator_value(op: cst.BaseBinaryOp, left: Value, right: Value,
                   nodes: tuple[cst.BaseExpression, ...] = ()) -> Value:
    """``left <op> right`` of values that are no query or predicate: scoped ids when the result holds
    only those, else the merged provenance (request input wins)."""
    scoped = set_operation(op, left, right, nodes)
    return scoped if scoped is not None else Value(merge_prov([left, right]))


def method_result(method: str, recv: Value, args: list[Value]) -> Value | None:
    """``a.difference(b)``, ``a.intersection(b)``, ``a.union(b)``, ``a.copy()``: scoped ids when the
    result holds only those, else the merged provenance; None for any other method."""
    if method == "difference" or (method in _SUBSETS and carried(recv)):
        return kept(recv)  # as ``a - b``: only values of ``a`` remain
    if method == "intersection" and any(carried(a) for a in args):
        return kept(next(a for a in args if carried(a)))
    if method in _COPIES or method == "symmetric_difference":
        together = joined([recv, *args])
        if together is not None:
            return together
    if method in _SUBSETS or method in _COPIES or method == "symmetric_difference":
        return Value(merge_prov([recv, *args]))  # ``scoped.union(request_ids)``: no longer scoped
    return None


def grown(old: Value, method: str, args: list[Value]) -> Value | None:
    """A local after ``old.<method>(*args)`` put values into it; None when it stays what it was."""
    if method not in GROWERS or not args or isinstance(old, QueryValue):
        return None
    added = args[-1]  # ``insert(i, v)`` puts its last argument
    if added.untrusted:
        return Value(added.prov)
    if empty_collection(old):
        return kept(added) if carried(added) else Value(added.prov)
    if not carried(old):
        if old.prov.trust is Trust.UNKNOWN and old.prov.source and added.prov != old.prov:
            return Value(merge_prov([old, added]))  # a parameter's values and others: plain values
        return None
    together = joined([old, added])
    return together if together is not None else Value(merge_prov([old, added]))


def augmented_value(old: Value, added: Value) -> Value | None:
    """``old <op>= added`` where ``old`` holds values of one origin of its own (a parameter's, a
    constant's) and ``added`` another: plain values of no one origin (``ids |= other_ids``); None
    when the ordinary merge applies."""
    if isinstance(old, QueryValue) or isinstance(added, QueryValue) or old.scoped_row_of:
        return None
    if old.prov.trust is Trust.UNKNOWN and old.prov.source and added.prov != old.prov:
        return Value(merge_prov([old, added]))
    return None


def union_with_scoped(ev: Evaluation, op: str, left: Value, right: Value) -> Value | None:
    """``query | scoped`` (or ``scoped | query``): a query keyed only by the function's parameters
    united with rows that carry their tenant (not a query: rows a helper returned) holds that
    query's rows and the tenant's, so it is keyed by those parameters (:func:`keyed`); the query is
    run by the union. None for anything else."""
    if op != "or":
        return None
    query, other = (left, right) if isinstance(left, QueryValue) else (right, left)
    if not isinstance(query, QueryValue) or query.origin is None or not carried(other):
        return None
    united = keyed([Value(ev.row_of(query).prov), other])
    if united is not None:
        ev.consume(query)
    return united
