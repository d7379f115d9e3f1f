"""One copy of each equal value across the summaries and call sites a run holds until the join.

Every file's result keeps its functions' summaries and its call sites until the project-wide join
(``crossfn/combine.py``): about 11,000 summaries on a 2,000-file project. Most of their values
repeat across files: parameter lists (``(request, pk)``: 800 distinct lists among 11,000 summaries),
handler kinds, callee and caller names (each caller is some summary's qualified name), arguments
(``Arg(0, "", "unknown", "parameter pk", None)``). Results come from the cache and from worker
processes (unpickled) as separate objects, so the runner passes each result through :meth:`Sharing.result`
as it arrives; the records it returns are equal to the ones it was given.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from typing import TypeVar

from tenantlint.results import Arg, FileResult, Site, Summary

T = TypeVar("T")


class Sharing:
    """The values seen so far in one run (dropped with it)."""

    def __init__(self) -> None:
        self._seen: dict[object, object] = {}

    def _one(self, value: T) -> T:
        found = self._seen.setdefault(value, value)
        return found  # type: ignore[return-value]  # equal, hence of the same type

    def _names(self, names: tuple[str, ...]) -> tuple[str, ...]:
        if not names:
            return ()
        found = self._seen.get(names)
        if found is None:
            found = self._seen[names] = tuple(sys.intern(n) for n in names)
        return found  # type: ignore[return-value]

    def result(self, r: FileResult) -> FileResult:
        """``r`` with its summaries, call sites and asked callees made of shared values (in place)."""
        if r.summaries:
            r.summaries = [self._summary(s) for s in r.summaries]
        if r.calls:
            r.calls = [self._site(s) for s in r.calls]
        if r.returns_asked:
            r.returns_asked = [sys.intern(c) for c in r.returns_asked]
        if r.dropped:
            r.dropped = [sys.intern(c) for c in r.dropped]
        return r

    def _summary(self, s: Summary) -> Summary:
        return replace(s, qualname=sys.intern(s.qualname), path=sys.intern(s.path),
                       params=self._names(s.params),
                       handler=None if s.handler is None else sys.intern(s.handler),
                       returns=sys.intern(s.returns), system=sys.intern(s.system),
                       passes=self._names(s.passes), bases=self._names(s.bases))

    def _site(self, s: Site) -> Site:
        return replace(s, callee=sys.intern(s.callee), path=sys.intern(s.path),
                       caller=None if s.caller is None else sys.intern(s.caller),
                       handler=None if s.handler is None else sys.intern(s.handler),
                       args=self._one(tuple(self._arg(a) for a in s.args)),
                       selected=self._names(s.selected))

    def _arg(self, a: Arg) -> Arg:
        if a.span is not None:  # request input: its own place, nothing to share
            return a
        return self._one(a)
