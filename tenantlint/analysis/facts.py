"""Facts the per-file analysis produces. They know no rule codes: rules turn them into findings.

Facts hold the libcst node they are about; positions are resolved only for nodes that become
findings or audit rows (``tenantlint.analysis.source.parse.Positions``).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import libcst as cst


class Trust(enum.Enum):
    TRUSTED = "trusted"  # authenticated context, derived values, non-handler parameters
    UNTRUSTED = "untrusted"  # request input not verified by a membership check
    UNKNOWN = "unknown"  # constants, values we cannot classify (treated as not-untrusted)


@dataclass(frozen=True, slots=True)
class Provenance:
    trust: Trust
    source: str = ""  # human text: "request.POST", "path parameter org_id", "request.user"

    @staticmethod
    def trusted(source: str = "") -> Provenance:
        return Provenance(Trust.TRUSTED, source)

    @staticmethod
    def untrusted(source: str) -> Provenance:
        return Provenance(Trust.UNTRUSTED, source)

    @staticmethod
    def unknown(source: str = "") -> Provenance:
        return Provenance(Trust.UNKNOWN, source)


class QueryKind(enum.Enum):
    READ = "read"
    WRITE = "write"  # update / delete
    INSERT = "insert"


class Scoping(enum.Enum):
    """How one table reference of a query is confined to the caller's tenant."""

    TRUSTED_FILTER = "trusted-filter"
    RELATED_MANAGER = "related-manager"
    SCOPED_PARENT = "scoped-parent"
    SCOPING_METHOD = "scoping-method"
    OWNER_SCOPED = "owner-scoped"  # the caller's own rows: a foreign key to the user model = the caller
    CAPABILITY = "capability"  # a row looked up by its secret token (the client holds it)
    AUTO_SCOPED = "auto-scoped-manager"
    SYSTEM_SCOPE = "system-scope"
    UNTRUSTED_FILTER = "untrusted-filter"  # pinned, but to request input (TNT103)
    UNSCOPED = "unscoped"  # TNT101 / TNT102
    WEAKENED = "weakened"  # under OR, negated, or beside IS NULL (TNT105)
    INSERT_SETS_TENANT = "insert-sets-tenant"
    INSERT_MISSING_TENANT = "insert-missing-tenant"  # TNT104

    @property
    def is_safe(self) -> bool:
        return self in _SAFE


_SAFE = frozenset(
    {
        Scoping.TRUSTED_FILTER,
        Scoping.RELATED_MANAGER,
        Scoping.SCOPED_PARENT,
        Scoping.SCOPING_METHOD,
        Scoping.OWNER_SCOPED,
        Scoping.CAPABILITY,
        Scoping.AUTO_SCOPED,
        Scoping.SYSTEM_SCOPE,
        Scoping.INSERT_SETS_TENANT,
    }
)

# Scopings that confine a query to the caller's tenant by themselves, when the value deciding them is
# trusted (not the caller's own rows, a capability or system scope): what a scoped return, or a view's
# own confined ``get_queryset``, must have.
TENANT_CONFINING = frozenset({Scoping.TRUSTED_FILTER, Scoping.RELATED_MANAGER, Scoping.SCOPED_PARENT,
                              Scoping.SCOPING_METHOD, Scoping.AUTO_SCOPED})


@dataclass(frozen=True, slots=True)
class Step:
    """One link of a value's provenance chain: where the value came from. A chain is read from the
    value the query uses back to its origin; steps in other functions name their file and line."""

    text: str  # "request.user.org", "path parameter org_id", "verified require_member"
    path: str = ""  # "" for the query's own function
    line: int = 0


@dataclass(frozen=True, slots=True)
class FilterFact:
    """One tenant predicate of a query (a filter, a related manager, a scoped parent, an inserted
    tenant column) and the value it pins the tenant to."""

    how: Scoping
    detail: str  # "filter org", "WHERE i.org_id = %s", "sets org_id"
    trust: Trust
    chain: tuple[Step, ...] = ()  # the value's provenance, innermost first; it may grow across functions

    @staticmethod
    def of(how: Scoping, detail: str, prov: Provenance) -> FilterFact:
        return FilterFact(how, detail, prov.trust, (Step(prov.source),) if prov.source else ())


@dataclass(frozen=True, slots=True)
class TableUse:
    table: str
    scoping: Scoping
    untrusted: Provenance | None = None  # the request-derived tenant value (TNT103), if any
    detail: str = ""  # e.g. "filter(org=request.user.org)", "OR alternative", "exclude(org=...)"
    filters: tuple[FilterFact, ...] = ()  # every tenant predicate seen, the deciding one first

    @property
    def deciding(self) -> FilterFact | None:
        """The predicate the scoping rests on (the first safe one), if any."""
        return self.filters[0] if self.filters else None


@dataclass(frozen=True, slots=True)
class QueryFact:
    node: cst.CSTNode  # the outermost query expression of its statement
    kind: QueryKind
    family: str  # "django" | "sqlalchemy" | "sqlmodel" | "peewee" | "tortoise" | "sql"
    uses: tuple[TableUse, ...]
    handler: str | None = None


@dataclass(frozen=True, slots=True)
class RequestReadFact:
    """A handler reading a tenant key from client-controlled input (TNT201)."""

    node: cst.CSTNode  # the read itself: ``request.POST["org_id"]``, ``payload.org_id``
    key: str
    source: str  # "request body", "query string", "form", "headers", ...
    handler: str | None = None


