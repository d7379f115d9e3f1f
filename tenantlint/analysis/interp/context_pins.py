"""Tenant values a serializer takes from ``self.context`` (``docs/concepts.md``, "Serializer context").

A model serializer's ``self.context`` holds what the code constructing it passed
(``context={"workspace_id": ...}``); like a helper's parameters, its entries are trusted inside the
serializer, and the caller answers for them. A tenant filter or a written tenant column whose value
is such an entry (``Tag.objects.filter(workspace_id=self.context["workspace_id"])``) makes that
entry a tenant value of the serializer: request input a construction puts there is TNT103 at the
construction (``crossfn/context.py``, ``crossfn/combine.py``). This module finds those entries, per
function: in the states of its ORM queries, and in the facts of its inserts and raw SQL.
"""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from tenantlint.analysis.facts import QueryFact, Trust
from tenantlint.analysis.interp.values import Origin
from tenantlint.crossfn.records import context_entry

ContextPin = tuple[str, str, cst.CSTNode]  # (function, entry of ``self.context``, query node)


def fact_entries(function: str | None, fact: QueryFact) -> Iterator[ContextPin]:
    """The ``self.context`` entries an insert's tenant column or a raw statement's tenant
    predicate takes its value from."""
    if function is None:
        return
    for use in fact.uses:
        for f in use.filters:
            if f.trust is Trust.UNTRUSTED or not f.chain:
                continue
            entry = context_entry(f.chain[0].text)
            if entry is not None:
                yield function, entry, fact.node


def origin_entries(origin: Origin) -> Iterator[ContextPin]:
    """The ``self.context`` entries an ORM query's tenant predicates pin the tenant to."""
    if origin.function is None or origin.tenant is None:
        return
    states = [s for _, s in origin.uses] + ([origin.latest] if origin.latest is not None else [])
    seen: set[str] = set()
    for state in states:
        if state.bypass is not None:
            continue  # system scope, or a manager that scopes itself: no tenant value of the caller's
        for pin in state.pins:
            entry = context_entry(pin.prov.source) if pin.prov.trust is not Trust.UNTRUSTED else None
            if entry is not None and entry not in seen:
                seen.add(entry)
                yield origin.function, entry, origin.node
