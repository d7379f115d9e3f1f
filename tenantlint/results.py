"""The records that leave the analysis: spans, findings, file errors, query sites and run results.

Everything here is frozen and slotted so it can cross process boundaries (pickle) and be cached.
Lines are 1-based; columns are 1-based (libcst gives 0-based columns: convert once, in
``tenantlint.analysis.source.parse``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True, order=True)
class Span:
    line: int
    column: int
    end_line: int
    end_column: int


@dataclass(frozen=True, slots=True)
class Suppression:
    """How a finding was silenced: by ``# noqa`` or ``# tenantlint: ignore[...] reason``."""

    kind: str  # "noqa" | "tenantlint" | "baseline"
    reason: str  # justification text, may be ""


@dataclass(frozen=True, slots=True)
class Hop:
    """One step of a finding's call chain: a call (or the query it ends at) and its function."""

    path: str
    line: int
    function: str

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "line": self.line, "function": self.function}


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    message: str
    path: str  # relative to the current directory, with "/"
    span: Span
    table: str | None = None
    handler: str | None = None
    snippet: str | None = None
    suppression: Suppression | None = None
    trace: tuple[Hop, ...] = ()  # from the reported argument down to the query (across functions)

    @property
    def line(self) -> int:
        return self.span.line

    @property
    def column(self) -> int:
        return self.span.column

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.path, self.span.line, self.span.column, self.code, self.message)

    @property
    def name(self) -> str:
        from tenantlint.rules.registry import rule_for

        return rule_for(self.code).name

    @property
    def severity(self) -> str:
        from tenantlint.rules.registry import rule_for

        return rule_for(self.code).severity

    def to_json(self) -> dict[str, Any]:
        """One finding as the JSON output shows it (docs/json-output.md)."""
        from tenantlint.rules.registry import rule_for

        rule = rule_for(self.code)  # once for both (10,000 findings)
        return {
            "code": self.code,
            "name": rule.name,
            "severity": rule.severity,
            "message": self.message,
            "path": self.path,
            "line": self.span.line,
            "column": self.span.column,
            "end_line": self.span.end_line,
            "end_column": self.span.end_column,
            "table": self.table,
            "handler": self.handler,
            "snippet": self.snippet,
            "trace": [hop.to_json() for hop in self.trace],
        }


@dataclass(frozen=True, slots=True)
class FileError:
    path: str
    message: str

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "message": self.message}


UNKNOWN_ORIGIN = "unknown-origin-filter"  # the scoping of a site filtered by a value of unknown origin
DYNAMIC_SQL_TABLE = "(SQL built at run time)"  # the table of a TNT301 site
UNVERIFIABLE = "unverifiable"  # the scoping of a TNT301 site


@dataclass(frozen=True, slots=True)
class QuerySite:
    """One query on a tenant table, and how it is scoped: the audit report's rows.

    ``scoping`` is one of: "trusted-filter", "related-manager", "scoped-parent", "scoping-method",
    "owner-scoped", "capability", "auto-scoped-manager", "system-scope", "unscoped", "weakened",
    "untrusted-filter", "unknown-origin-filter" (a tenant predicate on a value of unknown origin: not
    proven). SQL built at run time (TNT301) is a site on the table "(SQL built at run time)", scoping
    "unverifiable".
    """

    path: str
    line: int
    column: int
    table: str
    kind: str  # "read" | "write" | "insert"
    scoping: str
    handler: str | None
    snippet: str | None
    detail: str = ""
    origin: str = ""  # where the deciding tenant value comes from ("request.user.org"), if known


@dataclass(frozen=True, slots=True)
class UnresolvedSite:
    """A call that looks like a query but was tied to no model or SQL text: not analysed."""

    path: str
    line: int
    column: int
    reason: str
    snippet: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "line": self.line, "column": self.column, "reason": self.reason,
                "snippet": self.snippet}


@dataclass(frozen=True, slots=True)
class Stats:
    files: int = 0
    queries: int = 0
    seconds: float = 0.0
    unresolved_query_like: int = 0
    # calls passed request input or a helper's parameter whose callee is not resolved (a method of
    # a local value of unknown type): across functions they pass nothing on
    unresolved_calls: int = 0


