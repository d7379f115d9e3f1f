"""Inserts shared by the non-Django ORMs: which keywords set the tenant, rows of ``add_all([...])``."""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from tenantlint.analysis.facts import Provenance, Trust
from tenantlint.analysis.interp.exprs import string_value
from tenantlint.analysis.interp.values import UNKNOWN, DictValue, Instance, ModelRef, Value
from tenantlint.analysis.orm.columns import fk_column_to, model_fields
from tenantlint.index.records import TenantTable

if TYPE_CHECKING:
    from tenantlint.analysis.plugins import Evaluation


def tenant_names(ev: Evaluation, model: str, tenant: TenantTable | None) -> frozenset[str]:
    """Keywords that set the tenant: the column, the field, and relationships whose FK is one."""
    names = set(insert_names(tenant)) | parent_names(ev, tenant)
    if tenant is None:
        return frozenset()
    for f in model_fields(ev, model):
        if not f.column and f.fk_target:
            fk = fk_column_to(ev, model, f.fk_target)
            if fk is not None and fk in names:
                names.add(f.name)
    return frozenset(names)


def keywords_set_tenant(
    ev: Evaluation, names: frozenset[str], call: cst.Call, skip_positional: int = 0
) -> tuple[bool, Provenance | None]:
    """Evaluate the arguments of ``M(...)``/``.values(...)``; does one of them set the tenant?"""
    found = False
    prov: Provenance | None = None
    for i, arg in enumerate(call.args):
        if arg.keyword is None and arg.star == "" and i < skip_positional:
            continue
        if arg.keyword is None and arg.star == "" and isinstance(arg.value, cst.Dict):
            f, p = dict_sets_tenant(ev, names, arg.value)
            found = found or f
            if p is not None and (prov is None or p.trust is Trust.UNTRUSTED):
                prov = p
            continue
        found, prov = note_argument(arg, ev.eval(arg.value), names, found, prov)
    return found, prov


def note_argument(arg: cst.Arg, value: Value, names: frozenset[str], found: bool,
                  prov: Provenance | None) -> tuple[bool, Provenance | None]:
    """One evaluated argument of an insert: a keyword naming the tenant column, or ``**kwargs``
    (unknown keys: assume the tenant is among them). An untrusted value wins the provenance."""
    if arg.keyword is not None:
        if arg.keyword.value in names:
            return True, value.prov if prov is None or value.untrusted else prov
        return found, prov
    if arg.star == "**":
        return True, value.prov if value.carries_tenant_key else prov
    return found, prov


def dict_sets_tenant(ev: Evaluation, names: frozenset[str], node: cst.Dict) -> tuple[bool, Provenance | None]:
    found = False
    prov: Provenance | None = None
    for el in node.elements:
        if isinstance(el, cst.DictElement):
            key = string_value(el.key)
            if key is None and isinstance(el.key, cst.Attribute):  # peewee ``{Ticket.org: o}``
                key = el.key.attr.value
            v = ev.eval(el.value)
            if key is not None and key in names:
                found = True
                if prov is None or v.untrusted:
                    prov = v.prov
        else:
            ev.eval(el.value)
            found = True
    return found, prov


def instance(ev: Evaluation, model: ModelRef, call: cst.Call) -> Instance:
    found, prov = keywords_set_tenant(ev, tenant_names(ev, model.model, model.tenant), call)
    fresh = new_row(model, call, ev)
    return Instance(NEW_ROW if fresh else UNKNOWN, model.table if fresh else None,
                    model=model.model, table=model.table, tenant=model.tenant, tenant_set=found,
                    tenant_prov=prov, node=call)


NEW_ROW = Provenance.trusted("a new row")
PRIMARY_KEY_ARGS = frozenset({"id", "pk", "uuid"})


