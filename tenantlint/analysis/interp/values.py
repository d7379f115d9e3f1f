"""Abstract values of the per-function interpreter: where a value comes from, and what a query is.

A value is immutable; the walker's environment maps local names to values and merges them at the
end of branches. Query values share an ``Origin``: the statement that created the query, where the
finding is reported, and the states in which the query was used.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import Any

import libcst as cst

from tenantlint.analysis.facts import FilterFact, Provenance, QueryKind, Scoping, Trust
from tenantlint.analysis.interp.either_params import either_source
from tenantlint.crossfn.records import CONSTANT, KEYED_ROWS, PARAMETER
from tenantlint.index.records import TenantTable

UNKNOWN = Provenance.unknown()


@dataclass(frozen=True, slots=True)
class Value:
    """Any value: its provenance decides whether it may pin a tenant."""

    prov: Provenance = UNKNOWN
    # For the id or row of a row fetched by a scoped query: that row's table (scoped-parent filters).
    scoped_row_of: str | None = None
    # A dict/kwargs built from request input that carries a tenant key.
    carries_tenant_key: bool = False
    # The primary key (or keys) of the ``scoped_row_of`` rows, not just any value taken from them:
    # ``group.id``, ``[g.id for g in groups]``, an id a scoped fetch proved (``analysis/orm/carried.py``).
    row_key: bool = False
    # Read from these literal entries of a parameter (``data.get("cycle_id")``, ``data["cycle_id"]``):
    # a dict the caller builds reaches the value through these entries only (``crossfn/combine.py``).
    entries: tuple[str, ...] = ()
    # The field of the ``scoped_row_of`` rows the value was read from (``a.path_id``, ``{a.path_id
    # for a in rows}``): a unique field of that table pinned to it names those same rows
    # (``analysis/orm/carried.py``).
    key_field: str = ""
    # A name that is ``None`` on another path: the value of the path that bound something else, for
    # a test that proves the name is not ``None`` (``interp/maybe_none.py``).
    unless_none: Value | None = None
    # Values of one parameter united with scoped ids (``{target.id} | scoped_ids``, ``interp/
    # scoped_ids.py``): the table of those scoped ids, which a helper returning it names to its
    # callers (``interp/keyed_ids.py``).
    beside_scoped: str = ""

    @property
    def untrusted(self) -> bool:
        return self.prov.trust is Trust.UNTRUSTED

    @property
    def trusted(self) -> bool:
        return self.prov.trust is Trust.TRUSTED


@dataclass(frozen=True, slots=True)
class ModelRef(Value):
    """A model class: ``Invoice``."""

    model: str = ""
    table: str = ""
    family: str = ""
    tenant: TenantTable | None = None
    # A ``Table`` object (``metadata.tables["invoices"]``), not the mapped class: ``.delete()`` on
    # it is a statement, whatever class maps the table.
    table_object: bool = False


@dataclass(frozen=True, slots=True)
class Pin:
    """A tenant predicate found in a query: its value's provenance, and whether it is mandatory."""

    prov: Provenance
    how: Scoping = Scoping.TRUSTED_FILTER  # TRUSTED_FILTER, SCOPED_PARENT, RELATED_MANAGER, SCOPING_METHOD
    detail: str = ""
    # Confines the rows to the caller's own tenants whatever else filters them (a membership join
    # pinned to the caller): another tenant value from the request can then only narrow them.
    confines: bool = False