@dataclass(frozen=True, slots=True)
class RunResult:
    findings: tuple[Finding, ...]  # reported (not suppressed), sorted
    suppressed: tuple[Finding, ...] = ()  # silenced by noqa / ignore comments / baseline
    errors: tuple[FileError, ...] = ()
    query_sites: tuple[QuerySite, ...] = ()
    stats: Stats = field(default_factory=Stats)
    fixed_baseline_entries: int = 0
    unresolved: tuple[UnresolvedSite, ...] = ()  # query-like calls not analysed, sorted
    skipped_links: tuple[str, ...] = ()  # symlinks in the walked folders leading out of them

    def to_json(self, timing: bool = False) -> dict[str, Any]:
        """The JSON document (docs/json-output.md); ``stats.seconds`` only with ``timing`` (``--timing``), so
        that two runs over the same tree give byte-identical output; ``unresolved`` only when the run
        kept the list (``check --show-unresolved``)."""
        stats: dict[str, Any] = {"files": self.stats.files, "queries": self.stats.queries,
                                 "unresolved_query_like": self.stats.unresolved_query_like,
                                 "unresolved_calls": self.stats.unresolved_calls}
        if timing:
            stats["seconds"] = round(self.stats.seconds, 2)
        doc: dict[str, Any] = {
            "version": 1,
            "findings": [f.to_json() for f in self.findings],
            "errors": [e.to_json() for e in self.errors],
            "stats": stats,
        }
        if self.unresolved:
            doc["unresolved"] = [u.to_json() for u in self.unresolved]
        return doc


@dataclass(frozen=True, slots=True)
class SuppressionComment:
    """One suppression directive found in a comment (parsed by ``tenantlint.suppress``; kept with the
    file's result so call-site findings placed after the per-file pass honour it).

    ``line``/``column`` (1-based) locate the directive; ``codes`` are upper-cased codes or prefixes,
    empty meaning every code; ``reason`` is ``""`` for noqa. ``first_line``..``last_line`` is the
    statement (logical line) the comment sits on: findings on any of those lines are covered.
    """

    line: int
    column: int
    kind: str  # "noqa" | "tenantlint"
    codes: tuple[str, ...]
    reason: str
    first_line: int = 0
    last_line: int = 0
    text: str = ""  # the directive as written, for messages and snippets

    def covers_line(self, line: int) -> bool:
        first = self.first_line or self.line
        last = self.last_line or self.line
        return first <= line <= last

    def matching_code(self, code: str) -> str | None:
        """The listed code/prefix covering ``code`` (the longest), ``""`` if all, None if not."""
        if not self.codes:
            return ""
        hits = [c for c in self.codes if code.startswith(c)]
        return max(hits, key=len) if hits else None


@dataclass(frozen=True, slots=True)
class KeyedQuery:
    """A query on a tenant table with no tenant filter, keyed only by the function's parameters."""

    line: int
    codes: tuple[str, ...]  # the findings reported at it (TNT101 / TNT102)
    table: str
    keys: tuple[str, ...]
    label: str  # ``Invoice.objects.get``
    # Parameters pinned to a foreign key to the user model (``Rating.user_id == user_id``): a call
    # passing the authenticated user there reads only the caller's own rows.
    owner: tuple[str, ...] = ()
    # Keys that pin a foreign key to a tenant table (``bot_profile=bot_profile``): a call passing a
    # trusted row into one confines the query, and request input into the other keys only narrows it.
    anchors: tuple[str, ...] = ()
    # (key, entry): the entries of a key's dict it is keyed by (``data.get("cycle_id")``); a key
    # not named here is read whole.
    entries: tuple[tuple[str, str], ...] = ()
    # The anchors a caller passes a row to (the parameter is annotated with a model class): the row
    # was fetched by a query judged where it runs, so an open caller set leaves the query confined.
    rows: tuple[str, ...] = ()
    # A generic base method's query in the walk for one concrete subclass (``FileService``): judged
    # at the calls spelled on a class of ``reach`` (the subclass, the classes up to the base, the
    # subclass's own subclasses); ``held``: the class attributes holding a model (``cls.model.get``
    # is the model's method, no call of the base's). ``crossfn/generic.py``.
    binding: str = ""
    reach: tuple[str, ...] = ()
    held: tuple[str, ...] = ()
    # Keys pinning the tenant of the other models the query reads beside the anchored one
    # (``Query.org == org``): a trusted anchor confines the query at a call only when the call
    # passes a trusted value into each of these too (``analysis/interp/anchor_models.py``).
    companions: tuple[str, ...] = ()
    # A key ``**kwargs`` (``analysis/interp/kwargs_filters.py``): the function's keyword arguments are
    # the query's filter. A call's keyword naming one of these tenant columns of the query's model
    # pins the tenant there.
    tenants: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class TenantEntry:
    """An entry of a dict parameter that reaches a tenant filter or a written tenant column
    (``Tag.objects.filter(workspace_id=self.context["workspace_id"])`` in a serializer): request
    input a call puts in that entry is its tenant."""

    param: str  # ``context``
    entry: str  # ``workspace_id``
    line: int  # the query's line
    function: str  # the qualified name of the function the query is in
    label: str  # ``Tag.objects.filter``


