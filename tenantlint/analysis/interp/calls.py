"""Call sites of project functions, resolved statically, for the function summaries.

A call is recorded when its callee is a dotted name that the file's imports, its own module or the
enclosing class resolve (``get_invoice(pk)``, ``services.get_invoice(pk)``, ``self.load(pk)``,
``Service.create(ids)``), and Celery's ``task.delay(...)``/``task.apply_async(args=(...))``/
``task.s(...)``. Whether the name is a function of the project is decided later, across files
(``tenantlint/crossfn/``); a call whose receiver is a local value is not recorded (unresolved).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

import libcst as cst

from tenantlint.analysis.facts import ArgFact, CallFact, Provenance, Scoping, Trust
from tenantlint.analysis.interp.by_id_rows import BY_ID, by_id_row
from tenantlint.analysis.interp.call_rows import call_of
from tenantlint.analysis.interp.exprs import VERIFIED_KWARGS, dotted, string_value
from tenantlint.analysis.interp.filter_dicts import returned_dict
from tenantlint.analysis.interp.filter_lists import PINNED, UNPINNED, judged
from tenantlint.analysis.interp.guards import apply_guards, unchecked_id, unchecked_row
from tenantlint.analysis.interp.id_sets import ID_SETS, KEYED_ID_SETS, id_sets_value
from tenantlint.analysis.interp.init_attrs import init_args
from tenantlint.analysis.interp.job_queues import JOB_METHODS, RQ_MODULES, Bound, queued_call
from tenantlint.analysis.interp.keyed_ids import KEYED_IDS, keyed_ids_value
from tenantlint.analysis.interp.keyword_guards import keyword_guards, read_model
from tenantlint.analysis.interp.local_types import receiver_type, value_type
from tenantlint.analysis.interp.mixin_rows import CLASS_ROW, class_row
from tenantlint.analysis.interp.nested import note_nested_call
from tenantlint.analysis.interp.predicates import PredValue
from tenantlint.analysis.interp.queue_producers import produced
from tenantlint.analysis.interp.user_lookup import USER_LOOKUP, looked_up_user
from tenantlint.analysis.interp.values import DictValue, Dispatch, ModelRef, QueryValue, SeqValue, Value
from tenantlint.analysis.rawsql.constants import module_name, resolve_import
from tenantlint.analysis.source.visit import visit
from tenantlint.crossfn.records import (
    ANY_ENTRY,
    CONSTANT,
    CONTEXT,
    CONTEXT_SOURCE,
    KEYED_ROWS,
    PARAMETER,
    PSEUDO,
    entry_source,
    is_context,
)
from tenantlint.crossfn.returns import PASSES_ASKED

if TYPE_CHECKING:
    from tenantlint.analysis.interp.file_context import FileContext
    from tenantlint.analysis.interp.function_state import FunctionState

CELERY_CALLS = frozenset({"delay", "apply_async", "s", "si"})
SELF_CONTEXT = "self." + CONTEXT  # ``self.context`` in a query's arguments, read as one name


def note_call(ctx: FileContext, fn: FunctionState, node: cst.Call, values: list[Value]) -> Value | None:
    """Record the call; the value it returns when the callee is a project function whose summary,
    from an earlier pass, says it returns a scoped row or request input (``Settings.returns``)."""
    func = node.func
    target: cst.BaseExpression = func
    celery = isinstance(func, cst.Attribute) and func.attr.value in CELERY_CALLS
    if celery:
        assert isinstance(func, cst.Attribute)
        target = func.value
    if fn.nested_defs:
        note_nested_call(fn.nested_defs, fn.params | fn.enclosing_params, node, values)
    if not celery:
        note_event(ctx, fn, node, values)
        if _note_job(ctx, fn, node, values):
            return None
    callee = _resolve(ctx, fn, target)
    if fn.system_reason and fn.qualname is not None:
        _note_references(ctx, fn, node)
    if callee is None:
        if fn.qualname is not None and any(
                v.untrusted or v.prov.source.startswith(PARAMETER) for v in values):
            ctx.facts.unresolved_calls += 1
        return None
    if celery and isinstance(func, cst.Attribute) and (func.attr.value == "apply_async"
                                                       or _delay_as_lists(node)):
        args, open_args = _apply_async(node, values)
    else:
        args, open_args = _arguments(node, values)
    args = _in_scope(fn, _unpinned(ctx, fn, (*args, *_init_fed(fn, node, callee)), values, node))
    if fn.statement is not None:  # position hints: the statement the call is in
        hints = ctx.statement_hints
        hints.setdefault(id(node), fn.statement)
        for a in args:
            hints.setdefault(id(a.node), fn.statement)
    given = any(isinstance(v, QueryValue) for v in values)
    rows = any(unchecked_row(v) or (isinstance(a.value, cst.Name)
                                    and (unchecked_id(v) or call_of(fn, a.value.value) is not None))
               or _of_row(fn, a.value) for a, v in zip(node.args, values, strict=False))
    ctx.facts.calls.append(CallFact(node, callee, args, fn.qualname, fn.handler_name, celery, open_args,
                                    queries=given, rows=rows, via=_via(fn, target),
                                    stored=id(node) in fn.stored_calls))
    if celery:
        return None  # a task's result is not its return value
    returns = ctx.settings.returns
    ctx.returns_asked.add(callee)
    if rows:
        params, guards = returns.guards_of(callee)
        guards += keyword_guards(ctx, node, callee)  # ``Service.query(tenant_id=t, id=i)``
        if guards:
            apply_guards(fn, node, values, params, guards, callee, id(node) in fn.negated_calls)
    value = returns.value_of(callee)
    if value is None and returns.kinds:
        kind = returns.kind_of(callee)
        if kind.startswith(USER_LOOKUP + ":"):
            return looked_up_user(kind, node, values, ".".join(callee.split(".")[-2:]))
        if kind == CLASS_ROW and isinstance(node.func, cst.Attribute):
            return class_row(_held_table(ctx, node.func.value), ".".join(callee.split(".")[-2:]))
        if kind.startswith(BY_ID + ":"):
            return by_id_row(kind, node, values, ".".join(callee.split(".")[-2:]),
                             lambda recv: _held_table(ctx, recv),
                             untenanted=(lambda table: ctx.index.tenant_table(table) is None)
                             if fn.handler is None and fn.qualname is not None else None)
        if kind.startswith(KEYED_IDS + ":"):
            return keyed_ids_value(kind, node, values, ".".join(callee.split(".")[-2:]))
        if kind.startswith((ID_SETS + ":", KEYED_ID_SETS + ":")):
            return id_sets_value(kind, node, values, ".".join(callee.split(".")[-2:]))
    last = callee.rsplit(".", 1)[-1]
    if value is None and returns.dict_params and last not in ctx.settings.scoping_methods:
        found = returns.dict_of(callee)
        if found is not None:
            return returned_dict(found[0], found[1], last, node, values)
    return value


def _of_row(fn: FunctionState, node: cst.BaseExpression) -> bool:
    """``user.delivery_email`` of a row not yet checked (fetched in place or handed back by a project
    call): a fixed-set predicate given it may admit the row (``fixed_sets.py``)."""
    if not isinstance(node, cst.Attribute):
        return False
    while isinstance(node, cst.Attribute):
        node = node.value
    if not isinstance(node, cst.Name):
        return False
    return unchecked_row(fn.env.get(node.value, Value())) or call_of(fn, node.value) is not None


def _init_fed(fn: FunctionState, node: cst.Call, callee: str) -> tuple[ArgFact, ...]:
    """In ``__init__``, ``self.load()``: the attributes ``__init__`` has set from its parameters,
    bound to the method's ports for them (``init_attrs.py``)."""
    func = node.func
    if (fn.owner is None or fn.qualname is None or not fn.qualname.endswith(".__init__")
            or not isinstance(func, cst.Attribute) or not isinstance(func.value, cst.Name)
            or func.value.value != "self" or callee != f"{fn.qualname[:-9]}.{func.attr.value}"):
        return ()
    out: list[ArgFact] = []
    for port, param in init_args(fn.owner.node, node):
        value = fn.env.get(param)
        prov = value.prov if value is not None else Provenance.unknown(PARAMETER + param)
        out.append(ArgFact(node, -1, port, prov))
    return tuple(out)


