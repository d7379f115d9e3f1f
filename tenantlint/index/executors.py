"""Executor wrappers: functions that run the function they are given with the arguments after it
(docs/concepts.md, "Across functions").

A top-level function of the project taking ``(func, *args, **kwargs)`` that does nothing with
``func`` but call it with exactly ``*args, **kwargs``, or hand it, followed by nothing but them, to
a runner (``functools.partial(func, *args, **kwargs)``, ``loop.run_in_executor(pool, func,
*args)``, ``ctx.run(func, *args)``, ``asyncio.to_thread``, ``executor.submit``), and nothing
with ``args``/``kwargs`` but spread them there (or test them: ``if kwargs:``), runs
``func(*args, **kwargs)`` in a worker thread::

    async def thread_pool_exec(func, *args, **kwargs):
        loop = asyncio.get_running_loop()
        if kwargs:
            return await loop.run_in_executor(None, functools.partial(func, *args, **kwargs))
        return await loop.run_in_executor(None, func, *args)

A call ``thread_pool_exec(Service.query, tenant_id=t, id=i)`` is then read as ``Service.query(
tenant_id=t, id=i)``. The pre-pass (CPython ``ast``, per file) records each one as
``pkg.module.name``.
"""

from __future__ import annotations

import ast

from tenantlint.index.ast_util import dotted, spreads_only, walk

_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
# What runs the function it is handed with the arguments after it: ``functools.partial``,
# ``loop.run_in_executor(pool, func, *args)``, ``contextvars.Context.run``, ``asyncio.to_thread``,
# ``executor.submit``, ``run_in_threadpool``.
RUNNERS = frozenset({"partial", "run_in_executor", "run", "to_thread", "submit", "run_in_threadpool"})


def is_executor(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """``fn(func, *args, **kwargs)`` runs ``func(*args, **kwargs)`` and does nothing else with them."""
    a = fn.args
    params = [*a.posonlyargs, *a.args]
    if len(params) != 1 or a.vararg is None or a.kwarg is None or a.kwonlyargs or a.defaults:
        return False
    func, star, double = params[0].arg, a.vararg.arg, a.kwarg.arg
    allowed: set[int] = set()
    forwarded = False
    for node in walk(fn):
        if node is not fn and isinstance(node, (*_FUNCTIONS, ast.Lambda)):
            return False  # a nested function may do anything with them
        if not isinstance(node, ast.Call):
            if isinstance(node, ast.If | ast.IfExp | ast.While) and isinstance(node.test, ast.Name) \
                    and node.test.id in (star, double):
                allowed.add(id(node.test))  # ``if kwargs:``
            continue
        if isinstance(node.func, ast.Name) and node.func.id == func:
            if not spreads_only(node.args, node.keywords, star, double):
                return False
            allowed.add(id(node.func))
        else:
            at = [i for i, x in enumerate(node.args) if isinstance(x, ast.Name) and x.id == func]
            if not at:
                continue
            runner = dotted(node.func, calls="reject") or ""
            if len(at) != 1 or runner.rsplit(".", 1)[-1] not in RUNNERS \
                    or not spreads_only(node.args[at[0] + 1:], node.keywords, star, double):
                return False
            allowed.add(id(node.args[at[0]]))
        allowed.update(id(x.value) for x in node.args if isinstance(x, ast.Starred))
        allowed.update(id(k.value) for k in node.keywords if k.arg is None)
        forwarded = True
    if not forwarded:
        return False
    uses = [n for n in walk(fn) if isinstance(n, ast.Name) and n.id in (func, star, double)]
    return all(id(n) in allowed and isinstance(n.ctx, ast.Load) for n in uses)


def executor_wrappers(module: str, tree: ast.Module) -> frozenset[str]:
    """``pkg.module.name`` of the top-level executor wrappers of one file."""
    return frozenset(f"{module}.{stmt.name}" if module else stmt.name
                     for stmt in tree.body if isinstance(stmt, _FUNCTIONS) and is_executor(stmt))
