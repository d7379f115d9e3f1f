"""The key of a query whose filter is its function's own ``**kwargs`` (``**kwargs``), and the call
keywords that pin its tenant: what ``combine.py`` judges such a query's calls by. The analysis side
is ``analysis/interp/kwargs_filters.py``; this module imports no parser (warm runs load none)."""

from __future__ import annotations

SPREAD = "**"  # a query key naming the ``**kwargs`` parameter whose keywords are its filter
# Lookup suffixes under which a tenant keyword still pins the tenant (``tenant_id__in=[...]``,
# ``workspace__slug=slug``): equality and membership, never a negation or a range
_PIN_SUFFIXES = frozenset({"exact", "in", "id", "pk", "slug"})
_ROW_KEYWORDS = frozenset({"id", "pk", "id__in", "pk__in", "id__exact", "pk__exact"})


def is_spread(key: str) -> bool:
    return key.startswith(SPREAD)


def tenant_keyword(keyword: str, tenants: tuple[str, ...]) -> bool:
    """``keyword`` of a call pins the tenant of a query whose tenant columns are ``tenants``:
    ``tenant_id``, ``tenant_id__in``, ``workspace__slug`` (``workspace`` being one)."""
    head, _, rest = keyword.partition("__")
    return head in tenants and (not rest or rest in _PIN_SUFFIXES)


def row_keyword(keyword: str) -> bool:
    """``keyword`` names rows by their primary key (``id``, ``pk``, ``id__in``): the rows the value
    names, judged as any id passed to a helper is."""
    return keyword in _ROW_KEYWORDS