@dataclass(frozen=True, slots=True)
class QueryState:
    pins: tuple[Pin, ...] = ()
    weakened: str = ""  # why the only tenant predicates are not mandatory
    bypass: Scoping | None = None  # SYSTEM_SCOPE / AUTO_SCOPED
    bypass_detail: str = ""  # why the bypass holds, when not the config ("scheduled by …")
    written_untrusted: Provenance | None = None  # a tenant column set from request input (update)
    # For a query on a table that is not tenant-scoped: where its filter values come from, so a row it
    # fetches by a request-supplied key is untrusted (``Organization.objects.get(slug=slug)``).
    key_prov: Provenance | None = None
    # Parameters of the function (not a handler) that a mandatory conjunct pins a foreign key to a
    # tenant table to (``bot_profile=bot_profile``): the rows of that parameter's row, confined when
    # every call passes a trusted row (``analysis/orm/anchors.py``; judged across functions).
    anchors: frozenset[str] = frozenset()
    # A query its own statement keyed by nothing (``base = Value.objects.select_related("field")``),
    # narrowed in later statements by filters keyed only by these parameters (``values =
    # base.filter(user=target_user)``); None: not narrowed so (``interp/later_keys.py``).
    later_keys: tuple[str, ...] | None = None
    # Foreign keys to tenant tables pinned to request input: real pins once a check later in the
    # handler verifies that input (``analysis/orm/late_parents.py``).
    latent: tuple[Pin, ...] = ()

    def add_pin(self, pin: Pin) -> QueryState:
        # ``replace(self, pins=...)`` without its per-call look at the fields (a pin per query)
        return QueryState(self.pins + (pin,), *[getattr(self, name) for name in _STATE_REST])

    def verdict(self) -> tuple[Scoping, Provenance | None, str]:
        """The scoping of the table, the untrusted tenant value if any, and a detail text."""
        untrusted = next((p.prov for p in self.pins if p.prov.trust is Trust.UNTRUSTED), None)
        # A trusted tenant filter confines the rows by itself: a request value beside it only narrows.
        if any(p.prov.trust is not Trust.UNTRUSTED for p in self.pins):
            untrusted = None
        untrusted = untrusted or self.written_untrusted
        if self.bypass is not None:
            return self.bypass, None, self.bypass_detail
        safe = [p for p in self.pins if p.prov.trust is not Trust.UNTRUSTED]
        if safe:
            return safe[0].how, untrusted, safe[0].detail
        if any(p.prov.trust is Trust.UNTRUSTED for p in self.pins):
            return Scoping.UNTRUSTED_FILTER, untrusted, ""
        if self.weakened:
            return Scoping.WEAKENED, untrusted, self.weakened
        return Scoping.UNSCOPED, untrusted, ""

    def filters(self) -> tuple[FilterFact, ...]:
        """Every tenant predicate as a fact, the one the verdict rests on first."""
        safe = [p for p in self.pins if p.prov.trust is not Trust.UNTRUSTED]
        rest = [p for p in self.pins if p.prov.trust is Trust.UNTRUSTED]
        return tuple(FilterFact.of(p.how, p.detail, p.prov) for p in safe + rest)

    def rank(self) -> int:
        """Higher is worse; used to merge branch states and keep the worst."""
        scoping, untrusted, _ = self.verdict()
        base = _RANKS.get(scoping, 0)
        return base + (1 if untrusted is not None and base == 0 else 0)


_RANKS = {Scoping.UNSCOPED: 4, Scoping.WEAKENED: 3, Scoping.UNTRUSTED_FILTER: 2}
_STATE_REST = tuple(f.name for f in fields(QueryState))[1:]  # after ``pins``, in order
assert fields(QueryState)[0].name == "pins" and all(f.init and not f.kw_only for f in fields(QueryState))


@dataclass(eq=False)
class Origin:
    """Where a query was created. Mutable bookkeeping owned by the walker, never a fact."""

    node: cst.CSTNode
    statement: cst.CSTNode
    family: str
    table: str
    tenant: TenantTable | None
    handler: str | None
    uses: list[tuple[QueryKind, QueryState]] = field(default_factory=list)
    latest: QueryState | None = None
    internal: bool = False  # a view's own queryset seen from its methods: judged as TNT202 only
    # A generic base method walked for one concrete model: ``DocumentService.get_by_id``.
    binding: str | None = None
    # ``Model.name`` where ``name`` is declared nowhere the index can see: a query only once a query
    # method is applied to it (``Model.name.filter(...)``), else an unknown class attribute.
    tentative: bool = False
    function: str | None = None  # the qualified name of the function it is in (summaries)
    # The function's parameters that make up every key of this query, when nothing else does.
    keys: tuple[str, ...] | None = None
    entries: tuple[tuple[str, str], ...] = ()  # keys' dict entries it is keyed by (``calls.param_entries``)
    # A query a builder function returned unevaluated, judged at this call: ``via Helper.name (path:line)``.
    via: str = ""
    via_call: cst.CSTNode | None = None  # that call
    bare: bool = False  # its own statement keyed it by nothing at all (``interp/later_keys.py``)
    # A bare query of one branch whose name went on, after the join, as the bare query of another
    # (``objs = cls.model.select(*cols)`` / ``else: objs = cls.model.select()``): what is done to the
    # name from there on is done to this one too (``later_keys.keys_of``).
    merged: Origin | None = None
    # Its keys when the locals a named function computed from parameters stand for constants (they
    # only narrow the rows of a row passed in: ``interp/derived_locals.py``); None when they key it
    # by nothing more than ``keys`` does.
    narrowing_keys: tuple[str, ...] | None = None
    # ``**kwargs``: the function's keyword arguments are its filter, beside ``keys`` (or alone):
    # judged at each call with the call's keywords (``interp/kwargs_filters.py``)
    spread: str = ""


