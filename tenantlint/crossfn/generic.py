"""Generic base methods across functions: a query of ``CommonService.get_by_id`` walked for one
concrete subclass (``FileService``, ``model = File``) is judged at the calls that reach that walk.

A call reaches the walk for ``FileService`` when it is spelled on a class of the query's ``reach``
(``FileService.get_by_id``, ``cls.get_by_id`` in ``FileService``, a subclass of it, or a class
between it and the base, whose ``cls`` may be any subclass); a call resolved with no class spelled
(through a receiver's known type) reaches every walk. The caller set of the walk is closed when the
project spells the method on those classes exactly as often as resolved calls do, and spells it
nowhere else, except on an attribute of ``cls``/``self`` holding a model (``cls.model.get_by_id``
is the model's own method); with no such spelling at all, no code reaches the walk (the method
being called through other subclasses only), and it queries nothing. Spellings on other classes
(``UserService.get_by_id`` of an unrelated service, ``Document.get_by_id`` of a model) are no
calls of it.
"""

from __future__ import annotations

from collections.abc import Mapping

from tenantlint.analysis.interp.method_refs import HELD, ON_CLASS
from tenantlint.crossfn.closure import NO_COUNTS, NO_SITES, OPEN, SPELLED, Blame
from tenantlint.crossfn.records import GUARD_ID, GUARD_TRUSTED, KeyedQuery, Site, Summary, decode_guard


def applies(site: Site, q: KeyedQuery) -> bool:
    """``site`` (a call of the method holding ``q``) reaches ``q``'s walk."""
    return not q.reach or not site.via or site.via in q.reach


class Receivers:
    """The project's spellings of each method name per receiver (``method_refs.ON_CLASS`` keys of
    the name counts): ``{"get_by_id": {"FileService": 3, ".model": 5}}``."""

    def __init__(self, counts: Mapping[str, int] | None) -> None:
        self.counts = counts
        self.by_name: dict[str, dict[str, int]] = {}
        for key, n in (counts or {}).items():
            if ON_CLASS in key:
                name, _, recv = key.partition(ON_CLASS)
                self.by_name.setdefault(name, {})[recv] = n

    def blame(self, fn: Summary, q: KeyedQuery, sites: list[Site], called: bool) -> Blame | None:
        """Why the caller set of ``q``'s walk is open (None when closed); ``sites``: the resolved
        calls of ``fn`` that reach it; ``called``: ``fn`` has resolved calls at all. A walk no call
        reaches while the method has calls (through other subclasses) and no spelling may reach it
        queries nothing: closed. A method with no call site at all stays open."""
        if fn.open:
            return Blame(OPEN, fn.qualname)
        if self.counts is None:
            return Blame(NO_COUNTS, fn.qualname, known=len(sites))
        if not sites and not called:
            return Blame(NO_SITES, fn.qualname)
        spelled = self.by_name.get(fn.name, {})
        total = self.counts.get(fn.name, 0)
        held = frozenset(q.held)
        # spelled on anything but a class or a model held by the class: a variable, a module, a
        # bare name, an attribute of ``self`` holding something else (may be any subclass)
        other = total - sum(n for r, n in spelled.items() if not r.startswith(HELD) or r[1:] in held)
        reachers = {*q.reach, *(s.via for s in sites if s.via)}
        on_reach = sum(n for r, n in spelled.items() if r in reachers)
        resolved = sum(1 for s in sites if not s.system and s.via in reachers)
        if other or on_reach != resolved or any(not s.via and not s.system for s in sites):
            if not sites:
                return Blame(NO_SITES, fn.qualname)
            return Blame(SPELLED, fn.qualname, spelled=on_reach + other, resolved=resolved,
                         known=len(sites))
        return None


def guarded_read(caller: Summary, names: set[str]) -> set[str]:
    """The parameters of ``caller`` a read keyed by ``names`` is judged by at its callers: an id
    parameter ``caller`` guards (it fetches the row by it, then refuses or answers no unless the
    row's tenant is the caller's: ``ChannelService.accessible(channel_id, user_id)``) is confined
    by that check, and is replaced by the parameter it was checked against (none when that is a
    trusted value): the read is the check's own fetch."""
    out = set(names)
    for guard in caller.guards:
        checked, attr, against, _ = decode_guard(guard)
        if attr == GUARD_ID and checked in out:
            out.discard(checked)
            if against != GUARD_TRUSTED and against in caller.params:
                out.add(against)
            elif against != GUARD_TRUSTED:
                out.add(checked)  # checked against something else: as before
    return out
