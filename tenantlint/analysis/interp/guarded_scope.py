"""A tenant filter applied under a test of its own tenant value: ``if self.group_id: stmt =
stmt.filter(Recipe.group_id == self.group_id)``.

Repositories shared by user-facing code and system code narrow by their tenant value when they have
one: the filter is skipped only when the trusted tenant value is empty, that is when there is no
tenant at all (a system context: an admin or maintenance repository built with ``group_id=None``).
So after such an ``if`` (no ``else``), a query that the branch narrowed only by trusted tenant
predicates on the tested value keeps the branch's scoping instead of the unscoped fall-through.
The test must be the trusted value itself (``if v:``, ``if v is not None:``, or several joined by
``and``); a filter under any other condition (``if include_shared:``) scopes one path only.
"""

from __future__ import annotations

import libcst as cst

from tenantlint.analysis.facts import Trust
from tenantlint.analysis.interp.evaluator import Evaluator
from tenantlint.analysis.interp.exprs import dotted
from tenantlint.analysis.interp.values import QueryValue, Value


def guard_texts(ev: Evaluator, test: cst.BaseExpression) -> list[str] | None:
    """The trusted values ``test`` requires to be set, as written; None for any other test."""
    if isinstance(test, cst.BooleanOperation) and isinstance(test.operator, cst.And):
        left, right = guard_texts(ev, test.left), guard_texts(ev, test.right)
        return left + right if left is not None and right is not None else None
    if (isinstance(test, cst.Comparison) and len(test.comparisons) == 1
            and isinstance(test.comparisons[0].operator, cst.IsNot)
            and isinstance(test.comparisons[0].comparator, cst.Name)
            and test.comparisons[0].comparator.value == "None"):
        test = test.left
    text = dotted(test, calls=False)
    if text is None or not isinstance(test, cst.Name | cst.Attribute):
        return None
    if ev.eval(test, use=False).prov.trust is not Trust.TRUSTED:
        return None
    return [text]


def keep_guarded(ev: Evaluator, test: cst.BaseExpression, then_env: dict[str, Value],
                 else_env: dict[str, Value]) -> None:
    """Take the then-branch's value into ``else_env`` for every query it narrowed only by trusted
    tenant predicates on the tested values."""
    guards = guard_texts(ev, test)
    if not guards:
        return
    for name, then in then_env.items():
        other = else_env.get(name)
        if not (isinstance(then, QueryValue) and isinstance(other, QueryValue)
                and then.origin is not None and then.origin is other.origin):
            continue
        before, after = other.state.pins, then.state.pins
        added = after[len(before):]
        if after[:len(before)] != before or not added:
            continue
        if all(p.prov.trust is Trust.TRUSTED and any(g in p.prov.source for g in guards) for p in added):
            else_env[name] = then