def _note_job(ctx: FileContext, fn: FunctionState, node: cst.Call, values: list[Value]) -> bool:
    """A job put on an RQ queue (``job_queues.py``): a call site of the function it runs."""
    if not isinstance(node.func, cst.Attribute) or node.func.attr.value not in JOB_METHODS:
        return False
    if not ctx.imports.imports_from(*RQ_MODULES):
        return False
    rq_job = ctx.imports.qualify("Job").partition(".")[0] in RQ_MODULES
    job = queued_call(node, values, fn.body, rq_job)
    if job is None:
        return False
    literal = string_value(job.func)
    callee = literal if literal is not None and "." in literal else _resolve(ctx, fn, job.func)
    if callee is None:
        return False
    args = _in_scope(fn, tuple(_bound_fact(b) for b in job.args))
    if fn.statement is not None:
        hints = ctx.statement_hints
        hints.setdefault(id(node), fn.statement)
        for a in args:
            hints.setdefault(id(a.node), fn.statement)
    ctx.facts.calls.append(CallFact(node, callee, args, fn.qualname, fn.handler_name, True, job.open))
    return True


def note_event(ctx: FileContext, fn: FunctionState, node: cst.Call, values: list[Value]) -> None:
    """An event put on a named queue (``queue_producers.py``): a call site of its consumer, binding
    the consumer's event parameter (the call itself is recorded as any other call)."""
    found = produced(ctx, fn, node, values)
    if found is None:
        return
    prov, payload = _payload(found.value)
    args = _in_scope(fn, (ArgFact(found.event, 0, "", prov, payload=payload, entries=found.value.entries,
                                  entry_sources=found.entry_sources),))
    if fn.statement is not None:
        hints = ctx.statement_hints
        hints.setdefault(id(node), fn.statement)
        hints.setdefault(id(found.event), fn.statement)
    ctx.facts.calls.append(CallFact(node, found.consumer, args, fn.qualname, fn.handler_name, True,
                                    queue=True))


