"""A fetched row written before its check (docs/concepts.md, "Checked after the fetch").

A check of a row's tenant after the fetch proves the fetch only while nothing has been done with the
row yet. Saved or deleted first, the write has already happened to whichever tenant's row the id
named::

    invoice = Invoice.objects.get(id=invoice_id)
    invoice.delete()                                   # another org's invoice is gone
    if invoice.org_id != request.user.org_id:
        raise PermissionDenied

A write through the row (``row.save()``, ``row.delete()``, Peewee's ``delete_instance()``, a
session's ``delete(row)``/``merge(row)``) spends it: no later check scopes its fetch, nor the
project call that handed it back.
"""

from __future__ import annotations

from dataclasses import replace

import libcst as cst

from tenantlint.analysis.interp.call_rows import call_of
from tenantlint.analysis.interp.function_state import FunctionState
from tenantlint.analysis.interp.values import RowValue

ROW_WRITES = frozenset({"save", "delete", "delete_instance", "update_instance"})
SESSION_WRITES = frozenset({"delete", "merge"})


def spend_written_row(fn: FunctionState, node: cst.Call, func: cst.Attribute) -> None:
    """``row.save()`` / ``session.delete(row)``: the row held by that name can no longer be
    checked after the fetch."""
    method = func.attr.value
    names: list[cst.BaseExpression] = []
    if method in ROW_WRITES:
        names.append(func.value)
    if method in SESSION_WRITES and node.args:
        names.append(node.args[0].value)
    for expr in names:
        if not isinstance(expr, cst.Name):
            continue
        held = fn.env.get(expr.value)
        if held is None:
            continue
        if isinstance(held, RowValue) and (held.origin is not None or held.fetched_by is not None):
            fn.env[expr.value] = replace(held, origin=None, fetched_by=None)
        elif call_of(fn, expr.value) is not None:
            fn.env[expr.value] = replace(held)  # no longer the value the call handed back
