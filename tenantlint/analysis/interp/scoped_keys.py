"""Dicts keyed by scoped ids: the keys of a dict that only ever received ids taken from rows that
carry their tenant are such ids too (docs/concepts.md, "Rows that carry their tenant").

A dict comprehension keyed by scoped ids (``{u.id: u.email for u in scoped_users}``), or a ``{}``
display filled only by item assignments keyed by them (``for u in scoped_users: by_id[u.id] = u``),
is a :class:`ScopedKeys`: ``d.keys()``, ``list(d)``, ``set(d)``, ``sorted(d)`` and ``for k in d``
give those ids (``for k, v in d.items()`` binds ``k`` to one), and a helper returning such a dict
gives them to its callers (``keys:TABLE``, ``interp/returns.py``). Its values are not ids of the
rows: ``d[k]``, ``d.get(k)``, ``d.values()`` keep the provenance of what was put in.

A key of any other origin (a parameter, request input, a string literal), ``d.update(other)``,
``d.setdefault(other, ...)`` or ``d |= other`` makes it an ordinary dict. A ``defaultdict`` is never
one: reading it at any key adds that key.
"""

from __future__ import annotations

from tenantlint.analysis.facts import Provenance
from tenantlint.analysis.interp.exprs import merge_prov
from tenantlint.analysis.interp.scoped_ids import carried, kept
from tenantlint.analysis.interp.values import (
    UNKNOWN,
    DictValue,
    ReturnedTuple,
    ScopedKeys,
    ScopedPairs,
    Value,
    empty_dict,
)

# Methods of a dict that put keys into it.
KEY_GROWERS = frozenset({"update", "setdefault", "fromkeys"})
KEYS_KIND = "keys"  # return kind ``keys:TABLE``: a dict whose keys are ids of scoped TABLE rows


def comprehended(key: Value, value: Value) -> ScopedKeys | None:
    """The element of a dict comprehension: a dict of scoped keys when ``key`` is a scoped id and
    neither is request input."""
    if not carried(key) or value.untrusted:
        return None
    return ScopedKeys(merge_prov([key, value]), keys=kept(key))


def assigned(holder: Value, key: Value) -> Value | None:
    """``holder[key] = ...`` where ``holder`` is ``{}`` or a dict of scoped keys: what the local is
    after it (None: it is neither, and stays what it was)."""
    if not isinstance(holder, ScopedKeys) and not empty_dict(holder):
        return None
    if not carried(key):  # an ordinary dict from now on (``{}`` too: a later scoped key does not clean it)
        return Value(holder.prov) if isinstance(holder, ScopedKeys) else opened(holder, key)
    if not isinstance(holder, ScopedKeys):
        return ScopedKeys(UNKNOWN, keys=kept(key))
    old = holder.keys
    same = old.key_field == key.key_field
    keys = Value(old.prov, scoped_row_of=old.scoped_row_of, row_key=old.row_key and key.row_key,
                 key_field=old.key_field if same else "")
    return ScopedKeys(holder.prov, keys=keys)


def opened(holder: Value, *put: Value) -> DictValue:
    """``{}`` after a key of another origin went in: a dict, no longer empty, whose keys may be anything."""
    return DictValue(merge_prov([holder, *put]), empty=False)


def keys_of(value: Value) -> Value | None:
    """The keys of a dict of scoped keys, as scoped ids (None for any other value)."""
    return kept(value.keys) if isinstance(value, ScopedKeys) else None


def items_of(value: Value) -> ScopedPairs | None:
    """``d.items()`` of a dict of scoped keys."""
    return ScopedPairs(value.prov, keys=value.keys) if isinstance(value, ScopedKeys) else None


def pair_of(value: Value) -> ReturnedTuple | None:
    """One element of ``d.items()`` (also copied: ``sorted(d.items())``): the key, a scoped id, and
    the value, which ``for k, v in d.items()`` binds each to its name."""
    if not isinstance(value, ScopedPairs):
        return None
    return ReturnedTuple(value.prov, items=(kept(value.keys), Value(value.prov)))


def key_grown(holder: Value, method: str, args: list[Value]) -> Value | None:
    """``d.update(x)``, ``d.setdefault(k, v)`` on a dict of scoped keys: still one when every key put
    in is a scoped id (``update`` with another such dict, ``setdefault`` with a scoped id), else an
    ordinary dict; None when ``holder`` is no such dict or ``method`` puts no key."""
    if method not in KEY_GROWERS:
        return None
    if empty_dict(holder):  # ``{}`` given a key of any origin is no longer ``{}``
        return opened(holder, *args)
    if not isinstance(holder, ScopedKeys):
        return None
    if method == "setdefault" and args and carried(args[0]):
        return None
    if method == "update" and len(args) == 1 and isinstance(args[0], ScopedKeys):
        return None
    return Value(holder.prov)


def returned_keys(table: str, helper: str) -> ScopedKeys:
    """What a caller holds after a call of ``helper`` returning a dict keyed by ids of ``table``."""
    ids = Value(Provenance.trusted(f"ids of {table} rows, the keys of a dict returned by {helper}()"),
                scoped_row_of=table)
    return ScopedKeys(UNKNOWN, keys=ids)
