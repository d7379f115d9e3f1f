"""A fetched row passed to a membership check the configuration names (docs/concepts.md, "Checked
after the fetch").

Some access predicates compare a row's tenant in a way tenantlint cannot read from the schema (a
message's stream found by a generic id, a DM admitted by the caller's own delivery row); the user
vouches for them by naming them in ``membership_checks``::

    message = Message.objects.get(id=message_id)
    if has_message_access(user_profile, message):    # membership_checks = ["has_message_access"]
        return message
    raise JsonableError("Invalid message(s)")

A row fetched by a query with no tenant filter and passed to such a call, as a positional or keyword
argument, is checked after the fetch where the call cannot be passed over: a call made as a
statement (a check that refuses by itself), or one whose "no" leaves the function (``if not
check(...): raise``, ``if check(...): return row`` then ``raise``), or the answer a DRF permission
class's ``has_permission``/``has_object_permission`` returns (the framework refuses on "no"). An
answer only logged, stored or returned elsewhere checks nothing. The check is as good as the other
values passed to it: a trusted one (the authenticated user) makes the row trusted, a parameter of
the calling function makes it as good as that parameter (judged at the callers), and request input
passed beside it (a user the client chose) leaves the row unchecked. A row an id-keyed project call
handed back (``e, file = FileService.get_by_id(file_id)``) passed on the same terms is checked after
the call (``call_rows.check_call_row``: the call's read through its one verifiable argument is
confined, that argument's name is as good as the check). Only the configured names count: a check
tenantlint recognised by its body verifies the URL values it looks the caller up by, not any row
handed to it.
"""

from __future__ import annotations

from collections.abc import Callable

import libcst as cst

from tenantlint.analysis.facts import Provenance
from tenantlint.analysis.interp.call_rows import call_of, check_call_row
from tenantlint.analysis.interp.function_state import FunctionState
from tenantlint.analysis.interp.guards import is_parameter, scope_checked, unchecked_row
from tenantlint.analysis.interp.values import RowValue, Value


def statement_call(node: cst.CSTNode) -> frozenset[int]:
    """The ids of the calls ``node`` (a simple statement line) makes as statements of their own
    (``check(user, row)``, ``await check(user, row)``)."""
    found: set[int] = set()
    for small in getattr(node, "body", ()):
        if isinstance(small, cst.Expr):
            value = small.value.expression if isinstance(small.value, cst.Await) else small.value
            if isinstance(value, cst.Call):
                found.add(id(value))
    return frozenset(found)


PERMISSION_METHODS = frozenset({"has_permission", "has_object_permission"})


def permission_answer(node: cst.CSTNode, state: FunctionState) -> frozenset[int]:
    """The ids of the calls ``node`` (a simple statement line) returns as the answer of a DRF
    permission class's ``has_permission``/``has_object_permission`` (``return check(user, row)``):
    the framework refuses the request on a "no", so that answer leaves as a refusal does."""
    if state.owner is None or (state.qualname or "").rsplit(".", 1)[-1] not in PERMISSION_METHODS:
        return frozenset()
    found: set[int] = set()
    for small in getattr(node, "body", ()):
        if isinstance(small, cst.Return) and small.value is not None:
            value = small.value.expression if isinstance(small.value, cst.Await) else small.value
            if isinstance(value, cst.Call):
                found.add(id(value))
    return frozenset(found)


def rows_checked_by(state: FunctionState, call: cst.Call, name: str, leaves: bool,
                    value_of: Callable[[cst.BaseExpression], Value]) -> None:
    """``call`` is a call of the configured membership check ``name``; ``leaves``: it is made as a
    statement or its "no" leaves the function; ``value_of`` evaluates an argument. Each unchecked
    fetched row passed to it is checked after the fetch, against the other values passed (see the
    module docstring)."""
    if not leaves and id(call) not in state.negated_calls:
        return
    rows: list[tuple[str, RowValue]] = []
    handed: list[str] = []  # names holding a row a project call handed back (``call_rows.py``)
    pin: Provenance | None = None
    for arg in call.args:
        if arg.star:
            return  # a spread may pass anything
        held = state.env.get(arg.value.value) if isinstance(arg.value, cst.Name) else None
        if isinstance(held, RowValue) and unchecked_row(held):
            assert isinstance(arg.value, cst.Name)
            rows.append((arg.value.value, held))
            continue
        if isinstance(arg.value, cst.Name) and call_of(state, arg.value.value) is not None:
            handed.append(arg.value.value)
            continue
        if isinstance(arg.value, cst.Lambda):
            continue  # a callback the check may call (``has_user_message=lambda: um is not None``)
        if not isinstance(arg.value, cst.Name | cst.Attribute | cst.Subscript | cst.BaseNumber
                          | cst.SimpleString):
            return  # a value computed in the call (``check(get_user(uid), row)``): not followed
        value = value_of(arg.value)
        if value.untrusted:
            return  # checked against a value the client chose
        if pin is None and (value.trusted or is_parameter(value)):
            pin = value.prov
    short = name.rsplit(".", 1)[-1]
    against = pin or Provenance.trusted(f"the caller, as {short}() verifies it")
    for row_name, row in rows:
        scope_checked(state, row_name, row, against, f"checked by the membership check {short}()")
    for row_name in handed:
        check_call_row(state, row_name, against, f"checked by the membership check {short}() after the call")
