"""Boolean predicate trees (Django ``Q``, SQLAlchemy ``and_``/``or_``) and mandatory-pin analysis.

A predicate is built without knowing which table it will filter; ``pins_of`` decides, for one table,
which tenant predicates are mandatory conjuncts and which are weakened (under OR, negated, or beside
an IS NULL alternative).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tenantlint.analysis.facts import Scoping
from tenantlint.analysis.interp.values import Pin, Value


@dataclass(frozen=True, slots=True)
class Leaf:
    key: str  # Django lookup (``org__id``) or column name (``org_id``)
    value: Value
    table: str | None = None  # SQLAlchemy column's table; None for Django lookups
    op: str = "eq"  # "eq" | "in" | "ne" | "isnull" | "other"
    # ``id=image.id``: the table of the held, still unchecked row whose own id this is
    # (``analysis/interp/own_id.py``), else ""
    own_row: str = ""


@dataclass(frozen=True, slots=True)
class Junction:
    op: str  # "and" | "or" | "not"
    children: tuple[Pred, ...]


Pred = Leaf | Junction


@dataclass(frozen=True, slots=True)
class PredValue(Value):
    pred: Pred | None = None


LeafTest = Callable[[Leaf], "Pin | None"]


@dataclass(frozen=True, slots=True)
class PinResult:
    pins: tuple[Pin, ...] = ()
    weakened: str = ""
    mentions: bool = False  # the tenant column appears at all (e.g. an IS NULL alternative)


def pins_of(pred: Pred, test: LeafTest, is_tenant_key: Callable[[Leaf], bool]) -> PinResult:
    """Mandatory pins of ``pred`` for one table, or why its tenant predicates are not mandatory."""
    if isinstance(pred, Leaf):
        return _leaf_pins(pred, test, is_tenant_key)
    parts = [pins_of(c, test, is_tenant_key) for c in pred.children]
    if pred.op == "and":
        return _and_pins(parts)
    if pred.op == "or":
        return _or_pins(parts)
    return _not_pins(parts)


def _leaf_pins(pred: Leaf, test: LeafTest, is_tenant_key: Callable[[Leaf], bool]) -> PinResult:
    """``col == v`` / ``col IN (...)`` pins when ``test`` accepts it; ``col != v`` is negated."""
    pin = test(pred) if pred.op in ("eq", "in") else None
    if pin is not None:
        return PinResult((pin,), "", True)
    if is_tenant_key(pred):
        return PinResult((), "negated" if pred.op == "ne" else "", True)
    return PinResult()


def _and_pins(parts: list[PinResult]) -> PinResult:
    """Every part must hold: the pins of any part are mandatory."""
    pins = tuple(p for r in parts for p in r.pins)
    if pins:
        return PinResult(pins, "", True)
    weak = next((r.weakened for r in parts if r.weakened), "")
    return PinResult((), weak, any(r.mentions for r in parts))


def _or_pins(parts: list[PinResult]) -> PinResult:
    """Mandatory only when every alternative pins; else weakened (under OR, or an IS NULL alternative)."""
    if parts and all(r.pins for r in parts):
        return PinResult(tuple(p for r in parts for p in r.pins), "", True)
    if any(r.pins or r.weakened for r in parts):
        isnull = any(r.mentions and not r.pins and not r.weakened for r in parts)
        return PinResult((), "beside an IS NULL alternative" if isnull else "under OR", True)
    return PinResult((), "", any(r.mentions for r in parts))


def _not_pins(parts: list[PinResult]) -> PinResult:
    """A negated pin pins nothing."""
    inner = parts[0] if parts else PinResult()
    # A negated tenant predicate is weakened (TNT105); a negated parent row (``~Q(cycle=cycle)``)
    # confines nothing and was no tenant predicate to begin with (TNT101).
    if inner.weakened or any(p.how is not Scoping.SCOPED_PARENT for p in inner.pins):
        return PinResult((), "negated", True)
    return PinResult((), "", inner.mentions)


def conj(*preds: Pred) -> Pred:
    return preds[0] if len(preds) == 1 else Junction("and", tuple(preds))