def _bound_fact(bound: Bound) -> ArgFact:
    prov, payload = _payload(bound.value)
    return ArgFact(bound.node, bound.position, bound.keyword, prov, literal=string_value(bound.node),
                   payload=payload, entries=bound.value.entries)


def _note_references(ctx: FileContext, fn: FunctionState, node: cst.Call) -> None:
    """In a scheduled task: each function named as an argument (``queryset_func=get_rows``) is used
    there, a reference (never a call site that binds anything)."""
    for arg in node.args:
        if isinstance(arg.value, cst.Name | cst.Attribute) and not arg.star:
            callee = _resolve(ctx, fn, arg.value)
            if callee is not None:
                if fn.statement is not None:
                    ctx.statement_hints.setdefault(id(arg.value), fn.statement)
                ctx.facts.calls.append(CallFact(arg.value, callee, (), fn.qualname, fn.handler_name,
                                                reference=True))


def dispatch_table(ctx: FileContext, fn: FunctionState, node: cst.Dict
                   ) -> list[tuple[str | None, str]] | None:
    """(key, callee) of a dict literal whose every value names a function (``{"created":
    create_activity, "deleted": views.delete_activity}``); None for any other dict."""
    out: list[tuple[str | None, str]] = []
    for el in node.elements:
        if not isinstance(el, cst.DictElement) or not isinstance(el.value, cst.Name | cst.Attribute):
            return None
        callee = _resolve(ctx, fn, el.value)
        if callee is None:
            return None
        out.append((string_value(el.key), callee))
    return out or None


def dispatch_entry(table: Dispatch, key: str | None, chosen: str = "") -> Dispatch:
    """``table.get(key)`` / ``table[key]``: that entry's function when the key is known, else any;
    ``chosen``: the parameter the key is (its callers' literals select the entry, in ``crossfn/``),
    kept when every entry of the table has a string key."""
    for k, callee in table.names:
        if key is not None and k == key:
            return Dispatch(callees=(callee,))
    keyed = chosen if len(table.names) == len(table.callees) else ""
    return Dispatch(callees=table.callees, names=table.names if keyed else (), selector=keyed)


def selector(fn: FunctionState, node: cst.BaseExpression) -> str:
    """The parameter ``node`` is, unchanged since the call (a name never assigned in the function)."""
    if isinstance(node, cst.Name) and node.value in fn.params and node.value not in fn.env:
        return node.value
    return ""


def note_dispatch(ctx: FileContext, fn: FunctionState, node: cst.Call, table: Dispatch,
                  values: list[Value]) -> None:
    """A call of a function read from a dispatch table: a call site of each of its functions."""
    args, open_args = _arguments(node, values)
    args = _in_scope(fn, args)
    if fn.statement is not None:
        hints = ctx.statement_hints
        hints.setdefault(id(node), fn.statement)
        for a in args:
            hints.setdefault(id(a.node), fn.statement)
    for callee in table.callees:
        selected = tuple(k for k, c in table.names if c == callee) if table.selector else ()
        ctx.facts.calls.append(CallFact(node, callee, args, fn.qualname, fn.handler_name, False, open_args,
                                        selector=table.selector, selected=selected))


def _unpinned(ctx: FileContext, fn: FunctionState, args: tuple[ArgFact, ...], values: list[Value],
              node: cst.Call) -> tuple[ArgFact, ...]:
    """Lists of conditions written in the call that confine no rows, or pin the tenant
    (``filter_lists.py``), outside system code."""
    if fn.system_depth or not any(isinstance(a.value, cst.List | cst.Tuple) for a in node.args):
        return args
    by_node = {id(a.value): v for a, v in zip(node.args, values, strict=True)}
    out: list[ArgFact] = []
    for a in args:
        verdict = judged(ctx, a.node, by_node.get(id(a.node), Value()))
        out.append(replace(a, unpinned=verdict == UNPINNED, pinned=verdict == PINNED) if verdict else a)
    return tuple(out)


def _in_scope(fn: FunctionState, args: tuple[ArgFact, ...]) -> tuple[ArgFact, ...]:
    """In system code (``system_scope``) request input passed on is deliberately cross-tenant."""
    if not fn.system_depth:
        return args
    return tuple(replace(a, prov=Provenance.trusted(f"system scope ({a.prov.source})"))
                 if a.prov.trust is Trust.UNTRUSTED else a for a in args)


