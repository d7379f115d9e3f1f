"""Calls run through an executor, read as the call they make (docs/concepts.md, "Across functions").

``await thread_pool_exec(Service.query, tenant_id=t, id=i)`` (a project executor wrapper,
``index/executors.py``), ``await asyncio.to_thread(Service.query, tenant_id=t, id=i)`` and
``await loop.run_in_executor(None, Service.get_by_id, pk)`` run ``Service.query(tenant_id=t, id=i)``
/ ``Service.get_by_id(pk)`` in a worker thread and answer what it returns. The analysis evaluates
such a call as the inner call, built once per call node (its arguments are the outer call's own
nodes, so positions and provenance stay where they are written): it is a call site of the function
it runs, its value is that function's, and a check it makes (``if not await thread_pool_exec(
can_read, pk): return``) is a check of the inner call.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from tenantlint.analysis.interp.exprs import dotted

if TYPE_CHECKING:
    from tenantlint.analysis.interp.file_context import FileContext
    from tenantlint.analysis.interp.function_state import FunctionState

# Standard-library functions called as ``wrapper(func, *args, **kwargs)``.
LIBRARY_WRAPPERS = frozenset({"asyncio.to_thread"})
_MEMO = "executor-calls"  # plugin_memo key: id(outer call) -> (outer, inner)
_SHORT = "executor-names"  # plugin_memo key: the wrappers' own names


def _wrapper_form(ctx: FileContext, fn: FunctionState, node: cst.Call) -> int | None:
    """The position of the function argument when ``node`` runs it through an executor."""
    func = node.func
    if isinstance(func, cst.Attribute) and func.attr.value == "run_in_executor":
        return 1 if all(a.keyword is None for a in node.args) else None  # (executor, func, *args)
    name = dotted(func, calls=False)
    if name is None:
        return None
    if ctx.imports.qualify(name) in LIBRARY_WRAPPERS:
        return 0
    wrappers = ctx.settings.facts.executor_wrappers
    if not wrappers or name.rsplit(".", 1)[-1] not in _short_names(ctx, wrappers):
        return None
    from tenantlint.analysis.interp.calls import resolve_call

    callee = resolve_call(ctx, fn, func)
    return 0 if callee is not None and callee in wrappers else None


def _short_names(ctx: FileContext, wrappers: frozenset[str]) -> frozenset[str]:
    found = ctx.plugin_memo.get(_SHORT)
    if not isinstance(found, frozenset):
        found = ctx.plugin_memo[_SHORT] = frozenset(w.rsplit(".", 1)[-1] for w in wrappers)
    return found


def inner_call(ctx: FileContext, fn: FunctionState, node: cst.Call) -> cst.Call | None:
    """The call ``node`` makes through an executor (the same node each time it is asked), if it is
    one; a predicate's "no" that leaves (``fn.negated_calls``) holds for the inner call too."""
    memo = ctx.plugin_memo.setdefault(_MEMO, {})
    assert isinstance(memo, dict)
    found = memo.get(id(node))
    if found is not None and found[0] is node:
        inner: cst.Call | None = found[1]
    else:
        inner = _build(ctx, fn, node)
        memo[id(node)] = (node, inner)
        if inner is not None:
            ctx.stand_ins[id(inner)] = node
    if inner is not None and id(node) in fn.negated_calls:
        fn.negated_calls.add(id(inner))
    return inner


def _build(ctx: FileContext, fn: FunctionState, node: cst.Call) -> cst.Call | None:
    at = _wrapper_form(ctx, fn, node)
    if at is None:
        return None
    if len(node.args) <= at or any(a.keyword is not None or a.star for a in node.args[:at + 1]):
        return None
    target = node.args[at]
    # the arguments keep their nodes: positions and provenance stay where they are written
    rest = list(node.args[at + 1:])
    if at == 0 and any(a.keyword is not None and a.keyword.value in ("func", "f") for a in rest):
        return None
    return cst.Call(func=target.value, args=rest)
