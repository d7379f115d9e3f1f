"""Readers of refusals: the ``a != b`` alternatives of an ``if`` test, and statements that call a
refusing function (``abort(404)``, ``PermissionDenied()``). One reader of each, shared by the tenant
guards, checks after the fetch and the equality guard."""

from __future__ import annotations

import libcst as cst

from tenantlint.analysis.interp.exprs import dotted

REFUSING_CALLS = frozenset({"abort", "deny", "forbidden", "not_found", "PermissionDenied", "Http404"})


def mismatch_sides(test: cst.BaseExpression) -> list[tuple[cst.BaseExpression, cst.BaseExpression]]:
    """``a != b`` (or ``a is not b``, ``not a == b``) comparisons among ``or``-ed alternatives of an
    ``if`` test."""
    return _refused(test, (cst.NotEqual, cst.IsNot), (cst.Equal, cst.Is))


def not_in_sides(test: cst.BaseExpression) -> list[tuple[cst.BaseExpression, cst.BaseExpression]]:
    """``a not in b`` (or ``not a in b``) comparisons among ``or``-ed alternatives of an ``if`` test,
    as (``a``, ``b``)."""
    return _refused(test, (cst.NotIn,), (cst.In,))


def _refused(test: cst.BaseExpression, differ: tuple[type[cst.BaseCompOp], ...],
             negated_differ: tuple[type[cst.BaseCompOp], ...]
             ) -> list[tuple[cst.BaseExpression, cst.BaseExpression]]:
    """The sides of the single comparisons among ``or``-ed alternatives whose truth refuses: one
    with an operator of ``differ``, or ``not`` of one with an operator of ``negated_differ``."""
    if isinstance(test, cst.BooleanOperation) and isinstance(test.operator, cst.Or):
        return _refused(test.left, differ, negated_differ) + _refused(test.right, differ, negated_differ)
    negated = isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not)
    if isinstance(test, cst.UnaryOperation) and negated:
        test = test.expression
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
        target = test.comparisons[0]
        if isinstance(target.operator, negated_differ if negated else differ):
            return [(test.left, target.comparator)]
    return []


def refusing_call(small: cst.CSTNode) -> bool:
    """A statement that calls a refusing function (``abort(404)``, ``PermissionDenied()``)."""
    if isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
        name = dotted(small.value.func) or ""
        return name.rsplit(".", 1)[-1] in REFUSING_CALLS
    return False
