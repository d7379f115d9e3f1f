"""Django inserts: ``create``/``get_or_create``/``update_or_create`` and ``bulk_create`` (TNT104,
TNT103 on the tenant column written), as a mix-in of the Django ORM plug-in."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

import libcst as cst

from tenantlint.analysis.facts import Provenance, Scoping, Trust
from tenantlint.analysis.interp.literals import string_literal
from tenantlint.analysis.interp.values import (
    Instance,
    QueryValue,
    Value,
)
from tenantlint.analysis.orm.inserts import insert_names, note_argument, parent_names
from tenantlint.analysis.orm.owner import owned_insert
from tenantlint.index.records import TenantTable

if TYPE_CHECKING:
    from tenantlint.analysis.plugins import Evaluation


class DjangoInserts:
    """The insert side of :class:`~tenantlint.analysis.orm.django.DjangoOrm`."""

    def sets_tenant(self, ev: Evaluation, tenant: TenantTable | None, call: cst.Call,
                    skip: tuple[str, ...] = ()) -> tuple[bool, Provenance | None]:
        names = insert_names(tenant) | parent_names(ev, tenant)
        found = False
        prov: Provenance | None = None
        for arg in call.args:
            if arg.keyword is not None and arg.keyword.value in skip:
                continue
            if arg.keyword is not None and arg.keyword.value == "defaults":
                ev.eval(arg.value)
                if isinstance(arg.value, cst.Dict):
                    for el in arg.value.elements:
                        if isinstance(el, cst.DictElement) and isinstance(el.key, cst.SimpleString):
                            if string_literal(el.key) in names:
                                found = True
                                prov = prov or ev.eval(el.value, use=False).prov
                elif not isinstance(arg.value, cst.Dict):
                    found = True
                continue
            found, prov = note_argument(arg, ev.eval(arg.value), names, found, prov)
        return found, prov

    def create(self, ev: Evaluation, q: QueryValue, call: cst.Call, get_or_create: bool) -> Value:
        origin = q.origin
        if origin is None:
            return Value()
        ev.discard(origin)
        tenant_set, prov = self.sets_tenant(ev, origin.tenant, call)
        related = [p for p in q.state.pins if p.how in (Scoping.RELATED_MANAGER, Scoping.SCOPED_PARENT)]
        if related:
            tenant_set = True
            prov = prov if prov is not None and prov.trust is Trust.UNTRUSTED else related[0].prov
        if q.state.bypass is not None:
            tenant_set = True
        owner = None
        if not tenant_set and origin.tenant is not None:
            keywords = {a.keyword.value: ev.eval(a.value, use=False)
                        for a in call.args if a.keyword is not None}
            owner = owned_insert(ev, origin.table, origin.tenant.models, origin.tenant.tenant_field, keywords)
        ev.derive(q, call)
        ev.record_insert(origin.node, origin.table, origin.tenant is not None, tenant_set,
                      prov, "django", owner)
        # The new row belongs to the tenant it was created with (the insert above is what is
        # checked): a query keyed by it or its id reads only what this code wrote.
        return Instance(model="", table=origin.table, prov=Provenance.trusted("created row"),
                        scoped_row_of=origin.table if origin.tenant is not None else None,
                        tenant=origin.tenant, tenant_set=True) if not get_or_create else Value()

    def bulk_create(self, ev: Evaluation, q: QueryValue, call: cst.Call) -> Value:
        origin = q.origin
        if origin is None:
            return Value()
        ev.discard(origin)
        ev.derive(q, call)
        instances: list[Instance] = []
        opaque = False
        for arg in call.args[:1]:
            value = arg.value
            elements: list[cst.BaseExpression] = []
            if isinstance(value, cst.List | cst.Tuple):
                elements = [e.value for e in value.elements]
            elif isinstance(value, cst.ListComp | cst.GeneratorExp):
                elements = [value.elt]
            v = ev.eval(value, use=False) if not elements else None
            if isinstance(v, Instance):
                instances.append(v)
            elif not elements:
                opaque = True
            if elements and isinstance(value, cst.ListComp | cst.GeneratorExp):
                # evaluate the comprehension for its bindings, then the element once more
                el = ev.in_comprehension(value, partial(ev.eval, value.elt, use=False), conditions=False)
                if isinstance(el, Instance):
                    instances.append(el)
                else:
                    opaque = True
            elif elements:
                for e in elements:
                    el = ev.eval(e, use=False)
                    if isinstance(el, Instance):
                        instances.append(el)
                    else:
                        opaque = True
        missing = any(not i.tenant_set for i in instances)
        untrusted = next(
            (i.tenant_prov for i in instances
             if i.tenant_prov and i.tenant_prov.trust is Trust.UNTRUSTED),
            None,
        )
        tenant_set = not missing if instances else opaque or not call.args
        ev.record_insert(origin.node, origin.table, origin.tenant is not None, tenant_set,
                      untrusted, "django")
        return Value()