@dataclass(frozen=True, slots=True)
class Summary:
    qualname: str  # ``billing.services.get_invoice``, ``billing.services.Service.load``
    path: str
    line: int
    params: tuple[str, ...]  # what a call binds, in order
    handler: str | None
    open: bool  # registered by a decorator: callers the project does not show
    tenant_params: tuple[tuple[str, int], ...]  # parameters that reach a tenant filter, and its line
    keyed: tuple[KeyedQuery, ...]
    check: bool = False  # a membership check: its arguments are what it verifies, never TNT103
    # ``row:TABLE``, ``rows:TABLE``, ``untrusted:SOURCE``, ``query:FAMILY:TABLE:SINGLE:LINE:PATH`` (a
    # builder) or "" (interp/returns.py)
    returns: str = ""
    system: str = ""  # "scheduled by app/celery.py:33 (celery beat)": a scheduler runs it
    # Lines of the TNT101/TNT102 findings at its own queries, with their codes: dropped when
    # only scheduled tasks call it (``crossfn/combine.py``).
    own: tuple[tuple[int, tuple[str, ...]], ...] = ()
    passes: tuple[str, ...] = ()  # parameters it only extends and hands back, never runs
    # Tenant checks it makes before anything leaves it: ``checked:attr:against`` (refuses unless
    # parameter ``checked``'s ``attr`` is ``against``'s; ``analysis/interp/guards.py``).
    guards: tuple[str, ...] = ()
    # Entries of dict parameters that reach a tenant filter or a written tenant column: a
    # serializer's ``self.context`` entries (``crossfn/context.py``).
    tenant_entries: tuple[TenantEntry, ...] = ()
    end: int = 0  # its last line (nested functions included): system code when only system code calls it
    signature: str = ""  # what a call binds (``crossfn/shapes.py``); "" when a decorator may change it
    # How only code naming it can call it (``crossfn/reach.py``): ``function`` (a plain function),
    # ``method``, ``static`` (a classmethod or staticmethod); "" when something else may (a decorator
    # registering it, a nested function, a handler)
    definition: str = ""
    bases: tuple[str, ...] = ()  # a method's: its class's bases, qualified through the file's imports
    keeps: tuple[str, ...] = ()  # parameters whose entries it never changes (``interp/kept_entries.py``)

    @property
    def name(self) -> str:
        return self.qualname.rsplit(".", 1)[-1]


