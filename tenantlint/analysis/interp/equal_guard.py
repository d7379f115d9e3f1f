"""A request value refused unless it equals a trusted one: ``if current_user.id != tenant_id: return``.

A handler that leaves (returns, raises, aborts) when a name holding request input differs from a
trusted value goes on only when the two are equal: on that path the name holds the trusted value,
and a tenant filter pinned to it pins the trusted value (the URL's ``tenant_id`` refused unless it
is the caller's own id, where the tenant is its owner user). Only a plain name is narrowed (a local
or a parameter), only by ``!=`` (``is not``, ``not ... ==``, each ``or``-ed alternative) against
a value that is itself trusted, and only
on the path after the ``if`` whose body leaves; an ``==`` test whose body goes on narrows nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from tenantlint.analysis.facts import Provenance, Trust
from tenantlint.analysis.interp.exprs import dotted
from tenantlint.analysis.interp.refusals import mismatch_sides
from tenantlint.analysis.interp.values import Value

if TYPE_CHECKING:
    from tenantlint.analysis.interp.evaluator import Evaluator
    from tenantlint.analysis.interp.function_state import FunctionState


def narrow_equal(ev: Evaluator, state: FunctionState, test: cst.BaseExpression) -> None:
    """On the path after ``if <name> != <trusted>: <leave>``, ``name`` holds the trusted value (each
    ``or``-ed alternative: the path goes on only when every one of them is false)."""
    for sides in mismatch_sides(test):
        for name, other in (sides, sides[::-1]):
            if not isinstance(name, cst.Name):
                continue
            held = state.env.get(name.value)
            if held is None or held.prov.trust is not Trust.UNTRUSTED:
                continue
            value = ev.eval(other, use=False)
            if value.prov.trust is Trust.TRUSTED:
                text = dotted(other) or value.prov.source
                why = f"{name.value}, refused unless equal to {text}"
                state.env[name.value] = Value(Provenance.trusted(why))
                break
