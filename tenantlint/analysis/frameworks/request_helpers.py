"""Helpers handed the request: a function whose first parameter is ``request`` that no route names.

Django function views are recognised by their first parameter (``request``). Under
``whole_application``, an undecorated module-level function of that shape whose name product code
only ever calls directly (``index/called_only.py``), and which no ``getattr`` by a computed name on
its module (or on a module loaded at run time) may hand out, is a helper: a route would spell its
name as a value (``path("", views.home)``) or in a string. Its parameters come from its callers, and
the cross-function join judges them there; ``request`` stays the request.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from tenantlint.analysis.rawsql.constants import module_name
from tenantlint.crossfn.records import ANY_MODULE, SUFFIX

if TYPE_CHECKING:
    from tenantlint.analysis.plugins import FileView


def called_helper(ctx: FileView, fn: cst.FunctionDef) -> bool:
    """``fn`` (a module-level function) is only ever called directly by product code."""
    facts = ctx.settings.facts
    if fn.decorators or fn.name.value not in facts.called_only:
        return False
    module = module_name(ctx.path).rpartition(".")[2]
    for key in facts.dynamic_receivers:  # ``getattr(views, op)``: may hand out any of its functions
        receiver, _, ending = key.partition(SUFFIX)  # one whose name ends so (``name + "_id"``)
        if receiver in (ANY_MODULE, module) and fn.name.value.endswith(ending):
            return False
    return True


def request_param(ctx: FileView, fn: cst.FunctionDef) -> frozenset[str]:
    """``{"request"}`` for such a helper (its first parameter is the request its callers hand it)."""
    params = fn.params.posonly_params or fn.params.params
    if not params or params[0].name.value != "request" or not called_helper(ctx, fn):
        return frozenset()
    return frozenset({"request"})