def new_row(model: ModelRef, call: cst.Call, ev: Evaluation | None = None) -> bool:
    """``Model(...)`` with no primary key given (and no positional or ``**`` arguments that may hold
    one) is a row this code creates: it belongs to the tenant it is created with (its insert is what
    TNT103/TNT104 check), so a query keyed by it reads only what this code wrote. ``Model(pk=pk)``
    is a stand-in for an existing row, and names whatever row that id names; but one that also sets
    its tenant by keyword (``Model(id=forced_id, org=org, **extra)``) is a row this code writes into
    that tenant, unless its key (or the ``**`` spread that may hold it) comes from the request."""
    tenant = model.tenant
    if tenant is None:
        return False
    if all(arg.keyword is not None and arg.keyword.value not in PRIMARY_KEY_ARGS for arg in call.args):
        return True
    if ev is None or not any(a.keyword is not None and a.keyword.value in tenant.insert_names()
                             for a in call.args):
        return False
    for arg in call.args:
        if arg.keyword is None and not arg.star:
            return False  # a positional argument: which field it sets is not known
        if arg.star or (arg.keyword is not None and arg.keyword.value in PRIMARY_KEY_ARGS):
            value = ev.eval(arg.value, use=False)
            if value.untrusted or any(v.untrusted for v in _items(value)):
                return False
    return True


def _items(value: Value) -> list[Value]:
    return [v for _, v in value.items] if isinstance(value, DictValue) else []


def elements(ev: Evaluation, node: cst.BaseExpression) -> tuple[list[Value], bool]:
    """The evaluated rows of a list literal or comprehension; ``opaque`` when it is neither."""
    if isinstance(node, cst.List | cst.Tuple):
        return [ev.eval(e.value, use=False) for e in node.elements], False
    if isinstance(node, cst.ListComp | cst.GeneratorExp):
        elt = node.elt
        return [ev.in_comprehension(node, lambda: ev.eval(elt, use=False))], False
    ev.eval(node)
    return [], True


def are_mappings(node: cst.BaseExpression) -> bool:
    """A literal list of dicts, or a comprehension building dicts (rows given as mappings)."""
    if isinstance(node, cst.List | cst.Tuple):
        return bool(node.elements) and all(isinstance(e.value, cst.Dict) for e in node.elements)
    return isinstance(node, cst.ListComp | cst.GeneratorExp) and isinstance(node.elt, cst.Dict)


def mapping_rows(
    ev: Evaluation, names: frozenset[str], node: cst.BaseExpression
) -> tuple[bool, Provenance | None]:
    """``[{"org_id": o, ...} for r in rows]``: do the dicts set the tenant?"""
    dicts: list[cst.Dict] = []
    if isinstance(node, cst.List | cst.Tuple):
        dicts = [e.value for e in node.elements if isinstance(e.value, cst.Dict)]
        if len(dicts) != len(node.elements):
            ev.eval(node)
            return True, None
    elif isinstance(node, cst.ListComp | cst.GeneratorExp) and isinstance(node.elt, cst.Dict):
        elt = node.elt
        return ev.in_comprehension(node, lambda: dict_sets_tenant(ev, names, elt))
    else:
        ev.eval(node)
        return True, None
    found_all = bool(dicts)
    prov: Provenance | None = None
    for d in dicts:
        f, p = dict_sets_tenant(ev, names, d)
        found_all = found_all and f
        if p is not None and (prov is None or p.trust is Trust.UNTRUSTED):
            prov = p
    return found_all, prov


def untrusted_of(instances: list[Instance]) -> Provenance | None:
    return next((i.tenant_prov for i in instances
                 if i.tenant_prov is not None and i.tenant_prov.trust is Trust.UNTRUSTED), None)


def parent_names(ev: Evaluation, tenant: TenantTable | None) -> frozenset[str]:
    """A tenant table whose model has no tenant column of its own (listed in ``tenant_tables``,
    scoped through a nullable parent): a new row gets its tenant from the tenant-scoped parent it
    points to, so setting a foreign key (field or column) to such a parent sets its tenant. A model
    with a tenant column must set that column; its parents do not count (unless its ``save()``
    copies one, ``set_by``)."""
    if tenant is None or tenant.via:
        return frozenset()
    own = tenant.tenant_names()
    out: set[str] = set()
    for model in tenant.models:
        fields = model_fields(ev, model)
        if not fields or any(f.name in own or (f.column or "") in own for f in fields):
            return frozenset()
        for f in fields:
            if f.fk_target and f.column and (ev.ctx.tenant_of_model(f.fk_target) is not None
                                             or ev.ctx.index.tenant_table(f.fk_target) is not None):
                out.update((f.name, f.column))
    return frozenset(out)


def insert_names(tenant: TenantTable | None) -> frozenset[str]:
    """Keyword names that set the tenant of a new row (``org``, ``org_id``, or the parent FK)."""
    return tenant.insert_names() if tenant is not None else frozenset()
