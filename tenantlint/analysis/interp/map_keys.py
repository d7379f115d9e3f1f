"""Lists whose every element's row a later loop checked (docs/concepts.md, "Checked after the fetch").

A handler that fetches the row of every id of a list into a map, then checks each row of the map in
a later loop before any work (the example of ``row_maps.py``), has checked every id of the list:
after those two loops, ``run_in_background(_link, kb_ids)`` hands on ids of the caller's datasets.

Past the later loop, ``kb_ids`` is as good as what each row was checked against (trusted when that
is the caller, a parameter's question when it is one), as after ``for kb_id in kb_ids: if not
accessible(kb_id): return`` (``checked_loops.py``). It takes:

- a plain fill loop ``for <id> in <list>:`` (no ``break``/``continue``, neither name rebound:
  ``checked_loops.plain_body``) that stores the row in the map on every pass that goes on
  (``row_maps.stored``), the row handed back in that pass by a by-id getter of the project called in
  the loop with the loop's id alone (``get_by_id(kb_id)``: the row whose id it is, ``by_id_rows.py``);
- a later loop that checks every row of that map (``row_maps.checks_each``), at whose end the row's
  name holds the value a check gave it on every path that went on;
- the list still the very value it was when the map was filled (not rebound, nothing untrusted put in
  it since: ``scoped_ids.grown``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import libcst as cst

from tenantlint.analysis.facts import Provenance
from tenantlint.analysis.interp.by_id_rows import BY_ID
from tenantlint.analysis.interp.checked_loops import loop_names, plain_body
from tenantlint.analysis.interp.function_state import FunctionState
from tenantlint.analysis.interp.guards import is_parameter
from tenantlint.analysis.interp.row_maps import row_name
from tenantlint.analysis.interp.values import RowMap, Value
from tenantlint.analysis.source.children import code_children


def filled(stmt: cst.For, fn: FunctionState) -> None:
    """After the loop ``stmt``: a map it filled with the rows a by-id getter handed back for each
    element of the list it walks remembers that list (``RowMap.keys``)."""
    if not isinstance(stmt.iter, cst.Name) or not isinstance(stmt.target, cst.Name):
        return
    maps = [n for n in _top_subscript_holders(stmt)
            if isinstance(fn.env.get(n), RowMap)]  # cheap tests first: this runs on every loop
    names = loop_names(stmt)
    if not maps or names is None or names[1] not in fn.env or not plain_body(stmt, names):
        return
    element, listed = names
    for name in maps:
        held = fn.env[name]
        assert isinstance(held, RowMap)
        if held.call is not None and _inside(held.call, stmt.body) and _by_id_of(fn, held.call, element):
            fn.env[name] = replace(held, keys=listed, keys_value=fn.env[listed])


def _top_subscript_holders(stmt: cst.For) -> list[str]:
    """The names of ``name[...] = ...`` assignments at the top level of ``stmt``'s body."""
    out: list[str] = []
    for s in stmt.body.body:
        if isinstance(s, cst.SimpleStatementLine):
            for small in s.body:
                if isinstance(small, cst.Assign) and len(small.targets) == 1:
                    target = small.targets[0].target
                    if isinstance(target, cst.Subscript) and isinstance(target.value, cst.Name):
                        out.append(target.value.value)
    return out


def _inside(node: cst.CSTNode, body: cst.CSTNode) -> bool:
    """``node`` is in ``body``: a row fetched before the loop is one row stored under every id."""
    todo = [body]
    while todo:
        current = todo.pop()
        if current is node:
            return True
        todo.extend(code_children(current))
    return False


def _by_id_of(fn: FunctionState, call: cst.BaseExpression, element: str) -> bool:
    """``call`` is a by-id getter of the project called with ``element`` alone, as its id."""
    expr = call.expression if isinstance(call, cst.Await) else call
    if not isinstance(expr, cst.Call) or len(expr.args) != 1:
        return False
    arg = expr.args[0]
    if arg.star or not isinstance(arg.value, cst.Name) or arg.value.value != element:
        return False
    ctx = fn.ctx
    if ctx is None:
        return False
    for fact in reversed(ctx.facts.calls):
        if fact.node is expr:
            kind = ctx.settings.returns.kind_of(fact.callee)
            parts = kind.split(":")
            return kind.startswith(BY_ID + ":") and len(parts) > 2 and parts[1] == "0" \
                and (arg.keyword is None or arg.keyword.value == parts[2])
    return False


def of_view(stmt: cst.For, env: Mapping[str, Value]) -> tuple[str, Value, str, Value] | None:
    """For a loop over ``d.items()``/``d.values()`` of a map that remembers the list it was filled
    from: (the list's name, the list's value then, the loop's row name, the row it is bound to)."""
    name = row_name(stmt)
    func = stmt.iter.func if isinstance(stmt.iter, cst.Call) else None
    holder = func.value if isinstance(func, cst.Attribute) else None
    held = env.get(holder.value) if isinstance(holder, cst.Name) else None
    if name is None or not isinstance(held, RowMap) or not held.keys or held.keys_value is None \
            or held.row is None:
        return None
    return held.keys, held.keys_value, name, held.row


def proven(found: tuple[str, Value, str, Value], env: Mapping[str, Value]) -> Value | None:
    """What the list holds past the checking loop, judged by the environment at the end of its body
    (on the paths that went on): None when the row's name does not hold a checked row there."""
    listed, _, name, row = found
    at_end = env.get(name)
    if at_end is None or at_end is row or at_end.prov == row.prov:
        return None
    if at_end.trusted:
        return Value(Provenance.trusted(
            f"{listed}, the row of each element checked in a later loop ({at_end.prov.source})"))
    return Value(at_end.prov) if is_parameter(at_end) else None
