"""Column expressions shared by SQLAlchemy/SQLModel and Peewee: ``Invoice.org_id == v``, ``and_``.

A model attribute that is a column evaluates to a ``ColumnRef``; comparing it builds a predicate
``Leaf`` that carries the column's table, so ``pins_of`` only counts predicates on the queried table.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import libcst as cst

from tenantlint.analysis.facts import Provenance, Scoping, Trust
from tenantlint.analysis.interp.predicates import Junction, Leaf, LeafTest, Pred, PredValue, pins_of
from tenantlint.analysis.interp.values import ModelRef, Pin, QueryState, QueryValue, Value
from tenantlint.analysis.orm.anchors import anchored
from tenantlint.analysis.orm.capability import capability_pin
from tenantlint.analysis.orm.carried import id_pin, reference_pin, unique_value_pin
from tenantlint.analysis.orm.owner import owner_pin, tenant_pins
from tenantlint.analysis.orm.parent_table import foreign_row_key
from tenantlint.index.records import FieldInfo, TenantTable
from tenantlint.index.relations import fields_with_bases

if TYPE_CHECKING:
    from tenantlint.analysis.plugins import Evaluation


@dataclass(frozen=True, slots=True)
class ColumnRef(Value):
    """``Invoice.org_id`` (a column) or ``Invoice.org`` (a relationship, ``column`` = its FK)."""

    model: str = ""
    table: str = ""
    column: str = ""
    relation_to: str | None = None  # target model of a relationship attribute


def model_fields(ev: Evaluation, model: str) -> tuple[FieldInfo, ...]:
    """The fields of ``model`` and of its mixins and abstract bases (``index.relations``)."""
    return fields_with_bases(ev.ctx.index, model)


def fk_column_to(ev: Evaluation, model: str, target: str) -> str | None:
    """The FK column of ``model`` that points to ``target`` (a model or table name)."""
    target_table = ev.ctx.index.table_of_model(target) or target
    for f in model_fields(ev, model):
        if f.column and f.fk_target and f.fk_target in (target, target_table):
            return f.column
    return None


def column_of(ev: Evaluation, model: ModelRef, attr: str) -> ColumnRef | None:
    for f in model_fields(ev, model.model):
        if f.name == attr:
            if not f.column and f.fk_target:
                fk = fk_column_to(ev, model.model, f.fk_target) or f"{attr}_id"
                return ColumnRef(model=model.model, table=model.table, column=fk, relation_to=f.fk_target)
            if f.fk_target and f.column != f.name:  # peewee ForeignKeyField ``org`` -> ``org_id``
                return ColumnRef(model=model.model, table=model.table, column=f.column,
                                 relation_to=f.fk_target)
            return ColumnRef(model=model.model, table=model.table, column=f.column or f.name)
    if model.tenant is not None and attr in model.tenant.tenant_names():
        column = attr if attr in model.tenant.alt_columns else model.tenant.tenant_column or attr
        return ColumnRef(model=model.model, table=model.table, column=column)
    if attr in ("id", "pk"):
        return ColumnRef(model=model.model, table=model.table, column="id")
    return None


def peek_model(ev: Evaluation, node: cst.BaseExpression) -> ModelRef | None:
    """The model a name refers to, without evaluating anything (no side effects)."""
    if isinstance(node, cst.Name):
        value = ev.fn.env.get(node.value)
        if isinstance(value, ModelRef):
            return value
        if value is None:
            model = ev.ctx.model_name(node.value)
            if model is not None:
                return ev.model_ref(model)
    return None


def peek_column(ev: Evaluation, node: cst.BaseExpression) -> tuple[ModelRef, str | None] | None:
    """``Invoice`` / ``Invoice.org_id`` / ``reports.c.org_id``, resolved without side effects."""
    attrs: list[str] = []
    model = ev.model_of(node)  # ``cls.model``, ``models.Invoice``, ``type(self)``
    while model is None and isinstance(node, cst.Attribute):
        attrs.append(node.attr.value)
        node = node.value
        model = ev.model_of(node)
    if model is None:
        model = peek_model(ev, node)
    if model is None:
        return None
    attrs = [a for a in reversed(attrs) if a not in ("c", "columns")]
    return model, attrs[0] if attrs else None


def find_model(ev: Evaluation, nodes: list[cst.BaseExpression], families: frozenset[str]) -> ModelRef | None:
    """The first model mentioned in ``nodes`` (``select(func.count(Project.id))`` -> Project)."""
    for node in nodes:
        found = peek_column(ev, node)
        if found is not None and found[0].family in families:
            return found[0]
        for child in node.children:
            if isinstance(child, cst.Arg | cst.Element):
                sub = find_model(ev, [child.value], families)
            elif isinstance(child, cst.BaseExpression) and not isinstance(node, cst.Attribute):
                sub = find_model(ev, [child], families)
            else:
                sub = None
            if sub is not None:
                return sub
    return None


def as_pred(value: Value) -> Pred:
    """Anything used as a boolean filter: a predicate, or an opaque leaf (``Invoice.is_public``)."""
    if isinstance(value, PredValue) and value.pred is not None:
        return value.pred
    if isinstance(value, ColumnRef):
        return Leaf(value.column, Value(), value.table, "other")
    return Leaf("?", value, None, "other")


OPS: dict[type, str] = {cst.Equal: "eq", cst.NotEqual: "ne", cst.In: "in", cst.NotIn: "ne"}


def compare(ev: Evaluation, node: cst.Comparison, families: frozenset[str]) -> Value | None:
    if len(node.comparisons) != 1:
        return None
    target = node.comparisons[0]
    left_peek = peek_column(ev, node.left)
    right_peek = peek_column(ev, target.comparator)
    if not (left_peek and left_peek[1] and left_peek[0].family in families) and not (
        right_peek and right_peek[1] and right_peek[0].family in families
    ):
        return None
    left = ev.eval(node.left, use=False)
    right = ev.eval(target.comparator)
    if not isinstance(left, ColumnRef):
        left, right = right, left
    if not isinstance(left, ColumnRef):
        return Value()
    op = OPS.get(type(target.operator), "other")
    if isinstance(target.comparator, cst.Name) and target.comparator.value == "None":
        op = "isnull" if op == "eq" else "other"
    if isinstance(right, ColumnRef):
        right = Value()
    return PredValue(pred=Leaf(left.column, subquery_rows(right), left.table, op))


def subquery_rows(value: Value) -> Value:
    """A select on a tenant table used as a value (``Line.invoice_id.in_(select(Invoice.id)...)``):
    ids of scoped rows when the select is scoped by a trusted filter (like Django ``invoice__in=qs``)."""
    if not isinstance(value, QueryValue) or value.origin is None or value.origin.tenant is None:
        return value
    scoping, untrusted, detail = value.state.verdict()
    if not scoping.is_safe or untrusted is not None:
        return Value(untrusted) if untrusted is not None else Value()
    prov = next((p.prov for p in value.state.pins if p.prov.trust is not Trust.UNTRUSTED),
                Provenance.trusted(detail or "scoped subquery"))
    return Value(prov, scoped_row_of=value.origin.table)


def column_method(ev: Evaluation, col: ColumnRef, method: str, call: cst.Call) -> Value:
    """``Invoice.org_id.in_(ids)``, ``.is_(None)``, ``Invoice.customer.has(...)``."""
    args = [ev.eval(a.value) for a in call.args]
    if method in ("in_", "is_in") and args:
        return PredValue(pred=Leaf(col.column, subquery_rows(args[0]), col.table, "in"))
    if method in ("is_", "isnull", "is_null"):
        first = call.args[0].value if call.args else None
        is_none = first is None or (isinstance(first, cst.Name) and first.value == "None")
        return PredValue(pred=Leaf(col.column, Value(), col.table, "isnull" if is_none else "other"))
    if method in ("not_in", "notin_", "isnot", "is_not", "not_in_"):
        return PredValue(pred=Leaf(col.column, Value(), col.table, "ne"))
    if method in ("has", "any") and col.relation_to is not None:
        return relation_pred(ev, col, [a for a in args if isinstance(a, PredValue)])
    if method in ("desc", "asc", "label", "distinct", "nulls_last", "nulls_first", "cast"):
        return col
    return PredValue(pred=Leaf(col.column, Value(), col.table, "other"))


def relation_pred(ev: Evaluation, col: ColumnRef, inner: list[PredValue]) -> PredValue:
    """``Line.invoice.has(Invoice.org_id == org)``: the parent is pinned -> a scoped-parent leaf."""
    target = col.relation_to or ""
    tenant = ev.ctx.tenant_of_model(target)
    preds = [p.pred for p in inner if p.pred is not None]
    if tenant is not None and preds:
        pred = preds[0] if len(preds) == 1 else Junction("and", tuple(preds))
        table = ev.ctx.index.table_of_model(target) or target
        test = tenant_test(ev, table, tenant)
        result = pins_of(pred, test, lambda leaf: is_tenant_leaf(leaf, table, tenant))
        if result.pins:
            pin = result.pins[0]
            value = Value(pin.prov, scoped_row_of=None if pin.prov.trust.value == "untrusted" else table)
            return PredValue(pred=Leaf(col.column, value, col.table, "eq"))
    return PredValue(pred=Leaf(col.column, Value(), col.table, "other"))


def is_tenant_leaf(leaf: Leaf, table: str, tenant: TenantTable) -> bool:
    names = tenant.tenant_names()
    return (leaf.table is None or leaf.table == table) and leaf.key in names


def fk_parents(ev: Evaluation, tenant: TenantTable) -> frozenset[str]:
    """FK columns of the table's models that point to tenant tables."""
    key = ("column-fk-parents", tenant.table)
    memo = ev.ctx.settings.memo
    if key not in memo:
        out: set[str] = set()
        for model in tenant.models:
            for f in model_fields(ev, model):
                if f.fk_target and f.column and (
                    ev.ctx.index.tenant_table_of_model(f.fk_target) or ev.ctx.index.tenant_table(f.fk_target)
                ):
                    out.add(f.column)
        memo[key] = frozenset(out)
    result: frozenset[str] = memo[key]  # type: ignore[assignment]
    return result


