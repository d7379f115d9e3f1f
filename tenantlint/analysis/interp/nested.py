"""Functions nested in a function that is no handler: their queries keyed by the enclosing function's
parameters are that function's id-keyed queries (docs/concepts.md, "Across functions").

A closure reads the enclosing function's parameters, and the locals it computed from them, as they
were captured (``message_ids = [edited.id, *scoped_ids]``; ``def propagate(): return
Message.objects.filter(id__in=message_ids)``): the rows it finds are confined exactly when those
parameters are, so the query is judged at the enclosing function's call sites. A key taken from the
nested function's own parameters comes from calls the summaries do not follow, and keys nothing.
"""

from __future__ import annotations

from tenantlint.analysis.interp.function_state import FunctionState

# The provenance source of a nested function's own parameter: a value, but no parameter of a summary.
NESTED_PARAMETER = "nested function's parameter "


def nested_keys(state: FunctionState, keys: tuple[str, ...] | None) -> tuple[str, ...] | None:
    """``keys`` of a query in ``state``'s function, as its summary holds them: in a nested function,
    only the enclosing function's parameters key it."""
    if keys is None or state.enclosing is None:
        return keys
    if any(k in state.params for k in keys):
        return None
    return keys
