"""A view's own ``get_queryset``, read where its methods call ``self.get_queryset()``.

::

    class DraftViewSet(ModelViewSet):
        model = Draft

        def get_queryset(self):
            return Draft.objects.filter(workspace__slug=self.kwargs["slug"])  # scoped (verified slug)

        def convert(self, request, slug, draft_id):
            draft = self.get_queryset().filter(pk=draft_id).first()

``self.get_queryset()`` is the view's own query: judged once, where ``get_queryset`` is (TNT202 for an
exposed ``queryset``/``model``, TNT101/TNT103 inside it), never reported again at the call. When every
``return`` of the class's own ``get_queryset`` hands back a query on the table the view exposes (or
on one table, when it exposes none) that is confined to the caller's tenant by a trusted value, the
call is that confined query: a row fetched from it is a row of the caller's tenant, and the ids it is
fetched by are proven (``keyed_fetch.py``). ``super().get_queryset()`` is the base's, not this one.

The class body's own statements run before any method, so they are read first, then
``get_queryset``, then the other methods in their order.
"""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst

from tenantlint.analysis.facts import TENANT_CONFINING
from tenantlint.analysis.interp.values import QueryValue, Value

OWN_QUERYSET = "\x00own get_queryset"  # class_attrs key: no attribute can be spelt so


def own_queryset_first(body: Sequence[cst.BaseStatement]) -> list[cst.BaseStatement]:
    """``body`` with its class-level statements first, then ``get_queryset``, then the other
    methods, each group in source order (the statements' findings do not depend on the order)."""
    own = [s for s in body if isinstance(s, cst.FunctionDef) and s.name.value == "get_queryset"]
    if not own:
        return list(body)
    methods = [s for s in body if isinstance(s, cst.FunctionDef) and s not in own]
    rest = [s for s in body if not isinstance(s, cst.FunctionDef)]
    return [*rest, *own, *methods]


def keep_own_queryset(class_attrs: dict[str, Value], returns: Sequence[Value]) -> None:
    """Keep the query the class's own ``get_queryset`` returns when every ``return`` hands back a
    query on one tenant table confined by a trusted value."""
    queries = [r for r in returns if isinstance(r, QueryValue) and r.origin is not None]
    if not returns or len(queries) != len(returns):
        return
    tables = {q.origin.table for q in queries if q.origin is not None}
    if len(tables) != 1 or any(q.origin is None or q.origin.tenant is None for q in queries):
        return
    for q in queries:
        scoping, untrusted, _ = q.state.verdict()
        if scoping not in TENANT_CONFINING or untrusted is not None:
            return
    class_attrs[OWN_QUERYSET] = queries[0]


def own_queryset(class_attrs: dict[str, Value], exposed: Value | None) -> QueryValue | None:
    """The confined query ``self.get_queryset()`` gives, when the class's own ``get_queryset`` was
    read and returns one on the table the view exposes (any, when it exposes none)."""
    own = class_attrs.get(OWN_QUERYSET)
    if not isinstance(own, QueryValue) or own.origin is None:
        return None
    table = getattr(exposed, "table", None) if not isinstance(exposed, QueryValue) else (
        exposed.origin.table if exposed.origin is not None else None)
    if exposed is not None and table != own.origin.table:
        return None
    return own
