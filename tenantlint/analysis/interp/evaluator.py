"""Expression evaluation: what a value is (query, row, predicate) and where it comes from.

The evaluator runs inside one function walk (``walker.FunctionState``). It knows no framework and no
ORM by name: it asks the plug-ins of ``ctx.plugins`` and answers them as ``plugins.Evaluation``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, TypeVar

import libcst as cst

from tenantlint.analysis.facts import (
    FilterFact,
    Provenance,
    QueryFact,
    QueryKind,
    RequestReadFact,
    Scoping,
    SqlProblemFact,
    TableUse,
    UnresolvedFact,
)
from tenantlint.analysis.interp import (
    calls,
    context_pins,
    inserted_ids,
    receivers,
    records,
    row_maps,
    scoped_keys,
)
from tenantlint.analysis.interp.call_eval import CallEvaluation
from tenantlint.analysis.interp.caller_fields import caller_field, caller_ids
from tenantlint.analysis.interp.checked_loops import checked_entry
from tenantlint.analysis.interp.exprs import (
    _CODE,
    VERIFIED_PREFIX,
    _expression_children,
    dotted,
    header_key,
    merge_prov,
    string_value,
    verified_key,
)
from tenantlint.analysis.interp.file_context import FileContext
from tenantlint.analysis.interp.keyed_fetch import ID_NAMES
from tenantlint.analysis.interp.maybe_none import NONE_LITERAL
from tenantlint.analysis.interp.nested import NESTED_PARAMETER
from tenantlint.analysis.interp.operators import OperatorEvaluation
from tenantlint.analysis.interp.own_id import for_use
from tenantlint.analysis.interp.routed_kwargs import absent_kwarg
from tenantlint.analysis.interp.row_relations import row_of_tenant_table
from tenantlint.analysis.interp.stored_entries import stored
from tenantlint.analysis.interp.values import (
    UNKNOWN,
    Dispatch,
    Instance,
    ModelRef,
    Origin,
    Pin,
    QueryState,
    QueryValue,
    ReturnedTuple,
    RowValue,
    Value,
)
from tenantlint.analysis.plugins import HEADERS, TNT201_KINDS, UNTRUSTED_SOURCE, FrameworkPlugin, OrmPlugin
from tenantlint.analysis.rawsql import sinks
from tenantlint.analysis.rawsql.text import static_string
from tenantlint.crossfn.records import CONTEXT, KEYED_ROWS, PARAMETER, context_entry
from tenantlint.index.records import TenantTable

if TYPE_CHECKING:
    from tenantlint.analysis.interp.function_state import FunctionState

T = TypeVar("T")

# why SQL built at run time in system code with no reason of its own (a ``system_scope`` block) is
# not reported
SYSTEM_SQL = "in system scope"


class Evaluator(OperatorEvaluation, CallEvaluation):
    def __init__(self, ctx: FileContext, fn: FunctionState) -> None:
        self.ctx = ctx
        self.fn = fn
        self.orms: tuple[OrmPlugin, ...] = ctx.plugins.orms

    # ----- queries -------------------------------------------------------------------------
    def new_query(
        self, node: cst.CSTNode, family: str, table: str, tenant: TenantTable | None,
        state: QueryState | None = None,
    ) -> QueryValue:
        origin = Origin(node, self.fn.statement or node, family, table, tenant, self.fn.handler_name,
                        binding=self.fn.binding, function=self.fn.qualname or self.fn.enclosing)
        self.ctx.origins.append(origin)
        st = state or QueryState()
        origin.latest = st
        return QueryValue(origin=origin, state=st)

    def derive(self, q: QueryValue, node: cst.CSTNode, state: QueryState | None = None) -> QueryValue:
        """A query built from ``q`` by a chain method at ``node``."""
        if q.origin is not None and q.origin.statement is self.fn.statement:
            q.origin.node = node
        new = q if state is None else q.with_state(state)
        if q.origin is not None:
            q.origin.latest = new.state
        return new

    def consume(self, q: QueryValue, kind: QueryKind = QueryKind.READ) -> None:
        if q.origin is None:
            return
        state = q.state
        if self.fn.system_depth and state.bypass is None:
            state = replace(state, bypass=Scoping.SYSTEM_SCOPE, bypass_detail=self.fn.system_reason)
        q.origin.uses.append((kind, for_use(kind, state) if state.pins else state))

    def discard(self, origin: Origin) -> None:
        if origin in self.ctx.origins:
            self.ctx.origins.remove(origin)

    # ----- facts -----------------------------------------------------------------------------
    def record(self, fact: QueryFact) -> None:
        self.ctx.facts.queries.append(fact)
        if CONTEXT in self.fn.params:  # a serializer's method: tenant values from ``self.context``
            self.ctx.context_pins.extend(context_pins.fact_entries(self.fn.qualname, fact))

    def record_insert(self, node: cst.CSTNode, table: str, is_tenant: bool, tenant_set: bool,
                      prov: Provenance | None, family: str, owner: Provenance | None = None) -> None:
        if not is_tenant:
            return
        known = self.ctx.index.tenant_table(table)
        if known is not None and known.always_set:
            tenant_set = True  # a trusted default or insert event of the model sets it
        untrusted = prov if prov is not None and prov.trust.value == "untrusted" else None
        if self.fn.system_depth:
            scoping = Scoping.SYSTEM_SCOPE
            untrusted = None
        else:
            scoping = Scoping.INSERT_SETS_TENANT if tenant_set else Scoping.INSERT_MISSING_TENANT
        if tenant_set and untrusted is None and not self.fn.system_depth and known is not None:
            inserted_ids.prove_written_ids(self.fn, node, table, known.insert_names())
        filters = (FilterFact.of(scoping, "sets the tenant column", prov),) if tenant_set and prov else ()
        if scoping is Scoping.INSERT_MISSING_TENANT and owner is not None:
            scoping = Scoping.OWNER_SCOPED  # a user-level row of the caller's, with no tenant
            filters = (FilterFact.of(scoping, "the caller's own row, no tenant", owner),)
        detail = self.fn.system_reason if scoping is Scoping.SYSTEM_SCOPE else ""
        use = TableUse(table, scoping, untrusted, detail, filters=filters)
        self.record(QueryFact(node, QueryKind.INSERT, family, (use,), self.fn.handler_name))

    def report_sql_problem(self, node: cst.CSTNode, kind: str, message: str) -> None:
        system = (self.fn.system_reason or SYSTEM_SQL) if self.fn.system_depth else None
        self.ctx.facts.sql_problems.append(SqlProblemFact(node, kind, message, self.fn.handler_name, system))

    def note_call(self, node: cst.Call, args: list[Value]) -> None:
        calls.note_call(self.ctx, self.fn, node, args)

    def row_of(self, q: QueryValue) -> RowValue:
        """A row fetched by ``q``: trusted when ``q`` is scoped by a trusted filter."""
        if q.origin is None:
            return RowValue()
        scoping, untrusted, _ = q.state.verdict()
        if untrusted is not None:
            return RowValue(untrusted, table=q.origin.table, fetched_by=q.origin)
        if q.origin.tenant is None and q.state.key_prov is not None:
            return RowValue(q.state.key_prov, table=q.origin.table)
        if q.origin.internal and q.origin.tenant is not None and not scoping.is_safe:
            # ``self.get_queryset().get(pk=pk)``: a row of the view's own queryset, judged there
            # (TNT202 at the class, or the ``get_queryset`` body), like ``self.get_object()``.
            return RowValue(Provenance.trusted(f"a row of the view's own queryset ({q.origin.table})"),
                            scoped_row_of=q.origin.table, table=q.origin.table)
        if scoping.is_safe:
            return RowValue(Provenance.trusted(f"row of {q.origin.table}"), scoped_row_of=q.origin.table,
                            table=q.origin.table)
        if q.origin.tenant is None:
            # A row of a table with no tenant column of its own (a ``Document`` whose ``kb_id`` is a
            # plain column) fetched by the function's parameters alone is their question, as a row of
            # a tenant table is: ids read from it key a query by the same parameters.
            return RowValue(self._keyed_rows(q.origin), table=q.origin.table, untenanted_fetch=q.origin)
        return RowValue(self._keyed_rows(q.origin), table=q.origin.table, origin=q.origin,
                        fetched_by=q.origin)

    def _keyed_rows(self, origin: Origin) -> Provenance:
        """The provenance of a row ``origin`` fetched with no tenant filter: in a function that is
        no handler, a query keyed only by its parameters fetches rows that are those parameters'
        question (a query keyed by values read from them is judged at the same call sites)."""
        if self.fn.handler is not None or not self.fn.params or origin.function is None:
            return UNKNOWN
        keys = calls.param_keys(origin.node, self.fn.params, self.fn.env, bound=self.fn.held_expr)
        return Provenance.unknown(KEYED_ROWS + ",".join(keys)) if keys else UNKNOWN

    # ----- entry point ---------------------------------------------------------------------
    def eval(self, node: cst.BaseExpression, use: bool = True) -> Value:
        value = self._eval(node)
        if use and isinstance(value, QueryValue):
            self.consume(value)
        return value

    def eval_args(self, call: cst.Call, use: bool = True) -> list[Value]:
        values = [self.eval(a.value, use) for a in call.args]
        self.fn.last_args = (call, values)
        return values

    def _eval(self, node: cst.BaseExpression) -> Value:
        if type(node) in sinks.NODE_CLASSES:  # raw SQL text and the calls that execute it
            sql_value = sinks.evaluate(self, node)
            if sql_value is not None:
                return sql_value
        method = _EVAL_METHODS.get(type(node).__name__)
        if method is not None:
            return method(self, node)
        # Anything else: evaluate children for their side effects (reads, uses), stay unknown.
        parts = [self.eval(c) for c in _expression_children(node)]
        return Value(merge_prov(parts)) if parts else Value()

    # ----- names and attributes ------------------------------------------------------------
    def _pattern_value(self, text: str | None) -> Value | None:
        if text is None:
            return None
        head, dot, rest = text.partition(".")
        if head in self.fn.loop_names:
            return None  # ``for g in groups``: ``g.id`` is the element's, not Flask's ``g``
        if dot and head != "request" and head in self.fn.request_names:
            text = f"request.{rest}"  # ``req.state.org_id`` matches ``request.state.*``
        settings = self.ctx.settings
        if settings.untrusted and (p := settings.untrusted.match(text)):
            return Value(Provenance.untrusted(f"{UNTRUSTED_SOURCE} {p}"))
        if settings.trusted and settings.trusted.match(text):
            return Value(Provenance.trusted(text))
        return None

    def _eval_Name(self, node: cst.Name) -> Value:
        name = node.value
        if name in self.fn.env:
            return self.fn.env[name]
        pattern = self._pattern_value(name)
        if pattern is not None:
            return pattern
        model = self.ctx.model_name(name)
        if model is not None:
            return self.model_ref(model)
        if name == "cls":
            return receivers.owner_model(self) or Value()
        if name in self.fn.params and self.fn.enclosing is not None:
            return Value(Provenance.unknown(f"{NESTED_PARAMETER}{name}"))  # no summary binds it
        if name in self.fn.params or name in self.fn.enclosing_params:
            return Value(Provenance.unknown(f"{PARAMETER}{name}"))
        return NONE_LITERAL if name == "None" else Value()

    def model_ref(self, model: str) -> ModelRef:
        """The model class named ``model``: one immutable value per file (a model named in each of
        50,000 statements is looked up once)."""
        refs = self.ctx.model_refs
        ref = refs.get(model)
        if ref is None:
            info = self.ctx.index.model(model)
            table = self.ctx.index.table_of_model(model) or model
            ref = refs[model] = ModelRef(model=model, table=table, family=info.family if info else "",
                                         tenant=self.ctx.tenant_of_model(model))
        return ref

    def note_unresolved(self, node: cst.CSTNode, reason: str | None) -> None:
        """A query-like call tied to no model: counted and listed as not analysed, once per statement."""
        if reason is None:
            return
        statement = self.fn.statement
        facts = self.ctx.facts.unresolved
        if facts and statement is not None and facts[-1].statement is statement:
            return
        facts.append(UnresolvedFact(node, reason, self.fn.handler_name, statement))

    def _query_like(self, node: cst.Call, qualname: str) -> str | None:
        for orm in self.orms:
            reason = orm.query_like(self, node, qualname)
            if reason is not None:
                return reason
        return None

    def model_of(self, node: cst.BaseExpression) -> ModelRef | None:
        return receivers.model_of(self, node)

    def is_request(self, node: cst.BaseExpression) -> bool:
        text = dotted(node)
        if text is None:
            return False
        if text in self.fn.request_names:
            return True
        if text == "self.request":
            return True
        head = text.split(".", 1)[0]
        if head not in self.fn.env and head in self.ctx.imports.names:
            # a framework's request global, also aliased: ``request as req``, ``flask.request``
            return self.ctx.imports.qualify(text) in self.ctx.plugins.request_globals
        return False

    def request_attr_kind(self, attr: str) -> str | None:
        for fw in self.ctx.plugins.frameworks:
            kind = fw.request_attribute(attr)
            if kind is not None:
                return kind
        return None

    def request_method_kind(self, method: str) -> str | None:
        for fw in self.ctx.plugins.frameworks:
            kind = fw.request_method(method)
            if kind is not None:
                return kind
        return None

    def _verified(self, node: cst.BaseExpression) -> Value | None:
        """The value of an expression a membership check was called with earlier in the function."""
        env = self.fn.env
        own = stored(env, node)  # ``req["id"] = get_uuid()`` earlier
        if own is not None:
            return own
        each = checked_entry(env, node)  # ``for i in req["ids"]: if not check(i): return`` earlier
        if each is not None:
            return each
        if VERIFIED_PREFIX not in env:
            return None
        return env.get(verified_key(_CODE.code_for_node(node)))

    def _eval_Attribute(self, node: cst.Attribute) -> Value:
        verified = self._verified(node)
        if verified is not None:
            return verified
        attr = node.attr.value
        related = self.ctx.settings.related.get(attr)
        if related:
            recv = self.eval(node.value, use=False)
            q = self.related_manager(node, recv, attr, related)
            if q is not None:
                return q
        else:
            recv = None
        text = dotted(node)
        pattern = self._pattern_value(text)
        if pattern is not None:
            assert text is not None
            return caller_ids(self.ctx, text, pattern) or pattern
        if text is not None and text.startswith("self.") and text[5:] in self.fn.class_attrs:
            return self.class_attr(node, text[5:])
        owner = self.fn.owner
        if text is not None and text.startswith("self.") and "." not in text[5:] and owner is not None:
            kept = self.ctx.instance_dicts.read(owner, text[5:], self.ctx.local_classes)
            if kept is not None:
                return kept
        held = receivers.model_of(self, node)
        if held is not None:
            return held
        for fw in self.ctx.plugins.frameworks:
            known = fw.attribute(self, node)
            if known is not None:
                return known
        if self.is_request(node.value):
            kind = self.request_attr_kind(attr)
            if kind is not None:
                return Value(Provenance.untrusted(kind))
            return Value()
        if recv is None:
            recv = self.eval(node.value, use=False)
        if isinstance(recv, ModelRef):
            for orm in self.orms:
                if recv.family in orm.families:
                    out = orm.model_attribute(self, recv, attr, node)
                    if out is not None:
                        return out
            return Value()
        if isinstance(recv, QueryValue):
            self.consume(recv)
            return Value()
        if context_entry(recv.prov.source) == "request" and (kind := self.request_attr_kind(attr)):
            return Value(Provenance.untrusted(f"{kind} (self.context['request'])"))  # the view's request
        if recv.untrusted:
            # A body model's field (pydantic ``payload.org_id``) is a read of that key.
            self.note_request_read(node, recv, attr)
        elif recv.trusted and (identity := caller_field(self.ctx, recv, attr)) is not None:
            return identity  # ``user.email`` of the authenticated user: rows addressed to them
        elif recv.trusted and not recv.scoped_row_of \
                and (own := caller_ids(self.ctx, f"{recv.prov.source}.{attr}", recv)) is not None:
            return own  # ``user.group_ids`` of the authenticated user: ids its own row holds
        return Value(recv.prov, scoped_row_of=recv.scoped_row_of,
                     row_key=recv.scoped_row_of is not None and attr in ID_NAMES,
                     key_field=attr if recv.scoped_row_of is not None else "")

    def view_framework(self) -> FrameworkPlugin | None:
        """The framework of the class-based view whose method handler is being walked."""
        handler = self.fn.handler
        if handler is None or "." not in handler.name:
            return None
        return self.ctx.plugins.framework(handler.framework)

    def view_table(self) -> str | None:
        value = self.fn.class_attrs.get("queryset") or self.fn.class_attrs.get("model")
        if isinstance(value, QueryValue) and value.origin is not None:
            return value.origin.table
        if isinstance(value, ModelRef):
            return value.table
        return None

    def class_attr(self, node: cst.CSTNode, attr: str) -> Value:
        """``self.queryset`` / ``self.model`` / ``super().get_queryset()`` in a view's methods.

        The view's own queryset is judged once, as TNT202 at the class; uses inside its methods are
        internal queries that are never reported on their own.
        """
        value = self.fn.class_attrs.get(attr)
        if attr == "get_queryset":
            value = self.fn.class_attrs.get("queryset") or self.fn.class_attrs.get("model")
        if isinstance(value, QueryValue) and value.origin is not None:
            o = value.origin
            q = self.new_query(node, o.family, o.table, o.tenant, value.state)
        elif isinstance(value, ModelRef) and attr != "model":
            q = self.new_query(node, value.family, value.table, value.tenant)
        elif value is not None:
            return value
        else:
            return Value()
        assert q.origin is not None
        q.origin.internal = True
        return q

    def related_manager(
        self, node: cst.Attribute, recv: Value, attr: str, related: list[tuple[str, str, str]]
    ) -> Value | None:
        """``org.invoices`` / ``project.task_set``: a query of the child table, scoped by ``recv``."""
        receiver_ok = isinstance(recv, RowValue) or (
            recv.trusted and not isinstance(recv, QueryValue | ModelRef | Instance)
        )
        if not receiver_ok:
            return None
        for orm in self.orms:
            out = orm.relation(self, node, recv, attr, related)
            if out is not None:
                return out
        for child, fk_field, _target in related:
            tenant = self.ctx.tenant_of_model(child)
            table = self.ctx.index.table_of_model(child) or child
            info = self.ctx.index.model(child)
            family = info.family if info else ""
            if tenant is None:
                return self.new_query(node, family, table, None)
            if tenant.tenant_field == fk_field or (tenant.via and tenant.via[0] == fk_field):
                how = Scoping.RELATED_MANAGER if tenant.tenant_field == fk_field else Scoping.SCOPED_PARENT
                pin = Pin(recv.prov, how, f"related manager {attr}")
                return self.new_query(node, family, table, tenant, QueryState(pins=(pin,)))
            if (isinstance(recv, RowValue) and recv.scoped_row_of) \
                    or row_of_tenant_table(self, recv, _target):
                pin = Pin(recv.prov, Scoping.SCOPED_PARENT, f"related manager {attr}")
                return self.new_query(node, family, table, tenant, QueryState(pins=(pin,)))
            return self.new_query(node, family, table, tenant)
        return None

    # ----- subscripts and calls --------------------------------------------------------------
    def note_request_read(self, node: cst.CSTNode, recv: Value, key: str | None) -> None:
        if key is None or not recv.untrusted:
            return
        kind = recv.prov.source
        configured = kind.startswith(UNTRUSTED_SOURCE) and self.fn.handler is not None
        if kind not in TNT201_KINDS and not configured:
            return
        normal = header_key(key) if kind == HEADERS else key
        keys = self.ctx.settings.tenant_keys
        if key.lower() in keys or normal.lower() in keys:
            self.ctx.facts.request_reads.append(
                RequestReadFact(node, key, kind, self.fn.handler_name)
            )

    def _eval_Subscript(self, node: cst.Subscript) -> Value:
        verified = self._verified(node)
        if verified is not None:
            return verified
        recv = self.eval(node.value, use=False)
        key: str | None = None
        static: str | None = None  # the key also when a name holds it (``tables[name]``)
        chosen = ""
        for el in node.slice:
            if isinstance(el.slice, cst.Index):
                key = string_value(el.slice.value)
                chosen = calls.selector(self.fn, el.slice.value)
                index = self.eval(el.slice.value)
                static = key if key is not None else static_string(index)
        if isinstance(recv, Dispatch):
            return calls.dispatch_entry(recv, key, chosen)
        if isinstance(recv, ReturnedTuple) and len(node.slice) == 1:
            part = node.slice[0].slice
            if isinstance(part, cst.Index) and isinstance(part.value, cst.Integer):
                position = part.value.evaluated_value
                if isinstance(position, int) and position < len(recv.items):
                    return recv.items[position]  # ``helper(...)[0]``: that element's kind
        if static is not None and len(node.slice) == 1 and not isinstance(recv, QueryValue):
            for orm in self.orms:
                found = orm.lookup(self, node, static)  # ``metadata.tables["invoices"]``
                if found is not None:
                    return found
        if isinstance(recv, QueryValue):
            is_index = len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index)
            if is_index:
                self.consume(recv)
                return self.row_of(recv)
            return self.derive(recv, node)
        if absent_kwarg(recv, key):
            return NONE_LITERAL  # ``self.kwargs["slug"]`` no route gives: KeyError, no query runs
        return self._keyed_read(node, recv, key)

    def iterate(self, value: Value) -> Value:
        """The element of iterating ``value``: a row for a query, derived provenance otherwise."""
        if isinstance(value, QueryValue):
            self.consume(value)
            return self.row_of(value)
        # ``for r in rows`` over dicts put into a local list; ``for k in d``, ``for k, v in d.items()``
        # over a dict keyed by scoped ids
        one = records.element(value) or scoped_keys.keys_of(value) or scoped_keys.pair_of(value) \
            or row_maps.element(value)
        if one is not None:
            return one
        return Value(value.prov, scoped_row_of=value.scoped_row_of, row_key=value.row_key,
                     key_field=value.key_field)


# ``_eval_<node class name>`` of the evaluator and its parts, by node class name: one dictionary
# look-up per expression instead of a formatted name and an attribute search through the classes
_EVAL_METHODS: dict[str, Callable[[Evaluator, cst.BaseExpression], Value]] = {
    name.removeprefix("_eval_"): getattr(Evaluator, name) for name in dir(Evaluator)
    if name.startswith("_eval_")}