@dataclass(frozen=True, slots=True)
class QueryValue(Value):
    origin: Origin | None = None
    state: QueryState = QueryState()
    single_row: bool = False  # e.g. a SQLAlchemy Select of one model, or a Django manager

    def with_state(self, state: QueryState) -> QueryValue:
        if type(self) is not QueryValue:  # a plug-in's own kind of query (``SaQuery``)
            return replace(self, state=state)
        # ``replace`` without its per-call look at the fields (a derived query per chain method)
        values: list[Any] = [state if name == "state" else getattr(self, name) for name in _QUERY_FIELDS]
        return QueryValue(*values)


_QUERY_FIELDS = tuple(f.name for f in fields(QueryValue))


@dataclass(frozen=True, slots=True)
class Built(Value):
    """What a call of a query builder returns, before the caller makes it a query of its own: an
    unevaluated query on ``table`` that the builder at ``path:line`` did not filter."""

    family: str = ""
    table: str = ""
    single_row: bool = False
    helper: str = ""
    path: str = ""
    line: int = 0


@dataclass(frozen=True, slots=True)
class Instance(Value):
    """An unsaved model instance: ``Invoice(number=1)``; the tenant may be set later."""

    model: str = ""
    table: str = ""
    tenant: TenantTable | None = None
    tenant_set: bool = False
    tenant_prov: Provenance | None = None
    node: cst.CSTNode | None = None


@dataclass(frozen=True, slots=True)
class DictValue(Value):
    """A dict built from a literal (and string-keyed item assignments): ``**filters`` expands it."""

    items: tuple[tuple[str, Value], ...] = ()
    empty: bool = False  # the display ``{}``: no entry at all (``items`` lists the string-keyed ones)

    def with_item(self, key: str, value: Value) -> DictValue:
        items = tuple(i for i in self.items if i[0] != key) + ((key, value),)
        return replace(self, items=items, empty=False)


@dataclass(frozen=True, slots=True)
class IdSets(Value):
    """``defaultdict(set)`` whose entries were only ever given id collections of one kind
    (``interp/id_sets.py``): ``held`` is what every entry holds (None: no entry put in yet)."""

    held: Value | None = None


@dataclass(frozen=True, slots=True)
class Dispatch(DictValue):
    """A dict literal whose values all name functions (``{"created": create_activity, ...}``): an
    entry read from it is one of those functions, and calling it is a call site of each."""

    callees: tuple[str, ...] = ()
    names: tuple[tuple[str, str], ...] = ()  # (key, callee) of the string-keyed entries
    selector: str = ""  # an entry read by this parameter of the function (``TABLE.get(kind)``)


@dataclass(frozen=True, slots=True)
class SeqValue(Value):
    """A list/tuple built from a literal: its elements' values, in order (``open_ended`` after a
    ``*spread``, whose position and length are unknown)."""

    items: tuple[Value, ...] = ()
    open_ended: bool = False


@dataclass(frozen=True, slots=True)
class Records(Value):
    """A local list of dict displays: grown by ``rows.append({"new_id": str(dup.id), ...})`` or
    written as a list display of them. ``entry`` is one element: at each key, what every dict put in
    holds there (``interp/records.py``). Its provenance is the list's, as for any grown local."""

    entry: DictValue = DictValue()


@dataclass(frozen=True, slots=True)
class ReturnedTuple(SeqValue):
    """What a call of a project function returning a tuple gives (``messages, propagate =
    helper(...)``): the kind of each element, as its every ``return`` agrees on it
    (``interp/returns.py``). Unpacked element by element, and indexed by a number literal."""


@dataclass(frozen=True, slots=True)
class ScopedKeys(Value):
    """A dict whose every key is a scoped id (``{u.id: u.email for u in scoped_users}``, or ``{}``
    filled by ``d[row.id] = ...`` only): ``keys`` is what its keys are (``d.keys()``, ``list(d)``,
    ``for k in d``). Its own provenance is that of its values (``interp/scoped_keys.py``)."""

    keys: Value = Value()


@dataclass(frozen=True, slots=True)
class ScopedPairs(Value):
    """``d.items()`` of a :class:`ScopedKeys`: pairs of one of its keys (``keys``) and one of its
    values (the provenance), which ``for k, v in ...`` unpacks."""

    keys: Value = Value()


@dataclass(frozen=True, slots=True)
class RowsById(ScopedKeys):
    """A dict of rows that carry their tenant keyed by their own ids: ``{str(i.id): i for i in
    scoped_issues}``. A key found in it names one of those rows (``interp/keyed_fetch.py``)."""

    table: str = ""


