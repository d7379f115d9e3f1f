"""The function a call site is in, for the system-code join: a call made in a nested function (a
closure the walk gives no summary of its own, ``Site.caller`` None) is its enclosing function's.

A nested function exists only while its enclosing function runs, which creates it and hands it on
(``get_timing("fixing", fix)``, a callback, a returned closure): what the nested function calls runs
wherever the enclosing function runs. So a helper only a nested function of a migration helper calls
is reached only from that migration (``crossfn/combine.py``, ``Combiner.system_helpers``). The
id-keyed join uses it for the enclosing function's parameters a closure captured and passes on
(``Combiner.keyed``): they are bound at that function's call sites; other values a closure passes
are judged where they are computed.
A call at module or class level (in no function) stays in no function.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable

from tenantlint.results import Site, Summary


class Enclosing:
    """Per file, the spans of its functions' summaries (first line, last line, qualified name)."""

    def __init__(self, funcs: Iterable[Summary]) -> None:
        spans: dict[str, list[tuple[int, int, str]]] = {}
        for fn in funcs:
            if fn.end >= fn.line:
                spans.setdefault(fn.path, []).append((fn.line, fn.end, fn.qualname))
        self._spans = {path: sorted(found) for path, found in spans.items()}
        self._starts = {path: [span[0] for span in found] for path, found in self._spans.items()}

    def caller(self, site: Site) -> str | None:
        """``site.caller``, or else the innermost function whose span holds the site's line."""
        if site.caller is not None:
            return site.caller
        spans = self._spans.get(site.path)
        if not spans:
            return None
        best: tuple[int, int, str] | None = None
        for span in spans[:bisect_right(self._starts[site.path], site.line)]:
            if span[0] <= site.line <= span[1] and (best is None or span[1] - span[0] < best[1] - best[0]):
                best = span
        return best[2] if best is not None else None