def tenant_test(ev: Evaluation, table: str, tenant: TenantTable) -> LeafTest:
    parents = fk_parents(ev, tenant)

    def test(leaf: Leaf) -> Pin | None:
        if leaf.table is not None and leaf.table != table:
            return None
        if is_tenant_leaf(leaf, table, tenant):
            return Pin(leaf.value.prov, Scoping.TRUSTED_FILTER, f"filter {leaf.key}")
        if leaf.key in parents and leaf.value.scoped_row_of \
                and not foreign_row_key(ev, tenant, leaf.key, leaf.value):
            return Pin(leaf.value.prov, Scoping.SCOPED_PARENT, f"parent {leaf.key}")
        return (id_pin(leaf, tenant.models, tenant.table, ev.ctx.settings.verified_rows)
                or reference_pin(ev, tenant, leaf)
                or unique_value_pin(ev, tenant, leaf) or owner_pin(ev, table, tenant.models, leaf)
                or capability_pin(ev, tenant, leaf))

    return test


def apply(ev: Evaluation, q: QueryValue, pred: Pred | None,
          parents: tuple[tuple[str, TenantTable], ...] = ()) -> QueryState:
    """The state of ``q`` after filtering by ``pred``. ``parents``: parent tables joined along the
    table's via chain, whose own tenant pins scope ``q`` too (``joins.parents_of``)."""
    if pred is None or q.origin is None or q.origin.tenant is None:
        return q.state
    tenant, table = q.origin.tenant, q.origin.table
    own = tenant_test(ev, table, tenant)

    def parent_of(leaf: Leaf) -> TenantTable | None:
        if leaf.table is None:
            return None
        return next((t for p_table, t in parents if leaf.table.lower() == p_table.lower()), None)

    def test(leaf: Leaf) -> Pin | None:
        pin = own(leaf)
        p_tenant = parent_of(leaf) if pin is None else None
        if p_tenant is not None and leaf.table is not None:
            found = tenant_test(ev, leaf.table, p_tenant)(leaf)
            if found is not None:
                return Pin(found.prov, Scoping.SCOPED_PARENT, f"joined {leaf.table}: {found.detail}")
        return pin

    def is_key(leaf: Leaf) -> bool:
        p_tenant = parent_of(leaf)
        return is_tenant_leaf(leaf, table, tenant) or (
            p_tenant is not None and leaf.table is not None and is_tenant_leaf(leaf, leaf.table, p_tenant)
        )

    result = tenant_pins(pred, test, is_key)
    state = q.state
    for pin in result.pins:
        state = state.add_pin(pin)
    if not result.pins and result.weakened and not state.weakened:
        state = replace(state, weakened=result.weakened)
    if not result.pins and ev.fn.handler is None:
        fks = fk_parents(ev, tenant)
        state = anchored(state, pred, lambda leaf: (leaf.table is None or leaf.table == table)
                         and leaf.key in fks)
    return state


def conj_values(values: list[Value]) -> Pred | None:
    preds = [as_pred(v) for v in values if isinstance(v, PredValue | ColumnRef)]
    if not preds:
        return None
    return preds[0] if len(preds) == 1 else Junction("and", tuple(preds))


def junction(op: str, values: list[Value]) -> PredValue:
    preds = tuple(as_pred(v) for v in values)
    if op == "and" and len(preds) == 1:
        return PredValue(pred=preds[0])
    return PredValue(pred=Junction(op, preds)) if preds else PredValue()