@dataclass(frozen=True, slots=True)
class RowValue(Value):
    """A row fetched from a table; trusted when the query that fetched it was scoped."""

    table: str = ""
    # The query that fetched it, while its result has not left the function: a check of the row's
    # tenant after the fetch scopes that query (``if row.org_id != request.user.org_id: raise``).
    origin: Origin | None = None
    # The query that fetched it, also when that query pins the tenant to request input (``origin``
    # is then None): a check of the row's secret token after the fetch makes it a capability lookup
    # (``token_check.py``).
    fetched_by: Origin | None = None
    # The query that fetched a row of a table with no tenant of its own, which neither ``origin`` nor
    # ``fetched_by`` keeps: a by-id getter returning it hands back the row of the id its caller
    # passes (``by_id_rows.py``).
    untenanted_fetch: Origin | None = None


@dataclass(frozen=True, slots=True)
class RowMap(DictValue):
    """``{}`` filled by ``d[key] = row`` with rows of one fetch only (``interp/row_maps.py``): ``row``
    is the row as its name held it, fetched in place (a :class:`RowValue` with an ``origin``) or
    handed back by the project call ``call`` (``call_rows.py``)."""

    row: Value | None = None
    call: cst.BaseExpression | None = None
    # The list a loop filled it from, one row per element, and that list's value then
    # (``interp/map_keys.py``)
    keys: str = ""
    keys_value: Value | None = None

    def same_fetch(self, other: RowMap) -> bool:
        if self.row is None or other.row is None:
            return False
        if self.call is not None or other.call is not None:
            return self.call is other.call
        return isinstance(self.row, RowValue) and isinstance(other.row, RowValue) \
            and self.row.origin is other.row.origin

    def with_item(self, key: str, value: Value) -> DictValue:
        return DictValue(self.prov, items=((key, value),), empty=False)  # no longer rows of one fetch


@dataclass(frozen=True, slots=True)
class RowMapView(Value):
    """``d.values()`` (``pairs`` False) or ``d.items()`` of a :class:`RowMap`."""

    row: Value | None = None
    call: cst.BaseExpression | None = None
    pairs: bool = False


def empty_collection(value: Value) -> bool:
    """An empty ``[]``, ``()``, ``set()`` or ``list()``: it holds no value, so merged with or grown by
    another it is that other (``ids = set()`` then ``ids = scoped_ids()`` in a branch)."""
    return (type(value) is SeqValue and not value.items and not value.open_ended
            and value.prov.trust is Trust.UNKNOWN)


_PLAIN = (Value, SeqValue)
CONSTANT_ORIGIN = "constant local"  # ``interp/constant_locals.py``


def own_origin(value: Value) -> str:
    """The origin an unknown value keeps of its own (a parameter's, a constant's, its rows'), or ""."""
    source = value.prov.source
    return source if source.startswith((PARAMETER, KEYED_ROWS, CONSTANT)) else ""


def worse(a: Value, b: Value) -> Value:
    """Merge two branch values: untrusted wins over trusted, an unscoped query over a scoped one."""
    if a is b:
        return a
    if isinstance(a, IdSets) or isinstance(b, IdSets):
        return _either_sets(a, b)
    if isinstance(a, RowMap) or isinstance(b, RowMap):
        return _either_map(a, b)
    if (isinstance(a, ScopedKeys | ScopedPairs) or isinstance(b, ScopedKeys | ScopedPairs)) and not (
            isinstance(a, RowsById) and isinstance(b, RowsById)):
        return _either_keys(a, b)
    if empty_collection(a) and not isinstance(b, QueryValue) and b.scoped_row_of:
        return b
    if empty_collection(b) and not isinstance(a, QueryValue) and a.scoped_row_of:
        return a
    if empty_collection(a) and isinstance(b, Records):
        return b  # ``rows = []`` then, in a loop, ``rows.append({...})``: only those dicts
    if empty_collection(b) and isinstance(a, Records):
        return a
    if empty_collection(a) and type(b) in _PLAIN and b.prov.trust is Trust.UNKNOWN and own_origin(b):
        return b  # ``ids = []`` then, in a loop, a parameter's values (or ids of its rows): only those
    if empty_collection(b) and type(a) in _PLAIN and a.prov.trust is Trust.UNKNOWN and own_origin(a):
        return a
    if isinstance(a, QueryValue) and isinstance(b, QueryValue) and a.origin is not b.origin:
        _merge_bare(a, b)
    if isinstance(a, QueryValue) and isinstance(b, QueryValue) and a.origin is b.origin:
        chosen = a if a.state.rank() >= b.state.rank() else b
        keys = (None if a.state.later_keys is None or b.state.later_keys is None
                else tuple(sorted({*a.state.later_keys, *b.state.later_keys})))
        if keys == chosen.state.later_keys:
            return chosen
        return chosen.with_state(replace(chosen.state, later_keys=keys))  # narrowed on both paths
    if a.untrusted:
        return a
    if b.untrusted:
        return b
    if type(a) in _PLAIN and type(b) in _PLAIN and a.prov.trust is Trust.UNKNOWN \
            and b.prov.trust is Trust.UNKNOWN and own_origin(a) != own_origin(b) \
            and not a.scoped_row_of and not b.scoped_row_of:
        # A parameter's values in one branch, another value in the other: of no one origin (a
        # constant keys nothing, so the other side's origin stands).
        if own_origin(a) == CONSTANT_ORIGIN:
            return b
        if own_origin(b) == CONSTANT_ORIGIN:
            return a
        if (either := either_source(a.prov.source, b.prov.source)) is not None:
            return Value(Provenance.unknown(either))  # either parameter's: keyed by both
        if own_origin(a) or own_origin(b):
            return Value()
    if isinstance(a, Instance) and isinstance(b, Instance) and a.node is b.node:
        return a if not a.tenant_set else b
    if a.trusted and not b.trusted:
        return b
    return a


