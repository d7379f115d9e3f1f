"""The one entry of the project-wide join, shared by ``tenantlint check`` and the flake8 plugin:
serializer constructions become call sites of the methods reading ``self.context``
(``crossfn/context.py``), then summaries and call sites are joined (``crossfn/combine.py``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from tenantlint.crossfn.combine import Outcome, combine
from tenantlint.crossfn.context import serializer_context
from tenantlint.results import FileResult


def join(results: Sequence[FileResult], name_counts: Mapping[str, int] | None,
         membership_checks: Iterable[str] = ()) -> Outcome:
    joined, counts = serializer_context(results, name_counts)
    return combine(joined, counts, membership_checks)
