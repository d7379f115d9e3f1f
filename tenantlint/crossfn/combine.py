"""The project-wide join of summaries and call sites: findings where the fix goes.

- Request input passed into a tenant parameter (one that reaches a tenant filter, directly or through
  further calls): TNT103 at the argument. Request input is reported wherever a call passes it, in a
  request handler or in a method tenantlint does not know as one (it read ``request.data`` itself).
- An id-keyed query (no tenant filter, every key from the function's parameters): TNT101/TNT102 at
  each handler argument that feeds request input into its keys, through any chain of helpers whose
  parameters pass the key on; the query itself is not reported when every call site of every
  function on the way is known (``known``) and none passes request input elsewhere. Otherwise it
  stays reported where it is.

A call site is known when the callee resolves to exactly one summary, the callee is registered by no
decorator, and the project spells its name exactly as many times as resolved calls use it (a
reference that is not a call, or a call tenantlint could not resolve, leaves the caller set open).
Spellings in files under ``system_paths`` (management commands) are not counted, resolved or not, and
not even read when those files are outside the checked paths: such code passes no request input.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from tenantlint.analysis.interp.method_refs import NOT_PROJECT, ON_CLASS
from tenantlint.crossfn.closure import (
    DEPTH,
    EVENT,
    SPREAD,
    UNFILTERED,
    UNPINNED,
    UNTRACED,
    UNWRITTEN,
    Blame,
    caller_set,
)
from tenantlint.crossfn.enclosing import Enclosing
from tenantlint.crossfn.generic import Receivers, applies, guarded_read
from tenantlint.crossfn.reach import unreached
from tenantlint.crossfn.records import (
    ANY_ENTRY,
    BARE,
    BUILDER,
    CLASS_NAME,
    CONTEXT,
    INIT,
    LOCAL_DEF,
    MODULE_VALUE,
    ON_OBJECT,
    OWN,
    PARAMETER,
    PSEUDO,
    TRUSTED_CHECK,
    UNKNOWN_ENTRIES,
    Arg,
    Callees,
    Hop,
    KeyedQuery,
    Site,
    Summary,
    context_entry,
    short,
)
from tenantlint.crossfn.shapes import BARE_MARK, LOCAL_DEF_MARK, NOT_PROJECT_MARK, ON_OBJECT_MARK, is_method
from tenantlint.crossfn.spread_keys import is_spread, row_keyword, tenant_keyword
from tenantlint.crossfn.unbindable import Unbindable
from tenantlint.results import FileResult, Finding

MAX_DEPTH = 8  # helper chains longer than this are cut (the query stays reported where it is)
_MODULE, _OTHER = "module", "other"  # kinds of functions (``Project.kind``)
_AMBIGUOUS = Arg(-2, "", "unknown", "", None)
_FILTER = "tenant filter"  # the end of a chain down to a helper's tenant parameter


@dataclass(frozen=True, slots=True)
class Outcome:
    added: tuple[Finding, ...]
    removed: frozenset[tuple[str, int, str]]  # (path, line, code) of findings moved to call sites
    # (path, line) of queries in helpers only scheduled tasks call -> why they are system scope
    system: Mapping[tuple[str, int], str] = field(default_factory=dict)
    # (path, line) of id-keyed queries left where they are -> why (``closure.describe`` words it)
    blames: Mapping[tuple[str, int], Blame] = field(default_factory=dict)
    # path -> (first line, last line, why) of the functions only system code calls: the findings of
    # a missing or weakened tenant filter there are dropped, their queries listed as system scope
    spans: Mapping[str, tuple[tuple[int, int, str], ...]] = field(default_factory=dict)
    # (path, line) of queries keyed by a row parameter (``KeyedQuery.rows``) that an open caller set
    # did not leave reported -> why the caller set is open
    rows: Mapping[tuple[str, int], Blame] = field(default_factory=dict)
    # (path, line) of a generic base method's query -> (concrete class, why its walk is open) of each
    # walk left open: the reason ``tenantlint explain`` gives per class
    walks: Mapping[tuple[str, int], tuple[tuple[str, Blame], ...]] = field(default_factory=dict)

    def system_reason(self, path: str, line: int) -> str | None:
        """Why the code at ``path:line`` is system code, when a function only system code calls
        holds it."""
        for start, end, reason in self.spans.get(path, ()):
            if start <= line <= end:
                return reason
        return None


class Project:
    def __init__(self, results: Iterable[FileResult], name_counts: Mapping[str, int] | None,
                 membership_checks: Iterable[str] = (), system_sites: Iterable[Site] = (),
                 system_callers: Mapping[str, str] | None = None, whole_application: bool = False) -> None:
        self.funcs: dict[str, Summary] = {}
        # the project is a whole application: functions no product code reaches are system code
        # (``crossfn/reach.py``, the ``whole_application`` setting)
        self.whole_application = whole_application
        # callers in system files the analysis did not read (migrations) -> why they are system code
        self.system_callers: Mapping[str, str] = system_callers or {}
        dupes: set[str] = set()
        self.sites: list[Site] = []
        for r in results:
            for s in r.summaries:
                if s.qualname in self.funcs:
                    dupes.add(s.qualname)
                self.funcs[s.qualname] = s
            self.sites.extend(r.calls)
        self.sites.extend(system_sites)
        for q in dupes:
            del self.funcs[q]
        from tenantlint.files import module_name

        self.module_of = {q: module_name(f.path) for q, f in self.funcs.items()}
        self.callees = Callees(self.funcs, self.module_of)
        self.enclosing = Enclosing(self.funcs.values())
        self.sites_of: dict[str, list[Site]] = {}
        self.refs_of: dict[str, list[Site]] = {}  # references in scheduled tasks (not calls)
        resolved_by_name: dict[str, int] = {}
        # resolved calls (references) by the kind of their target and its name: a spelling that may
        # name a function of one kind is a call of a function of that kind or unresolved (``spelled``)
        self.resolved_by_kind: dict[tuple[str, str], int] = {}
        self.refs_by_kind: dict[tuple[str, str], int] = {}
        refs_by_name: dict[str, int] = {}
        self.unbindable = Unbindable(name_counts)  # calls that cannot bind a function of their name
        for site in self.sites:
            target = self.resolve(site.callee)
            if target is not None:
                if site.queue:  # an event put on a queue: no spelling of the consumer's name
                    self.sites_of.setdefault(target, []).append(site)
                    continue
                name = spelling(target, site.callee)
                if site.system:  # left out of the name counts too: it passes no request input
                    (self.refs_of if site.reference else self.sites_of).setdefault(target, []).append(site)
                    continue
                if site.reference:
                    self.refs_of.setdefault(target, []).append(site)
                    self.unbindable.add_resolved(name, self.kind(target), site)
                    refs_by_name[name] = refs_by_name.get(name, 0) + 1
                    by_kind = (self.kind(target), name)
                    self.refs_by_kind[by_kind] = self.refs_by_kind.get(by_kind, 0) + 1
                    continue
                self.sites_of.setdefault(target, []).append(site)
                resolved_by_name[name] = resolved_by_name.get(name, 0) + 1
                by_kind = (self.kind(target), name)
                self.resolved_by_kind[by_kind] = self.resolved_by_kind.get(by_kind, 0) + 1
                self.unbindable.add_resolved(name, by_kind[0], site)
        self.name_counts = name_counts
        self.receivers = Receivers(name_counts)
        self.resolved_by_name = resolved_by_name
        self.refs_by_name = refs_by_name
        self.checks = frozenset(membership_checks)

    def resolve(self, callee: str) -> str | None:
        """The summary ``callee`` names; a construction of a class (``Executor(...)``) names its
        ``__init__`` (``interp/constructors.py``)."""
        found = self.callees.resolve(callee)
        if found is None and not callee.endswith("." + INIT) and callee[:1] != "." and (
                callee.rsplit(".", 1)[-1][:1].isupper()):
            found = self.callees.resolve(f"{callee}.{INIT}")
        return found

    def known(self, fn: Summary) -> bool:
        """Every call site of ``fn`` is one of the resolved ones."""
        return self.blame(fn) is None

    def blame(self, fn: Summary) -> Blame | None:
        """Why not every call site of ``fn`` is known (None when every one is). A function that is
        system code by itself (a scheduled task, a command-line command, start-up code, a function of
        a ``system_paths`` file) is run by a scheduler or an operator, not by a tenant's request: its
        decorator registering it, or no call of it in the project, leaves no request input to find;
        a spelling of its name that is not a resolved call still may."""
        sites = self.sites_of.get(fn.qualname, ())
        if any(site.queue for site in sites):
            # a queue's consumer: the framework runs it with the events put on its queue, whose
            # producers are its call sites (``interp/queue_producers.py``); an event it puts back
            # on its own queue is none
            sites = [site for site in sites if not site.queue or site.caller != fn.qualname]
            if any(site.queue for site in sites):
                return None
        if fn.system:
            fn = replace(fn, open=False, handler=None)
            if not sites and self.name_counts is not None and self.spelled(fn) == self.used(fn, refs=False):
                return None
        resolved = self.used(fn, refs=False)
        return caller_set(fn, sites, self.name_counts, resolved, resolved, self.spelled(fn))

    def kind(self, qualname: str) -> str:
        """``module``: a function of its module; else ``other`` (a method, a nested function)."""
        module = self.module_of.get(qualname, "")
        return _MODULE if qualname.rpartition(".")[0] == module else _OTHER

    def spelled(self, fn: Summary, local: bool = False) -> int:
        """How often the project spells the name of ``fn`` where it may name ``fn``: a function of
        its module is never an attribute of an object a parameter or a local variable holds
        (``records.ON_OBJECT``), unless some file uses its module as a value; a method is never
        an attribute of a module, a literal or request data (``method_refs.NOT_PROJECT``); no call
        that cannot bind to its signature names it (``unbindable.py``). ``local``: nor a name that
        names a nested function of an enclosing one (``records.LOCAL_DEF``)."""
        counts = self.name_counts or {}
        spelled = counts.get(spelling(fn.qualname), 0)
        skip = LOCAL_DEF_MARK if local else ""
        if local:
            spelled -= counts.get(fn.name + LOCAL_DEF, 0)
        if self.subtracts(fn):
            spelled -= counts.get(fn.name + ON_OBJECT, 0)
            skip += ON_OBJECT_MARK
        elif self.kind(fn.qualname) == _OTHER:  # a method: never an attribute of a module or of data
            spelled -= counts.get(fn.name + ON_CLASS + NOT_PROJECT, 0)
            skip += NOT_PROJECT_MARK
        if spelling(fn.qualname) == fn.name:
            if is_method(fn.signature):  # never a bare name outside a class body
                spelled -= counts.get(fn.name + BARE, 0)
                skip += BARE_MARK
            spelled -= self.unbindable.spellings(fn.name, fn.signature, skip)
        return spelled

    def subtracts(self, fn: Summary) -> bool:
        """:meth:`spelled` leaves the spellings on objects out for ``fn``."""
        return self.kind(fn.qualname) == _MODULE and not self.module_held(self.module_of.get(fn.qualname, ""))

    def module_held(self, module: str) -> bool:
        """Some file uses ``module`` (or a package holding it) as a value: an object may hold it
        (``records.MODULE_VALUE``)."""
        counts = self.name_counts or {}
        if counts.get(MODULE_VALUE + "*"):
            return True
        parts = module.split(".")
        return any(counts.get(MODULE_VALUE + ".".join(parts[:i])) for i in range(1, len(parts) + 1))

    def used(self, fn: Summary, refs: bool) -> int:
        """The resolved calls (and, with ``refs``, references) that are spellings :meth:`spelled`
        counts: with the spellings on objects left out, those of functions of modules only."""
        name = spelling(fn.qualname)
        # the resolved calls (of other functions of the name) that cannot bind it: no spelling it counts
        unbound = self.unbindable.calls(name, fn.signature, _MODULE if self.subtracts(fn) else None,
                                        refs) if name == fn.name else 0
        if not self.subtracts(fn):
            found = self.resolved_by_name.get(name, 0) + (self.refs_by_name.get(name, 0) if refs else 0)
        else:
            key = (_MODULE, fn.name)
            found = self.resolved_by_kind.get(key, 0) + (self.refs_by_kind.get(key, 0) if refs else 0)
        return found - unbound

    def users(self, fn: Summary) -> list[str] | None:
        """The functions that call or name ``fn``, when every spelling of its name in the project
        is one of them (a call, or a reference a scheduled task makes); else None."""
        if self.name_counts is None or fn.open or fn.handler is not None:
            return None
        sites = [*self.sites_of.get(fn.qualname, ()), *self.refs_of.get(fn.qualname, ())]
        used = self.used(fn, refs=True)
        spelled = self.spelled(fn, local=True)
        if not sites or spelled != used:
            return None
        # a call in a nested function is its enclosing function's (``crossfn/enclosing.py``)
        return sorted({self.enclosing.caller(site) or "" for site in sites})


def spelling(qualname: str, callee: str = "") -> str:
    """The name-count key a call of ``qualname`` spells: its name; for an ``__init__`` called by a
    construction (``callee``, as written, names the class), the class's name (``records.CLASS_NAME``)."""
    rest, _, name = qualname.rpartition(".")
    if name == INIT and not callee.endswith("." + INIT) and callee != INIT:
        return CLASS_NAME + rest.rpartition(".")[2]
    return name