def resolve_call(ctx: FileContext, fn: FunctionState, target: cst.BaseExpression) -> str | None:
    """The project function a call of ``target`` resolves to, statically (None when unknown)."""
    return _resolve(ctx, fn, target)


def _resolve(ctx: FileContext, fn: FunctionState, target: cst.BaseExpression) -> str | None:
    text = dotted(target, calls=False)
    if text is None:
        if isinstance(target, cst.Attribute):  # ``get_repositories(s).ratings.get(pk)``
            cls = value_type(ctx, fn, target.value)
            return ctx.settings.member_types.method(cls, target.attr.value) if cls is not None else None
        return None
    head, _, rest = text.partition(".")
    if head in ("self", "cls") or head in fn.types:
        return _method(ctx, fn, text, head)
    if head in fn.env or head in fn.params:
        return None  # a local value: its type is not known here
    imports = ctx.imports
    if head in imports.names:
        return _inherited(ctx, resolve_import(imports.qualify(text), ctx.path))
    module = module_name(ctx.path)
    return _inherited(ctx, f"{module}.{text}" if module else text)


def _inherited(ctx: FileContext, qualified: str) -> str:
    """``pkg.services.FileService.get_by_id`` -> the method of the project base that defines it
    (``pkg.common.CommonService.get_by_id``) when ``FileService`` does not: a call of an inherited
    method is a call site of the base's."""
    owner, _, last = qualified.rpartition(".")
    if not owner or not owner.rsplit(".", 1)[-1][:1].isupper():
        return qualified
    return ctx.settings.member_types.method(owner, last) or qualified


def _via(fn: FunctionState, target: cst.BaseExpression) -> str:
    """The class a method call is spelled on: ``FileService`` for ``FileService.get_by_id`` and
    ``pkg.FileService.get_by_id``, the enclosing class for ``cls.get_by_id``/``self.get_by_id``."""
    text = dotted(target, calls=False)
    if text is None:
        return ""
    parts = text.split(".")
    if len(parts) == 2 and parts[0] in ("self", "cls"):
        return fn.owner.name if fn.owner is not None else ""
    if len(parts) >= 2 and parts[-2][:1].isupper():
        return parts[-2]
    return ""


def _method(ctx: FileContext, fn: FunctionState, text: str, head: str) -> str | None:
    """``self.load`` (this class's method, or the base's that defines it), ``self.repos.items.get``
    and ``repos.items.get`` (through the receiver's known class: ``local_types.py``)."""
    *chain, last = text.split(".")
    if not chain:
        return None
    if head in ("self", "cls") and len(chain) == 1:
        if fn.qualname is None or fn.owner is None:
            return None
        owner = fn.qualname.rsplit(".", 1)[0]
        return ctx.settings.member_types.method(owner, last) or f"{owner}.{last}"
    cls = receiver_type(ctx, fn, chain)
    return ctx.settings.member_types.method(cls, last) if cls is not None else None


def through_args(ctx: FileContext, fn: FunctionState, node: cst.Call) -> frozenset[int]:
    """Indexes of ``node.args`` bound to parameters the callee only extends and hands back."""
    returns = ctx.settings.returns
    if not returns.passes:
        ctx.returns_asked.add(PASSES_ASKED)
        return frozenset()
    callee = _resolve(ctx, fn, node.func)
    if callee is not None:
        ctx.returns_asked.add(callee)
    passes = returns.passes_of(callee) if callee is not None else ()
    if not passes:
        return frozenset()
    positions = {i for i, _ in passes}
    names = {n for _, n in passes}
    out: set[int] = set()
    position = 0
    for i, arg in enumerate(node.args):
        if arg.star:
            return frozenset()  # a spread may bind anything: the call may run what it is given
        if arg.keyword is not None:
            if arg.keyword.value in names:
                out.add(i)
        else:
            if position in positions:
                out.add(i)
            position += 1
    return frozenset(out)


def _arguments(node: cst.Call, values: list[Value]) -> tuple[tuple[ArgFact, ...], bool]:
    out: list[ArgFact] = []
    open_args = False
    position = 0
    for arg, value in zip(node.args, values, strict=True):
        if arg.star:
            open_args = True
            continue
        listed = _listed(arg.value, value)
        literal = string_value(arg.value)
        prov, payload = _payload(value)
        if arg.keyword is not None:
            out.append(ArgFact(arg.value, -1, arg.keyword.value, prov, listed, literal, payload,
                               value.entries))
        else:
            out.append(ArgFact(arg.value, position, "", prov, listed, literal, payload, value.entries))
            position += 1
    return tuple(out), open_args


