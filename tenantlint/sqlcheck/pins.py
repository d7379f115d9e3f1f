"""Predicate pieces: constants a tenant column can be pinned to, and weakened predicate shapes."""

from __future__ import annotations

from sqlglot import exp

from tenantlint.sqlcheck.params import param_ref
from tenantlint.sqlcheck.verdict import ParamRef

Pin = ParamRef | str  # a placeholder, or the SQL text of a literal


def unwrap(node: exp.Expr) -> exp.Expr:
    while isinstance(node, (exp.Paren, exp.Cast, exp.TryCast, exp.Any)) and isinstance(
        node.this, exp.Expr
    ):
        node = node.this
    return node


def constant(node: exp.Expr) -> Pin | None:
    node = unwrap(node)
    ref = param_ref(node)
    if ref is not None:
        return ref
    if isinstance(node, exp.Literal):
        return node.sql()
    return None


def weak_reason(node: exp.Expr) -> str | None:
    if isinstance(node, exp.Or):
        for alt in node.find_all(exp.Is):
            if isinstance(alt.expression, exp.Null):
                return "beside an IS NULL alternative"
        return "under OR"
    if isinstance(node, exp.Not):
        return "negated"
    if isinstance(node, exp.NEQ):
        return "compared with != / <>"
    return None


def pin_order(pin: Pin) -> tuple[int, int, str]:
    if isinstance(pin, ParamRef):
        return (0, pin.index if pin.index is not None else -1, pin.name or "")
    return (1, 0, pin)
