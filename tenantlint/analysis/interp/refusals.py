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
    if isinstance(test, cst.BooleanOperation) and isinstance(test.operator, cst.Or):
        return mismatch_sides(test.left) + mismatch_sides(test.right)
    negated = isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not)
    if isinstance(test, cst.UnaryOperation) and negated:
        test = test.expression
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
        target = test.comparisons[0]
        differ = (cst.Equal, cst.Is) if negated else (cst.NotEqual, cst.IsNot)
        if isinstance(target.operator, differ):
            return [(test.left, target.comparator)]
    return []


def refusing_call(small: cst.CSTNode) -> bool:
    """A statement that calls a refusing function (``abort(404)``, ``PermissionDenied()``)."""
    if isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
        name = dotted(small.value.func) or ""
        return name.rsplit(".", 1)[-1] in REFUSING_CALLS
    return False