def _payload(value: Value, depth: int = 0) -> tuple[Provenance, tuple[str, ...]]:
    """The provenance an argument passes: its own, or that of request input among the entries of a
    dict or list built in the caller (``{"cycle_id": str(cycle_id)}``, kept through ``json.dumps``),
    which the callee may read back (``json.loads(payload)["cycle_id"]``); then also the dict's
    entries that hold request input (``*``: any, for a list or a nested one)."""
    if value.untrusted or depth > 3 or isinstance(value, Dispatch):
        return value.prov, ()
    if isinstance(value, QueryValue):
        return scoped_queryset(value), ()
    if isinstance(value, DictValue):
        items = list(value.items)
    elif isinstance(value, SeqValue):
        items = [(ANY_ENTRY, v) for v in value.items]
    else:
        return value.prov, ()
    found: Provenance | None = None
    keys: list[str] = []
    for key, item in items:
        prov, _ = _payload(item, depth + 1)
        if prov.trust is Trust.UNTRUSTED:
            found = found or prov
            keys.append(key if depth == 0 else ANY_ENTRY)
    if found is None:
        return value.prov, ()
    return found, tuple(dict.fromkeys(keys))


def scoped_queryset(value: QueryValue) -> Provenance:
    """A queryset passed whole (``helper(Issue.objects.filter(project=project))``): the rows of a
    query on a tenant table that a trusted tenant filter confines, so a helper reading the rows of
    those rows (``issue_id__in=issues.values_list("id")``) is confined at this call. Any other
    queryset passes what it had (an unscoped one is reported where it is built)."""
    origin = value.origin
    if value.prov.trust is not Trust.UNKNOWN or value.prov.source or origin is None or origin.tenant is None:
        return value.prov
    scoping, untrusted, _ = value.state.verdict()
    if untrusted is not None or not scoping.is_safe or scoping is Scoping.SYSTEM_SCOPE:
        return value.prov
    return Provenance.trusted(f"a scoped queryset of {origin.table}")


def entry_prov(recv: Value, key: str | None) -> Provenance:
    """The provenance of ``recv[key]``: ``recv``'s, or for ``self.context`` that of the entry read
    (its tenant filters are judged per entry where the serializer is constructed)."""
    if key is not None and recv.prov.source == CONTEXT_SOURCE:
        return Provenance(recv.prov.trust, entry_source(key))
    if key is not None and recv.prov.trust is Trust.TRUSTED and recv.prov.source.startswith(VERIFIED_KWARGS):
        by = recv.prov.source[len(VERIFIED_KWARGS):].removeprefix(", by ") or "a membership check"
        return Provenance.trusted(f"{key}, verified by {by}")  # ``self.kwargs["project_pk"]``
    return recv.prov


def entries_read(recv: Value, key: str | None) -> tuple[str, ...]:
    """The entries of a parameter's dict a literal-key read takes (the outermost one: ``d["a"]["b"]``
    is entry ``a``); none for a read of anything else."""
    if recv.entries:
        return recv.entries
    if key is not None and recv.prov.source == CONTEXT_SOURCE:
        return (key,)  # an entry of ``self.context``
    if key is None or recv.prov.trust is not Trust.UNKNOWN or not recv.prov.source.startswith(PARAMETER):
        return ()
    return (key,)


def param_entries(node: cst.CSTNode, params: frozenset[str], env: dict[str, Value]
                  ) -> tuple[tuple[str, str], ...]:
    """(parameter, entry) for the entries of a parameter's dict the query expression ``node`` is
    keyed by, for each parameter every read of which in it takes literal entries (a parameter not
    named is read whole)."""
    finder = _Names()
    visit(node, finder)  # read only: libcst's node.visit would copy the tree
    out: dict[str, list[str]] = {}
    whole: set[str] = set()
    for name, key in zip(finder.names, finder.keys, strict=True):
        if name == SELF_CONTEXT:
            name = CONTEXT if CONTEXT in params else "self"
        value = env.get(name) if name != CONTEXT or name not in params else None
        if value is None and name in params:
            value = Value(Provenance.unknown(PARAMETER + name))
        if value is not None and is_context(value.prov.source) and CONTEXT in params:
            value = replace(value, prov=Provenance.unknown(PARAMETER + CONTEXT))
        if value is None or value.prov.trust is not Trust.UNKNOWN or not value.prov.source.startswith(
                PARAMETER):
            continue
        param = value.prov.source[len(PARAMETER):]
        read = entries_read(value, key)
        if read:
            out.setdefault(param, []).extend(read)
        else:
            whole.add(param)
    return tuple(dict.fromkeys((p, e) for p, found in out.items() if p not in whole for e in found))


def _listed(node: cst.BaseExpression, value: Value) -> str:
    """The parameter source of a list or tuple written in the call (``helper([member.id])``) whose
    every element comes from that parameter (nothing can have been added to it on the way)."""
    if (value.prov.trust is not Trust.UNKNOWN or not isinstance(value, SeqValue) or value.open_ended
            or not value.items or not isinstance(node, cst.List | cst.Tuple)):
        return ""
    first = value.items[0].prov
    if first.trust is Trust.UNKNOWN and first.source.startswith(PARAMETER) and all(
            v.prov == first for v in value.items):
        return first.source
    return ""