def _either_sets(a: Value, b: Value) -> Value:
    """Two branches' values, one a dict of id sets (``interp/id_sets.py``): a dict of id sets when
    both are, whose entries hold what either path put in (merged as two branches' values are: scoped
    ids beside one parameter's values are that parameter's); request input wins; else an ordinary value."""
    if isinstance(a, IdSets) and isinstance(b, IdSets):
        if a.held is None or b.held is None:
            return a if b.held is None else b
        return IdSets(held=worse(a.held, b.held))
    if a.untrusted or b.untrusted:
        return a if a.untrusted else b
    return Value()


def _merge_bare(a: QueryValue, b: QueryValue) -> None:
    """Two bare queries of one function joined in a name, neither used yet: the one the join
    drops goes on as the one :func:`worse` keeps (``Origin.merged``)."""
    if a.origin is None or b.origin is None or not a.origin.bare or not b.origin.bare:
        return
    if a.origin.uses or b.origin.uses or a.origin.function != b.origin.function:
        return
    if a.state != b.state:  # narrowed on one path before the join: not the same query from here on
        return
    kept, dropped = (b.origin, a.origin) if a.trusted and not b.trusted else (a.origin, b.origin)
    if dropped.merged is None and kept.merged is not dropped:
        dropped.merged = kept


def empty_dict(value: Value) -> bool:
    """``{}``: a dict display holding nothing (of no provenance of its own)."""
    return type(value) is DictValue and value.empty and not value.items and value.prov.trust is Trust.UNKNOWN


def _either_map(a: Value, b: Value) -> Value:
    """A map of rows of one fetch on one path: ``{}`` on the other is the map (nothing was put in
    there), the same map is itself, anything else an ordinary dict."""
    if empty_dict(a) or empty_dict(b):
        return b if empty_dict(a) else a
    if isinstance(a, RowMap) and isinstance(b, RowMap) and a.same_fetch(b):
        return a
    if a.untrusted or b.untrusted:
        return a if a.untrusted else b
    return DictValue(a.prov if a.prov == b.prov else UNKNOWN, empty=False)


def _either_keys(a: Value, b: Value) -> Value:
    """A dict of scoped keys on one branch (or both) and ``{}`` or another dict on the other: keys
    that are scoped ids on both, else an ordinary value (its keys may be anything). The same for
    their ``items()``."""
    if a == b:
        return a
    if empty_dict(a) or empty_dict(b):
        return b if empty_dict(a) else a
    if isinstance(a, ScopedKeys) and isinstance(b, ScopedKeys):
        if a == b:
            return a
        same = a.keys.key_field == b.keys.key_field
        keys = Value(a.keys.prov, scoped_row_of=a.keys.scoped_row_of,
                     row_key=a.keys.row_key and b.keys.row_key, key_field=a.keys.key_field if same else "")
        return ScopedKeys(a.prov if a.prov == b.prov else UNKNOWN, keys=keys)
    if a.untrusted or b.untrusted:
        return a if a.untrusted else b
    return Value(a.prov if a.prov == b.prov else UNKNOWN)
