"""SQLAlchemy event listeners: the row a mapper, instance or attribute event passes in.

``@event.listens_for(Recipe, "before_update") def f(mapper, connection, target)`` is called by the
ORM itself while it writes ``target``, a row of ``Recipe`` the application is inserting, updating,
deleting or loading; attribute events (``"set"``, ``"append"``, ``"remove"``) and instance events
(``"load"``, ``"refresh"``, ``"init"``) pass the instance first. Like ``self`` in a method of a tenant
model, that row carries its tenant: the rows it names (``UserToRecipe.recipe_id == target.id``) are
its tenant's. A listener of a session event (``after_flush``) receives no row.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from tenantlint.analysis.facts import Provenance
from tenantlint.analysis.interp.exprs import dotted, string_value
from tenantlint.analysis.interp.values import RowValue, Value

if TYPE_CHECKING:
    from tenantlint.analysis.plugins import FileView

MAPPER_EVENTS = frozenset({"before_insert", "after_insert", "before_update", "after_update",
                           "before_delete", "after_delete"})  # (mapper, connection, target)
INSTANCE_EVENTS = frozenset({"load", "refresh", "init", "expire", "set", "append", "remove",
                             "modified", "bulk_replace"})  # (target, ...)
LISTENERS = frozenset({"listens_for"})


def listener_rows(ctx: FileView, fn: cst.FunctionDef) -> dict[str, Value]:
    params = [p.name.value for p in (*fn.params.posonly_params, *fn.params.params)]
    out: dict[str, Value] = {}
    for d in fn.decorators:
        call = d.decorator
        if not isinstance(call, cst.Call) or (dotted(call.func) or "").rsplit(".", 1)[-1] not in LISTENERS:
            continue
        args = [a.value for a in call.args if a.keyword is None and not a.star]
        if len(args) < 2:
            continue
        event = string_value(args[1])
        index = 2 if event in MAPPER_EVENTS else 0 if event in INSTANCE_EVENTS else None
        target = dotted(args[0]) or ""
        model = ctx.model_name(target) or ctx.model_name(target.rsplit(".", 1)[0])
        tenant = ctx.tenant_of_model(model) if model is not None else None
        if index is None or tenant is None or index >= len(params):
            continue
        name = params[index]
        out[name] = RowValue(Provenance.trusted(f"{name}, the {tenant.table} row the ORM is writing"),
                             scoped_row_of=tenant.table, table=tenant.table)
    return out
