"""Peewee: ``M.select().where(...)``, ``M.get(...)``, ``M.update(...).where(...).execute()``, inserts."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import libcst as cst

from tenantlint.analysis.facts import Provenance, QueryKind, Scoping
from tenantlint.analysis.interp.predicates import Leaf, PredValue
from tenantlint.analysis.interp.values import Instance, ModelRef, Pin, QueryState, QueryValue, Value
from tenantlint.analysis.orm import columns as col
from tenantlint.analysis.orm import inserts
from tenantlint.analysis.orm.sqlalchemy import SaQuery, join, kind_of
from tenantlint.analysis.orm.sqlalchemy import parents as sa_parents
from tenantlint.analysis.plugins import OrmPlugin

if TYPE_CHECKING:
    from tenantlint.analysis.plugins import Evaluation

FAMILIES = frozenset({"peewee"})
STARTS = {"select": "select", "get": "select", "get_or_none": "select", "get_by_id": "select",
          "update": "update", "delete": "delete", "insert": "insert", "create": "insert",
          "insert_many": "insert", "bulk_create": "insert", "get_or_create": "insert",
          "replace": "insert", "insert_from": "insert", "filter": "select"}
ROW_READS = frozenset({"get", "get_or_none", "first", "get_by_id", "peek", "scalar"})
READS = frozenset({"count", "exists", "execute", "dicts", "tuples", "namedtuples", "iterator"})


class PeeweeOrm(OrmPlugin):
    name = "peewee"
    families = FAMILIES

    def model_attribute(self, ev: Evaluation, model: ModelRef,
                        attr: str, node: cst.Attribute) -> Value | None:
        if attr in STARTS:
            q = ev.new_query(node, "peewee", model.table, model.tenant, QueryState())
            kind = STARTS[attr]
            if kind == "insert" and q.origin is not None:
                ev.discard(q.origin)
            return SaQuery(origin=q.origin, state=q.state, kind=kind, model=model.model, fresh=True)
        return col.column_of(ev, model, attr)

    def model_call(self, ev: Evaluation, model: ModelRef, call: cst.Call) -> Value | None:
        return inserts.instance(ev, model, call)

    def preds(self, ev: Evaluation, q: QueryValue, call: cst.Call) -> QueryState:
        table = q.origin.table if q.origin else None
        values: list[Value] = []
        for arg in call.args:
            v = ev.eval(arg.value)
            if arg.keyword is not None:
                key = arg.keyword.value.split("__")[0]
                values.append(PredValue(pred=Leaf(key, v, table, "eq")))
            else:
                values.append(v)
        return col.apply(ev, q, col.conj_values(values), sa_parents(ev, q))

    def query_method(self, ev: Evaluation, q: QueryValue, method: str, call: cst.Call) -> Value | None:
        settings = ev.ctx.settings
        if isinstance(q, SaQuery) and q.fresh:
            q = replace(q, fresh=False)
            return self.start(ev, q, method, call)
        if method in settings.scoping_methods:
            args = ev.eval_args(call)
            prov = args[0].prov if args else Provenance.trusted(method)
            return ev.derive(q, call, q.state.add_pin(Pin(prov, Scoping.SCOPING_METHOD, method)))
        if method in settings.system_scope:
            ev.eval_args(call)
            return ev.derive(q, call, replace(q.state, bypass=Scoping.SYSTEM_SCOPE))
        if method in ("where", "filter", "having", "orwhere"):
            return ev.derive(q, call, self.preds(ev, q, call))
        if method == "join":
            return join(ev, q, call)
        kind = kind_of(q)
        if method == "execute" and kind in ("update", "delete"):
            ev.eval_args(call)
            ev.consume(ev.derive(q, call), QueryKind.WRITE)
            return Value()
        if method in ROW_READS and kind == "select":
            final = ev.derive(q, call, self.preds(ev, q, call))
            ev.consume(final)
            return ev.row_of(final)
        if method in READS and kind == "select":
            ev.eval_args(call)
            final = ev.derive(q, call)
            ev.consume(final)
            return final if method != "count" else Value()
        ev.eval_args(call)
        return ev.derive(q, call)

    def start(self, ev: Evaluation, q: SaQuery, method: str, call: cst.Call) -> Value:
        origin = q.origin
        assert origin is not None
        if q.kind == "insert":
            names = inserts.tenant_names(ev, q.model, origin.tenant)
            if method == "insert_many" and call.args and inserts.are_mappings(call.args[0].value):
                found, prov = inserts.mapping_rows(ev, names, call.args[0].value)
                for arg in call.args[1:]:
                    ev.eval(arg.value)
            elif method in ("insert_many", "bulk_create") and call.args:
                rows, opaque = inserts.elements(ev, call.args[0].value)
                instances = [r for r in rows if isinstance(r, Instance)]
                found = all(i.tenant_set for i in instances) if instances else opaque
                prov = inserts.untrusted_of(instances)
                if method == "insert_many" and not instances:
                    found, prov = True, None
            else:
                found, prov = inserts.keywords_set_tenant(ev, names, call)
            ev.record_insert(origin.node, origin.table, origin.tenant is not None, found, prov,
                          "peewee")
            return Value()
        if method in ("get", "get_or_none", "filter"):
            state = self.preds(ev, q, call)
            final = ev.derive(q, call, state)
            if method == "filter":
                return final
            ev.consume(final)
            return ev.row_of(final)
        if method == "get_by_id":
            ev.eval_args(call)
            final = ev.derive(q, call)
            ev.consume(final)
            return ev.row_of(final)
        if method == "update":
            names = inserts.tenant_names(ev, q.model, origin.tenant)
            _, prov = inserts.keywords_set_tenant(ev, names, call)
            state = q.state
            if prov is not None and prov.trust.value == "untrusted":
                state = replace(state, written_untrusted=prov)
            return ev.derive(q, call, state)
        ev.eval_args(call)
        return ev.derive(q, call)

    def function_call(self, ev: Evaluation, qualname: str, call: cst.Call) -> Value | None:
        func = call.func
        if isinstance(func, cst.Attribute):
            found = col.peek_column(ev, func.value)
            if found is not None and found[1] is not None and found[0].family in FAMILIES:
                column = col.column_of(ev, found[0], found[1])
                if column is not None:
                    return col.column_method(ev, column, func.attr.value, call)
        return None

    def compare(self, ev: Evaluation, node: cst.Comparison) -> Value | None:
        return col.compare(ev, node, FAMILIES)


ORM = PeeweeOrm()