def _delay_as_lists(node: cst.Call) -> bool:
    """``task.delay(args=(a, b), kwargs={"k": c})``: a task queue whose ``delay`` takes the task's
    arguments as ``apply_async`` does (only ``args=``/``kwargs=`` keywords, a tuple or list and a
    dict), as Flagsmith-style task processors spell it; Celery's ``delay(a, b)`` passes them as they are."""
    func = node.func
    return (isinstance(func, cst.Attribute) and func.attr.value == "delay" and bool(node.args)
            and all(a.keyword is not None and not a.star and (
                (a.keyword.value == "args" and isinstance(a.value, cst.Tuple | cst.List))
                or (a.keyword.value == "kwargs" and isinstance(a.value, cst.Dict))) for a in node.args))


def _apply_async(node: cst.Call, values: list[Value]) -> tuple[tuple[ArgFact, ...], bool]:
    """``task.apply_async(args=(a, b), kwargs={"k": c})``: the task's own arguments."""
    out: list[ArgFact] = []
    open_args = False
    for arg, value in zip(node.args, values, strict=True):
        if arg.keyword is None:
            if arg.star or not isinstance(arg.value, cst.Tuple | cst.List):
                open_args = True
                continue
            keyword = "args"  # ``apply_async((a, b))``
        else:
            keyword = arg.keyword.value
        if keyword == "args":
            elements = arg.value.elements if isinstance(arg.value, cst.Tuple | cst.List) else None
            if elements is None or not isinstance(value, SeqValue) or value.open_ended:
                open_args = True
                continue
            for i, (el, item) in enumerate(zip(elements, value.items, strict=False)):
                prov, payload = _payload(item)
                out.append(ArgFact(el.value, i, "", prov, literal=string_value(el.value), payload=payload,
                                   entries=item.entries))
        elif keyword == "kwargs":
            if not isinstance(value, DictValue) or not isinstance(arg.value, cst.Dict):
                open_args = True
                continue
            nodes = {k: el.value for el in arg.value.elements
                     if isinstance(el, cst.DictElement) and (k := _key(el.key)) is not None}
            for key, item in value.items:
                if key in nodes:
                    prov, payload = _payload(item)
                    out.append(ArgFact(nodes[key], -1, key, prov, literal=string_value(nodes[key]),
                                       payload=payload, entries=item.entries))
            open_args = open_args or len(nodes) != len(arg.value.elements)
    return tuple(out), open_args


def _key(node: cst.BaseExpression) -> str | None:
    return string_value(node)


HeldExpr = Callable[[str], "tuple[cst.BaseExpression, Value] | None"]


def param_keys(node: cst.CSTNode, params: frozenset[str], env: dict[str, Value],
               model_cls: bool = False, held: frozenset[str] = frozenset(),
               none_if_empty: bool = True, bound: HeldExpr | None = None) -> tuple[str, ...] | None:
    """The parameters that make up every argument of the query expression ``node`` (its filters),
    when nothing but parameters, locals derived from them, module-level names and literals does;
    else None. ``model_cls``: ``cls`` is the model itself (a classmethod of a model), so ``cls.user_id``
    names a column as ``Favorite.user_id`` does. ``held``: attributes of the class holding a model
    (a service's ``model = Search``), so ``cls.model.created_by`` names a column as well.
    ``none_if_empty=False``: ``()`` when nothing keys the query at all (no parameter, nothing else).
    ``bound`` (``FunctionState.held_expr``): a local with no origin of its own that still holds what
    one assignment bound it to stands for that expression (:func:`_local_keys`)."""
    finder = _Names(held, frozenset(p for p in params if p.startswith(PSEUDO)))
    visit(node, finder)
    if finder.opaque:
        return None
    keys = _names_keys(finder.names, params, env, model_cls, held, bound, frozenset())
    if keys is None:
        return None
    return tuple(sorted(keys)) or (None if none_if_empty else ())


def _local_keys(name: str, value: Value, params: frozenset[str], env: dict[str, Value], model_cls: bool,
                held: frozenset[str], bound: HeldExpr | None, seen: frozenset[str]) -> set[str] | None:
    """The keys of a local that holds a value of no origin of its own, bound by one assignment to a
    predicate, a choice between values or a comprehension (``flt = Log.pipeline_id == pipeline_id if
    pipeline_id else Log.pipeline_id.is_null()``, ``since = row.update_time or now``, ``keep = [m.id
    for m in Log.select().where(Log.kb_id == doc.kb_id)]``) and still holding it: the names that
    expression reads, as if written in its place. None when it is anything else."""
    if bound is None or name in seen or isinstance(value, QueryValue) \
            or value.prov != Provenance(Trust.UNKNOWN):
        return None
    found = bound(name)
    if found is None or not isinstance(found[0], _PREDICATES if isinstance(value, PredValue) else _CHOICES):
        return None
    if _calls_passed_in(found[0], params, env):
        return None
    finder = _Names(held, frozenset(p for p in params if p.startswith(PSEUDO)))
    finder.depth = 1  # the expression itself is read, not only a call's arguments
    visit(found[0], finder)
    if finder.opaque:
        return None
    return _names_keys(finder.names, params, env, model_cls, held, bound, seen | {name})