def arg_for(site: Site, fn: Summary, param: str) -> Arg | None:
    """The argument ``site`` binds to ``param``; None when it binds none (a default),
    ``_AMBIGUOUS`` when a ``*args``/``**kwargs`` spread may bind it."""
    if param not in fn.params:
        return _AMBIGUOUS
    index = fn.params.index(param)
    attr = param.startswith(PSEUDO)  # an attribute ``__init__`` set: bound only by its calls there
    for a in site.args:
        if a.keyword == param or (a.position == index and not a.keyword and not attr):
            return a
    return _AMBIGUOUS if site.open_args or attr else None


def spread_args(site: Site, fn: Summary) -> list[Arg] | None:
    """The keyword arguments ``site`` binds to ``fn``'s ``**kwargs`` (those naming no parameter);
    None when a ``*args``/``**kwargs`` spread in the call may bind anything."""
    if site.open_args:
        return None
    return [a for a in site.args if a.keyword and a.keyword not in fn.params]


def selects(site: Site, fn: Summary, entry: Site) -> bool:
    """``site`` (a call of ``fn``) can reach ``entry`` (a call in ``fn``): ``entry`` is no dispatch
    by a parameter, or ``site`` passes that parameter no string literal, or one of the keys that
    select ``entry``'s callee (``{"created": on_created, ...}.get(kind)``)."""
    if not entry.selector:
        return True
    arg = arg_for(site, fn, entry.selector)
    if arg is None or arg is _AMBIGUOUS or arg.literal is None:
        return True
    return arg.literal in entry.selected


