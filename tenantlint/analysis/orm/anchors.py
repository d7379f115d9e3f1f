"""Rows passed in: a foreign key to a tenant table pinned to a parameter of a helper.

``def remove_bot_storage(bot_profile, keys): BotStorageData.objects.filter(bot_profile=bot_profile,
key__in=keys)`` reads only the rows of the ``bot_profile`` row its caller passes. Such a row carries
its tenant when the caller's value does (the authenticated user, a row fetched by a scoped query): the
query is then confined, and the other keys (``keys`` from the request) only narrow it. Whether it
does is known only at the calls, so the parameter is recorded on the query state as an *anchor*,
never as a pin: the query stays unscoped here, and the cross-function pass
(``tenantlint/crossfn/combine.py``) treats a call that passes a trusted value into an anchor as
confined. A call passing request input into the anchor is still reported, and so is the query where
it is when a call site is unknown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from tenantlint.analysis.facts import Trust
from tenantlint.analysis.interp.predicates import Leaf, Pred, pins_of
from tenantlint.analysis.interp.values import Pin, QueryState, QueryValue
from tenantlint.crossfn.records import PARAMETER


def parameter_of(leaf: Leaf) -> str | None:
    """The parameter a ``=``/``in`` leaf pins its key to (the parameter, or an attribute of it:
    ``user_profile_id=user_profile.id``), if its value is nothing else."""
    value = leaf.value
    if leaf.op not in ("eq", "in") or isinstance(value, QueryValue):
        return None
    if value.prov.trust is not Trust.UNKNOWN or not value.prov.source.startswith(PARAMETER):
        return None
    return value.prov.source[len(PARAMETER):] or None


def anchored(state: QueryState, pred: Pred, is_fk: Callable[[Leaf], bool]) -> QueryState:
    """``state`` with the parameters that a mandatory conjunct of ``pred`` pins a foreign key to a
    tenant table to (``is_fk``) added as anchors."""

    def test(leaf: Leaf) -> Pin | None:
        name = parameter_of(leaf) if is_fk(leaf) else None
        return Pin(leaf.value.prov, detail=name) if name else None

    result = pins_of(pred, test, lambda leaf: False)
    names = frozenset(p.detail for p in result.pins)
    if not names or names <= state.anchors:
        return state
    return replace(state, anchors=state.anchors | names)


def fk_key(key: str, fks: frozenset[str]) -> bool:
    """A lookup key naming a foreign key itself: ``project``, ``project_id``, ``project__id``."""
    if key in fks:
        return True
    head, _, rest = key.partition("__")
    return rest in ("id", "pk") and head in fks
