"""A keyword filter lookup as a check (docs/concepts.md, "Across functions").

``Service.query(tenant_id=t, id=i)``, a method taking its ``**kwargs`` as column filters
(``index/keyword_lookups.py``), answers rows only when the row ``i`` names has the tenant ``t``: it
is a predicate guarding the id keyword (``id``, ``pk``) by the tenant keyword, as
``Service.accessible(i, t)`` reading the row and comparing its tenant is. So ``if not
Service.query(tenant_id=current_user.id, id=chat_id): return`` proves ``chat_id`` from there on,
and a helper returning such a lookup of its parameter (``def owned(chat_id): return
Service.query(tenant_id=current_user.id, id=chat_id)``) is a predicate on that parameter.

A builder may drop a keyword that names no column of its model (``if not hasattr(cls, k):
continue``), so only keywords naming a tenant column of the model the call reads count: the model
the call is spelled on (``Dialog.query``), or the one model the service class it is spelled on holds
(``DialogService.query`` with ``model = Dialog``). A call spelled otherwise (``cls.query``, a
variable) checks nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from tenantlint.analysis.interp.access_predicates import ID
from tenantlint.analysis.interp.exprs import dotted
from tenantlint.analysis.interp.guards import encode
from tenantlint.analysis.rawsql.constants import resolve_import
from tenantlint.index.keyword_lookups import is_keyword_lookup
from tenantlint.index.records import ModelInfo
from tenantlint.index.relations import model_of

if TYPE_CHECKING:
    from tenantlint.analysis.interp.file_context import FileContext

ID_KEYWORDS = ("id", "pk")


def keyword_guards(ctx: FileContext, call: cst.Call, callee: str) -> tuple[str, ...]:
    """The predicate guards of ``call`` (resolved to ``callee``) when it is a keyword filter lookup
    of the project: each id keyword checked against each keyword naming a tenant column of the model
    it reads (bound by keyword at the call)."""
    model = lookup_model(ctx, call, callee)
    table = ctx.index.tenant_table_of_model(model.name) if model is not None else None
    if model is None or table is None:
        return ()
    tenants = sorted(n for n in table.tenant_names() if n in columns(model))
    return tuple(encode(i, ID, t, predicate=True) for i in ID_KEYWORDS for t in tenants)


def lookup_model(ctx: FileContext, call: cst.Call, callee: str) -> ModelInfo | None:
    """The model ``call`` (resolved to ``callee``) reads when it is a keyword filter lookup spelled on
    a model or on a service class holding one."""
    lookups = ctx.settings.facts.keyword_lookups
    if not lookups or not isinstance(call.func, cst.Attribute):
        return None
    resolved = ctx.settings.returns.resolve(callee) or callee
    if not (is_keyword_lookup(resolved, lookups) or is_keyword_lookup(callee, lookups)):
        return None
    return read_model(ctx, call.func.value)


def columns(model: ModelInfo) -> set[str]:
    return {f.name for f in model.fields} | {f.column for f in model.fields}


def read_model(ctx: FileContext, receiver: cst.BaseExpression) -> ModelInfo | None:
    """The model a call spelled on ``receiver`` reads: the model itself, or the one model a service
    class holds."""
    text = dotted(receiver, calls=False)
    if text is None or text.split(".", 1)[0] in ("self", "cls"):
        return None
    name = text.rsplit(".", 1)[-1]
    if ctx.index.model(name) is not None:
        return model_of(ctx.index, name)
    qualified = resolve_import(ctx.imports.qualify(text), ctx.path)
    held = {model.rsplit(".", 1)[-1] for _, model in ctx.settings.class_models.own_attrs(qualified)}
    found = [m for m in (model_of(ctx.index, h) for h in sorted(held)) if m is not None]
    return found[0] if len(found) == 1 else None
