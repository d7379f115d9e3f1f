"""Jobs put on an RQ queue: call sites of the function the job runs (``interp/calls.py`` records them).

``queue.enqueue(func, a, b=c)``, ``queue.enqueue_in(delay, func, a)`` and ``queue.enqueue_at(when,
func, a)`` run ``func(a, b=c)`` in a worker; ``queue.enqueue_call(func, args=(a,), kwargs={"b": c})``
and ``Job.create(func, args=(a,), kwargs={"b": c})`` do the same. The keywords RQ keeps for itself
(``job_timeout``, ``result_ttl``, ``meta``, ...) are not the function's. A ``**options`` spread of a
dict built in the function (a literal plus literal-key assignments, used for nothing else) binds its
entries; any other spread may bind anything (``open``). ``func`` may be a dotted string
(``"app.tasks.rebuild"``), as RQ accepts. Only files that import RQ (``rq``, ``django_rq``,
``flask_rq2``, ``rq_scheduler``) are read so: a project's own ``enqueue`` method may run what it is
given with other arguments.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from tenantlint.analysis.interp.exprs import string_value
from tenantlint.analysis.interp.values import DictValue, Dispatch, SeqValue, Value
from tenantlint.analysis.source.visit import visit

RQ_MODULES = ("rq", "django_rq", "flask_rq2", "rq_scheduler")
_SPREAD_AT = {"enqueue": 0, "enqueue_in": 1, "enqueue_at": 1}  # the position of the function
JOB_METHODS = frozenset({*_SPREAD_AT, "enqueue_call", "create"})
# Keywords of ``enqueue``/``enqueue_call``/``Job.create`` that RQ takes for itself.
RQ_OPTIONS = frozenset({
    "timeout", "job_timeout", "description", "result_ttl", "ttl", "failure_ttl", "depends_on", "job_id",
    "at_front", "meta", "retry", "on_success", "on_failure", "on_stopped", "pipeline", "group_id",
    "repeat", "connection", "status", "origin", "serializer", "id", "queue_name", "func",
})


@dataclass(frozen=True, slots=True)
class Bound:
    """One argument the job's function is called with: its node, position or keyword, value."""

    node: cst.BaseExpression
    position: int  # -1 for a keyword
    keyword: str
    value: Value


@dataclass(frozen=True, slots=True)
class QueuedCall:
    func: cst.BaseExpression  # the job's function (a name, an attribute or a dotted string)
    args: tuple[Bound, ...]
    open: bool  # a spread or an argument list of unknown shape may bind anything


def queued_call(node: cst.Call, values: list[Value], body: cst.CSTNode | None, job_class: bool
                ) -> QueuedCall | None:
    """The job ``node`` puts on an RQ queue, when it is one (the caller checks the file imports RQ).
    ``body``: the calling function's body (where a spread dict's uses are looked up); ``job_class``:
    the name ``Job`` is RQ's."""
    func = node.func
    if not isinstance(func, cst.Attribute):
        return None
    method = func.attr.value
    if method in _SPREAD_AT:
        return _spread_form(node, values, _SPREAD_AT[method], body)
    if method == "enqueue_call" or (method == "create" and job_class and isinstance(func.value, cst.Name)
                                    and func.value.value == "Job"):
        return _call_form(node, values, body)
    return None


def _spread_form(node: cst.Call, values: list[Value], at: int, body: cst.CSTNode | None
                 ) -> QueuedCall | None:
    """``enqueue(func, *args, **kwargs)``: the arguments after the function are the job's."""
    target: cst.BaseExpression | None = None
    out: list[Bound] = []
    explicit_args: tuple[cst.Arg, Value] | None = None
    explicit_kwargs: tuple[cst.Arg, Value] | None = None
    open_ = False
    position = 0  # among the call's own positional arguments
    for arg, value in zip(node.args, values, strict=True):
        if arg.star == "*":
            if target is None:
                return None  # the function itself may be in the spread
            open_ = True
        elif arg.star == "**":
            expanded = _expand(arg.value, value, body)
            if expanded is None or any(b.keyword in ("f", "args", "kwargs") for b in expanded):
                open_ = True
            else:
                out.extend(b for b in expanded if b.keyword not in RQ_OPTIONS)
        elif arg.keyword is not None:
            name = arg.keyword.value
            if name == "f" and target is None:
                target = arg.value
            elif name == "args":
                explicit_args = (arg, value)
            elif name == "kwargs":
                explicit_kwargs = (arg, value)
            elif name not in RQ_OPTIONS:
                out.append(Bound(arg.value, -1, name, value))
        else:
            if position == at:
                target = arg.value
            elif position > at:
                out.append(Bound(arg.value, position - at - 1, "", value))
            position += 1
    if target is None:
        return None
    if explicit_args is not None or explicit_kwargs is not None:
        # RQ then calls the function with these alone
        out = [b for b in out if b.position >= 0] if explicit_args is None else []
        listed, open_args = _listed(explicit_args)
        named, open_kwargs = _named(explicit_kwargs)
        return QueuedCall(target, (*listed, *named), open_ or open_args or open_kwargs)
    return QueuedCall(target, tuple(out), open_)