# Expressions a local may stand for: a predicate (``a & b``, ``~a``, ``x if c else y``); any other
# value only as a choice between values (``a or b``, ``a if c else b``) or values read from rows in a
# comprehension (``keep_ids = [m.id for m in <query>]``: what keys that query keys them). A set
# operation mixes values (``set(ids) | {extra()}``): ``operators.py`` tells when it keeps an origin.
_CHOICES = (cst.BooleanOperation, cst.IfExp, cst.ListComp, cst.SetComp, cst.GeneratorExp)
_PREDICATES = (cst.Comparison, cst.BinaryOperation, cst.UnaryOperation, *_CHOICES)


def _calls_passed_in(expr: cst.BaseExpression, params: frozenset[str], env: dict[str, Value]) -> bool:
    """``expr`` calls something a parameter or a local holds (``extra()``, ``row.refresh()``): its
    result is of no origin the names it reads tell. Calls on ``cls``/``self``, models, modules and
    builtins are the query's own (``cls.model.pipeline_id.is_null(True)``)."""
    for node in _calls_in(expr):
        root = node.func
        while isinstance(root, cst.Attribute | cst.Call | cst.Subscript):
            root = root.value if not isinstance(root, cst.Call) else root.func
        if not isinstance(root, cst.Name) or root.value in ("cls", "self"):
            continue
        if root.value in params or (root.value in env and not isinstance(env[root.value], ModelRef)):
            return True
    return False


