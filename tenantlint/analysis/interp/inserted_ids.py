"""Ids of rows this function has just written into a tenant: after ``Memory(**info).save(...)`` or
``Memory.create(id=memory_id, tenant_id=tenant_id, ...)`` with the tenant column set, the primary key
it was given (``info["id"]``, ``memory_id``) names that row, a row of that tenant: a primary key names
one row, and the write has just put it there. ``Memory.get(Memory.id == info["id"])`` is then keyed
by the id of a row that carries its tenant, like the ids a scoped fetch proves (``keyed_fetch.py``).

A key from the request is never proven: written rows keyed by it are what TNT103 and the row's
other checks are about.
"""

from __future__ import annotations

from dataclasses import replace

import libcst as cst

from tenantlint.analysis.facts import Provenance
from tenantlint.analysis.interp.function_state import FunctionState
from tenantlint.analysis.interp.keyed_fetch import ID_NAMES
from tenantlint.analysis.interp.values import DictValue, Value


def _proven(name: str, table: str) -> Value:
    return Value(Provenance.trusted(f"{name}, the id of the {table} row written here"),
                 scoped_row_of=table, row_key=True)


def prove_written_ids(state: FunctionState, node: cst.CSTNode, table: str,
                      tenant_names: frozenset[str]) -> None:
    """The primary-key arguments of the insert ``node`` (a call) name a row of its tenant now:
    a keyword ``id=name`` beside a tenant keyword, or the id of a ``**spread`` dict holding the
    tenant key itself (``tenant_names``: the keywords that set the tenant)."""
    call = node if isinstance(node, cst.Call) else _call_of(state.statement, node)
    if call is None:
        return
    keyed = any(a.keyword is not None and a.keyword.value in tenant_names for a in call.args)
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value in ID_NAMES and isinstance(arg.value, cst.Name):
            name = arg.value.value
            current = state.env.get(name)
            if current is None and name not in state.params:
                continue
            if keyed and (current is None or not (current.untrusted or current.scoped_row_of)):
                state.env[name] = _proven(name, table)
        elif arg.star == "**" and isinstance(arg.value, cst.Name):
            spread = state.env.get(arg.value.value)
            if not isinstance(spread, DictValue) or not any(
                    key in tenant_names and not value.untrusted for key, value in spread.items):
                continue
            items = tuple(
                (key, _proven(f'{arg.value.value}["{key}"]', table)
                 if key in ID_NAMES and not value.untrusted else value)
                for key, value in spread.items
            )
            state.env[arg.value.value] = replace(spread, items=items)


class _CallOf(cst.CSTVisitor):
    def __init__(self, func: cst.CSTNode) -> None:
        self.func = func
        self.found: cst.Call | None = None

    def visit_Call(self, node: cst.Call) -> bool:
        if node.func is self.func:
            self.found = node
        return self.found is None


def _call_of(statement: cst.CSTNode | None, func: cst.CSTNode) -> cst.Call | None:
    """The call of ``func`` (``Model.create`` recorded as the insert) in the current statement."""
    if statement is None:
        return None
    visitor = _CallOf(func)
    statement.visit(visitor)
    return visitor.found
