"""Entries a function stores itself: ``req["id"] = get_uuid()`` (docs/concepts.md, "Trusted values").

::

    req = await get_request_json()
    req["id"] = get_uuid()                 # no longer the body's id
    req["tenant_id"] = current_user.id
    DialogService.save(**req)
    ok, chat = DialogService.get_by_id(req["id"])   # the fresh id, not request input

An assignment to a constant-key entry of a name (``req["id"] = <value>``) makes later reads of
exactly that entry the value stored, flow-sensitively, as an assignment to a name does: kept in the
environment under :data:`STORED_PREFIX` until a statement may change it (the name rebound or used
bare: passed to a call, aliased; a call of a method of it other than a read; another assignment to
the entry, also through another name, which may be an alias; ``checked_loops._touches``). A spread
(``f(**req)``) only reads it; so does passing it bare to a function of the project that only reads
that parameter (``kept_entries.py``, by the callee's summary from an earlier pass). A store made
on only one of two merged paths is dropped (``function_state.merge_env``): after ``if x: req["id"]
= y`` the entry is what the request sent on the other path. A query stored in an entry is not
kept: it was used where it was stored.
"""

from __future__ import annotations

from collections.abc import Mapping

import libcst as cst

from tenantlint.analysis.interp.checked_loops import KeptArg, entry_of, touches
from tenantlint.analysis.interp.exprs import STORED_PREFIX
from tenantlint.analysis.interp.values import Value

_SEP = "\x00"


def _key(name: str, entry: str) -> str:
    return f"{STORED_PREFIX}{_SEP}{name}{_SEP}{entry}"


def _subscript_entry(node: cst.BaseExpression) -> tuple[str, str] | None:
    """(name, key) of ``name["key"]`` (a constant string key), else None."""
    return entry_of(node) if isinstance(node, cst.Subscript) else None


def store(env: dict[str, Value], target: cst.BaseExpression, value: Value) -> None:
    """``target`` (``req["id"]``) was assigned ``value``."""
    entry = _subscript_entry(target)
    if entry is not None:
        env[_key(*entry)] = value
        env[STORED_PREFIX] = Value()


def stored(env: Mapping[str, Value], node: cst.BaseExpression) -> Value | None:
    """The value the function stored in the entry ``node`` reads, while nothing changed it."""
    if STORED_PREFIX not in env:
        return None
    entry = _subscript_entry(node)
    return env.get(_key(*entry)) if entry is not None else None


def cancel_stored(env: dict[str, Value], node: cst.CSTNode, kept: KeptArg | None = None) -> None:
    """Forget each stored entry that ``node`` (a statement, or a compound statement's header) may
    change. Called before the statement is evaluated. ``kept``: whether a call leaves the entries of
    the bare name passed as an argument as they were (its callee's summary, ``kept_entries.py``)."""
    keys = [k for k in env if k.startswith(STORED_PREFIX) and k != STORED_PREFIX]
    if not keys:
        return
    written = _written_entries(node)
    for k in keys:
        name, entry = k[len(STORED_PREFIX) + 1:].split(_SEP, 1)
        if entry in written or touches(node, (name, entry), kept):
            del env[k]


def _written_entries(node: cst.CSTNode) -> set[str]:
    """The constant keys ``node`` assigns in any name's entry (``body["id"] = ...``): another name
    may be an alias of the one stored in (``body = req`` before the store)."""
    if isinstance(node, cst.SimpleStatementLine):
        out: set[str] = set()
        for small in node.body:
            out |= _written_entries(small)
        return out
    targets: list[cst.BaseExpression] = []
    if isinstance(node, cst.Assign):
        targets = [t.target for t in node.targets]
    elif isinstance(node, cst.AugAssign | cst.AnnAssign):
        targets = [node.target]
    found = (_subscript_entry(t) for t in targets)
    return {e[1] for e in found if e is not None}


def keep_stored(test: cst.BaseExpression, then_env: Mapping[str, Value], else_env: dict[str, Value]) -> None:
    """``if req: req["id"] = get_uuid()`` (no ``else``): on the path that skipped the body ``req`` is
    empty (or ``None``), and reading ``req["id"]`` there raises; a read that goes on saw the store.
    The entries of the tested name stored in the body are kept on the other path before the join."""
    if not isinstance(test, cst.Name) or STORED_PREFIX not in then_env:
        return
    prefix = f"{STORED_PREFIX}{_SEP}{test.value}{_SEP}"
    for k, v in then_env.items():
        if k.startswith(prefix) and k not in else_env:
            else_env[k] = v
            else_env[STORED_PREFIX] = Value()
