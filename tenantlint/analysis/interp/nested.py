"""Functions nested in a function that is no handler: their queries keyed by the enclosing function's
parameters are that function's id-keyed queries (docs/concepts.md, "Across functions").

A closure reads the enclosing function's parameters, and the locals it computed from them, as they
were captured (``message_ids = [edited.id, *scoped_ids]``; ``def propagate(): return
Message.objects.filter(id__in=message_ids)``): the rows it finds are confined exactly when those
parameters are, so the query is judged at the enclosing function's call sites.

A key taken from the nested function's own parameters comes from its calls, which are all in the
enclosing function when its name is used there only to call it: each call binds those parameters to
values the enclosing function has (``def rows_for(ids): ...`` then ``rows_for([m.id for m in
messages])``). When every such call passes values keyed by the enclosing function's parameters (or
scoped ids, or constants), the query is keyed by those parameters; one value of another origin, a
call through ``*args``, or the name used otherwise (passed on, returned, rebound) keys nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from tenantlint.analysis.facts import Trust
from tenantlint.analysis.interp import scoped_ids
from tenantlint.analysis.interp.values import Origin, QueryValue, Value, empty_collection
from tenantlint.analysis.source.visit import visit
from tenantlint.crossfn.records import CONSTANT, KEYED_ROWS, PARAMETER

# The provenance source of a nested function's own parameter: a value, but no parameter of a summary.
NESTED_PARAMETER = "nested function's parameter "


@dataclass
class Pending:
    """A query of a nested function keyed (partly) by that function's own parameters."""

    origin: Origin
    params: tuple[str, ...]  # the nested function's parameters, in order
    own: tuple[str, ...]  # those that key the query
    keys: frozenset[str]  # the enclosing function's parameters that key it as well
    calls: int  # calls of the nested function in the enclosing body; -1: its name is used otherwise
    # Per call node: the enclosing function's parameters its arguments key the query by (None: other).
    seen: dict[int, frozenset[str] | None] = field(default_factory=dict)


@dataclass
class NestedDef:
    """What the enclosing function's walk needs to know of one function defined in it."""

    name: str
    params: tuple[str, ...]
    calls: int
    pending: list[Pending] = field(default_factory=list)


def nested_def(fn: cst.FunctionDef, enclosing_body: cst.CSTNode | None) -> NestedDef:
    """``fn`` with the number of calls of its name in ``enclosing_body`` (-1 when the name is used
    there otherwise, or a parameter is ``*args``/``**kwargs``/keyword-only)."""
    p = fn.params
    params = tuple(x.name.value for x in (*p.posonly_params, *p.params))
    name = fn.name.value
    calls = _calls(enclosing_body, name, fn) if enclosing_body is not None else -1
    if p.kwonly_params or isinstance(p.star_arg, cst.Param) or p.star_kwarg is not None:
        calls = -1
    return NestedDef(name, params, calls)


def _calls(body: cst.CSTNode, name: str, fn: cst.FunctionDef) -> int:
    finder = _Uses(name, fn)
    visit(body, finder)  # read only: libcst's node.visit would copy the tree
    return finder.calls if finder.other == 0 else -1


class _Uses(cst.CSTVisitor):
    def __init__(self, name: str, fn: cst.FunctionDef) -> None:
        self.name, self.fn = name, fn
        self.calls = self.other = 0
        self._callees: set[int] = set()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        if node is self.fn:
            return False  # its own body and name
        if node.name.value == self.name:
            self.other += 1  # redefined
        return True

    def visit_Call(self, node: cst.Call) -> None:
        if isinstance(node.func, cst.Name) and node.func.value == self.name:
            self.calls += 1
            self._callees.add(id(node.func))

    def visit_Name(self, node: cst.Name) -> None:
        if node.value == self.name and id(node) not in self._callees:
            self.other += 1


def nested_keys(state_params: frozenset[str], enclosing: str | None, keys: tuple[str, ...] | None,
                origin: Origin, own_def: NestedDef | None) -> tuple[str, ...] | None:
    """``keys`` of a query in a function with parameters ``state_params``, as its summary holds them:
    in a nested function only the enclosing function's parameters key it; one keyed by the nested
    function's own parameters waits for its calls (:func:`settle`)."""
    if keys is None or enclosing is None:
        return keys
    own = tuple(k for k in keys if k in state_params)
    if not own:
        return keys
    if own_def is not None and own_def.calls > 0:
        own_def.pending.append(Pending(origin, own_def.params, own, frozenset(keys) - set(own),
                                       own_def.calls))
    return None


def note_nested_call(defs: dict[str, NestedDef], params: frozenset[str], node: cst.Call,
                     values: list[Value]) -> None:
    """A call of a function nested here: what its arguments key its pending queries by."""
    func = node.func
    if not isinstance(func, cst.Name) or func.value not in defs:
        return
    found = defs[func.value]
    bound: dict[str, Value] = {}
    opaque = False
    for i, (arg, value) in enumerate(zip(node.args, values, strict=False)):
        if arg.star:
            opaque = True
        elif arg.keyword is not None:
            bound[arg.keyword.value] = value
        elif i < len(found.params):
            bound[found.params[i]] = value
    for pending in found.pending:
        keys: set[str] = set()
        for name in pending.own:
            got = None if opaque or name not in bound else _keys_of(bound[name], params)
            if got is None:
                pending.seen[id(node)] = None
                break
            keys.update(got)
        else:
            before = pending.seen.get(id(node), frozenset())
            pending.seen[id(node)] = None if before is None else before | keys


def _keys_of(value: Value, params: frozenset[str]) -> frozenset[str] | None:
    """The enclosing function's parameters ``value`` is keyed by (none for scoped ids, constants and
    empty collections); None for a value of another origin."""
    if isinstance(value, QueryValue) or value.untrusted:
        return None
    if scoped_ids.carried(value) or empty_collection(value):
        return frozenset()
    source = value.prov.source
    if value.prov.trust is not Trust.UNKNOWN:
        return None
    if source.startswith(CONSTANT):
        return frozenset()
    if source.startswith(PARAMETER) and source[len(PARAMETER):] in params:
        return frozenset({source[len(PARAMETER):]})
    if source.startswith(KEYED_ROWS):
        names = frozenset(source[len(KEYED_ROWS):].split(","))
        return names if names <= params else None
    return None


def settle(defs: dict[str, NestedDef]) -> None:
    """At the end of the enclosing function's walk: a pending query every call of its function keyed
    by the enclosing function's parameters is keyed by them."""
    for found in defs.values():
        for pending in found.pending:
            if len(pending.seen) != pending.calls or any(v is None for v in pending.seen.values()):
                continue
            keys = pending.keys.union(*(v for v in pending.seen.values() if v is not None))
            if keys:
                pending.origin.keys = tuple(sorted(keys))