@dataclass(frozen=True, slots=True)
class Arg:
    position: int  # -1: a keyword argument
    keyword: str
    trust: str  # "trusted" | "untrusted" | "unknown"
    source: str  # "request body", "parameter pk", ...
    span: Span | None  # only for request input (the only arguments a finding is reported at)
    snippet: str | None = None
    caller: bool = False  # the authenticated user or its id (``self.user.id``)
    listed: str = ""  # ``[member.id]``: the parameter every element of a list written in the call is
    literal: str | None = None  # a string literal passed (``kind="closed"``)
    # request input among these entries of a dict or list built in the caller (``*``: any)
    payload: tuple[str, ...] = ()
    entries: tuple[str, ...] = ()  # read from these entries of the caller's parameter (``data["id"]``)
    # reads through it are confined by a check of the row the call handed back ("trusted"), or as
    # good as this parameter of the caller (``parameter team_id``): ``interp/call_rows.py``
    checked: str = ""
    # a list of conditions written in the call, none confining the rows to a tenant (its ``span``
    # is known): ``interp/filter_lists.py``
    unpinned: bool = False
    pinned: bool = False  # a list of conditions written in the call pins a tenant column to a trusted value
    # entries of an event dict built in a queue producer that hold the caller's parameters:
    # (entry or ``*`` for a spread, ``parameter NAME`` or "" when unknown)
    entry_sources: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Site:
    """A call resolved to a dotted name; ``caller``: the calling function's qualified name."""

    callee: str
    path: str
    line: int
    caller: str | None
    handler: str | None
    celery: bool
    open_args: bool
    args: tuple[Arg, ...]
    # A reference that is not a call (``run(queryset_func=get_rows)`` in a scheduled task): it binds
    # nothing, and only says where the function is used (``crossfn/combine.py`` system helpers).
    reference: bool = False
    applied: bool = False  # the callee is a query builder whose query became the caller's own here
    queries: bool = False  # some argument is a query
    rows: bool = False  # some argument is a row fetched without a tenant filter, or an id, not yet checked
    # A call of a dispatch-table entry read by the caller's parameter ``selector``: reached only from
    # calls of the caller passing one of the ``selected`` keys there (or a value that is no literal).
    selector: str = ""
    selected: tuple[str, ...] = ()
    # Made in a file under ``system_paths``: it passes no request input, and the project's name
    # counts leave that file out (``crossfn/combine.py`` counts it as no spelling either).
    system: bool = False
    # The class a method call is spelled on (``FileService.get_by_id``, ``cls.get_by_id`` in
    # ``FileService``): which concrete subclass's walk of a generic base method it reaches.
    via: str = ""
    # The call as written, when it spells the callee's name (``x.search(term, sort=True)``):
    # ``crossfn/shapes.py``; "" for a ``.delay`` of a task, a reference, an alias.
    shape: str = ""
    bare: bool = False  # the callee spelt as a bare name (``fix(...)``): no method (``records.BARE``)
    # An event put on a named queue (``queue_json_publish("q", event)``): a call site of the queue's
    # consumer, which no spelling of its name counts (``crossfn/combine.py``).
    queue: bool = False
    # Some argument is a bare name whose entries the caller stored (``req`` after ``req["id"] = x``):
    # the callee's ``keeps`` tell whether the caller may keep them (``interp/stored_entries.py``).
    stored: bool = False


@dataclass
class FileResult:
    """What one file contributes to a run. Picklable: crosses process boundaries and the cache."""

    path: str
    findings: list[Finding] = field(default_factory=list)
    suppressed: list[Finding] = field(default_factory=list)
    sites: list[QuerySite] = field(default_factory=list)
    queries: int = 0
    unresolved: list[UnresolvedSite] = field(default_factory=list)
    unresolved_calls: int = 0  # see ``Stats.unresolved_calls``
    error: str | None = None
    skipped: bool = False  # the prefilter saw nothing any rule could fire on (its calls were not read)
    summaries: list[Summary] = field(default_factory=list)  # its functions (across functions)
    calls: list[Site] = field(default_factory=list)  # its calls resolved to dotted names
    # its suppression comments, when it has any: findings placed at its call sites later honour them
    comments: list[SuppressionComment] = field(default_factory=list)
    # the callees whose return summaries its analysis looked up (``Returns.answer``), sorted
    returns_asked: list[str] = field(default_factory=list)
    # the last names of the callees whose call sites (and return lookups) were not recorded, as no
    # function of the project had that name (``Settings.defined``), sorted: stale once one has
    dropped: list[str] = field(default_factory=list)
