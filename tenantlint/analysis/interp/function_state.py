"""The state of one function's walk (its environment of values, its handler, what it returned) and
the walker's small helpers: merging branch environments, a function's parameters and decorator
names."""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from tenantlint.analysis.facts import Provenance, Trust
from tenantlint.analysis.interp import maybe_none
from tenantlint.analysis.interp.exprs import EACH_PREFIX, STORED_PREFIX, dotted
from tenantlint.analysis.interp.file_context import FileContext
from tenantlint.analysis.interp.nested import NestedDef
from tenantlint.analysis.interp.predicates import Junction, PredValue
from tenantlint.analysis.interp.values import ModelRef, ReturnedTuple, Value, worse
from tenantlint.analysis.plugins import ClassInfo, HandlerInfo
from tenantlint.analysis.rawsql.text import merged as sql_either
from tenantlint.crossfn.records import KEYED_ROWS, PARAMETER

# Env key prefix of a fetch not scoped when it ran, whose id names a later check may prove
# (``keyed_fetch.Unproven``); the bare prefix marks a function that holds some.
UNPROVEN = "\x00unproven:"


@dataclass
class FunctionState:
    handler: HandlerInfo | None
    env: dict[str, Value] = field(default_factory=dict)
    statement: cst.CSTNode | None = None
    system_depth: int = 0
    system_reason: str = ""  # why the function is system code, when not a config name (a schedule)
    returns: list[Value] = field(default_factory=list)
    return_nodes: list[cst.BaseExpression | None] = field(default_factory=list)  # their expressions
    # Returned queries that nothing had used before the ``return`` (a builder hands them on unevaluated).
    fresh_returns: list[Value] = field(default_factory=list)
    returned_names: set[str] = field(default_factory=set)  # names some ``return`` mentions
    last_args: tuple[cst.Call, list[Value]] | None = None  # the arguments evaluated last, and their call
    ctx: FileContext | None = None
    # Class-level ``queryset``/``model`` of the view whose method this is (``self.queryset``).
    class_attrs: dict[str, Value] = field(default_factory=dict)
    # The class this function is a method of (``self.SQL`` / ``cls.SQL`` class constants).
    owner: ClassInfo | None = None
    # Models held by the owner class's attributes (``cls.model``; ``analysis/interp/receivers.py``).
    models: dict[str, ModelRef] = field(default_factory=dict)
    # The concrete subclass this generic base method is walked for (``DocumentService.get_by_id``).
    binding: str | None = None
    # ``pkg.module`` (module level) or ``pkg.module.Class`` (class body): what a function defined
    # here is called; "" inside functions (nested functions have no summary).
    scope: str = ""
    qualname: str | None = None  # this function's ``pkg.module.name`` / ``pkg.module.Class.name``
    params: frozenset[str] = frozenset()  # parameters a caller binds (a summary's ports)
    # The ``**kwargs`` parameter used only as ``**kwargs`` spreads (``interp/kwargs_filters.py``), or ""
    spread: str = ""
    # In a function nested in one that is no handler: the enclosing function, whose parameters the
    # nested one reads as they were captured; its queries keyed by them are that function's.
    enclosing: str | None = None
    enclosing_params: frozenset[str] = frozenset()
    # Functions defined in this one, by name, and (in a nested function) its own entry there.
    nested_defs: dict[str, NestedDef] = field(default_factory=dict)
    own_def: NestedDef | None = None
    # ``is_admin = ProjectMember.objects.filter(...).exists()``: the expression a name was last bound
    # to, with the value bound (an inline check ``if not is_admin: return 403`` reads it back while the
    # name still holds that very value).
    bound_exprs: dict[str, tuple[cst.BaseExpression, Value]] = field(default_factory=dict)
    # Names holding an instance of a known project class (``local_types.py``): calls through them.
    types: dict[str, str] = field(default_factory=dict)
    # Calls whose falsy answer leaves the function (``if not can_edit(m, b): raise``): ids of the nodes.
    negated_calls: set[int] = field(default_factory=set)
    query_calls: set[int] = field(default_factory=set)  # ids of the calls with arguments that built a query
    stored_calls: set[int] = field(default_factory=set)  # ids of the calls given a dict with stored entries
    # The function's body, and the names it reads only to narrow other queries (``narrowing.py``),
    # computed on the first unscoped row bound to a name.
    body: cst.CSTNode | None = None
    narrowing: frozenset[str] | None = None
    # Names bound as ``for``/comprehension targets over elements of known provenance (``for g in
    # groups``): locals, not the global a trusted pattern names (``g.*`` is Flask's ``g``).
    loop_names: set[str] = field(default_factory=set)
    # The module's (or class body's) names as the function started: ``LIMIT`` not rebound here is a
    # module-level name, not a local (``constant_locals.py``).
    module_env: dict[str, Value] = field(default_factory=dict)
    # ``found, row = Service.get_by_id(pk)``: each name of a tuple target bound to a call, with the
    # value bound (``call_rows.py`` reads back the call while the name still holds that very value).
    unpacked_calls: dict[str, tuple[cst.BaseExpression, Value]] = field(default_factory=dict)
    # The names of those bound as a tuple's first element (``ok`` of ``ok, row = check(...)``): a
    # predicate answering a pair answers there (``flag_answers.py``).
    unpacked_first: set[str] = field(default_factory=set)

    @property
    def handler_name(self) -> str | None:
        return self.handler.name if self.handler else None

    @property
    def request_names(self) -> frozenset[str]:
        return self.handler.request_names if self.handler else frozenset()

    def bind_loop(self, target: cst.BaseExpression, value: Value) -> None:
        """Bind a ``for``/comprehension target; over elements of known provenance (rows of a scoped
        query, request input) its names are loop locals that no trusted pattern matches. Over
        anything else a configured naming convention (``user_profile.*``) still applies."""
        if value.trusted or value.untrusted:
            self.loop_names.update(n.value for n in target_names(target))
        self.bind(target, value)

    def held_expr(self, name: str) -> tuple[cst.BaseExpression, Value] | None:
        """The expression ``name`` was last bound to and the value bound, while ``name`` still holds
        that very value (after branches join it holds their merge, and the expression of one branch
        says nothing of it)."""
        held = self.bound_exprs.get(name)
        return held if held is not None and self.env.get(name) is held[1] else None

    def bind(self, target: cst.BaseExpression, value: Value) -> None:
        if isinstance(target, cst.Name):
            self.env[target.value] = value
            self.bound_exprs.pop(target.value, None)
            self.types.pop(target.value, None)
        elif isinstance(target, cst.Tuple | cst.List) and isinstance(value, ReturnedTuple) \
                and len(target.elements) == len(value.items) \
                and not any(isinstance(el, cst.StarredElement) for el in target.elements):
            for el, item in zip(target.elements, value.items, strict=True):
                self.bind(el.value, item)  # ``later, save = helper(...)``: each element's kind
        elif isinstance(target, cst.Tuple | cst.List):
            for el in target.elements:
                inner = el.value
                if isinstance(el, cst.StarredElement):
                    inner = el.value
                self.bind(inner, Value(value.prov, scoped_row_of=value.scoped_row_of))
        elif isinstance(target, cst.StarredElement):
            self.bind(target.value, value)