def _calls_in(expr: cst.BaseExpression) -> list[cst.Call]:
    found: list[cst.Call] = []

    class _Calls(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            found.append(node)

    visit(expr, _Calls())
    return found


def _names_keys(names: list[str], params: frozenset[str], env: dict[str, Value], model_cls: bool,
                held: frozenset[str], bound: HeldExpr | None, seen: frozenset[str]) -> set[str] | None:
    """:func:`param_keys` of the names a query expression reads."""
    keys: set[str] = set()
    for name in names:
        if name == SELF_CONTEXT:  # ``self.context[...]``: what the serializer is given, when it is
            if CONTEXT in params:
                keys.add(CONTEXT)
                continue
            name = "self"
        if name in params and name not in env:
            keys.add(name)
        elif name in env:
            value = env[name]
            if isinstance(value, QueryValue) and value.origin is not None:
                sub = _subquery_keys(value)
                if sub is None:
                    return None
                keys.update(k for k in sub if k in params)
                continue
            source = value.prov.source
            if env[name].prov.trust is Trust.UNKNOWN and source.startswith(CONSTANT):
                continue
            if is_context(source) and CONTEXT in params:  # a value read from ``self.context``
                keys.add(CONTEXT)
                continue
            if env[name].prov.trust is Trust.UNKNOWN and source.startswith(KEYED_ROWS):
                row_keys = source[len(KEYED_ROWS):].split(",")
                if not all(k in params for k in row_keys):
                    return None
                keys.update(row_keys)  # read from rows the function fetched by these parameters alone
                continue
            if env[name].prov.trust is not Trust.UNKNOWN or not source.startswith(PARAMETER):
                local = _local_keys(name, value, params, env, model_cls, held, bound, seen)
                if local is None:
                    return None
                keys.update(local)
                continue
            if source[len(PARAMETER):] not in params:
                return None
            keys.add(source[len(PARAMETER):])
        elif name == "self" or (name == "cls" and not model_cls):
            return None
    return keys


def _subquery_keys(value: QueryValue) -> tuple[str, ...] | None:
    """A query kept in a local and used as a filter value (a subquery: ``recipient_id__in=ids`` with
    ``ids = Subscription.objects.filter(user_profile=user_profile).values_list(...)``) only narrows the
    rows: it adds the parameters that key it, nothing when it is scoped, and makes the query keyed by
    something else (None) when it is neither. The subquery itself is judged where it was made."""
    assert value.origin is not None
    if value.origin.keys is not None:
        return value.origin.keys
    scoping = value.state.verdict()[0]
    return () if scoping not in (Scoping.UNSCOPED, Scoping.WEAKENED, Scoping.UNTRUSTED_FILTER) else None


# Chain methods whose arguments choose no rows: they pick the columns read, the order, or how many
# of the rows the filters chose are returned (``select(*fields)``, ``order_by(getter(orderby))``,
# ``paginate(page, n)``). Values of unknown origin there do not make the query keyed by anything else.
# Methods whose own arguments choose no rows: they shape what is read, or (``update``, as
# ``values`` of an insert or update does) give the values written to the rows the chain chose.
_SHAPING = frozenset({"select", "only", "defer", "values", "values_list", "order_by", "paginate",
                      "limit", "offset", "dicts", "tuples", "namedtuples", "objects", "load_only",
                      "options", "columns", "with_only_columns", "update",
                      "annotate", "alias"})  # computed columns: their subqueries are judged on their own


class _Names(cst.CSTVisitor):
    """Names read by the arguments of every call in an expression (attribute names excluded)."""

    def __init__(self, held: frozenset[str] = frozenset(), ports: frozenset[str] = frozenset()) -> None:
        self.held = held  # ``cls.model``/``self.model``: a model the class holds, not a value
        self.ports = ports  # ``self.attr`` read as one name: a port ``__init__`` binds (``init_attrs.py``)
        self.names: list[str] = []
        self.keys: list[str | None] = []  # per name, a literal key it is read by (``d["k"]``, ``d.get("k")``)
        self.opaque = False
        self.depth = 0
        self._key: dict[int, str] = {}  # id of a Name node -> the literal key it is read by

    def visit_Subscript(self, node: cst.Subscript) -> None:
        el = node.slice[0].slice if len(node.slice) == 1 else None
        if isinstance(node.value, cst.Name | cst.Attribute) and isinstance(el, cst.Index):
            key = string_value(el.value)
            if key is not None:
                self._key[id(node.value)] = key

    def visit_Call(self, node: cst.Call) -> bool:
        func = node.func
        if (isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and node.args
                and func.attr.value in ("get", "pop", "__getitem__")):
            key = string_value(node.args[0].value)
            if key is not None:
                self._key[id(func.value)] = key
        if self.depth == 0 and isinstance(func, cst.Attribute) and (
                func.attr.value in _SHAPING):
            visit(func, self)  # the chain it is called on; its own arguments choose no rows
            return False
        return True

    def visit_Arg(self, node: cst.Arg) -> bool:
        self.depth += 1
        visit(node.value, self)  # not the keyword
        self.depth -= 1
        return False

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        if (self.depth and node.attr.value == CONTEXT and isinstance(node.value, cst.Name)
                and node.value.value == "self"):
            self.names.append(SELF_CONTEXT)  # read as one name: what a serializer is given
            self.keys.append(self._key.get(id(node)))
            return False
        if (node.attr.value in self.held and isinstance(node.value, cst.Name)
                and node.value.value in ("cls", "self")):
            return False
        if (self.depth and self.ports and isinstance(node.value, cst.Name) and node.value.value == "self"
                and PSEUDO + node.attr.value in self.ports):
            self.names.append(PSEUDO + node.attr.value)
            self.keys.append(self._key.get(id(node)))
            return False
        visit(node.value, self)
        return False

    def visit_Name(self, node: cst.Name) -> None:
        if self.depth:
            self.names.append(node.value)
            self.keys.append(self._key.get(id(node)))

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        self.opaque = True
        return False

    def visit_ListComp(self, node: cst.ListComp) -> bool:
        """``[o.id for o in objects]``: the names it reads but binds not (``objects``)."""
        if not self.depth:
            self.opaque = True
            return False
        inner = _Names(self.held, self.ports)
        inner.depth = 1
        bound: set[str] = set()
        parts: list[cst.CSTNode] = [getattr(node, name) for name in ("elt", "key", "value")
                                    if hasattr(node, name)]
        loop: cst.CompFor | None = node.for_in
        while loop is not None:
            bound.update(n.value for n in _bound_names(loop.target))
            parts.extend([loop.iter, *(c.test for c in loop.ifs)])
            loop = loop.inner_for_in
        for part in parts:
            visit(part, inner)
        if inner.opaque:
            self.opaque = True
            return False
        for name, key in zip(inner.names, inner.keys, strict=True):
            if name not in bound:
                self.names.append(name)
                self.keys.append(key)
        return False

    visit_SetComp = visit_ListComp  # type: ignore[assignment]
    visit_GeneratorExp = visit_ListComp  # type: ignore[assignment]
    visit_DictComp = visit_ListComp  # type: ignore[assignment]


def _bound_names(target: cst.BaseExpression) -> list[cst.Name]:
    """The names a comprehension's ``for`` target binds (``o``, ``(k, v)``)."""
    if isinstance(target, cst.Name):
        return [target]
    if isinstance(target, cst.Tuple | cst.List):
        return [n for el in target.elements for n in _bound_names(el.value)]
    return []


def _held_table(ctx: FileContext, receiver: cst.BaseExpression) -> str | None:
    """The table of the model a call's receiver is, or the one model the service class holds."""
    model = read_model(ctx, receiver)
    return model.table if model is not None else None
