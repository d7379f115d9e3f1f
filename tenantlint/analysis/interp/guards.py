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

Purely syntactic (libcst): the comparison must be a top-level ``if`` of the function's body, with no
``return`` before it (an early ``return`` for some callers would skip it), and ``!=``/``is not``
among ``or``-ed alternatives, each side a parameter's tenant attribute (``board.guild_id``,
``board.guild``, ``board.guild.id``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

import libcst as cst

from tenantlint.analysis.facts import Provenance, QueryKind, Scoping, Trust
from tenantlint.analysis.interp.exprs import dotted
from tenantlint.analysis.interp.values import Pin, RowValue, Value
from tenantlint.crossfn.records import PARAMETER
from tenantlint.index.records import ProjectIndex

if TYPE_CHECKING:
    from tenantlint.analysis.interp.function_state import FunctionState

REFUSING_CALLS = frozenset({"abort", "deny", "forbidden", "not_found", "PermissionDenied", "Http404"})


PREDICATE = "?"  # prefix of a predicate's guard: it answers False instead of refusing


def encode(checked: str, attr: str, against: str, predicate: bool = False) -> str:
    return f"{PREDICATE if predicate else ''}{checked}:{attr}:{against}"


def decode(guard: str) -> tuple[str, str, str, bool]:
    predicate = guard.startswith(PREDICATE)
    checked, attr, against = guard.removeprefix(PREDICATE).split(":", 2)
    return checked, attr, against, predicate


def tenant_attrs(index: ProjectIndex) -> frozenset[str]:
    """The attributes that name a row's tenant on some directly scoped table (``guild``,
    ``guild_id``)."""
    names: set[str] = set()
    for table in index.tables.values():
        names.update(table.tenant_names())
    return frozenset(names)


def guards(fn: cst.FunctionDef, params: Sequence[str], names: frozenset[str]) -> tuple[str, ...]:
    """The guards of ``fn`` (``checked:attr:against``): ``names`` are the tenant attributes
    (``guild``, ``guild_id``)."""
    body = fn.body.body if isinstance(fn.body, cst.IndentedBlock) else ()
    found: list[str] = []
    for i, stmt in enumerate(body):
        if not isinstance(stmt, cst.If):
            continue
        refusing = _refuses(stmt.body.body)
        if not refusing and not _answers_no(stmt.body.body):
            continue
        here = [encode(one[0], one[1], other[0], not refusing) for left, right in mismatch_sides(stmt.test)
                for a, b in ((left, right), (right, left))
                if (one := _tenant_of(a, params, names)) is not None
                and (other := _tenant_of(b, params, names)) is not None and one[0] != other[0]]
        if here and not any(_returns(s) for s in body[:i]):
            found.extend(g for g in here if g not in found)
    return tuple(found)


def _tenant_of(node: cst.BaseExpression, params: Sequence[str], names: frozenset[str]
               ) -> tuple[str, str] | None:
    """``board.guild_id`` / ``board.guild`` / ``board.guild.id`` -> (``board``, ``guild_id``)."""
    text = dotted(node, calls=False)
    if text is None:
        return None
    parts = text.split(".")
    if len(parts) == 3 and parts[2] in ("id", "pk"):
        parts = parts[:2]
    if len(parts) != 2 or parts[0] not in params or parts[1] not in names:
        return None
    return parts[0], parts[1]


def mismatch_sides(test: cst.BaseExpression) -> list[tuple[cst.BaseExpression, cst.BaseExpression]]:
    """``a != b`` (or ``a is not b``, ``not a == b``) comparisons among ``or``-ed alternatives of an
    ``if`` test."""
    if isinstance(test, cst.BooleanOperation) and isinstance(test.operator, cst.Or):
        return mismatch_sides(test.left) + mismatch_sides(test.right)
    negated = isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not)
    if isinstance(test, cst.UnaryOperation) and negated:
        test = test.expression
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
        target = test.comparisons[0]
        differ = (cst.Equal, cst.Is) if negated else (cst.NotEqual, cst.IsNot)
        if isinstance(target.operator, differ):
            return [(test.left, target.comparator)]
    return []


def refusing_call(small: cst.CSTNode) -> bool:
    """A statement that calls a refusing function (``abort(404)``, ``PermissionDenied()``)."""
    if isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
        name = dotted(small.value.func) or ""
        return name.rsplit(".", 1)[-1] in REFUSING_CALLS
    return False


def _refuses(body: Sequence[cst.BaseStatement] | Sequence[cst.BaseSmallStatement]) -> bool:
    """The branch raises, or calls a refusing function (``abort(404)``): a ``return`` would let the
    caller go on."""
    for stmt in body:
        smalls = stmt.body if isinstance(stmt, cst.SimpleStatementLine) else (stmt,)
        if any(isinstance(small, cst.Raise) or refusing_call(small) for small in smalls):
            return True
    return False


def _answers_no(body: Sequence[cst.BaseStatement] | Sequence[cst.BaseSmallStatement]) -> bool:
    """The branch returns ``False``/``None`` (a predicate's "no")."""
    first = body[0] if body else None
    if isinstance(first, cst.SimpleStatementLine) and first.body:
        first = first.body[0]
    if not isinstance(first, cst.Return):
        return False
    value = first.value
    return value is None or (isinstance(value, cst.Name) and value.value in ("False", "None"))


class _FindReturn(cst.CSTVisitor):
    def __init__(self) -> None:
        self.found = False

    def visit_Return(self, node: cst.Return) -> bool:
        self.found = True
        return False

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False


def _returns(stmt: cst.CSTNode) -> bool:
    visitor = _FindReturn()
    stmt.visit(visitor)
    return visitor.found


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
        if (predicate and not negated) or checked not in bound or against not in bound:
            continue
        node, value = bound[checked]
        other = bound[against][1]
        if not isinstance(node, cst.Name) or not isinstance(value, RowValue) or not unchecked_row(value):
            continue
        row = fn.env.get(node.value)
        if not isinstance(row, RowValue) or row.origin is None or row.origin is not value.origin:
            continue
        tenant = row.origin.tenant
        assert tenant is not None
        names = tenant.tenant_names() | {f"{n}_id" for n in tenant.tenant_names()}
        parameter = other.prov.trust is Trust.UNKNOWN and other.prov.source.startswith(PARAMETER)
        if attr in names and (other.trusted or parameter):
            short = ".".join(callee.split(".")[-2:])
            scope_checked(fn, node.value, row, other.prov, f"checked by {short}() after the fetch")
