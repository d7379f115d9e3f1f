"""Joins to a model the caller passes: ``query.join(org_cls).filter(org_cls.org == org)``.

A function that is no request handler may join its query to a model class it receives as a
parameter: a mixin of models reaching the organization of a child row through the parent model its
caller names (``get_by_id_and_org(cls, object_id, org, org_cls=None)``, called by an override as
``super().get_by_id_and_org(object_id, org, Query)``). A mandatory equality on a tenant attribute of
that model (a name that is the tenant field or column of some tenant table of the project: ``org``,
``org_id``) pins the queried rows through the parent the caller chose, with the compared value's
provenance: which model is passed is the caller's choice, as every parameter of such a function is,
and the value pinned is judged as any tenant filter's (a parameter: at the call sites). A comparison
of any other attribute of that model (``parent_cls.name == name``) pins nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from tenantlint.analysis.facts import Scoping, Trust
from tenantlint.analysis.interp.values import ModelRef, Pin
from tenantlint.crossfn.records import PARAMETER

if TYPE_CHECKING:
    from tenantlint.analysis.plugins import Evaluation


def joined_parameter(ev: Evaluation, call: cst.Call) -> str | None:
    """The parameter a ``.join(param)`` call joins, when it holds no model known here."""
    if ev.fn.handler is not None:
        return None
    positional = [a.value for a in call.args if a.keyword is None and not a.star]
    if not positional or not isinstance(positional[0], cst.Name):
        return None
    value = ev.eval(positional[0], use=False)
    if (isinstance(value, ModelRef) or value.prov.trust is not Trust.UNKNOWN
            or not value.prov.source.startswith(PARAMETER)):
        return None
    return positional[0].value


def _tenant_attrs(ev: Evaluation) -> frozenset[str]:
    memo = ev.ctx.settings.memo
    key = ("param-joins", "tenant-attrs")
    found = memo.get(key)
    if not isinstance(found, frozenset):
        index = ev.ctx.index
        names: set[str] = set()
        for table in index.tables.values():
            names.update(table.tenant_names())
            column = table.tenant_column
            for model in table.models if column else ():
                info = index.model(model)
                for f in info.fields if info is not None else ():
                    if f.fk_target and column in (f.column, f"{f.name}_id"):
                        names.add(f.name)  # the relation to the tenant: ``org`` for ``org_id``
        found = memo[key] = frozenset(names)
    return found


def _side(node: cst.BaseExpression, joined: tuple[str, ...], attrs: frozenset[str]) -> str | None:
    if (isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name)
            and node.value.value in joined and node.attr.value in attrs):
        return f"{node.value.value}.{node.attr.value}"
    return None


def parameter_pins(ev: Evaluation, joined: tuple[str, ...], call: cst.Call) -> tuple[list[Pin], set[int]]:
    """Pins of ``filter(...)``/``where(...)`` arguments equating a tenant attribute of a joined
    parameter model with a value, and the ids of those arguments (evaluated here, once)."""
    attrs = _tenant_attrs(ev)
    pins: list[Pin] = []
    used: set[int] = set()
    for arg in call.args:
        node = arg.value
        if arg.keyword is not None or arg.star or not isinstance(node, cst.Comparison):
            continue
        if len(node.comparisons) != 1 or not isinstance(node.comparisons[0].operator, cst.Equal):
            continue
        other = node.comparisons[0].comparator
        named = _side(node.left, joined, attrs)
        if named is None:
            named, other = _side(other, joined, attrs), node.left
        if named is None:
            continue
        value = ev.eval(other)
        used.add(id(arg))
        pins.append(Pin(value.prov, Scoping.SCOPED_PARENT,
                        f"joined {named.split('.', 1)[0]} (a model the caller passes): {named}"))
    return pins, used
