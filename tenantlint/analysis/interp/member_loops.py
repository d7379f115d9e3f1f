"""Ids found among the caller's own tenants by a loop (docs/concepts.md, "Across functions")::

    tenants = UserTenantService.query(user_id=current_user.id)
    for tenant in tenants:
        if SearchService.query(tenant_id=tenant.tenant_id, id=search_id):
            break
    else:
        return error("Has no permission for this operation.")

The loop is left past its ``else`` only through the ``break``, after a keyword filter lookup
(``keyword_guards.py``) found the row ``search_id`` names in the tenant of one of the rows looped
over; those rows are the caller's own (a keyword filter lookup pinning an owner column, ``user_id``,
``created_by``, ..., of its model to the authenticated user), so their tenant column holds tenants
the caller belongs to, and ``search_id`` is the id of a row of one of them from there on.

Only this shape counts: ``for <name> in <rows>:`` (a name bound to the lookup, or the lookup written
in place; through an executor too) whose body is one ``if <lookup>:`` ending in ``break``, with no
``else`` of its own, and whose ``else`` leaves the function; the lookup's tenant keyword is the loop
row's tenant column (``tenant.tenant_id``), and its id keyword a name.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import libcst as cst

from tenantlint.analysis.interp.after_fetch import refuses
from tenantlint.analysis.interp.executor_calls import inner_call
from tenantlint.analysis.interp.guards import decode
from tenantlint.analysis.interp.keyword_guards import columns, keyword_guards, lookup_model
from tenantlint.index.relations import OWNER_COLUMNS

if TYPE_CHECKING:
    from tenantlint.analysis.interp.file_context import FileContext
    from tenantlint.analysis.interp.function_state import FunctionState


def _call(ctx: FileContext, fn: FunctionState, node: cst.BaseExpression) -> cst.Call | None:
    """The call ``node`` makes (``await`` and an executor looked through)."""
    node = node.expression if isinstance(node, cst.Await) else node
    if not isinstance(node, cst.Call):
        return None
    return inner_call(ctx, fn, node) or node


def _leaves(body: Sequence[cst.CSTNode]) -> bool:
    last = body[-1] if body else None
    return refuses(body) or (isinstance(last, cst.SimpleStatementLine)
                             and isinstance(last.body[-1], cst.Return | cst.Raise))


def _breaks(stmt: cst.If) -> bool:
    last = stmt.body.body[-1] if stmt.body.body else None
    return isinstance(last, cst.SimpleStatementLine) and isinstance(last.body[-1], cst.Break)


def proven_by_member_loop(ctx: FileContext, fn: FunctionState, stmt: cst.For,
                          trusted: Callable[[cst.BaseExpression], bool]) -> str | None:
    """The name ``stmt`` proves to be the id of a row in one of the caller's tenants, if it is such a
    loop (``trusted``: whether a value is trusted where the loop is)."""
    from tenantlint.analysis.interp.calls import resolve_call

    body = stmt.body.body
    if not (isinstance(stmt.target, cst.Name) and isinstance(stmt.orelse, cst.Else) and len(body) == 1
            and isinstance(body[0], cst.If) and body[0].orelse is None and _breaks(body[0])
            and _leaves(stmt.orelse.body.body)):
        return None
    row = stmt.target.value
    test = _call(ctx, fn, body[0].test)
    callee = resolve_call(ctx, fn, test.func) if test is not None else None
    if test is None or callee is None or any(a.star for a in test.args):
        return None
    given = {a.keyword.value: a.value for a in test.args if a.keyword is not None}
    for guard in keyword_guards(ctx, test, callee):
        checked, _, against, _ = decode(guard)
        name, tenant = given.get(checked), given.get(against)
        if isinstance(name, cst.Name) and name.value != row and isinstance(tenant, cst.Attribute) \
                and isinstance(tenant.value, cst.Name) and tenant.value.value == row \
                and _own_rows(ctx, fn, stmt.iter, tenant.attr.value, trusted):
            return name.value
    return None


def _own_rows(ctx: FileContext, fn: FunctionState, rows: cst.BaseExpression, tenant: str,
              trusted: Callable[[cst.BaseExpression], bool]) -> bool:
    """``rows`` are rows of a model with the tenant column ``tenant``, looked up by a keyword filter
    lookup pinning an owner column of that model to the authenticated user."""
    from tenantlint.analysis.interp.calls import resolve_call

    if isinstance(rows, cst.Name):
        held = fn.held_expr(rows.value)  # still bound to it: not the merge of two branches
        if held is None:
            return False
        rows = held[0]
    call = _call(ctx, fn, rows)
    callee = resolve_call(ctx, fn, call.func) if call is not None else None
    model = lookup_model(ctx, call, callee) if call is not None and callee is not None else None
    if call is None or model is None:
        return False
    table = ctx.index.tenant_table_of_model(model.name)
    own = columns(model)
    if table is None or tenant not in table.tenant_names() or tenant not in own:
        return False
    return any(a.keyword is not None and a.keyword.value in OWNER_COLUMNS and a.keyword.value in own
               and trusted(a.value) for a in call.args)
