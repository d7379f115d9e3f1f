"""Tenant guards: functions that refuse unless one parameter's tenant is another's.

A check of the tenant written once, in a function its callers share, is as good as one written after
the fetch in the caller itself::

    def check_board_access(member, board):
        if board.guild_id != member.guild_id:
            raise PermissionDenied
        ...

    def access_board(member, board_id):
        board = Board.objects.get(pk=board_id)
        check_board_access(member, board)  # board: checked after the fetch
        return board

``check_board_access`` *guards* ``board`` by ``member``: before anything else can leave it, it
compares the tenant column (or tenant row) of one parameter with that of another and raises (or calls
``abort``/``PermissionDenied``/…) on mismatch. A *predicate* answers ``False`` (or ``None``) on
mismatch instead: it guards only a call whose "no" leaves the caller (``if not can_edit(member,
board): raise``). At a call, a row fetched without a tenant filter passed
as the guarded parameter counts as checked after the fetch when the value passed as the other one is
trusted (or is itself a parameter, then judged at its callers like any tenant value).

The guards are read from the body path by path (``access_predicates.py``): the guarded parameter is
a row, or an id the function fetches a row by; at a call of a predicate whose "no" leaves, the id
passed becomes trusted (or as good as the parameter it was checked against).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

import libcst as cst

from tenantlint.analysis.facts import Provenance, QueryKind, Scoping, Trust
from tenantlint.analysis.interp.access_predicates import ID, TRUSTED, Pair, access_guards
from tenantlint.analysis.interp.call_rows import call_of, check_call_row
from tenantlint.analysis.interp.fixed_sets import FIXED, FIXED_ATTR, fixed_params
from tenantlint.analysis.interp.keyed_fetch import scoped_later

# re-exported: the readers of refusals used to live here
from tenantlint.analysis.interp.refusals import mismatch_sides as mismatch_sides
from tenantlint.analysis.interp.refusals import refusing_call as refusing_call
from tenantlint.analysis.interp.values import Pin, RowValue, Value
from tenantlint.crossfn.records import GUARD_PREDICATE, PARAMETER, decode_guard
from tenantlint.index.records import ProjectIndex

if TYPE_CHECKING:
    from tenantlint.analysis.interp.function_state import FunctionState

PREDICATE = GUARD_PREDICATE  # prefix of a predicate's guard: it answers False instead of refusing
decode = decode_guard


def encode(checked: str, attr: str, against: str, predicate: bool = False) -> str:
    return f"{PREDICATE if predicate else ''}{checked}:{attr}:{against}"


def tenant_attrs(index: ProjectIndex) -> frozenset[str]:
    """The attributes that name a row's tenant on some directly scoped table (``guild``,
    ``guild_id``)."""
    names: set[str] = set()
    for table in index.tables.values():
        names.update(table.tenant_names())
    return frozenset(names)


def guards(fn: cst.FunctionDef, params: Sequence[str], names: frozenset[str]) -> tuple[str, ...]:
    """The guards of ``fn`` (``checked:attr:against``, ``?`` first for a predicate's): ``names`` are the
    tenant attributes (``guild``, ``guild_id``)."""
    refusing, predicate, _ = access_guards(fn, params, names)
    return encoded(refusing, predicate)


def encoded(refusing: Sequence[Pair], predicate: Sequence[Pair]) -> tuple[str, ...]:
    """The guards ``access_predicates.access_guards`` read, as a summary holds them."""
    return tuple([encode(*p) for p in refusing] + [encode(*p, predicate=True) for p in predicate])


def pin_guarded(fn: FunctionState, found: Sequence[Pair], fetched: Mapping[str, str],
                value_of: Callable[[str], Value]) -> None:
    """A function that answers yes (or goes on) only once the row it fetched by an id parameter has
    the tenant of another parameter (``dataset = Dataset.objects.get(pk=dataset_id)``, then ``return
    dataset.team_id == team_id``) has checked its own fetch after the fetch: the query is pinned to
    that parameter (a tenant parameter, judged at the callers). ``value_of``: a name's value."""
    for checked, attr, against in found:
        other = (_trusted_value() if against == TRUSTED else value_of(against)) if attr == ID else None
        if other is None or not (other.trusted or is_parameter(other)):
            continue
        for name, key in fetched.items():
            row = fn.env.get(name)
            if key != checked:
                continue
            if isinstance(row, RowValue) and unchecked_row(row):
                scope_checked(fn, name, row, other.prov, f"checked against {against} after the fetch")
            elif call_of(fn, name) is not None:  # a row a project call handed back (``call_rows.py``)
                check_call_row(fn, name, other.prov, f"checked against {against} after the call")


def scope_checked(fn: FunctionState, name: str, row: RowValue, prov: Provenance, detail: str,
                  how: Scoping = Scoping.TRUSTED_FILTER, confines: bool = False) -> None:
    """``row`` (bound to ``name``) was checked after the fetch against ``prov``: the query that
    fetched it gets a pin for its reads (``how``; ``confines``: whatever else filters it), and the
    row becomes a trusted one."""
    origin = row.origin or row.fetched_by
    if origin is None:
        return
    pin = Pin(prov, how, detail, confines=confines)
    origin.uses = [(k, s.add_pin(pin) if k is QueryKind.READ else s) for k, s in origin.uses]
    if origin.latest is not None:
        origin.latest = origin.latest.add_pin(pin)
    fn.env[name] = replace(row, prov=Provenance.trusted(f"{name}, checked after the fetch"),
                           scoped_row_of=origin.table, origin=None, fetched_by=None)
    scoped_later(fn)  # the id names the fetch was keyed by are proven


def is_parameter(value: Value) -> bool:
    """A parameter of a function that is no handler: judged at its callers like any tenant value."""
    return value.prov.trust is Trust.UNKNOWN and value.prov.source.startswith(PARAMETER)


def unchecked_row(value: Value) -> bool:
    """A row fetched from a tenant table whose query a check after the fetch may still scope."""
    return isinstance(value, RowValue) and value.origin is not None and value.origin.tenant is not None


def apply_guards(fn: FunctionState, call: cst.Call, values: Sequence[Value], params: Sequence[str],
                 found: Sequence[str], callee: str, negated: bool = False) -> None:
    """A call of a function with tenant guards: each unchecked row passed as a guarded parameter,
    beside a trusted value (or a parameter) as the one it is checked against, is checked after the
    fetch. A predicate's guards hold only where its "no" leaves (``negated``: ``if not
    can_edit(member, board): raise``)."""
    bound: dict[str, tuple[cst.BaseExpression, Value]] = {}
    position = 0
    for arg, value in zip(call.args, values, strict=True):
        if arg.star:
            return  # a spread may bind anything
        if arg.keyword is not None:
            bound[arg.keyword.value] = (arg.value, value)
        elif position < len(params):
            bound[params[position]] = (arg.value, value)
            position += 1
    for guard in found:
        checked, attr, against, predicate = decode(guard)
        if (predicate and not negated) or checked not in bound \
                or (against != TRUSTED and against not in bound):
            continue
        node, value = bound[checked]
        other = _trusted_value() if against == TRUSTED else bound[against][1]
        if attr == ID:
            _checked_id(fn, node, value, other, callee)
            continue
        short = ".".join(callee.split(".")[-2:])
        called = isinstance(node, cst.Name) and call_of(fn, node.value) is not None
        if isinstance(node, cst.Name) and not isinstance(value, RowValue) and called:
            if other.trusted or is_parameter(other):  # a row a project call handed back
                check_call_row(fn, node.value, other.prov, f"checked by {short}() after the call")
            continue
        if not isinstance(node, cst.Name) or not isinstance(value, RowValue) or not unchecked_row(value):
            continue
        row = fn.env.get(node.value)
        if not isinstance(row, RowValue) or row.origin is None or row.origin is not value.origin:
            continue
        tenant = row.origin.tenant
        assert tenant is not None
        names = tenant.tenant_names() | {f"{n}_id" for n in tenant.tenant_names()}
        if attr in names and (other.trusted or is_parameter(other)):
            scope_checked(fn, node.value, row, other.prov, f"checked by {short}() after the fetch")


def _trusted_value() -> Value:
    """What a guard checked against a trusted value it read itself (``current_user.id``) holds."""
    return Value(Provenance.trusted("the authenticated caller, as the guard read it"))


def unchecked_id(value: Value) -> bool:
    """A value an id guard may check: request input, or a parameter (not a row, not yet trusted)."""
    return not isinstance(value, RowValue) and (value.untrusted or is_parameter(value))


def _checked_id(fn: FunctionState, node: cst.BaseExpression, value: Value, other: Value, callee: str) -> None:
    """An id passed to a guard on the row it keys (``if not can_read(dataset_id, user): return``):
    past the call the name holds an id of a row of the other value's tenant. Checked against a
    trusted value it is trusted; against a parameter it is as good as that parameter (a tenant value
    judged at the callers: request input they pass into it is reported there)."""
    if not isinstance(node, cst.Name) or not unchecked_id(value):
        return
    held = fn.env.get(node.value)  # a parameter never bound again is in no environment
    if (held is None and node.value not in fn.params) or (held is not None and held is not value):
        return
    short = ".".join(callee.split(".")[-2:])
    if other.trusted:
        fn.env[node.value] = Value(Provenance.trusted(
            f"{node.value}, checked by {short}() against {other.prov.source}"))
        if fn.handler is not None and fn.ctx is not None and value.untrusted:
            from tenantlint.analysis.interp.checks import verify_earlier

            verify_earlier(fn.ctx, fn, frozenset({value.prov}), f"{short}()")
    elif is_parameter(other):
        fn.env[node.value] = Value(other.prov)


def _bound_args(params: Sequence[str], call: cst.Call) -> dict[str, cst.BaseExpression] | None:
    """The arguments of ``call`` by the parameter of ``params`` each binds; None when a ``*``/``**``
    spread may bind any."""
    bound: dict[str, cst.BaseExpression] = {}
    position = 0
    for arg in call.args:
        if arg.star:
            return None
        if arg.keyword is not None:
            bound[arg.keyword.value] = arg.value
        elif position < len(params):
            bound[params[position]] = arg.value
            position += 1
    return bound


def bound_guards(params: Sequence[str], found: Sequence[str], call: cst.Call
                 ) -> list[tuple[cst.BaseExpression, str, cst.BaseExpression | None, bool]]:
    """The guards ``found`` of a function with ``params``, bound to the arguments of ``call``:
    (checked argument, attribute or ID, the argument it is checked against or None for a trusted
    value the function read itself, whether a predicate's)."""
    bound = _bound_args(params, call)
    if bound is None:
        return []
    out: list[tuple[cst.BaseExpression, str, cst.BaseExpression | None, bool]] = []
    for guard in found:
        checked, attr, against, predicate = decode(guard)
        if checked in bound and (against == TRUSTED or against in bound):
            out.append((bound[checked], attr, None if against == TRUSTED else bound[against], predicate))
    return out


def fixed_guards(fn: cst.FunctionDef, params: Sequence[str]) -> tuple[str, ...]:
    """``fn`` as a fixed-set predicate (``fixed_sets.py``), as its summary's guards hold it: a "yes"
    proves the parameter is in a set the server's configuration fixes."""
    return tuple(encode(p, FIXED_ATTR, FIXED, predicate=True) for p in fixed_params(fn, params))


def fixed_args(params: Sequence[str], found: Sequence[str], call: cst.Call) -> list[cst.BaseExpression]:
    """The arguments of ``call`` that the "yes" of a fixed-set predicate with ``params`` and the
    guards ``found`` proves to be in its constant set."""
    bound = _bound_args(params, call)
    if bound is None:
        return []
    out: list[cst.BaseExpression] = []
    for guard in found:
        checked, attr, against, predicate = decode(guard)
        if against == FIXED and attr == FIXED_ATTR and predicate and checked in bound:
            out.append(bound[checked])
    return out


def negated_alternatives(test: cst.BaseExpression) -> list[cst.Call]:
    """The calls ``c`` of ``not c`` among the ``or``-ed alternatives of an ``if`` test whose branch
    leaves (``if not row or not can_read(row): raise``): past the ``if``, each answered yes."""
    if isinstance(test, cst.BooleanOperation) and isinstance(test.operator, cst.Or):
        return negated_alternatives(test.left) + negated_alternatives(test.right)
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        inner = test.expression.expression if isinstance(test.expression, cst.Await) else test.expression
        return [inner] if isinstance(inner, cst.Call) else []
    return []
