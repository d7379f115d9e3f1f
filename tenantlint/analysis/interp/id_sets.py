"""Dicts of id collections: ``defaultdict(set)`` whose every entry holds scoped ids, or values of one
parameter beside them (docs/concepts.md, "Scoped ids through ordinary data handling").

A ``defaultdict(set)`` (``list``, ``frozenset``) filled only by ``d[k] = ids``, ``d[k] |= ids``
(``+=``, ``&=``, ``-=``) and ``d[k].add(id)`` (``update``, ``append``, ``extend``) with ids taken from
rows that carry their tenant (``{row["sender_id"] for row in scoped_rows}``) is an :class:`IdSets`:
an entry read back (``d[k]``, ``d.get(k)``) holds such ids whatever its key (a missing key of a
``defaultdict`` gives an empty collection, which holds none of another origin). Entries that hold the
values of one parameter (or of rows its parameters alone fetched), alone or beside scoped ids, hold
that parameter's values, as a union of them does (``interp/scoped_ids.py``). One entry of another
origin, a request value, or ``d.update(...)``/``d.setdefault(...)`` makes it an ordinary dict; the
keys are never ids of anything.

A function whose every ``return`` gives such a dict returns it to its callers: kind
``idsets:TABLE`` for scoped ids of ``TABLE``, or ``keyedidsets:POSITION:PARAM:TABLE`` for values of a
parameter, which a call turns into what the argument passed for it makes of them
(``interp/keyed_ids.py``: scoped ids for a row that carries its tenant, the caller's own parameter's
values, request input, or nothing known).
"""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst

from tenantlint.analysis.facts import Provenance
from tenantlint.analysis.interp.by_id_rows import parameter_keys
from tenantlint.analysis.interp.exprs import merge_prov
from tenantlint.analysis.interp.keyed_ids import keyed_ids_value, keyed_position
from tenantlint.analysis.interp.returns import NO_VALUE
from tenantlint.analysis.interp.scoped_ids import carried, kept
from tenantlint.analysis.interp.values import IdSets, QueryValue, SeqValue, Value, empty_collection

ID_SETS = "idsets"  # return kind ``idsets:TABLE``
KEYED_ID_SETS = "keyedidsets"  # return kind ``keyedidsets:POSITION:PARAM:TABLE``
_FACTORIES = frozenset({"set", "list", "frozenset"})
_DEFAULTDICT = frozenset({"collections.defaultdict", "defaultdict"})
# ``d[k] <op>= ids``: what the entry holds after it (``-``/``&``: no more than it held before)
_SUBSETS = (cst.SubtractAssign, cst.BitAndAssign)
_GROWS = (cst.BitOrAssign, cst.AddAssign, cst.BitXorAssign)
ENTRY_GROWERS = frozenset({"add", "update", "append", "extend"})
_DICT_GROWERS = frozenset({"update", "setdefault", "fromkeys", "__setitem__"})


def started(qual: str, node: cst.Call) -> IdSets | None:
    """``defaultdict(set)``: a dict of id collections, empty."""
    if qual not in _DEFAULTDICT or len(node.args) != 1 or node.args[0].keyword is not None:
        return None
    factory = node.args[0].value
    if not isinstance(factory, cst.Name) or factory.value not in _FACTORIES:
        return None
    return IdSets()


def _held_ids(value: Value) -> bool:
    """Scoped ids, or values of one parameter (or of rows its parameters alone fetched)."""
    if isinstance(value, QueryValue) or type(value) not in (Value, SeqValue) or value.untrusted:
        return False
    return carried(value) or parameter_keys(value) is not None


def _combined(old: Value | None, new: Value) -> Value | None:
    """What entries hold once ``new`` joined ``old`` (None: values of no one kind)."""
    if empty_collection(new):
        return old
    if not _held_ids(new):
        return None
    if old is None:
        return kept(new)
    if carried(old) and carried(new):
        fields = {old.key_field, new.key_field}
        return Value(old.prov, scoped_row_of=old.scoped_row_of, row_key=old.row_key and new.row_key,
                     key_field=old.key_field if len(fields) == 1 else "")
    rest = [v for v in (old, new) if not carried(v)]
    if any(v.prov != rest[0].prov for v in rest):
        return None
    tables = [v.scoped_row_of or v.beside_scoped for v in (old, new) if carried(v) or v.beside_scoped]
    return Value(rest[0].prov, beside_scoped=tables[0] if tables else "")


def _ordinary(holder: IdSets, *put: Value) -> Value:
    return Value(merge_prov([*(v for v in (holder.held,) if v is not None), *put]))


def put(holder: IdSets, value: Value) -> Value:
    """``holder[k] = value`` (or ``|=``, ``.add(value)``): the dict after it."""
    held = _combined(holder.held, value)
    return IdSets(held=held) if held is not None else _ordinary(holder, value)


def augmented(holder: IdSets, op: cst.BaseAugOp, value: Value) -> Value:
    """``holder[k] <op>= value``."""
    if isinstance(op, _SUBSETS):
        return holder  # only values the entry held remain
    if isinstance(op, _GROWS):
        return put(holder, value)
    return _ordinary(holder, value)


def grown(holder: Value, method: str) -> Value | None:
    """``holder.update(...)``, ``holder.setdefault(...)``: keys and entries of any origin."""
    if isinstance(holder, IdSets) and method in _DICT_GROWERS:
        return _ordinary(holder)
    return None


def entry(holder: Value) -> Value | None:
    """``holder[k]`` / ``holder.get(k)`` of a dict of id collections: what every entry holds."""
    if not isinstance(holder, IdSets):
        return None
    return kept(holder.held) if holder.held is not None else SeqValue()


def id_sets_kind(returns: Sequence[Value], params: Sequence[str]) -> str:
    """The ``idsets``/``keyedidsets`` kind of a function with these ``return`` values, or ``""``."""
    values = [r for r in returns if r is not NO_VALUE]
    if not values or not all(isinstance(v, IdSets) for v in values):
        return ""
    held: Value | None = None
    for v in values:
        assert isinstance(v, IdSets)
        if v.held is None:
            continue
        held = _combined(held, v.held) if held is not None else v.held
        if held is None:
            return ""
    if held is None:
        return ""
    if carried(held):
        return f"{ID_SETS}:{held.scoped_row_of}"
    keys = parameter_keys(held)
    position = keyed_position(keys, params) if keys is not None else None
    if keys is None or position is None:
        return ""
    return f"{KEYED_ID_SETS}:{position}:{keys}:{held.beside_scoped}"


def id_sets_value(kind: str, node: cst.Call, values: Sequence[Value], helper: str) -> Value | None:
    """The caller's value of a call of a function returning a dict of id collections."""
    what, _, rest = kind.partition(":")
    if what == ID_SETS and rest:
        return IdSets(held=Value(Provenance.trusted(f"ids of {rest} in a dict returned by {helper}()"),
                                 scoped_row_of=rest))
    if what != KEYED_ID_SETS:
        return None
    held = keyed_ids_value(f"keyedids:{rest}", node, values, helper)
    if held is None or held.untrusted:
        return held
    return IdSets(held=held)
