"""SQLAlchemy 1.x/2.0, Flask-SQLAlchemy and SQLModel: sessions, selects, DML, relationships."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import libcst as cst

from tenantlint.analysis.facts import Provenance, QueryKind, Scoping
from tenantlint.analysis.interp.exprs import SCOPING_SOURCE, dotted
from tenantlint.analysis.interp.predicates import Leaf, PredValue
from tenantlint.analysis.interp.row_relations import row_of_tenant_table
from tenantlint.analysis.interp.values import (
    Instance,
    ModelRef,
    Pin,
    QueryState,
    QueryValue,
    RowValue,
    Value,
)
from tenantlint.analysis.orm import columns as col
from tenantlint.analysis.orm import inserts, joins, param_joins, registry, unresolved
from tenantlint.analysis.orm.correlated import CORRELATING, correlated_pin
from tenantlint.analysis.orm.listeners import listener_rows
from tenantlint.analysis.plugins import OrmPlugin

if TYPE_CHECKING:
    from tenantlint.analysis.plugins import Evaluation, FileView
    from tenantlint.index.records import TenantTable

FAMILIES = frozenset({"sqlalchemy", "sqlmodel", "alembic", "ddl"})
FILTERS = frozenset({"filter", "where", "filter_by", "having"})
RESULT_CHAIN = frozenset({"scalars", "mappings", "unique", "columns", "tuples", "execution_options",
                          "params", "subquery", "cte", "scalar_subquery", "alias", "lateral"})
ROW_READS = frozenset({"first", "one", "one_or_none", "scalar", "scalar_one", "scalar_one_or_none",
                       "first_or_404", "one_or_404", "fetchone", "get", "get_or_404", "get_one"})
READS = frozenset({"all", "fetchall", "fetchmany", "partitions", "paginate", "yield_per"})
COUNTS = frozenset({"count", "exists"})
DML = {"select": "select", "update": "update", "delete": "delete", "insert": "insert"}
SESSION_EXEC = frozenset({"execute", "scalars", "scalar", "exec", "first_or_404", "one_or_404"})
SESSION_GET = frozenset({"get", "get_or_404", "get_one"})
SESSION_ADD = frozenset({"add", "add_all", "bulk_save_objects", "merge"})


@dataclass(frozen=True, slots=True)
class SaQuery(QueryValue):
    """A ``Query``/``Select``/DML statement; ``kind`` is select, update, delete or insert."""

    kind: str = "select"
    model: str = ""
    inserted: bool = False
    fresh: bool = False  # just created by ``Model.<method>``: the call's own arguments come next
    joined: tuple[str, ...] = ()  # parent tables joined along the table's via chain (``joins``)
    # tenant tables joined along their own foreign key to this table (``joins.joined_child``)
    children: tuple[tuple[str, TenantTable], ...] = ()
    # parameters of the function holding the model a ``.join(param)`` joined (``param_joins``)
    param_joins: tuple[str, ...] = ()


JOINS = frozenset({"join", "outerjoin", "join_from"})


def parents(ev: Evaluation, q: QueryValue) -> tuple[tuple[str, TenantTable], ...]:
    """Joined parents whose tenant pins scope ``q`` (see ``joins``)."""
    if not isinstance(q, SaQuery) or q.origin is None:
        return ()
    return joins.parents_of(ev, q.origin.tenant, q.joined) + q.children


def join(ev: Evaluation, q: QueryValue, call: cst.Call) -> QueryValue:
    """``.join(Parent[, onclause])``: remember a parent joined along the via chain."""
    parent = None
    child = None
    if isinstance(q, SaQuery) and q.origin is not None and q.origin.tenant is not None:
        parent = joins.joined_parent(ev, q.origin.tenant, q.joined, call)
        if parent is None and q.model:
            child = joins.joined_child(ev, q.model, q.origin.table, call)
    param = param_joins.joined_parameter(ev, call) if parent is None and child is None else None
    ev.eval_args(call)
    done = ev.derive(q, call)
    if param is not None and isinstance(done, SaQuery):
        return replace(done, param_joins=(*done.param_joins, param))
    if parent is not None and isinstance(done, SaQuery):
        return replace(done, joined=(*done.joined, parent))
    if child is not None and isinstance(done, SaQuery):
        return replace(done, children=(*done.children, child))
    return done


def kind_of(q: QueryValue) -> str:
    return q.kind if isinstance(q, SaQuery) else "select"


MANAGERS = frozenset({"query"})  # Flask-SQLAlchemy ``Model.query``


class SqlAlchemyOrm(OrmPlugin):
    name = "sqlalchemy"
    families = FAMILIES

    # ----- creating statements ------------------------------------------------------------------
    def start(self, ev: Evaluation, node: cst.CSTNode, model: ModelRef, kind: str) -> SaQuery:
        q = ev.new_query(node, model.family or "sqlalchemy", model.table, model.tenant, QueryState())
        if kind == "insert" and q.origin is not None:
            ev.discard(q.origin)
        return SaQuery(origin=q.origin, state=q.state, kind=kind, model=model.model)

    def model_attribute(self, ev: Evaluation, model: ModelRef,
                        attr: str, node: cst.Attribute) -> Value | None:
        if attr == "query":
            return self.start(ev, node, model, "select")
        if attr in ("c", "columns"):
            return model
        table_object = model.family in ("alembic", "ddl", "sqlalchemy")
        if attr in DML and isinstance(node.value, cst.Name) and table_object:
            info = ev.ctx.index.model(model.model)
            if model.table_object or info is None or info.name == info.table:  # a ``Table`` object
                return self.start(ev, node, model, DML[attr])
        return col.column_of(ev, model, attr)

    def model_call(self, ev: Evaluation, model: ModelRef, call: cst.Call) -> Value | None:
        return inserts.instance(ev, model, call)

    # ----- chains ---------------------------------------------------------------------------------
    def filter_state(self, ev: Evaluation, q: QueryValue, method: str, call: cst.Call) -> QueryState:
        if method == "filter_by":
            table = q.origin.table if q.origin else None
            preds = []
            scoped: Provenance | None = None
            for arg in call.args:
                v = ev.eval(arg.value)
                if arg.keyword is not None:
                    preds.append(PredValue(pred=Leaf(arg.keyword.value, v, table, "eq")))
                elif arg.star == "**" and v.prov.source.startswith(SCOPING_SOURCE):
                    scoped = v.prov  # ``filter_by(**self._filter_builder())``
            state = col.apply(ev, q, col.conj_values(list(preds)))
            if scoped is not None:
                state = state.add_pin(Pin(scoped, Scoping.SCOPING_METHOD, scoped.source))
            return state
        pins, used = ([], set()) if not isinstance(q, SaQuery) or not q.param_joins else (
            param_joins.parameter_pins(ev, q.param_joins, call))
        values = [ev.eval(a.value) for a in call.args if id(a) not in used]
        state = col.apply(ev, q, col.conj_values(values), parents(ev, q))
        for pin in pins:  # ``join(org_cls).filter(org_cls.org == org)``: through the caller's model
            state = state.add_pin(pin)
        return state

    def query_method(self, ev: Evaluation, q: QueryValue, method: str, call: cst.Call) -> Value | None:
        settings = ev.ctx.settings
        kind = kind_of(q)
        if method in settings.scoping_methods:
            args = ev.eval_args(call)
            prov = args[0].prov if args else Provenance.trusted(method)
            return ev.derive(q, call, q.state.add_pin(Pin(prov, Scoping.SCOPING_METHOD, method)))
        if method in settings.system_scope:
            ev.eval_args(call)
            return ev.derive(q, call, replace(q.state, bypass=Scoping.SYSTEM_SCOPE))
        if method in FILTERS:
            return ev.derive(q, call, self.filter_state(ev, q, method, call))
        if method in CORRELATING and isinstance(q, SaQuery) and q.kind == "select":
            pin = correlated_pin(ev, q.model, call)
            if pin is not None:
                ev.eval_args(call)
                return ev.derive(q, call, q.state.add_pin(pin))
        if method in JOINS:
            return join(ev, q, call)
        if method == "values" and kind == "insert" and isinstance(q, SaQuery):
            return self.insert_values(ev, q, call)
        if method in ("values", "ordered_values") and kind == "update":
            return ev.derive(q, call, self.written(ev, q, call))
        if method in DML and kind == DML[method] and isinstance(q, SaQuery) and not q.inserted:
            ev.eval_args(call)
            return ev.derive(q, call)
        if method in ("update", "delete") and kind == "select":
            state = self.written(ev, q, call) if method == "update" else q.state
            if method == "delete":
                ev.eval_args(call)
            final = ev.derive(q, call, state)
            ev.consume(final, QueryKind.WRITE)
            return Value()
        if method in ROW_READS:
            ev.eval_args(call)
            final = ev.derive(q, call)
            ev.consume(final)
            return ev.row_of(final)
        if method in READS:
            ev.eval_args(call)
            final = ev.derive(q, call)
            ev.consume(final)
            return final
        if method in COUNTS:
            ev.eval_args(call)
            final = ev.derive(q, call)
            ev.consume(final)
            return Value()
        ev.eval_args(call)
        return ev.derive(q, call)

    def written(self, ev: Evaluation, q: QueryValue, call: cst.Call) -> QueryState:
        """``.update({"org_id": x})`` / ``.values(org_id=x)``: a tenant column set from request input."""
        model = q.model if isinstance(q, SaQuery) else ""
        tenant = q.origin.tenant if q.origin else None
        names = inserts.tenant_names(ev, model, tenant)
        _, prov = inserts.keywords_set_tenant(ev, names, call)
        if prov is not None and prov.trust.value == "untrusted":
            return replace(q.state, written_untrusted=prov)
        return q.state

    def insert_values(self, ev: Evaluation, q: SaQuery, call: cst.Call) -> Value:
        origin = q.origin
        assert origin is not None
        names = inserts.tenant_names(ev, q.model, origin.tenant)
        found, prov = inserts.keywords_set_tenant(ev, names, call)
        if not call.args:
            found = True
        ev.record_insert(origin.node, origin.table, origin.tenant is not None, found, prov,
                      origin.family)
        done = ev.derive(q, call)
        return SaQuery(origin=done.origin, state=done.state, kind=q.kind, model=q.model, inserted=True)

    # ----- session / db functions -------------------------------------------------------------------
    def function_call(self, ev: Evaluation, qualname: str, call: cst.Call) -> Value | None:
        last = qualname.rsplit(".", 1)[-1]
        func = call.func
        if isinstance(func, cst.Attribute):
            found = col.peek_column(ev, func.value)
            if found is not None and found[1] is not None and found[0].family in FAMILIES:
                column = col.column_of(ev, found[0], found[1])
                if column is not None:
                    return col.column_method(ev, column, last, call)
        if last in ("and_", "or_", "not_") and ("sqlalchemy" in qualname or "sqlmodel" in qualname
                                                 or qualname == last or qualname.startswith("db.")):
            values = [ev.eval(a.value) for a in call.args]
            return col.junction(last.rstrip("_"), values)
        if isinstance(func, cst.Attribute) and func.attr.value == "select_from" and call.args:
            from_model = self.select_from(ev, func, call)
            if from_model is not None:
                return from_model
        if last in DML or last == "query":
            if last == "query" and not isinstance(func, cst.Attribute):
                return None
            model = col.find_model(ev, [a.value for a in call.args], FAMILIES)
            if model is None:
                return None
            q = self.start(ev, call, model, DML.get(last, "select"))
            ev.eval_args(call)
            return q
        if last in SESSION_GET and isinstance(func, cst.Attribute) and call.args:
            model = col.peek_model(ev, call.args[0].value)
            if model is None or model.family not in FAMILIES:
                return None
            q = self.start(ev, call, model, "select")
            for arg in call.args[1:]:
                ev.eval(arg.value)
            ev.consume(q)
            return ev.row_of(q)
        if last == "bulk_insert_mappings" and len(call.args) >= 2:
            return self.bulk_mappings(ev, call)
        if last in SESSION_EXEC and isinstance(func, cst.Attribute) and call.args:
            return self.execute(ev, last, call)
        if last in SESSION_ADD and isinstance(func, cst.Attribute) and call.args:
            return self.add(ev, last, call)
        return None

    def select_from(self, ev: Evaluation, func: cst.Attribute, call: cst.Call) -> Value | None:
        """``select(func.count()).select_from(Model)``: a model-less select gets its table here."""
        recv = func.value
        if not isinstance(recv, cst.Call):
            return None
        name = dotted(recv.func)
        if name is None or ev.ctx.imports.qualify(name).rsplit(".", 1)[-1] != "select":
            return None
        model = col.peek_model(ev, call.args[0].value)
        if model is None or model.family not in FAMILIES:
            return None
        q = self.start(ev, call, model, "select")
        for arg in call.args[1:]:
            ev.eval(arg.value)
        return q

    def execute(self, ev: Evaluation, last: str, call: cst.Call) -> Value | None:
        stmt = ev.eval(call.args[0].value, use=False)
        if not isinstance(stmt, QueryValue) or stmt.origin is None or stmt.origin.family not in FAMILIES:
            if isinstance(stmt, QueryValue):
                ev.consume(stmt)
            return None
        for arg in call.args[1:]:
            ev.eval(arg.value)
        kind = kind_of(stmt)
        final = ev.derive(stmt, call)
        if kind in ("update", "delete"):
            ev.consume(final, QueryKind.WRITE)
            return Value()
        if kind == "insert":
            if isinstance(stmt, SaQuery) and not stmt.inserted and stmt.origin is not None:
                names = inserts.tenant_names(ev, stmt.model, stmt.origin.tenant)
                found, prov = (inserts.mapping_rows(ev, names, call.args[1].value)
                               if len(call.args) > 1 else (False, None))
                ev.record_insert(stmt.origin.node, stmt.origin.table,
                              stmt.origin.tenant is not None, found, prov, stmt.origin.family)
            return Value()
        if last in ("scalar", "first_or_404", "one_or_404"):
            ev.consume(final)
            return ev.row_of(final)
        return final

    def add(self, ev: Evaluation, last: str, call: cst.Call) -> Value | None:
        if last in ("add", "merge"):
            rows, opaque = [ev.eval(call.args[0].value, use=False)], False
        else:
            rows, opaque = inserts.elements(ev, call.args[0].value)
        instances = [r for r in rows if isinstance(r, Instance)]
        if not instances:
            return None if last in ("add", "merge") else Value()
        for inst in instances:
            ev.record_insert(inst.node or call, inst.table, inst.tenant is not None,
                          inst.tenant_set, inst.tenant_prov, "sqlalchemy")
        del opaque
        return Value()

    def bulk_mappings(self, ev: Evaluation, call: cst.Call) -> Value | None:
        model = col.peek_model(ev, call.args[0].value)
        if model is None or model.family not in FAMILIES:
            return None
        names = inserts.tenant_names(ev, model.model, model.tenant)
        found, prov = inserts.mapping_rows(ev, names, call.args[1].value)
        ev.record_insert(call, model.table, model.tenant is not None, found, prov, model.family)
        return Value()

    # ----- predicates ---------------------------------------------------------------------------------
    def lookup(self, ev: Evaluation, node: cst.Subscript, key: str) -> Value | None:
        return registry.table_by_name(ev, node, key, FAMILIES)

    def query_like(self, ev: Evaluation, call: cst.Call, qualname: str) -> str | None:
        func = call.func
        if isinstance(func, cst.Attribute):
            return unresolved.method_call(ev, func, MANAGERS)
        return unresolved.statement_call(call, qualname)

    def compare(self, ev: Evaluation, node: cst.Comparison) -> Value | None:
        return col.compare(ev, node, FAMILIES)

    def function_rows(self, ctx: FileView, fn: cst.FunctionDef) -> dict[str, Value]:
        return listener_rows(ctx, fn)

    # ----- relationships ------------------------------------------------------------------------------
    def relation(
        self, ev: Evaluation, node: cst.Attribute, recv: Value, attr: str, related: list[tuple[str, str, str]]
    ) -> Value | None:
        """``org.invoices`` (a collection: a scoped query) or ``invoice.customer`` (one row)."""
        index = ev.ctx.index
        mine = [r for r in related if (info := index.model(r[0])) is not None and info.family in FAMILIES]
        if not mine:
            return None
        if isinstance(recv, RowValue) and recv.table:
            matching = [r for r in mine if (ev.ctx.index.table_of_model(r[2]) or r[2]) == recv.table]
            mine = matching or mine
        best: Value | None = None
        for child, fk_field, target in mine:
            value = self._relation(ev, node, recv, attr, child, fk_field, target)
            if isinstance(value, QueryValue) and value.state.pins:
                return value
            best = best or value
        return best

    def _relation(self, ev: Evaluation, node: cst.Attribute, recv: Value, attr: str,
                  child: str, fk_field: str, target: str) -> Value:
        table = ev.ctx.index.table_of_model(child) or child
        fk = col.fk_column_to(ev, child, target)
        if fk is None:  # ``invoice.customer``: the one row on the other side
            return RowValue(recv.prov, scoped_row_of=table if recv.scoped_row_of else None, table=table)
        tenant = ev.ctx.tenant_of_model(child)
        info = ev.ctx.index.model(child)
        family = info.family if info else "sqlalchemy"
        ref = ModelRef(model=child, table=table, family=family, tenant=tenant)
        q = self.start(ev, node, ref, "select")
        if tenant is None:
            return q
        pin: Pin | None = None
        if fk == tenant.tenant_column or fk in tenant.alt_columns:
            pin = Pin(recv.prov, Scoping.RELATED_MANAGER, f"relationship {attr}")
        elif (tenant.via and tenant.via[0] == fk_field) or fk in tenant.via_columns[:1] \
                or recv.scoped_row_of or row_of_tenant_table(ev, recv, target):
            pin = Pin(recv.prov, Scoping.SCOPED_PARENT, f"relationship {attr}")
        if pin is None:
            return q
        return ev.derive(q, node, q.state.add_pin(pin))


ORM = SqlAlchemyOrm()