def _entries(pairs: Iterable[tuple[str, str]]) -> dict[str, frozenset[str]]:
    out: dict[str, set[str]] = {}
    for key, entry in pairs:
        out.setdefault(key, set()).add(entry)
    return {k: frozenset(v) for k, v in out.items()}


def _reaches(arg: Arg, entries: frozenset[str]) -> bool:
    """A dict built in the call (``payload``) reaches a query that reads ``entries`` of it: one of
    them holds request input (or the query reads the whole value, or the payload is a list)."""
    if not arg.payload or not entries or ANY_ENTRY in arg.payload:
        return True
    return bool(entries.intersection(arg.payload))


def _entry_params(arg: Arg, read: frozenset[str]) -> list[str]:
    """The caller's parameters (``parameter NAME``, or UNKNOWN_ENTRIES) that the entries ``read`` of
    an event built in a queue producer take (every entry when ``read`` is empty)."""
    return [source for entry, source in arg.entry_sources
            if source != OWN and (not read or entry == ANY_ENTRY or entry in read)]


def unwritten(fn: Summary, sites: Sequence[Site], keys: Iterable[str],
              entries: Mapping[str, frozenset[str]]) -> tuple[str, str] | None:
    """(parameter, entry) of an entry of its event that a queue's consumer ``fn`` reads and no
    producer in ``sites`` writes: it comes from a producer tenantlint did not find. An event the
    consumer puts back on its own queue writes nothing new."""
    producers = [site for site in sites if site.queue and site.caller != fn.qualname]
    if not producers:
        return None
    for key in sorted(keys):
        written: set[str] = set()
        for site in producers:
            arg = arg_for(site, fn, key)
            if arg is None or arg is _AMBIGUOUS or not arg.entry_sources:
                return None  # an event of unknown shape may hold anything
            written.update(entry for entry, _ in arg.entry_sources)
        if ANY_ENTRY in written:
            continue
        for entry in sorted(entries.get(key, frozenset()) - written):
            return key, entry
    return None