@dataclass(frozen=True, slots=True)
class ViewFact:
    """A class-based view/viewset exposing a tenant model without a trusted get_queryset (TNT202)."""

    node: cst.CSTNode  # the class-level ``queryset =`` / ``model =`` assignment
    view: str
    table: str


@dataclass(frozen=True, slots=True)
class SqlProblemFact:
    node: cst.CSTNode  # the call that executes the SQL (or the literal, for TNT302)
    kind: str  # "dynamic" (TNT301) | "unparsable" (TNT302)
    message: str
    handler: str | None = None
    # why the code holding it is system code (a command, a scheduled task, ``system_scope``, ...):
    # SQL built at run time there reads every tenant's rows on purpose, whatever its tables; None
    # outside system code
    system: str | None = None


@dataclass(frozen=True, slots=True)
class UnresolvedFact:
    """A call that looks like a query but was tied to no model (counted, listed; never a finding)."""

    node: cst.CSTNode
    reason: str
    handler: str | None = None
    statement: cst.CSTNode | None = None


@dataclass(frozen=True, slots=True)
class ArgFact:
    """One argument of a call to a project function: which parameter it binds and where it comes from."""

    node: cst.CSTNode
    position: int  # -1 for a keyword argument
    keyword: str  # "" for a positional argument
    prov: Provenance
    # A list or tuple written in the call whose every element comes from this parameter
    # (``helper([member.id])``): passed on into a row parameter (``analysis/orm/anchors.py``).
    listed: str = ""
    literal: str | None = None  # a string literal (``kind="closed"``): selects a dispatch entry
    # ``prov`` is that of request input among these entries of a dict or list built in the caller
    # (``json.dumps({"cycle_id": cycle_id})``; ``*``: any): a payload keyed by it, naming no tenant
    payload: tuple[str, ...] = ()
    entries: tuple[str, ...] = ()  # read from these entries of a parameter's dict (``data["id"]``)
    # The row the call handed back was checked after it (``interp/call_rows.py``): its reads through
    # this argument are confined ("trusted"), or as good as a parameter (``parameter team_id``).
    checked: str = ""
    # A list of conditions written in the call, none confining the rows (``interp/filter_lists.py``)
    unpinned: bool = False
    pinned: bool = False  # ... one of which pins a tenant column to a trusted value
    # An event dict built in a queue producer (``interp/queue_producers.py``): (entry, ``parameter
    # NAME``) for its entries holding a parameter of the caller, ``*`` for a ``**spread`` (any entry
    # not written; source "" when the spread is not a parameter).
    entry_sources: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class CallFact:
    """A call resolved statically to a dotted name (``app.services.get_invoice``); ``celery``: a
    ``.delay``/``.apply_async`` call site of a task. ``open_args``: a ``*args``/``**kwargs`` spread."""

    node: cst.CSTNode
    callee: str
    args: tuple[ArgFact, ...]
    caller: str | None  # the calling function's qualified name, if module- or class-level
    handler: str | None
    celery: bool = False
    open_args: bool = False
    reference: bool = False  # a function named as a value (an argument), in a scheduled task
    queries: bool = False  # some argument is a query (a pass-through parameter may receive it)
    rows: bool = False  # some argument is a row not yet checked, or an id (a guard may check it)
    # A call of a dispatch-table entry read by one of the caller's parameters (``TABLE.get(kind)``):
    # that parameter, and the string keys that select this callee (``interp/calls.py``).
    selector: str = ""
    selected: tuple[str, ...] = ()
    via: str = ""  # the class a method call is spelled on (``FileService.get_by_id``: FileService)
    queue: bool = False  # an event put on a named queue: a call site of the queue's consumer
    stored: bool = False  # some argument is a bare name whose entries the caller stored


@dataclass
class FunctionFact:
    """A module-level function or a method, as the walk saw it (``analysis/summaries.py`` makes its
    summary). ``params``: the names a call binds, in order (without ``self``/``cls``)."""

    node: cst.CSTNode
    qualname: str
    params: tuple[str, ...]
    handler: str | None
    open: bool  # decorated by something that may call it with other arguments
    check: bool = False  # a membership check: its arguments are what it verifies
    returns: str = ""  # what it returns, for its callers (``analysis/interp/returns.py``)
    system: str = ""  # why a scheduler runs it ("scheduled by …"), if one does
    built: cst.CSTNode | None = None  # the query it returns unevaluated (a builder), if any
    passes: tuple[str, ...] = ()  # parameters it only extends and hands back (``interp/passes.py``)
    keeps: tuple[str, ...] = ()  # parameters whose entries it never changes (``interp/kept_entries.py``)
    guards: tuple[str, ...] = ()  # ``checked:attr:against`` tenant checks (``interp/guards.py``)
    # parameters annotated with a model class (``bot_profile: UserProfile``): rows, not ids
    rows: tuple[str, ...] = ()
    signature: str = ""  # what a call binds (``crossfn/shapes.py``); "" when not known
    definition: str = ""  # ``Summary.definition`` (``crossfn/reach.py``)
    bases: tuple[str, ...] = ()  # a method's class's bases


@dataclass
class FileFacts:
    queries: list[QueryFact]
    request_reads: list[RequestReadFact]
    views: list[ViewFact]
    sql_problems: list[SqlProblemFact]
    unresolved: list[UnresolvedFact] = field(default_factory=list)
    calls: list[CallFact] = field(default_factory=list)
    functions: list[FunctionFact] = field(default_factory=list)
    unresolved_calls: int = 0  # calls carrying request input or a parameter to an unresolved callee

    @staticmethod
    def empty() -> FileFacts:
        return FileFacts([], [], [], [], [])
