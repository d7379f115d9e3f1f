"""Django lookup keywords (``org__id__in``) split into a field path and an operator. No libcst: the
pre-pass readers on ``ast`` use it too."""

from __future__ import annotations

LOOKUP_OPS = {"exact": "eq", "iexact": "eq", "in": "in", "isnull": "isnull"}


def split_lookup(key: str) -> tuple[str, str]:
    """``org__id__in`` -> (``org``, ``in``); ``org_id`` -> (``org_id``, ``eq``)."""
    parts = key.split("__")
    op = "eq"
    if len(parts) > 1 and parts[-1] in LOOKUP_OPS:
        op = LOOKUP_OPS[parts.pop()]
    elif len(parts) > 1 and parts[-1] in ("gt", "gte", "lt", "lte", "contains", "icontains",
                                          "startswith", "istartswith", "range", "regex", "ne"):
        op = "ne" if parts[-1] == "ne" else "other"
        parts.pop()
    if len(parts) > 1 and parts[-1] in ("id", "pk"):
        parts.pop()
    return "__".join(parts), op
