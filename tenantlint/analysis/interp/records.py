"""Ids kept in dicts of a local list: ``rows.append({"new_asset_id": str(dup.id), ...})`` in a loop,
then ``Model.objects.filter(pk__in=[r["new_asset_id"] for r in rows])``.

A local list that starts empty and is grown only by ``append`` of dict displays (or a list display
of dict displays) is a ``Records`` value: iterating it gives one element, a dict whose entry at each
key is what every dict put in holds there, merged as a collection grown with them is (scoped ids
while every one is, request input when one is). A key some dict lacks is no known entry. Any other
growth (``extend``, ``insert``, an append of anything but a dict display) makes the list an ordinary
value again, as before.
"""

from __future__ import annotations

from tenantlint.analysis.interp import scoped_ids
from tenantlint.analysis.interp.exprs import merge_prov
from tenantlint.analysis.interp.values import DictValue, Dispatch, Records, SeqValue, Value, empty_collection


def _dict(value: Value) -> DictValue | None:
    return value if isinstance(value, DictValue) and not isinstance(value, Dispatch) else None


def _entry(a: Value, b: Value) -> Value:
    """The values two dicts hold at one key, together."""
    if a == b:
        return a
    together = scoped_ids.joined([a, b])
    return together if together is not None else Value(merge_prov([a, b]))


def merged(a: DictValue, b: DictValue) -> DictValue:
    """One element standing for both dicts: the keys both hold, each with both values together."""
    theirs = dict(b.items)
    items = tuple((k, _entry(v, theirs[k])) for k, v in a.items if k in theirs)
    return DictValue(merge_prov([a, b]), items=items)


def grown(old: Value, method: str, args: list[Value]) -> Value | None:
    """The list after ``old.<method>(*args)`` when it is (or becomes) records; None when it is none
    of this module's business (``scoped_ids.grown`` decides)."""
    added = _dict(args[-1]) if args and method == "append" else None
    if isinstance(old, Records):
        if added is None:  # ``extend``, ``insert``, an append of anything else: plain values
            return Value(merge_prov([old, *args])) if method in scoped_ids.GROWERS else None
        return Records(merge_prov([old, added]), entry=merged(old.entry, added))
    if added is not None and empty_collection(old):
        return Records(added.prov, entry=added)
    return None


def element(value: Value) -> DictValue | None:
    """One element of iterating ``value`` when it holds dicts whose entries are known."""
    if isinstance(value, Records):
        return value.entry
    if type(value) is not SeqValue or value.open_ended or not value.items:
        return None
    dicts = [_dict(v) for v in value.items]
    if any(d is None for d in dicts):
        return None
    first = dicts[0]
    assert first is not None
    for other in dicts[1:]:
        assert other is not None
        first = merged(first, other)
    return first
