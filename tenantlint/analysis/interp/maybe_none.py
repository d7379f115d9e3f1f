"""A name that is ``None`` on one path and a value on the other, narrowed by a test.

::

    if not maybe_user_profile.is_authenticated:
        user_profile = None
    else:
        user_profile = maybe_user_profile
    ...
    assert user_profile is not None
    UserMessage.objects.filter(user_profile=user_profile)   # the authenticated user

At the join the name is an ordinary value of no one origin, as any two branch values are
(``values.worse``); it also keeps the value of the path that did not bind ``None``
(``Value.unless_none``). A test that proves the name is not ``None`` gives it that value back: an
``assert`` of it (``assert x is not None``, ``assert x``, ``assert isinstance(x, T)``, or an
``and``-ed part of one), the body of ``if x is not None:`` (``if x:``), and the path that goes on
after ``if x is None: return``/``raise`` (``if not x:``, an ``or``-ed part). Nothing else reads the
kept value, so a filter on a name that may still be ``None`` (``acting_user=None`` reads the rows
with no acting user, every tenant's) stays an ordinary value.
"""

from __future__ import annotations

from dataclasses import replace

import libcst as cst

from tenantlint.analysis.facts import Provenance
from tenantlint.analysis.interp.exprs import is_none
from tenantlint.analysis.interp.values import CONSTANT_ORIGIN, Value

# The value of the literal ``None``: equal to ``Value()`` (it pins nothing), told apart by identity;
# and the same once a local bound to it is marked a constant local (``interp/constant_locals.py``).
NONE_LITERAL = Value()
NONE_CONSTANT = Value(Provenance.unknown(CONSTANT_ORIGIN))


def bound(expr: cst.BaseExpression, value: Value) -> Value:
    """The value a name assigned ``expr`` holds: one of the ``None`` markers for ``= None``."""
    if is_none(expr):
        for marker in (NONE_LITERAL, NONE_CONSTANT):
            if value == marker:
                return marker
    return value


def _none(value: Value) -> bool:
    return value is NONE_LITERAL or value is NONE_CONSTANT


def join(a: Value, b: Value, merged: Value) -> Value:
    """``merged`` (the join of branch values ``a`` and ``b``), keeping the other one when exactly
    one of them is ``None``."""
    if _none(a) == _none(b):
        return merged
    other = b if _none(a) else a
    kept = other.unless_none or other
    return replace(merged, unless_none=kept)


def _comparison(node: cst.Comparison) -> tuple[str, type] | None:
    if len(node.comparisons) != 1 or not isinstance(node.left, cst.Name):
        return None
    target = node.comparisons[0]
    if not is_none(target.comparator):
        return None
    return node.left.value, type(target.operator)


def true_names(test: cst.BaseExpression) -> set[str]:
    """Names that are not ``None`` when ``test`` is true."""
    if isinstance(test, cst.Name) and test.value not in ("None", "True", "False"):
        return {test.value}
    if isinstance(test, cst.Comparison):
        found = _comparison(test)
        return {found[0]} if found is not None and found[1] is cst.IsNot else set()
    if isinstance(test, cst.BooleanOperation) and isinstance(test.operator, cst.And):
        return true_names(test.left) | true_names(test.right)
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        return false_names(test.expression)
    if isinstance(test, cst.Call) and isinstance(test.func, cst.Name) \
            and test.func.value == "isinstance" and test.args \
            and isinstance(test.args[0].value, cst.Name):
        return {test.args[0].value.value}
    return set()


def false_names(test: cst.BaseExpression) -> set[str]:
    """Names that are not ``None`` when ``test`` is false."""
    if isinstance(test, cst.Comparison):
        found = _comparison(test)
        return {found[0]} if found is not None and found[1] is cst.Is else set()
    if isinstance(test, cst.BooleanOperation) and isinstance(test.operator, cst.Or):
        return false_names(test.left) | false_names(test.right)
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        return true_names(test.expression)
    return set()


def narrow(env: dict[str, Value], names: set[str]) -> None:
    """Give each of ``names`` that may be ``None`` the value of the path that bound something else."""
    for name in names:
        value = env.get(name)
        if value is not None and value.unless_none is not None:
            env[name] = value.unless_none