def target_names(target: cst.BaseExpression) -> list[cst.Name]:
    """The names an assignment or ``for`` target binds (through tuples, lists and ``*rest``)."""
    if isinstance(target, cst.Name):
        return [target]
    if isinstance(target, cst.Tuple | cst.List):
        return [n for el in target.elements for n in target_names(el.value)]
    if isinstance(target, cst.StarredElement):
        return target_names(target.value)
    return []


def merge_env(a: dict[str, Value], b: dict[str, Value], params: frozenset[str] = frozenset()
              ) -> dict[str, Value]:
    """The values after two paths join. ``params``: parameters of a function that is no handler; one
    rebound on one path only to another parameter's value (or to values read from rows that
    parameters fetched) holds on the other what the caller passed (``if document_id != FAKE:
    referred_document_id = document_id``: either parameter, of no one origin)."""
    out = dict(a)
    for k, v in b.items():
        out[k] = _merge(out[k], v) if k in out else v
    for k in params:
        if (k in a) != (k in b) and _of_parameters(out[k]) and out[k].prov.source != PARAMETER + k:
            out[k] = _merge(out[k], Value(Provenance.unknown(PARAMETER + k)))
    if UNPROVEN in out:  # an unproven fetch of one branch only: the other path never ran it
        for k in [k for k in out if k.startswith(UNPROVEN) and k != UNPROVEN and (k not in a or k not in b)]:
            del out[k]
    for prefix in (EACH_PREFIX, STORED_PREFIX):  # a list checked in a loop, an entry stored, on one
        if prefix in out:  # path only: on the other it holds what it held before
            for k in [k for k in out if k.startswith(prefix) and k != prefix and (k not in a or k not in b)]:
                del out[k]
    return out


def _of_parameters(value: Value) -> bool:
    return value.prov.trust is Trust.UNKNOWN and value.prov.source.startswith((PARAMETER, KEYED_ROWS))


def _merge(a: Value, b: Value) -> Value:
    """Two branch values; Q objects that differ become "either" (``q |= Q(...)`` in a loop), and so
    do SQL texts (``rawsql/text.py``)."""
    if isinstance(a, PredValue) and isinstance(b, PredValue) and a.pred != b.pred:
        if a.pred is None or b.pred is None:
            return a if a.pred is None else b
        return PredValue(pred=Junction("or", (a.pred, b.pred)))
    merged = sql_either(a, b) or worse(a, b)  # SQL text built differently: each text is verified
    return maybe_none.join(a, b, merged)


def function_params(fn: cst.FunctionDef) -> list[cst.Param]:
    p = fn.params
    out = [*p.posonly_params, *p.params, *p.kwonly_params]
    for extra in (p.star_arg, p.star_kwarg):
        if isinstance(extra, cst.Param):
            out.append(extra)
    return out


def decorator_names(fn: cst.FunctionDef | cst.ClassDef) -> list[str]:
    names = []
    for d in fn.decorators:
        expr = d.decorator.func if isinstance(d.decorator, cst.Call) else d.decorator
        text = dotted(expr)
        if text:
            names.append(text)
    return names
