"""What a call binds: a function's ports (the parameters a caller passes) and whether every caller
of it can be seen (a decorator that registers it elsewhere leaves its caller set open)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import libcst as cst

from tenantlint.analysis.facts import FunctionFact
from tenantlint.analysis.interp.exprs import dotted
from tenantlint.analysis.interp.function_state import function_params
from tenantlint.analysis.interp.local_types import annotation_text
from tenantlint.analysis.plugins import HandlerInfo
from tenantlint.analysis.rawsql.constants import module_name, resolve_import
from tenantlint.crossfn.shapes import Shape, make_signature
from tenantlint.index.forwarding import FACTORY, PLAIN

if TYPE_CHECKING:
    from tenantlint.analysis.interp.file_context import FileContext

# Decorators that keep the function's signature and register it nowhere: its callers are its calls.
_TRANSPARENT = frozenset({
    "staticmethod", "classmethod", "property", "cached_property", "lru_cache", "cache", "wraps",
    "atomic", "shared_task", "task",
    "job",  # rq's ``@job(queue)``: called as ``f.delay(...)``, as a Celery task is
    # flagsmith-task-processor's ``@register_task_handler()``: run only for a ``f.delay(args=(..))``
    # queued by the project (its periodic tasks are ``@register_recurring_task``: no caller, system)
    "register_task_handler",
    "connection_context",  # peewee's ``@db.connection_context()``: opens a connection around the call
    "abstractmethod", "override", "final",  # typing markers
})
# Library decorators that only wrap the call (same arguments, registered nowhere), by their dotted
# name as written: Sentry's ``@sentry_sdk.trace`` opens a span around it
_WRAPPING = frozenset({"sentry_sdk.trace"})
_TASKS = frozenset({"shared_task", "task"})


def summary_params(fn: cst.FunctionDef, decorators: list[str], method: bool) -> list[str]:
    """The names a caller binds, in order: ``self``/``cls`` of a method (not of a static method) and
    ``*args``/``**kwargs`` are not ports."""
    params = fn.params
    names = [p.name.value for p in (*params.posonly_params, *params.params)]
    last = {n.rsplit(".", 1)[-1] for n in decorators}
    if method and "staticmethod" not in last and names:
        names = names[1:]
    if _bound_task(fn) and names:
        names = names[1:]
    return names + [p.name.value for p in params.kwonly_params]


# Decorators whose function a call binds as written (``crossfn/shapes.py``): a property's spelling
# is no call of it, another decorator may inject or rename arguments.
_SAME_SIGNATURE = _TRANSPARENT - {"property", "cached_property"}


def call_signature(fn: cst.FunctionDef, decorators: list[str], method: bool) -> str:
    """The signature a call of ``fn`` binds (``shapes.Signature.text``); "" when a decorator may
    change it."""
    last = [n.rsplit(".", 1)[-1] for n in decorators if n not in _WRAPPING]
    if any(n not in _SAME_SIGNATURE for n in last) or _bound_task(fn):
        return ""
    params = fn.params
    positional = [(p.name.value, p.default is not None) for p in (*params.posonly_params, *params.params)]
    posonly = len(params.posonly_params)
    static = "staticmethod" in last
    if method and not static:
        if not positional:
            return ""  # ``def m(*args)``: self among the spread
        positional = positional[1:]
        posonly = max(posonly - 1, 0)
    elif not method and positional and positional[0][0] in ("self", "cls"):
        return ""  # a method the walk did not read as one (defined under an ``if``)
    star = params.star_arg
    return make_signature(positional, posonly,
                          [(p.name.value, p.default is not None) for p in params.kwonly_params],
                          isinstance(star, cst.Param), params.star_kwarg is not None,
                          method and not static and "classmethod" not in last, method).text()


def bare_spelling(node: cst.CSTNode) -> bool:
    """The callee of a call site is spelt as a bare name (``fix(...)``, a reference ``fix``)."""
    return isinstance(node.func if isinstance(node, cst.Call) else node, cst.Name)


def cst_shape(node: cst.CSTNode, name: str) -> str:
    """The shape of a call whose callee is spelt ``name`` or ``x.name`` (``shapes.Shape.text``);
    "" for any other node."""
    if not isinstance(node, cst.Call):
        return ""
    func = node.func
    spelt = func.attr.value if isinstance(func, cst.Attribute) else (
        func.value if isinstance(func, cst.Name) else "")
    if spelt != name:
        return ""
    positional = 0
    star = double_star = False
    keywords: list[str] = []
    for a in node.args:
        if a.star == "**":
            double_star = True
        elif a.star == "*":
            star = True
        elif a.keyword is not None:
            keywords.append(a.keyword.value)
        elif not star:
            positional += 1
    return Shape(positional, star, tuple(sorted(keywords)), double_star).text()


def _task_calls(fn: cst.FunctionDef) -> Iterator[cst.Call]:
    """The task decorators of ``fn`` written as calls (``@shared_task(...)``, ``@app.task(...)``)."""
    for d in fn.decorators:
        call = d.decorator
        if not isinstance(call, cst.Call):
            continue
        name = call.func.attr.value if isinstance(call.func, cst.Attribute) else (
            call.func.value if isinstance(call.func, cst.Name) else "")
        if name in _TASKS:
            yield call


def _bound_task(fn: cst.FunctionDef) -> bool:
    """``@shared_task(bind=True)``: the task's first parameter is the task itself."""
    return any(a.keyword is not None and a.keyword.value == "bind" and isinstance(a.value, cst.Name)
               and a.value.value == "True" for call in _task_calls(fn) for a in call.args)


