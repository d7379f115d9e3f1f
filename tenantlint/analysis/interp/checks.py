"""Which URL parameters the membership checks of a handler verify (docs/concepts.md).

A handler's checks are its decorators and, for a DRF view, the entries of ``permission_classes``
(on the class or a base class of the same file). A check named in ``membership_checks`` verifies
every URL path parameter; one tenantlint recognised verifies the parameters its body looks the
caller up by (``slug`` for ``workspace__slug=view.workspace_slug``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace

import libcst as cst

from tenantlint.analysis.facts import Provenance, QueryKind
from tenantlint.analysis.interp.exprs import class_attribute, dotted
from tenantlint.analysis.interp.file_context import FileContext
from tenantlint.analysis.interp.function_state import FunctionState
from tenantlint.analysis.interp.keyed_fetch import scoped_later
from tenantlint.analysis.interp.values import QueryState
from tenantlint.analysis.plugins import ClassInfo
from tenantlint.analysis.rawsql.constants import module_name, resolve_import
from tenantlint.index.membership import VIEW_PROPERTY

ALL_PARAMS = "*"


def property_params(ctx: FileContext, cls: ClassInfo | None, verified: frozenset[str],
                    params: Iterable[str]) -> dict[str, str]:
    """The URL parameters a check verifies through a property of the view (``view.project_id`` in a
    permission class, ``index/view_properties.py``): of the URL parameters the property may return,
    the one the handler has, when it has exactly one of them (with several, which one the property
    returns depends on run-time values). Parameter -> the property it was verified as."""
    wanted = sorted(v[len(VIEW_PROPERTY):] for v in verified if v.startswith(VIEW_PROPERTY))
    table = ctx.settings.facts.kwarg_properties
    if not wanted or cls is None or not table:
        return {}
    mod = module_name(ctx.path)
    lineage: list[str] = []
    todo, seen = [cls], set()
    while todo:  # the class and its bases in this file, nearest first, then those of other modules
        c = todo.pop(0)
        if c.name not in seen:
            seen.add(c.name)
            lineage.append(f"{mod}.{c.name}" if mod else c.name)
            todo.extend(ctx.local_classes[b] for b in c.bases if b in ctx.local_classes)
            lineage.extend(resolve_import(b, ctx.path) for b in c.bases if b not in ctx.local_classes)
    lineage.extend(ctx.project_bases(cls))
    names = set(params)
    out: dict[str, str] = {}
    for prop in wanted:
        keys = next((table[k] for c in lineage if (k := f"{c}.{prop}") in table), "")
        present = [k for k in keys.split(",") if k in names]
        if len(present) == 1:
            out[present[0]] = prop
    return out


def verified_names(table: Mapping[str, frozenset[str] | None], checks: Iterable[str]) -> frozenset[str]:
    """The parameter names the given checks verify; ``{"*"}`` when one verifies them all."""
    out: set[str] = set()
    for name in checks:
        if name not in table:
            continue
        names = table[name]
        if names is None:
            return frozenset({ALL_PARAMS})
        out.update(names)
    return frozenset(out)




def permission_classes(ctx: FileContext, cls: ClassInfo) -> list[str]:
    """Last dotted parts of the view's ``permission_classes`` entries (the nearest class that sets
    them, following bases defined in the same file)."""
    seen: set[str] = set()
    todo = [cls]
    while todo:
        c = todo.pop(0)
        if c.name in seen:
            continue
        seen.add(c.name)
        value = class_attribute(c.node, "permission_classes")
        if isinstance(value, cst.List | cst.Tuple):
            out = []
            for el in value.elements:
                text = dotted(el.value.func if isinstance(el.value, cst.Call) else el.value)
                if text:
                    out.append(text.rsplit(".", 1)[-1])
            return out
        todo.extend(ctx.local_classes[b] for b in c.bases if b in ctx.local_classes)
    return []


def decorator_permission_classes(fn: cst.FunctionDef) -> list[str]:
    """Last dotted parts of the classes a DRF function view lists in ``@permission_classes([...])``."""
    out: list[str] = []
    for d in fn.decorators:
        call = d.decorator
        if not (isinstance(call, cst.Call) and (dotted(call.func) or "").rsplit(".", 1)[-1]
                == "permission_classes" and call.args):
            continue
        value = call.args[0].value
        if isinstance(value, cst.List | cst.Tuple):
            for el in value.elements:
                text = dotted(el.value.func if isinstance(el.value, cst.Call) else el.value)
                if text:
                    out.append(text.rsplit(".", 1)[-1])
    return out


def verify_earlier(ctx: FileContext, fn: FunctionState, provs: frozenset[Provenance], check: str) -> None:
    """A check verifies a value for the whole handler before its results leave it: reads made
    earlier with that value, and the rows they fetched, become trusted. Writes already ran."""
    trusted = Provenance.trusted(f"verified {check}")

    def fixed(state: QueryState) -> QueryState:
        if not any(p.prov in provs for p in state.pins) and state.key_prov not in provs \
                and not any(p.prov in provs for p in state.latent):
            return state
        pins = tuple(replace(p, prov=trusted) if p.prov in provs else p for p in state.pins)
        pins += tuple(replace(p, prov=trusted) for p in state.latent if p.prov in provs)  # late_parents.py
        latent = tuple(p for p in state.latent if p.prov not in provs)
        key = trusted if state.key_prov in provs else state.key_prov
        return replace(state, pins=pins, key_prov=key, latent=latent)

    handler = fn.handler_name
    if handler is not None:
        for origin in ctx.origins:
            if origin.handler != handler:
                continue
            origin.uses = [(k, fixed(s) if k is QueryKind.READ else s) for k, s in origin.uses]
            if origin.latest is not None:
                origin.latest = fixed(origin.latest)
    for name, value in list(fn.env.items()):
        if value.prov in provs:
            fn.env[name] = replace(value, prov=trusted)
    scoped_later(fn)  # a fetch keyed by what the check verified proves its id names

# Methods of a class-based view that its actions call rather than the router: they run under the
# checks of the action that called them.
SHARED_HOOKS = frozenset({"get_queryset", "get_object", "get_serializer_context", "filter_queryset"})
ACTIONS = frozenset({"get", "post", "put", "patch", "delete", "list", "retrieve", "create", "update",
                     "partial_update", "destroy"})


def action_checks(cls: ClassInfo, known: Mapping[str, frozenset[str] | None]) -> list[str]:
    """The membership checks decorating every action the view defines (``@allow_permission`` on
    each of ``list``, ``create``, ...): ``get_queryset`` runs under them. Empty when the view
    defines no action or one action is not decorated by a check."""
    common: set[str] | None = None
    body = cls.node.body.body if isinstance(cls.node.body, cst.IndentedBlock) else ()
    for stmt in body:
        if not isinstance(stmt, cst.FunctionDef):
            continue
        names = {(dotted(d.decorator.func if isinstance(d.decorator, cst.Call) else d.decorator) or "")
                 .rsplit(".", 1)[-1] for d in stmt.decorators}
        if stmt.name.value not in ACTIONS and "action" not in names:
            continue
        found = {n for n in names if n in known}
        common = found if common is None else common & found
        if not common:
            return []
    return sorted(common or ())
