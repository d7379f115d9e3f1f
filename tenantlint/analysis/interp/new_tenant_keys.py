"""A tenant key read from the request only to name a new tenant: not a choice of tenant (TNT201).

A handler creating a tenant (a workspace, an organisation) or probing whether a name is free reads
the new tenant's key from the body or the query string: ``slug = request.data.get("slug")``. That
value selects no tenant's rows, so it is no TNT201, when all of this holds:

- the key is a field of the tenant model itself (``Workspace.slug``), not a tenant column or a foreign
  key (``workspace_id``, ``org`` keep TNT201);
- the read is bound to a local name once (``slug = request.data.get("slug")``), and every use of that
  name is a test (``if not slug``, ``slug == ""``, ``slug in RESERVED``, ``len(slug) > 48``), the key
  of an existence probe on the tenant model (``Workspace.objects.filter(slug=slug).exists()``: only a
  yes or no), or a column of a new tenant row (``Workspace.objects.create(slug=slug)``,
  ``Workspace(slug=slug)``).

Any other use (a lookup that returns the row, ``get_or_create``, a call, a response, another
query) keeps the read reported.
"""

from __future__ import annotations

from collections.abc import Iterable

import libcst as cst

from tenantlint.analysis.interp.exprs import dotted
from tenantlint.analysis.interp.file_context import FileContext

_NEW_ROW = frozenset({"create"})
_PROBES = frozenset({"exists"})
_QUERY = frozenset({"filter"})
_TESTS = (cst.If, cst.IfExp, cst.While, cst.Assert)


class _Parents(cst.CSTVisitor):
    def __init__(self) -> None:
        self.parent: dict[int, cst.CSTNode] = {}
        self.stores: dict[str, int] = {}
        self.names: dict[str, list[cst.Name]] = {}
        self._stack: list[cst.CSTNode] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        if self._stack:
            self.parent[id(node)] = self._stack[-1]
        self._stack.append(node)
        return super().on_visit(node)

    def on_leave(self, original_node: cst.CSTNode) -> None:
        super().on_leave(original_node)
        self._stack.pop()

    def visit_Name(self, node: cst.Name) -> None:
        self.names.setdefault(node.value, []).append(node)

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        for name in _names(node.target):
            self.stores[name] = self.stores.get(name, 0) + 1

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        for name in _names(node.target):
            self.stores[name] = self.stores.get(name, 0) + 1

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        for name in _names(node.target):
            self.stores[name] = self.stores.get(name, 0) + 1


def _names(target: cst.BaseExpression) -> Iterable[str]:
    if isinstance(target, cst.Name):
        yield target.value
    elif isinstance(target, cst.Tuple | cst.List):
        for e in target.elements:
            yield from _names(e.value)


def tenant_model_fields(ctx: FileContext) -> dict[str, frozenset[str]]:
    """Tenant models (configured, or the targets of tenant columns) -> their own fields that are no
    foreign key."""
    memo = ctx.settings.memo
    slot = ("new-tenant-keys", "fields")
    found = memo.get(slot)
    if isinstance(found, dict):
        return found
    index = ctx.index
    names = set(ctx.settings.config.tenant_models)
    for table in index.tables.values():
        for model in table.models:
            info = index.model(model)
            for f in info.fields if info is not None else ():
                if f.name == table.tenant_field and f.fk_target:
                    names.add(f.fk_target.rsplit(".", 1)[-1])
    out: dict[str, frozenset[str]] = {}
    for name in names:
        info = index.model(name)
        if info is not None:
            out[name] = frozenset(f.name.lower() for f in info.fields if f.fk_target is None)
    memo[slot] = out
    return out


def names_new_tenant(ctx: FileContext, body: cst.CSTNode, read: cst.CSTNode, key: str) -> bool:
    """``read`` (of ``key``) in the function ``body`` only names a new tenant (module docstring)."""
    models = tenant_model_fields(ctx)
    owners = {m for m, fields in models.items() if key.lower() in fields}
    if not owners:
        return False
    seen = _Parents()
    body.visit(seen)
    assign = seen.parent.get(id(read))
    if not isinstance(assign, cst.Assign) or len(assign.targets) != 1 or assign.value is not read:
        return False
    target = assign.targets[0].target
    if not isinstance(target, cst.Name) or seen.stores.get(target.value, 0) != 1:
        return False
    uses = [n for n in seen.names.get(target.value, ()) if n is not target
            and not _label(n, seen.parent.get(id(n)))]
    return all(_harmless(ctx, use, seen.parent, owners) for use in uses)


def _label(name: cst.Name, up: cst.CSTNode | None) -> bool:
    """``name`` is an attribute's or a keyword's label (``row.slug``, ``filter(slug=...)``), no
    reference to the local."""
    return (isinstance(up, cst.Attribute) and up.attr is name) or (
        isinstance(up, cst.Arg) and up.keyword is name)


def _harmless(ctx: FileContext, use: cst.Name, parent: dict[int, cst.CSTNode],
              owners: set[str]) -> bool:
    up = parent.get(id(use))
    if isinstance(up, cst.Arg) and up.keyword is None:
        call = parent.get(id(up))
        if isinstance(call, cst.Call) and dotted(call.func) == "len":
            return True  # its length: a number
    if isinstance(up, cst.Comparison | cst.ComparisonTarget):
        return True  # a yes or no
    if isinstance(up, cst.Arg) and up.keyword is not None:
        call = parent.get(id(up))
        return isinstance(call, cst.Call) and _tenant_row_call(ctx, call, parent, owners)
    node: cst.CSTNode = use
    while isinstance(up, cst.UnaryOperation | cst.BooleanOperation):  # ``not slug or not name``
        if isinstance(up, cst.UnaryOperation) and not isinstance(up.operator, cst.Not):
            return False
        node, up = up, parent.get(id(up))
    if isinstance(node, cst.UnaryOperation):
        return True  # ``not ...``: a yes or no
    return isinstance(up, _TESTS) and up.test is node  # the value tested, then dropped


def _tenant_row_call(ctx: FileContext, call: cst.Call, parent: dict[int, cst.CSTNode],
                     owners: set[str]) -> bool:
    """``Tenant.objects.filter(k=v).exists()``, ``Tenant.objects.create(k=v)`` or ``Tenant(k=v)``."""
    func = dotted(call.func) or ""
    head, _, verb = func.rpartition(".")
    if _model(ctx, func) in owners:
        return True  # ``Workspace(slug=slug)``: a new row
    model, _, manager = head.rpartition(".")
    if not manager or _model(ctx, model) not in owners:
        return False
    if verb in _NEW_ROW:
        return True
    if verb not in _QUERY:
        return False
    attr = parent.get(id(call))
    outer = parent.get(id(attr)) if attr is not None else None
    return (isinstance(attr, cst.Attribute) and attr.attr.value in _PROBES
            and isinstance(outer, cst.Call) and outer.func is attr)


def _model(ctx: FileContext, name: str) -> str | None:
    if not name:
        return None
    last = ctx.imports.qualify(name).rsplit(".", 1)[-1]
    return last if ctx.index.model(last) is not None else None