def _owned(site: Site, fn: Summary, q: KeyedQuery) -> bool:
    """``site`` passes the caller into a parameter the query pins the user foreign key to."""
    for param in q.owner:
        arg = arg_for(site, fn, param)
        if arg is not None and arg is not _AMBIGUOUS and arg.caller:
            return True
    return False


def _companions_trusted(site: Site, fn: Summary, q: KeyedQuery, depth: int) -> bool:
    """Whether the call passes a trusted value into each companion of the query's anchors (the keys
    pinning the other models it reads, ``analysis/interp/anchor_models.py``); past the query's own
    function they are the callers' names no more: never so there."""
    if not q.companions:
        return True
    return depth == 1 and all((a := arg_for(site, fn, key)) is not None and a is not _AMBIGUOUS
                              and a.trust == "trusted" for key in q.companions)


def _passed_on(arg: Arg, anchor: bool) -> str:
    """The caller's parameter an argument passes on: the parameter itself, or into a row parameter
    (an anchor) a list written in the call of that parameter's values (``[member.id]``)."""
    if arg.source.startswith(PARAMETER):
        return arg.source
    return arg.listed if anchor else ""


def chain_text(hops: Sequence[Hop], end: str) -> str:
    steps = [f"{short(h.function)} ({h.path}:{h.line})" for h in hops]
    return " \u2192 ".join([*steps, end])


