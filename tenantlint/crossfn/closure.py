"""Why an id-keyed query is, or is not, closed over its callers: the line ``tenantlint explain``
prints for a query the cross-function join looked at (``combine.Combiner.keyed``).

A query keyed only by its function's parameters is dropped where it is when every call site of the
function (and of each caller the key is passed on through) is known and none passes request input.
When one is not, the join records the first reason (a :class:`Blame`), and this module words it:
the function's decorator registers it elsewhere, no call site resolves to it, its name is spelled
more often than resolved calls use it, a ``*args``/``**kwargs`` spread may bind the key, ...
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from tenantlint.results import Site, Summary

# Blame kinds
OPEN = "open"  # registered by a decorator
HANDLER = "handler"  # a request handler (its parameters are the framework's)
NO_SITES = "no-sites"  # no call resolves to it
SPELLED = "spelled"  # its name is spelled more often than resolved calls use it
NO_COUNTS = "no-counts"  # the project was not indexed whole (no name counts)
SPREAD = "spread"  # a ``*args``/``**kwargs`` spread may bind a key
UNTRACED = "untraced"  # request input of unknown position (no argument to report at)
DEPTH = "depth"  # the chain of helpers is too long, or recursive
UNPINNED = "unpinned"  # a call passes a list of conditions confining no rows (reported there too)
EVENT = "event"  # an event put on a named queue may hold anything (a value of unknown origin)
UNWRITTEN = "unwritten"  # a queue's consumer reads an entry of its event that no producer found writes
UNFILTERED = "unfiltered"  # a call gives a ``**kwargs`` filter naming neither the tenant nor a row


@dataclass(frozen=True, slots=True)
class Blame:
    kind: str
    function: str  # the qualified name of the function whose caller set is open
    site: Site | None = None  # the call site, for SPREAD and UNTRACED
    spelled: int = 0  # SPELLED: how often the name is spelled in the project ...
    resolved: int = 0  # ... and how many of those are resolved calls or references of it
    known: int = 0  # the function's resolved call sites
    entry: str = ""  # UNWRITTEN: the entry read (``event['id']``)


def where(site: Site) -> str:
    return f"{site.path}:{site.line}"


def describe(blame: Blame) -> str:
    """One sentence: why the query stays reported where it is."""
    fn = blame.function
    sites = f"called from {blame.known} known site{'s' if blame.known != 1 else ''}"
    if blame.kind == OPEN:
        return f"{fn} is registered by a decorator: its callers are not all in the project"
    if blame.kind == HANDLER:
        return f"{fn} is a request handler"
    if blame.kind == NO_SITES:
        return f"no call site in the project resolves to {fn}"
    if blame.kind == SPELLED:
        rest, _, name = fn.rpartition(".")
        if name == "__init__":  # spelt as its class (``combine.spelling``)
            name = rest.rpartition(".")[2]
        return (f"{fn} is {sites}; caller set open: name '{name}' spelled {blame.spelled} times in "
                f"the project, {blame.resolved} of them resolved to it")
    if blame.kind == NO_COUNTS:
        return f"{fn} is {sites}; caller set open: the project was not indexed whole"
    if blame.kind == SPREAD:
        assert blame.site is not None
        return f"the call of {fn} at {where(blame.site)} may bind the key through *args/**kwargs"
    if blame.kind == UNTRACED:
        assert blame.site is not None
        return f"the call of {fn} at {where(blame.site)} passes request input of unknown position"
    if blame.kind == UNPINNED:
        assert blame.site is not None
        return (f"the call of {fn} at {where(blame.site)} passes conditions with no tenant condition "
                "(reported at that call too)")
    if blame.kind == EVENT:
        assert blame.site is not None
        return f"the event put on the queue of {fn} at {where(blame.site)} is of unknown origin"
    if blame.kind == UNFILTERED:
        assert blame.site is not None
        return (f"the call of {fn} at {where(blame.site)} passes keywords naming neither a tenant column "
                "nor a row's id: they may choose every tenant's rows")
    if blame.kind == UNWRITTEN:
        return (f"{fn} reads {blame.entry} of its event, which no producer found in the project "
                "writes: some producer is not known")
    return f"the chain of callers of {fn} is recursive or longer than tenantlint follows"


def caller_set(fn: Summary, sites: Sequence[Site], counts: Mapping[str, int] | None,
               resolved: int, used: int, spelled: int | None = None) -> Blame | None:
    """Why the caller set of ``fn`` is open (None when it is closed): ``sites``, its resolved call
    sites; ``resolved``/``used``: resolved calls and spellings that count for its name;
    ``spelled``: the spellings of its name that may name it (default: all of them)."""
    if fn.open:
        return Blame(OPEN, fn.qualname)
    if fn.handler is not None:
        return Blame(HANDLER, fn.qualname)
    if not sites:
        return Blame(NO_SITES, fn.qualname)
    if counts is None:
        return Blame(NO_COUNTS, fn.qualname, known=len(sites))
    if spelled is None:
        spelled = counts.get(fn.name, 0)
    if spelled != used:
        return Blame(SPELLED, fn.qualname, spelled=spelled, resolved=resolved, known=len(sites))
    return None