def renamed_task(fn: cst.FunctionDef) -> bool:
    """``@shared_task(name="nightly-sync")``: the task is run by a name that is not its function's
    (a producer sends ``"nightly-sync"``), so a string naming it need not spell the function; so
    may options passed by ``*``/``**`` (the name may be among them)."""
    return any((a.keyword is not None and a.keyword.value == "name") or a.star != ""
               for call in _task_calls(fn) for a in call.args)


def forwarding_names(ctx: FileContext, fn: cst.FunctionDef) -> frozenset[str]:
    """The decorators of ``fn`` (dotted, as written) that are forwarding decorators of the project
    (``index/forwarding.py``): a plain one written bare, a factory written as a call."""
    known = ctx.settings.facts.forwarding_decorators
    if not known:
        return frozenset()
    module = module_name(ctx.path)
    out: set[str] = set()
    for d in fn.decorators:
        call = isinstance(d.decorator, cst.Call)
        text = dotted(d.decorator.func if isinstance(d.decorator, cst.Call) else d.decorator)
        if not text:
            continue
        if text.split(".", 1)[0] in ctx.imports.names:
            qual = resolve_import(ctx.imports.qualify(text), ctx.path)
        else:
            qual = f"{module}.{text}" if module else text
        if known.get(qual) == (FACTORY if call else PLAIN):
            out.add(text)
    return frozenset(out)


def function_fact(fn: cst.FunctionDef, qualname: str, ports: list[str], handler: HandlerInfo | None,
                  decorators: list[str], checks: frozenset[str],
                  forwarding: frozenset[str] = frozenset()) -> FunctionFact:
    """``forwarding``: decorators that only wrap (:func:`forwarding_names`), which leave the caller
    set as it is."""
    is_open = any(n.rsplit(".", 1)[-1] not in _TRANSPARENT and n not in forwarding and n not in _WRAPPING
                  for n in decorators)
    return FunctionFact(fn, qualname, tuple(ports), handler.name if handler else None, is_open,
                        fn.name.value in checks)


def row_params(ctx: FileContext, fn: cst.FunctionDef, ports: list[str]) -> tuple[str, ...]:
    """The ports annotated with a model class of the project (``bot_profile: UserProfile``,
    ``Optional["Stream"]``): a caller passes a row there, not an id (``crossfn/combine.py``). A port
    annotated as a queryset class of an ORM (Django's ``issues: QuerySet``, ``QuerySet[Issue]``)
    holds rows too: the query that built it is judged where it runs, and
    ``issue_id__in=issues.values_list("id")`` reads only the rows of those rows."""
    out: list[str] = []
    for p in function_params(fn):
        name = p.name.value
        if name not in ports or p.annotation is None:
            continue
        text = annotation_text(p.annotation.annotation)
        if text is not None and (ctx.model_name(text) is not None or _queryset(ctx, text)):
            out.append(name)
    return tuple(out)


def _queryset(ctx: FileContext, text: str) -> bool:
    """A queryset class of an ORM plug-in (``queryset_classes``), named through the file's imports."""
    if text.partition(".")[0] not in ctx.imports.names:
        return False
    qualified = ctx.imports.qualify(text)
    return any(qualified in orm.queryset_classes for orm in ctx.plugins.orms)