class Combiner:
    def __init__(self, project: Project) -> None:
        self.p = project
        self.added: list[Finding] = []
        self.removed: set[tuple[str, int, str]] = set()
        # (path, line) of an id-keyed query left where it is -> the first reason (``closure.py``)
        self.blames: dict[tuple[str, int], Blame] = {}
        self._blame: Blame | None = None  # the first reason for the query being joined
        # a known call may pass request input the join cannot place (a spread, an untraced value)
        self._hard = False
        self.rows: dict[tuple[str, int], Blame] = {}
        self.walks: dict[tuple[str, int], list[tuple[str, Blame]]] = {}

    def run(self) -> Outcome:
        # (path, line) of a generic base method's query -> whether each concrete class's walk of it
        # is confined at its calls: the query goes only when every walk is
        generic: dict[tuple[str, int], list[tuple[KeyedQuery, bool]]] = {}
        for fn in list(self.p.funcs.values()):
            for q in fn.keyed:
                hop = Hop(fn.path, q.line, fn.qualname)
                self._blame = None
                self._hard = False
                ok = self.keyed(fn, set(q.keys), q, (hop,), frozenset(), frozenset(q.anchors), None,
                                _entries(q.entries))
                if not ok and q.rows and not self._hard and self._blame is not None:
                    # Keyed by a row its callers pass: the rows of that row. The row was fetched by a
                    # query judged where it runs, so callers the join cannot see leave it confined.
                    self.rows[(fn.path, q.line)] = self._blame
                    ok = True
                if q.binding:
                    generic.setdefault((fn.path, q.line), []).append((q, ok))
                    if not ok and self._blame is not None:
                        self.blames.setdefault((fn.path, q.line), self._blame)
                        self.walks.setdefault((fn.path, q.line), []).append((q.binding, self._blame))
                elif ok:
                    self.removed.update((fn.path, q.line, code) for code in q.codes)
                elif self._blame is not None:
                    self.blames.setdefault((fn.path, q.line), self._blame)
        for (path, line), walks in generic.items():
            if all(ok for _, ok in walks):
                self.removed.update((path, line, code) for q, _ in walks for code in q.codes)
        self.builders()
        self.tenant_params()
        system, spans = self.system_helpers()
        seen: set[tuple[str, int, str]] = set()
        added = []
        for f in self.added:  # each root cause once per line and code
            if (f.path, f.line, f.code) not in seen:
                seen.add((f.path, f.line, f.code))
                added.append(f)
        open_walks = {at: tuple(found) for at, found in self.walks.items()}
        return Outcome(tuple(added), frozenset(self.removed), system, self.blames, spans, self.rows,
                       open_walks)

    def system_helpers(self) -> tuple[dict[tuple[str, int], str],
                                      dict[str, tuple[tuple[int, int, str], ...]]]:
        """Helpers that only system code calls (every call site known, each in a scheduled task, a
        command, a ``system_paths`` file, a migration, or in such a helper, or in the helper itself)
        run in system scope too: their own findings are dropped, their queries are listed as system
        scope with the code that reaches them. So do functions no product code calls or names
        (unreached, ``crossfn/reach.py``), and those only such functions call."""
        funcs = self.p.funcs
        reasons = {**self.p.system_callers, **{q: fn.system for q, fn in funcs.items() if fn.system},
                   **unreached(self.p)}  # no product code calls or names them (``reach.py``)
        if not reasons:
            return {}, {}
        grew = True
        while grew:
            grew = False
            for fn in funcs.values():
                if fn.qualname in reasons:
                    continue
                # a call of itself (a task re-enqueuing itself for the next batch) adds no caller
                callers = [c for c in self.p.users(fn) or () if c != fn.qualname]
                if callers and all(c in reasons for c in callers):
                    reasons[fn.qualname] = f"called only by {short(callers[0])}, {reasons[callers[0]]}"
                    grew = True
        out: dict[tuple[str, int], str] = {}
        spans: dict[str, list[tuple[int, int, str]]] = {}
        for qual, reason in reasons.items():
            helper = funcs.get(qual)
            if helper is None:
                continue  # a caller in a file the analysis did not read
            for line, codes in helper.own:
                self.removed.update((helper.path, line, code) for code in codes)
                out[(helper.path, line)] = reason
            if not helper.system and helper.end >= helper.line:  # walked as system code already
                spans.setdefault(helper.path, []).append((helper.line, helper.end, reason))
        return out, {path: tuple(sorted(found)) for path, found in spans.items()}

    def keyed(self, fn: Summary, keys: set[str], q: KeyedQuery, hops: tuple[Hop, ...],
              visiting: frozenset[str], anchors: frozenset[str], entry: Site | None,
              entries: Mapping[str, frozenset[str]] | None = None) -> bool:
        """Report request input reaching ``keys`` of ``fn`` at its handler call sites; True when every
        call site of ``fn`` (transitively) is known, so the query need not be reported where it is.
        ``anchors``: the keys that pin a foreign key to a tenant table; a call passing a trusted value
        into one confines the query there (its other keys only narrow the rows of that row).
        ``entry``: the call in ``fn`` the query is reached through; a dispatch-table call selected by
        a parameter of ``fn`` is not reached from a call of ``fn`` passing another key there.
        ``entries``: per key, the entries of its dict the query reads (a key not named: the whole
        value); a dict built in the call with request input in none of them passes it no request input."""
        entries = entries or {}
        if fn.qualname in visiting or len(hops) > MAX_DEPTH:
            self._blame = self._blame or Blame(DEPTH, fn.qualname)
            return False
        sites = self.p.sites_of.get(fn.qualname, [])
        if q.reach and len(hops) == 1:  # a generic base method's walk for one concrete class
            called = bool(sites)
            sites = [site for site in sites if applies(site, q)]
            blame = self.p.receivers.blame(fn, q, sites, called)
        else:
            blame = self.p.blame(fn)
        if blame is None and (missing := unwritten(fn, sites, keys, entries)) is not None:
            blame = Blame(UNWRITTEN, fn.qualname, entry=f"{missing[0]}[{missing[1]!r}]")
        ok = blame is None
        if blame is not None and self._blame is None:
            self._blame = blame
        # ``**kwargs``: the keywords of each call are the query's filter (``interp/kwargs_filters.py``)
        spread = {k for k in keys if is_spread(k)} if len(hops) == 1 else set()
        for site in sites:
            if entry is not None and not selects(site, fn, entry):
                continue  # the dispatch in ``fn`` sends this call's key to another function
            if _owned(site, fn, q):
                continue  # the authenticated user passed where the query pins its owner
            if any((a := arg_for(site, fn, key)) is not None and a is not _AMBIGUOUS and a.trust == "trusted"
                   for key in anchors) and _companions_trusted(site, fn, q, len(hops)):
                continue  # the rows of a trusted row: confined at this call
            if any((a := arg_for(site, fn, key)) is not None and a is not _AMBIGUOUS and a.pinned
                   for key in keys):
                continue  # conditions written in the call pin the tenant: confined at this call
            given = spread_args(site, fn) if spread else None
            if given is not None and any(a.trust == "trusted" and tenant_keyword(a.keyword, q.tenants)
                                         for a in given):
                continue  # the call's keywords, the query's filter, pin the tenant: confined here
            if given is not None and not any(row_keyword(a.keyword) or tenant_keyword(a.keyword, q.tenants)
                                             for a in given):
                # no keyword naming the tenant or a row (none at all, ``status="1"``): every tenant's
                # rows from this call, whatever its values are
                ok = False
                self._blame = self._blame or Blame(UNFILTERED, fn.qualname, site)
            # the function whose parameters the call passes on: a call in a closure (no summary of
            # its own) passes the parameters of the function it is nested in, which it captured
            owner = site.caller if site.caller is not None else self.p.enclosing.caller(site)
            passed: dict[str, bool] = {}  # the caller's parameters passed on -> into an anchor
            direct: set[str] = set()  # ... passed as themselves, not in a list written in the call
            above: dict[str, set[str]] = {}  # the caller's parameters -> the entries of theirs read
            whole: set[str] = set()  # ... those passed on whole into a key read whole
            pairs: list[tuple[str, Arg | None, bool]] = []  # (key, its argument, whether an anchor)
            for key in sorted(keys, key=lambda k: (k not in anchors, k)):  # reported at an anchor first
                if key in spread:  # the call's keywords bind it, each judged as an argument of it
                    pairs.extend([(key, _AMBIGUOUS, False)] if given is None else [
                        (a.keyword, a, tenant_keyword(a.keyword, q.tenants)) for a in given])
                else:
                    pairs.append((key, arg_for(site, fn, key), key in anchors))
            for key, arg, anchor in pairs:
                if arg is None:
                    continue
                if arg is not _AMBIGUOUS and not _reaches(arg, entries.get(key, frozenset())):
                    if not arg.entry_sources:
                        continue  # request input only in entries of a built dict the query does not read
                    # an event dict: the entries read may still hold the caller's parameters
                    arg = replace(arg, trust="unknown", source="", span=None, snippet=None)
                if arg is not _AMBIGUOUS and arg.checked and set(q.codes) <= {"TNT101"}:
                    if arg.checked == TRUSTED_CHECK:
                        continue  # the row the call handed back was checked: a confined read
                    arg = replace(arg, trust="unknown", source=arg.checked, span=None, snippet=None)
                if arg is _AMBIGUOUS:
                    ok = False
                    self._hard = True
                    self._blame = self._blame or Blame(SPREAD, fn.qualname, site)
                elif arg.unpinned and arg.span is not None:
                    # conditions written in the call, none confining the rows: the query runs over
                    # every tenant from there (reported at the call, and where it runs)
                    self.report_keyed(site, fn, key, arg, q, hops)
                    ok = False
                    self._hard = True
                    self._blame = self._blame or Blame(UNPINNED, fn.qualname, site)
                elif arg.trust == "untrusted":
                    if arg.span is not None:  # request input, in a handler or not
                        self.report_keyed(site, fn, key, arg, q, hops)
                    else:
                        ok = False
                        self._hard = True
                        self._blame = self._blame or Blame(UNTRACED, fn.qualname, site)
                elif owner is not None and (source := _passed_on(arg, anchor)):
                    name = source[len(PARAMETER):]
                    passed[name] = passed.get(name, False) or anchor
                    if source == arg.source:
                        direct.add(name)
                    read = set(arg.entries) or entries.get(key, frozenset())  # ``data["id"]``, or as read
                    if read:
                        above.setdefault(name, set()).update(read)
                    else:
                        whole.add(name)
                elif owner is not None and arg.entry_sources:
                    # an event dict built in a queue producer: the caller's parameters its entries hold
                    for source in _entry_params(arg, entries.get(key, frozenset())):
                        if source == UNKNOWN_ENTRIES:
                            ok = False
                            self._blame = self._blame or Blame(EVENT, fn.qualname, site)
                            continue
                        name = source[len(PARAMETER):]
                        passed[name] = passed.get(name, False) or anchor
                        direct.add(name)
                        whole.add(name)
            caller = self.p.funcs.get(owner) if passed and owner is not None else None
            if caller is None or caller.handler is not None:
                continue  # not parameters a caller binds: no request input
            if site.queue and caller.qualname == fn.qualname:
                continue  # an event the consumer puts back on its queue: what its producers gave
            names = {name for name in passed if name in caller.params}
            if names and set(q.codes) <= {"TNT101"}:
                checked = guarded_read(caller, names)
                direct.update(checked - names)  # the tenant value the row was checked against
                names = checked
            if names:
                hop = Hop(site.path, site.line, caller.qualname)
                held = frozenset(name for name in names if passed.get(name))
                # A list written in the call is a value of unknown origin for the query's own verdict
                # (as any such value): followed only to confine the call and to report request input.
                known = {n: frozenset(e) for n, e in above.items() if n not in whole}
                before = self._blame
                if not self.keyed(caller, names, q, (hop, *hops), visiting | {fn.qualname}, held, site,
                                  known) and (names & direct):
                    ok = False
                else:  # that caller's own reason, if any, did not leave this query open
                    self._blame = before
        return ok

    def report_keyed(self, site: Site, fn: Summary, key: str, arg: Arg, q: KeyedQuery,
                     hops: tuple[Hop, ...]) -> None:
        assert arg.span is not None
        name = f"{q.binding}.{fn.name}" if q.binding and len(hops) == 1 else short(fn.qualname)
        given = "a filter list with no tenant condition" if arg.unpinned else f"request input ({arg.source})"
        for code in q.codes:
            what = "writes" if code == "TNT102" else "reads"
            message = (f"{given} passed as '{key}' to {name} "
                       f"{what} tenant table '{q.table}' with no tenant filter: via "
                       f"{chain_text(hops, q.label)}")
            self.added.append(Finding(code, message, site.path, arg.span, q.table, site.handler,
                                      arg.snippet, trace=hops))

    def builders(self) -> None:
        """A builder's query (returned unevaluated, no tenant filter) is judged where it is evaluated:
        not reported in the builder when every call site is known and made it the caller's query."""
        for fn in self.p.funcs.values():
            parts = fn.returns.split(":", 5)
            if parts[0] != BUILDER or len(parts) != 6 or not parts[4].isdigit():
                continue
            sites = self.p.sites_of.get(fn.qualname, ())
            if self.p.known(fn) and all(s.applied for s in sites):
                self.removed.add((fn.path, int(parts[4]), "TNT101"))

    def tenant_params(self) -> None:
        """TNT103 at request input a handler passes into a tenant parameter, through helper chains.
        A parameter may reach a tenant filter through entries of its dict only (a serializer's
        ``self.context["workspace_id"]``): request input in another entry is no tenant value."""
        funcs = self.p.funcs
        # (function, parameter, entry or "" for the whole value) -> the hops from that function
        # down to the tenant filter, and the query's label ("" for a plain tenant filter)
        reach: dict[tuple[str, str, str], tuple[tuple[Hop, ...], str]] = {}
        todo: list[tuple[str, str, str]] = []
        for fn in funcs.values():
            if fn.handler is None and not fn.check and fn.name not in self.p.checks:
                for t, line in fn.tenant_params:
                    reach[(fn.qualname, t, "")] = ((Hop(fn.path, line, fn.qualname),), "")
                    todo.append((fn.qualname, t, ""))
                for e in fn.tenant_entries:
                    key = (fn.qualname, e.param, e.entry)
                    if e.param in fn.params and key not in reach:
                        reach[key] = ((Hop(fn.path, e.line, e.function),), e.label)
                        todo.append(key)
        reported: set[tuple[str, int, int]] = set()
        while todo:
            qual, param, entry = todo.pop()
            fn = funcs[qual]
            hops, label = reach[(qual, param, entry)]
            if len(hops) > MAX_DEPTH:
                continue
            for site in self.p.sites_of.get(qual, ()):
                arg = arg_for(site, fn, param)
                if arg is None or arg is _AMBIGUOUS:
                    continue
                if arg.payload and (not entry or not _reaches(arg, frozenset({entry}))):
                    continue  # a payload's request input is not its tenant (that makes the dict untrusted)
                if arg.trust == "untrusted" and arg.span is not None:
                    where = (site.path, arg.span.line, arg.span.column)
                    if where not in reported:
                        reported.add(where)
                        self.added.append(self._untrusted_tenant(site, qual, param, entry, label, arg, hops))
                elif (passed := context_entry(arg.source)) is not None and site.caller is not None:
                    # a serializer's method passing a ``self.context`` entry on: its constructions
                    owner = site.caller.rsplit(".", 1)[0]
                    key = (owner, CONTEXT, passed)
                    if owner in funcs and CONTEXT in funcs[owner].params and key not in reach:
                        hop = Hop(site.path, site.line, site.caller)
                        reach[key] = ((hop, *hops), label or _FILTER)
                        todo.append(key)
                elif arg.source.startswith(PARAMETER) and site.caller in funcs:
                    caller = funcs[site.caller]
                    name = arg.source[len(PARAMETER):]
                    hop = Hop(site.path, site.line, caller.qualname)
                    # the caller's dict reaches the entry through the entries it is read by
                    for sub in (arg.entries or (entry,)) if entry else ("",):
                        fresh = (caller.qualname, name, sub) not in reach
                        if caller.handler is None and name in caller.params and fresh:
                            reach[(caller.qualname, name, sub)] = ((hop, *hops), label)
                            todo.append((caller.qualname, name, sub))

    @staticmethod
    def _untrusted_tenant(site: Site, qual: str, param: str, entry: str, label: str, arg: Arg,
                          hops: tuple[Hop, ...]) -> Finding:
        assert arg.span is not None
        if entry:
            what = f"the tenant value of its {label}" if label != _FILTER else "which filters by it"
            message = (f"request input ({arg.source}) passed as {param}['{entry}'] to {short(qual)}, "
                       f"{what}: via {chain_text(hops, label)}")
        else:
            message = (f"request input ({arg.source}) passed as tenant parameter '{param}' "
                       f"of {short(qual)}, which filters by it: via {chain_text(hops, 'tenant filter')}")
        return Finding("TNT103", message, site.path, arg.span, None, site.handler, arg.snippet, trace=hops)
