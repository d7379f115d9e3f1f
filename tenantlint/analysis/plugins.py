"""The plug-in contract: everything an ORM or web-framework plug-in may use, and every hook it offers.

The interpreter (``analysis/interp/``) names no ORM and no framework; it asks the plug-ins of
:class:`Plugins` and answers them through :class:`Evaluation`, a narrow view of itself. A plug-in
imports this module (and the value types of ``interp/values.py``), never the evaluator or the walker:

- :class:`Evaluation` — what a plug-in may ask of the evaluator: evaluate an expression (its value and
  provenance), create and derive queries, discard a query origin it absorbed, record an insert or an
  SQL problem; read the file (:class:`FileView`) and the function being walked (:class:`FunctionView`).
- :class:`OrmPlugin` — the hooks of an ORM family; the optional ones return None ("not mine").
- :class:`FrameworkPlugin` — the hooks of a web framework; the optional ones have neutral defaults.

Both halves of each family (the index extractor and the plug-in) are named in ``tenantlint/families.py``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache, cached_property
from typing import TYPE_CHECKING, Protocol, TypeVar

import libcst as cst

from tenantlint.analysis.facts import Provenance, QueryFact, QueryKind
from tenantlint.analysis.interp.values import (
    Instance,
    ModelRef,
    Origin,
    QueryState,
    QueryValue,
    RowValue,
    Value,
)

if TYPE_CHECKING:
    from tenantlint.analysis.interp.imports import ImportTable
    from tenantlint.analysis.settings import Settings
    from tenantlint.config.options import Config
    from tenantlint.index.records import ProjectIndex, TenantTable

T = TypeVar("T")

# Kinds of request input a framework reports (``Provenance.untrusted(kind)``). TNT201 applies to the
# first four, and in a request handler to values of ``untrusted_sources`` (``UNTRUSTED_SOURCE``).
BODY = "request body"
QUERY = "query string"
FORM = "form"
HEADERS = "headers"
COOKIES = "cookies"
PATH = "URL path parameter"
TNT201_KINDS = frozenset({BODY, QUERY, FORM, HEADERS})
UNTRUSTED_SOURCE = "untrusted source"  # ``untrusted source request.DATA.*``


@dataclass(frozen=True, slots=True)
class ClassInfo:
    """The class a method is defined in, as far as one file tells."""

    name: str
    bases: tuple[str, ...]  # qualified base names through the file's imports
    node: cst.ClassDef


@dataclass(frozen=True)
class HandlerInfo:
    name: str
    framework: str
    params: Mapping[str, Value] = field(default_factory=dict)  # initial values of parameters
    request_names: frozenset[str] = frozenset({"request"})  # names bound to the request object
    # Parameters made trusted by a membership-check decorator.
    verified: frozenset[str] = frozenset()
    # How those parameters name their check (``ProjectPermission``, ``@require_member``): what
    # ``self.kwargs["k"]`` of a verified parameter the handler does not take says it was verified by.
    verified_by: str = ""
    # Tenant keys read by the handler's signature itself (a FastAPI ``org_id: int = Query()``):
    # (parameter node, key, input kind); reported as TNT201 at the parameter.
    reads: tuple[tuple[cst.CSTNode, str, str], ...] = ()
    # The handler depends on a ``system_scope`` name (a FastAPI ``Depends(get_admin_user)``): its
    # body is system code, as under a ``system_scope`` decorator.
    system: bool = False


class FileView(Protocol):
    """What a plug-in may read of the file being analysed and of the run (never write)."""

    @property
    def path(self) -> str: ...
    @property
    def module(self) -> cst.Module: ...
    @property
    def source(self) -> str | None: ...  # the module's text, when known
    @property
    def imports(self) -> ImportTable: ...
    @property
    def settings(self) -> Settings: ...  # config, project index and cross-file facts of the run
    @property
    def config(self) -> Config: ...
    @property
    def index(self) -> ProjectIndex: ...
    @property
    def local_classes(self) -> Mapping[str, ClassInfo]: ...
    @property
    def plugin_memo(self) -> dict[str, object]: ...  # per-file memo, keyed by plug-in

    def model_name(self, local: str) -> str | None: ...
    def tenant_of_model(self, model: str) -> TenantTable | None: ...
    def is_view_class(self, cls: ClassInfo) -> bool: ...
    def project_bases(self, cls: ClassInfo) -> tuple[str, ...]: ...  # bases through other modules


class FunctionView(Protocol):
    """What a plug-in may read of the function being walked."""

    @property
    def handler(self) -> HandlerInfo | None: ...
    @property
    def handler_name(self) -> str | None: ...
    @property
    def statement(self) -> cst.CSTNode | None: ...  # the statement being walked
    @property
    def env(self) -> Mapping[str, Value]: ...  # local name -> value, at the current statement
    @property
    def system_depth(self) -> int: ...  # > 0 inside ``with system_scope()`` or a system function
    @property
    def system_reason(self) -> str: ...  # why, when a scheduler runs the function ("scheduled by …")
    @property
    def owner(self) -> ClassInfo | None: ...  # the class this function is a method of
    @property
    def models(self) -> Mapping[str, ModelRef]: ...  # models the owner's attributes hold (``cls.model``)


class Evaluation(Protocol):
    """What a plug-in may ask of the evaluator (one per statement being walked)."""

    @property
    def ctx(self) -> FileView: ...
    @property
    def fn(self) -> FunctionView: ...

    # ----- values and provenance -----
    def eval(self, node: cst.BaseExpression, use: bool = True) -> Value:
        """The value of ``node`` (its provenance in ``.prov``); ``use``: a query value is consumed."""
        ...

    def eval_args(self, call: cst.Call, use: bool = True) -> list[Value]: ...

    def iterate(self, value: Value) -> Value:
        """The element of iterating ``value`` (a row of a query)."""
        ...

    def in_comprehension(self, node: cst.ListComp | cst.SetComp | cst.GeneratorExp | cst.DictComp,
                         body: Callable[[], T], conditions: bool = True) -> T:
        """``body()`` with the comprehension's loop variables bound (its ``if``s evaluated when
        ``conditions``)."""
        ...

    def model_ref(self, model: str) -> ModelRef: ...

    def model_of(self, node: cst.BaseExpression) -> ModelRef | None:
        """The model ``node`` reaches statically other than by its imported name (a module attribute,
        ``cls``/``type(self)`` in the model's class, ``cls.model`` of a service), without evaluating
        anything."""
        ...

    # ----- queries -----
    def new_query(self, node: cst.CSTNode, family: str, table: str, tenant: TenantTable | None,
                  state: QueryState | None = None) -> QueryValue:
        """A query of ``table`` created at ``node``: reported once, in its worst used state."""
        ...

    def derive(self, q: QueryValue, node: cst.CSTNode, state: QueryState | None = None) -> QueryValue:
        """A query built from ``q`` by a chain method at ``node``."""
        ...

    def consume(self, q: QueryValue, kind: QueryKind = QueryKind.READ) -> None:
        """``q`` reaches the database (a read or a write) in its current state."""
        ...

    def row_of(self, q: QueryValue) -> RowValue: ...

    def discard(self, origin: Origin) -> None:
        """Forget the query created at ``origin``: the plug-in reports it otherwise (an insert), or
        it was absorbed into another query (``a | b``)."""
        ...

    # ----- facts -----
    def record_insert(self, node: cst.CSTNode, table: str, is_tenant: bool, tenant_set: bool,
                      prov: Provenance | None, family: str, owner: Provenance | None = None) -> None:
        """An insert into ``table`` at ``node``: whether it sets the tenant, and from what; ``owner``:
        a row that sets no tenant is the caller's own (``owner.owned_insert``)."""
        ...

    def record(self, fact: QueryFact) -> None:
        """A query fact the plug-in judged itself (raw SQL: the verifier's table uses)."""
        ...

    def report_sql_problem(self, node: cst.CSTNode, kind: str, message: str) -> None:
        """SQL at ``node`` that cannot be verified: ``unparsable`` (TNT302) or ``dynamic`` (TNT301)."""
        ...

    def note_call(self, node: cst.Call, args: list[Value]) -> None:
        """``node`` (whose arguments the plug-in evaluated to ``args``) is also a call site of a project
        callable for the cross-function pass: a serializer constructed with a ``context``."""
        ...


class OrmPlugin(ABC):
    """An ORM family's query plug-in. Required hooks are abstract; optional ones return None."""

    name: str
    families: frozenset[str]  # ModelInfo.family values this plug-in handles
    # Qualified names of the classes whose instances hold a query's rows (Django's ``QuerySet``): a
    # parameter annotated with one holds rows, not ids (``interp/signatures.row_params``).
    queryset_classes: frozenset[str] = frozenset()

    @abstractmethod
    def model_attribute(self, ev: Evaluation, model: ModelRef,
                        attr: str, node: cst.Attribute) -> Value | None:
        """``Invoice.objects`` -> a query; None when the attribute is not the ORM's business."""

    @abstractmethod
    def model_call(self, ev: Evaluation, model: ModelRef, call: cst.Call) -> Value | None:
        """``Invoice(number=1)`` -> an unsaved instance."""

    @abstractmethod
    def query_method(self, ev: Evaluation, query: QueryValue, method: str, call: cst.Call) -> Value | None:
        """``qs.filter(...)`` and friends; None to fall back to a plain call."""

    @abstractmethod
    def function_call(self, ev: Evaluation, qualname: str, call: cst.Call) -> Value | None:
        """``get_object_or_404(...)``, ``Q(...)``, ``select(...)``; None when not this ORM's."""

    @abstractmethod
    def compare(self, ev: Evaluation, node: cst.Comparison) -> Value | None:
        """``Invoice.org_id == x`` -> a predicate; None when not this ORM's."""

    # ----- optional hooks -----
    def relation(self, ev: Evaluation, node: cst.Attribute, recv: Value, attr: str,
                 related: list[tuple[str, str, str]]) -> Value | None:
        """``org.invoices`` on a row ``recv``: a query of the related table; None when not this ORM's.
        ``related``: (child model, fk field, target) of every relation named ``attr``."""
        return None

    def combine(self, ev: Evaluation, node: cst.BinaryOperation) -> Value | None:
        """``a | b`` / ``a & b`` of this ORM's predicates or queries; None when not this ORM's."""
        return None

    def combine_values(self, ev: Evaluation, node: cst.CSTNode, op: str, left: Value,
                       right: Value) -> Value | None:
        """``q |= Q(...)``: ``left`` combined with the evaluated ``right`` (``op``: "or"/"and")."""
        return None

    def negate(self, ev: Evaluation, node: cst.UnaryOperation) -> Value | None:
        """``~Q(...)``; None when not this ORM's."""
        return None

    def save_instance(self, ev: Evaluation, inst: Instance, call: cst.Call) -> bool:
        """``instance.save()`` of an unsaved instance: True when this plug-in recorded it."""
        return False

    def function_rows(self, ctx: FileView, fn: cst.FunctionDef) -> dict[str, Value]:
        """Parameters this ORM passes a row of a tenant table in (an event listener's ``target``):
        name -> value. Asked of every decorated function that is no handler."""
        return {}

    def lookup(self, ev: Evaluation, node: cst.Subscript, key: str) -> Value | None:
        """``metadata.tables["invoices"]``: a model or table this ORM's registry holds under the
        static name ``key``; None when not this ORM's."""
        return None

    def query_like(self, ev: Evaluation, call: cst.Call, qualname: str) -> str | None:
        """Why ``call``, which no hook resolved, looks like one of this ORM's queries on a model the
        index does not know (``X.objects.filter()``): counted and listed as not analysed."""
        return None


class FrameworkPlugin(ABC):
    """A web framework: which functions are request handlers, and what is request input."""

    name: str
    # Qualified names of a request object that is a module global (``flask.request``).
    request_globals: frozenset[str] = frozenset()
    # Handler parameters come only from the URL (as text or numbers), never from the body: a
    # parameter annotated with the user model is then the authenticated user a wrapper passes.
    url_only_parameters: bool = False
    # Qualified names of signer classes, whose ``unsign``/``unsign_object``/``loads`` return only a
    # value the server signed, and of functions returning one (``interp/signed_values.py``).
    signers: frozenset[str] = frozenset()
    signed_loaders: frozenset[str] = frozenset()

    @abstractmethod
    def handler(self, ctx: FileView, fn: cst.FunctionDef, cls: ClassInfo | None) -> HandlerInfo | None:
        """A HandlerInfo when ``fn`` is a request handler of this framework."""

    @abstractmethod
    def request_attribute(self, attr: str) -> str | None:
        """The input kind of ``request.<attr>`` (``POST`` -> form), None when not input."""

    # ----- optional hooks -----
    def request_method(self, method: str) -> str | None:
        """The input kind of ``request.<method>()`` (``get_json`` -> body), None when not input."""
        return None

    def view_class(self, ctx: FileView, cls: ClassInfo) -> bool:
        """True when the class is a class-based view / viewset that serves ``queryset``/``model``."""
        return False

    def attribute(self, ev: Evaluation, node: cst.Attribute) -> Value | None:
        """The value of an attribute this framework knows (``self.kwargs``), else None.

        Called before the generic evaluation; must not evaluate sub-expressions with side effects
        unless it returns a value.
        """
        return None

    def call(self, ev: Evaluation, node: cst.Call) -> Value | None:
        """The value of a call this framework knows (``serializer.save()``), else None.

        Same contract as ``attribute``: no side effects unless a value is returned.
        """
        return None

    def serves_model_attribute(self, ctx: FileView, cls: ClassInfo) -> bool:
        """Whether ``model = X`` on this framework's view class ``cls`` (bases across modules
        included) feeds a request it serves (Django's generic views: always)."""
        return True

    def method_rows(self, ctx: FileView, cls: ClassInfo, fn: cst.FunctionDef) -> dict[str, Value]:
        """Parameters of a method (not a handler) that this framework passes a trusted row in
        (``instance`` of a model serializer's ``update``): name -> value."""
        return {}

    def command_class(self, ctx: FileView, cls: ClassInfo) -> str | None:
        """The base (qualified) that makes ``cls`` a command-line command class of this framework,
        whose methods an operator runs from a shell (Django's ``BaseCommand``), else None."""
        return None

    def method_inputs(self, ctx: FileView, cls: ClassInfo, fn: cst.FunctionDef) -> frozenset[str]:
        """Names of what a method (not a handler) is given besides its parameters, judged at the
        code that gives it, as a parameter is at its calls (``context``: a serializer's
        ``self.context``, set where the serializer is constructed)."""
        return frozenset()

    def view_method(self, ev: Evaluation, method: str,
                    call: cst.Call, view_table: str | None) -> Value | None:
        """``self.<method>()`` in a method handler of this framework's class-based view
        (``self.get_object()``); ``view_table``: the table of the view's ``queryset``/``model``.
        Same contract as ``call``."""
        return None


@dataclass(frozen=True)
class Plugins:
    """The plug-ins of a run, in the order they are asked."""

    frameworks: tuple[FrameworkPlugin, ...] = ()
    orms: tuple[OrmPlugin, ...] = ()

    def framework(self, name: str) -> FrameworkPlugin | None:
        return next((fw for fw in self.frameworks if fw.name == name), None)

    @cached_property
    def request_globals(self) -> frozenset[str]:
        return frozenset().union(*(fw.request_globals for fw in self.frameworks))


@cache
def registered_plugins() -> Plugins:
    """The plug-ins of every row of ``tenantlint/families.py``, in its order (loaded on first use)."""
    from tenantlint.families import FRAMEWORK_FAMILIES, ORM_FAMILIES, load

    frameworks: list[FrameworkPlugin] = []
    for fw in FRAMEWORK_FAMILIES:
        plugin = load(fw.plugin)
        assert isinstance(plugin, FrameworkPlugin), fw.plugin
        frameworks.append(plugin)
    orms: list[OrmPlugin] = []
    for family in ORM_FAMILIES:
        orm = load(family.plugin)
        assert isinstance(orm, OrmPlugin), family.plugin
        if orm not in orms:
            orms.append(orm)
    return Plugins(tuple(frameworks), tuple(orms))


def local_lineage(ctx: FileView, cls: ClassInfo) -> Iterator[ClassInfo]:
    """``cls`` and its bases defined in the same file, each once, nearest first."""
    seen: set[str] = set()
    todo = [cls]
    while todo:
        c = todo.pop()
        if c.name in seen:
            continue
        seen.add(c.name)
        yield c
        todo.extend(ctx.local_classes[b] for b in c.bases if b in ctx.local_classes)