def _call_form(node: cst.Call, values: list[Value], body: cst.CSTNode | None) -> QueuedCall | None:
    """``enqueue_call(func, args=None, kwargs=None, ...)`` / ``Job.create(func, args, kwargs, ...)``:
    a ``**options`` spread of RQ's own keywords alone binds nothing of the function's."""
    slots: dict[str, tuple[cst.Arg, Value]] = {}
    order = ("func", "args", "kwargs")
    position = 0
    open_ = False
    for arg, value in zip(node.args, values, strict=True):
        if arg.star:
            options = _expand(arg.value, value, body) if arg.star == "**" else None
            if options is None or any(b.keyword in order for b in options):
                open_ = True
            continue
        if arg.keyword is not None:
            if arg.keyword.value in order:
                slots[arg.keyword.value] = (arg, value)
        else:
            if position < len(order):
                slots[order[position]] = (arg, value)
            position += 1
    if "func" not in slots:
        return None
    listed, open_args = _listed(slots.get("args"))
    named, open_kwargs = _named(slots.get("kwargs"))
    return QueuedCall(slots["func"][0].value, (*listed, *named), open_ or open_args or open_kwargs)


def _listed(found: tuple[cst.Arg, Value] | None) -> tuple[list[Bound], bool]:
    """``args=(a, b)``: positional arguments, when written as a tuple or list literal."""
    if found is None:
        return [], False
    arg, value = found
    if isinstance(arg.value, cst.Name) and arg.value.value == "None":
        return [], False
    if (not isinstance(arg.value, cst.Tuple | cst.List) or not isinstance(value, SeqValue)
            or value.open_ended or any(isinstance(el, cst.StarredElement) for el in arg.value.elements)):
        return [], True
    return [Bound(el.value, i, "", item) for i, (el, item) in
            enumerate(zip(arg.value.elements, value.items, strict=False))], False


def _named(found: tuple[cst.Arg, Value] | None) -> tuple[list[Bound], bool]:
    """``kwargs={"k": c}``: keyword arguments, when written as a dict literal with literal keys."""
    if found is None:
        return [], False
    arg, value = found
    if isinstance(arg.value, cst.Name) and arg.value.value == "None":
        return [], False
    if not isinstance(arg.value, cst.Dict) or not isinstance(value, DictValue):
        return [], True
    nodes = {k: el.value for el in arg.value.elements
             if isinstance(el, cst.DictElement) and (k := string_value(el.key)) is not None}
    out = [Bound(nodes[k], -1, k, item) for k, item in value.items if k in nodes]
    return out, len(nodes) != len(arg.value.elements)


def _expand(node: cst.BaseExpression, value: Value, body: cst.CSTNode | None) -> list[Bound] | None:
    """``**options``: the entries of a dict the function built and uses for nothing else (read by
    literal keys, written by literal keys, spread), as keyword arguments; None when it may hold more."""
    if not isinstance(value, DictValue) or isinstance(value, Dispatch) or body is None:
        return None
    if isinstance(node, cst.Dict):
        return None if len(value.items) != len(node.elements) else [
            Bound(node, -1, k, v) for k, v in value.items]
    if not isinstance(node, cst.Name) or not _only_entries(body, node.value):
        return None
    return [Bound(node, -1, k, v) for k, v in value.items]


def _only_entries(body: cst.CSTNode, name: str) -> bool:
    uses = _Uses(name)
    visit(body, uses)
    return uses.plain


class _Uses(cst.CSTVisitor):
    """Whether every use of ``name`` in a function body is a literal-key read or write, a ``**``
    spread, a ``.get(literal)`` or the assignment of a dict literal to it."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.plain = True
        self._ok: set[int] = set()

    def visit_Subscript(self, node: cst.Subscript) -> None:
        if (isinstance(node.value, cst.Name) and len(node.slice) == 1
                and isinstance(node.slice[0].slice, cst.Index)
                and string_value(node.slice[0].slice.value) is not None):
            self._ok.add(id(node.value))

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if (isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.attr.value == "get"
                and node.args and string_value(node.args[0].value) is not None):
            self._ok.add(id(func.value))

    def visit_Arg(self, node: cst.Arg) -> None:
        if node.star == "**":
            self._ok.add(id(node.value))

    def visit_Assign(self, node: cst.Assign) -> None:
        if isinstance(node.value, cst.Dict):
            for t in node.targets:
                self._ok.add(id(t.target))

    def visit_Name(self, node: cst.Name) -> None:
        if node.value == self.name and id(node) not in self._ok:
            self.plain = False
