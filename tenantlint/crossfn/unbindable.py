"""The spellings of a function's name that are calls which cannot bind to it (``shapes.binds``):
no call of it, so they leave its caller set as it is (``combine.Project.spelled``).

The project's name counts hold every call's shape per name (``shapes.SHAPE`` keys), marked when the
spelling is also counted under a key that ``combine.Project.spelled`` subtracts already; the
resolved call sites hold theirs (``Site.shape``). A call that cannot bind to ``fn`` is left out of
the spellings of its name and, when it was resolved (to another function of that name), out of the
resolved calls they are compared with. A resolved call whose spelling was not counted is left out of
the resolved calls all the same: the caller set then stays open, never closes wrongly.
"""

from __future__ import annotations

from collections.abc import Mapping

from tenantlint.crossfn.shapes import MARKS, SHAPE, binds, is_method
from tenantlint.results import Site


class Unbindable:
    def __init__(self, counts: Mapping[str, int] | None) -> None:
        # name -> (shape, marks, count)
        self.spelled: dict[str, list[tuple[str, str, int]]] = {}
        # name -> (kind of the function it resolved to, shape, spelt bare, a reference) of resolved
        # calls and references with a shape or spelt bare
        self.resolved: dict[str, list[tuple[str, str, bool, bool]]] = {}
        self._spellings: dict[tuple[str, str, str], int] = {}  # asked again for each walk and round
        self._calls: dict[tuple[str, str, str | None, bool], int] = {}
        for key, n in (counts or {}).items():
            if SHAPE in key:
                name, _, rest = key.partition(SHAPE)
                shape, _, marks = rest.rpartition(MARKS)
                self.spelled.setdefault(name, []).append((shape, marks, n))

    def add_resolved(self, name: str, kind: str, site: Site) -> None:
        """A resolved call or reference of a function of ``kind`` counted among those of ``name``."""
        if site.shape or site.bare:
            self.resolved.setdefault(name, []).append((kind, site.shape, site.bare, site.reference))

    def spellings(self, name: str, signature: str, skip: str) -> int:
        """The calls spelling ``name`` that cannot bind ``signature``, but those marked with any of
        ``skip`` (counted under a key already left out)."""
        if not signature:
            return 0
        key = (name, signature, skip)
        found = self._spellings.get(key)
        if found is None:
            found = self._spellings[key] = sum(
                n for shape, marks, n in self.spelled.get(name, ())
                if not any(m in marks for m in skip) and not binds(signature, shape))
        return found

    def calls(self, name: str, signature: str, kind: str | None, refs: bool) -> int:
        """The resolved calls (and, with ``refs``, references) of ``name`` (to functions of ``kind``,
        or any) that cannot name a function of ``signature``: calls that cannot bind it and, for a
        method, the ones spelt bare."""
        if not signature:
            return 0
        key = (name, signature, kind, refs)
        found = self._calls.get(key)
        if found is None:
            method = is_method(signature)
            found = self._calls[key] = sum(
                1 for k, shape, bare, reference in self.resolved.get(name, ())
                if (refs or not reference) and (kind is None or k == kind) and (
                    (bare and method) or (shape and not binds(signature, shape))))
        return found
