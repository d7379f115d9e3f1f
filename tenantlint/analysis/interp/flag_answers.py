"""Predicates that answer a pair: ``(authorised?, row)``.

An access helper may hand back the row it fetched beside its verdict, so that the caller can tell
"no such row" from "not yours"::

    def validate_upload_request(user_profile, path_id):
        try:
            upload = Upload.objects.get(path_id=path_id)
        except Upload.DoesNotExist:
            return False, None
        if upload.owner == user_profile:
            return True, upload
        if upload.is_public and upload.realm == user_profile.realm:
            return True, upload
        return False, upload                       # the row goes back on "no" too

    def serve_upload(request, user_profile, path_id):
        is_authorized, upload = validate_upload_request(user_profile, path_id)
        if upload is None:
            return HttpResponseNotFound()
        if not is_authorized:                      # its "no" leaves: path_id is checked from here
            return HttpResponseForbidden()
        ...

When every ``return`` of a function is a tuple of the same length, its answer is the first element:
a "yes" is a ``return`` whose first element is not ``False``/``None``/``0``, and what that element
proves is what the predicate's guard is read from (``access_predicates.py``). Such a guard is kept
apart (its checked parameter prefixed with FLAG): the row goes back whatever the answer, so the
helper's own fetch is not pinned by its check (a caller that ignores the answer holds any tenant's
row), and the plain predicate machinery (``guards.py``, ``crossfn/generic.py``) ignores it. It
holds at a call whose answer is unpacked (``ok, row = helper(...)``) and whose first name is tested
by an ``if not ok:`` (or an ``or``-ed ``not ok``) that leaves, in the call's block or one around
it (not under a condition of its own, not after a loop around the call): past it the id passed as
the checked parameter is trusted when the value passed as the other one is (or as good as that
parameter), the call's read through it is confined (``ArgFact.checked``, as after a check of a
handed-back row, ``call_rows.py``). The names the call was unpacked into are left as they are:
what the function hands back beside its verdict need not be the row it checked. Its writes ran
before the check and stay reported.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import libcst as cst

from tenantlint.analysis.facts import ArgFact, Provenance, Trust
from tenantlint.analysis.interp.block_paths import guards_call
from tenantlint.analysis.interp.call_rows import call_of, mark_checked
from tenantlint.analysis.source.children import code_children
from tenantlint.crossfn.records import GUARD_ID, GUARD_TRUSTED, PARAMETER, TRUSTED_CHECK, decode_guard

if TYPE_CHECKING:
    from tenantlint.analysis.interp.function_state import FunctionState

FLAG = "^"  # prefix of the checked parameter of a predicate whose answer is a tuple's first element
_SCOPES = (cst.FunctionDef, cst.ClassDef, cst.Lambda)


def answers_flag(body: Sequence[cst.BaseStatement]) -> bool:
    """Every ``return`` of the body (outside nested functions) hands back a tuple of one length, two
    or more: the function answers ``(verdict, …)``."""
    length = 0  # the first return's: the walk stops at the first that differs or is no pair
    for r in own_returns(body):
        n = len(r.value.elements) if type(r.value) is cst.Tuple else 0
        if n < 2 or (length and n != length):
            return False
        length = n
    return length >= 2


def answer_of(value: cst.BaseExpression) -> cst.BaseExpression:
    """The verdict of a ``return`` of a function that answers a tuple: its first element."""
    return value.elements[0].value if isinstance(value, cst.Tuple) and value.elements else value


def flagged(checked: str) -> str:
    return f"{FLAG}{checked}"


def own_returns(body: Sequence[cst.CSTNode]) -> Iterable[cst.Return]:
    """The ``return`` statements under ``body`` (a function's), in source order, not those of the
    functions, classes and lambdas nested in it."""
    todo: list[cst.CSTNode] = list(reversed(body))
    while todo:
        node = todo.pop()
        # exact types: libcst's node classes are ABCs (a slow isinstance)
        if type(node) is cst.Return:
            yield node
        elif type(node) not in _SCOPES:
            todo.extend(reversed(code_children(node)))


def negated_names(test: cst.BaseExpression) -> list[str]:
    """The names ``n`` of ``not n`` among the ``or``-ed alternatives of an ``if`` test."""
    if isinstance(test, cst.BooleanOperation) and isinstance(test.operator, cst.Or):
        return negated_names(test.left) + negated_names(test.right)
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not) \
            and isinstance(test.expression, cst.Name):
        return [test.expression.value]
    return []


def verdict_checked(fn: FunctionState, stmt: cst.If) -> None:
    """``if not ok: <leave>`` (just read, its body leaves): each ``ok`` that is the first name of a
    tuple unpacked from a call of a predicate answering a pair holds its guards past the ``if``, when
    the ``if`` runs whenever the call did (``block_paths.guards_call``: not under a condition of its
    own, not after a loop around the call)."""
    ctx = fn.ctx
    if ctx is None:
        return
    for name in negated_names(stmt.test):
        index = call_of(fn, name)
        if index is None or name not in fn.unpacked_first:
            continue
        unpacked = fn.unpacked_calls.get(name)
        if unpacked is None or not guards_call(fn.body, stmt, unpacked[0]):
            continue
        call = ctx.facts.calls[index]
        params, guards = ctx.settings.returns.guards_of(call.callee)
        for guard in guards:
            checked, attr, against, predicate = decode_guard(guard)
            if predicate and attr == GUARD_ID and checked.startswith(FLAG):
                _hold(fn, index, params, checked.removeprefix(FLAG), against)


def _hold(fn: FunctionState, index: int, params: Sequence[str], checked: str, against: str) -> None:
    ctx = fn.ctx
    assert ctx is not None
    call = ctx.facts.calls[index]
    if call.open_args:
        return  # a spread may bind anything
    bound = {_param(params, a): i for i, a in enumerate(call.args)}
    if checked not in bound or (against != GUARD_TRUSTED and against not in bound):
        return
    other = (Provenance.trusted("the authenticated caller, as the guard read it") if against == GUARD_TRUSTED
             else call.args[bound[against]].prov)
    trusted = other.trust is Trust.TRUSTED
    if not trusted and not (other.trust is Trust.UNKNOWN and other.source.startswith(PARAMETER)):
        return  # checked against request input: nothing is proven
    arg = call.args[bound[checked]]
    if not (arg.prov.trust is Trust.UNTRUSTED
            or (arg.prov.trust is Trust.UNKNOWN and arg.prov.source.startswith(PARAMETER))):
        return
    short = ".".join(call.callee.split(".")[-2:])
    detail = f"checked by {short}() against {other.source}"
    after = Provenance.trusted(detail) if trusted else other
    mark = TRUSTED_CHECK if trusted else other.source
    if (mark_checked(fn, index, bound[checked], mark, after) and trusted and fn.handler is not None
            and arg.prov.trust is Trust.UNTRUSTED):
        from tenantlint.analysis.interp.checks import verify_earlier

        verify_earlier(ctx, fn, frozenset({arg.prov}), f"{short}()")


def _param(params: Sequence[str], arg: ArgFact) -> str:
    if arg.keyword:
        return arg.keyword
    return params[arg.position] if 0 <= arg.position < len(params) else ""

