"""Helpers shared by the framework plug-ins: parameters, decorators, route objects of a module."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import libcst as cst

from tenantlint.analysis.facts import Provenance
from tenantlint.analysis.interp.class_bases import project_bases
from tenantlint.analysis.interp.exprs import dotted_name
from tenantlint.analysis.interp.literals import string_literal
from tenantlint.analysis.interp.values import RowValue, Value
from tenantlint.analysis.plugins import ClassInfo, local_lineage
from tenantlint.analysis.rawsql.constants import resolve_import
from tenantlint.analysis.source.positions import child_nodes, preorder

if TYPE_CHECKING:
    from tenantlint.analysis.plugins import Evaluation, FileView


def view_object(ev: Evaluation, method: str, call: cst.Call, view_table: str | None) -> Value | None:
    """``self.get_object()`` in a generic view's method: the object comes through the view's
    ``get_queryset``, which is judged on its own (TNT202 / TNT101 there), so the row is the view's
    scoped row, not a new root cause."""
    if method != "get_object":
        return None
    ev.eval_args(call)
    if ev.fn.owner is not None and returns_caller(ev.ctx, ev.fn.owner, "get_object"):
        # ``def get_object(self): return self.request.user`` (a "me" endpoint): the caller.
        return Value(Provenance.trusted(CALLER))
    table = view_table or "view"
    return RowValue(Provenance.trusted("self.get_object()"), scoped_row_of=table, table=table)


CALLER = "self.request.user"




def returns_caller(ctx: FileView, cls: ClassInfo, method: str) -> bool:
    """The class (or a base in the same file) defines ``method`` as ``return self.request.user``."""
    for c in local_lineage(ctx, cls):
        body = c.node.body.body if isinstance(c.node.body, cst.IndentedBlock) else ()
        for stmt in body:
            if isinstance(stmt, cst.FunctionDef) and stmt.name.value == method:
                inner = stmt.body.body if isinstance(stmt.body, cst.IndentedBlock) else ()
                only = inner[0] if len(inner) == 1 else None
                line = only.body if isinstance(only, cst.SimpleStatementLine) else ()
                ret = line[0] if len(line) == 1 else None
                return isinstance(ret, cst.Return) and ret.value is not None \
                    and dotted_name(ret.value) == CALLER
    return False


def params_of(fn: cst.FunctionDef) -> list[cst.Param]:
    p = fn.params
    return [*p.posonly_params, *p.params, *p.kwonly_params]


def star_params(fn: cst.FunctionDef) -> list[cst.Param]:
    return [x for x in (fn.params.star_arg, fn.params.star_kwarg) if isinstance(x, cst.Param)]


def string_arg(call: cst.Call, index: int, keyword: str) -> str | None:
    """The string literal passed as positional ``index`` or as ``keyword=``."""
    positional = [a for a in call.args if a.keyword is None and a.star == ""]
    for a in call.args:
        if a.keyword is not None and a.keyword.value == keyword:
            return _string(a.value)
    if len(positional) > index:
        return _string(positional[index].value)
    return None


def _string(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.SimpleString | cst.ConcatenatedString):
        value = string_literal(node)
        return value if isinstance(value, str) else None
    return None


def qualified_bases(ctx: FileView, cls: ClassInfo) -> Iterator[str]:
    """Qualified base names of ``cls``, of its bases defined in the same file, and of its project
    bases defined in other modules (through any number of project classes)."""
    seen: set[str] = set()
    todo = list(cls.bases)
    while todo:
        base = todo.pop()
        if base in seen:
            continue
        seen.add(base)
        yield base
        local = ctx.local_classes.get(base)
        if local is not None and local is not cls:
            todo.extend(local.bases)
    yield from (b for b in ctx.project_bases(cls) if b not in seen)


def inherits(ctx: FileView, cls: ClassInfo, prefixes: tuple[str, ...], names: frozenset[str]) -> bool:
    """True when a base resolves (through imports) under ``prefixes`` and is named in ``names``."""
    for base in qualified_bases(ctx, cls):
        if base.startswith(prefixes) and base.rsplit(".", 1)[-1] in names:
            return True
    return False


@dataclass
class RouteTable:
    """Route objects and endpoints of one module, found by what their constructors resolve to."""

    objects: dict[str, str] = field(default_factory=dict)  # local name -> qualified constructor
    endpoints: dict[str, str] = field(default_factory=dict)  # function name -> URL rule ("" if unknown)
    aliases: dict[str, cst.BaseExpression] = field(default_factory=dict)  # module-level X = ...


class _Scan:
    def __init__(
        self, ctx: FileView, constructors: frozenset[str], endpoint_calls: frozenset[str]
    ) -> None:
        self.ctx = ctx
        self.constructors = constructors
        self.endpoint_calls = endpoint_calls
        self.table = RouteTable()

    def run(self, module: cst.Module) -> RouteTable:
        source = self.ctx.source
        if source is not None and not any(name in source for name in self.endpoint_calls):
            nodes = _statements(module)  # no endpoint call can be spelt: assignments are enough
        else:
            nodes = preorder(module)
        for node in nodes:
            if isinstance(node, cst.Assign):
                self.assign(node)
            elif isinstance(node, cst.Call):
                self.call(node)
        return self.table

    def assign(self, node: cst.Assign) -> None:
        if len(node.targets) != 1 or not isinstance(node.targets[0].target, cst.Name):
            return
        name = node.targets[0].target.value
        value = node.value
        if isinstance(value, cst.Call):
            callee = dotted_name(value.func)
            if callee is not None:
                qual = self.ctx.imports.qualify(callee)
                if qual in self.constructors or self._project_subclass(qual):
                    self.table.objects[name] = qual
        self.table.aliases.setdefault(name, value)

    def _project_subclass(self, qual: str) -> bool:
        """A project class deriving from a known constructor (``class UserRouter(APIRouter)``)."""
        if not qual.rsplit(".", 1)[-1][:1].isupper():
            return False
        bases = project_bases(self.ctx.settings.facts.class_bases, resolve_import(qual, self.ctx.path),
                              self.ctx.path)
        return any(b in self.constructors for b in bases)

    def call(self, node: cst.Call) -> None:
        callee = dotted_name(node.func)
        if callee is None:
            return
        last = callee.rsplit(".", 1)[-1]
        if last not in self.endpoint_calls:
            return
        rule = string_arg(node, 0, "rule") or string_arg(node, 0, "path") or ""
        target: cst.BaseExpression | None = None
        for a in node.args:
            if a.keyword is not None and a.keyword.value in ("view_func", "endpoint"):
                if a.keyword.value == "view_func" or last != "add_url_rule":
                    target = a.value
        positional = [a.value for a in node.args if a.keyword is None and a.star == ""]
        if target is None and last != "add_url_rule" and len(positional) > 1:
            target = positional[1]
        if target is None and last == "add_url_rule" and len(positional) > 2:
            target = positional[2]
        if isinstance(target, cst.Name):
            self.table.endpoints[target.value] = rule


_STATEMENT_PARTS = (cst.BaseStatement, cst.BaseSmallStatement, cst.BaseSuite, cst.Else, cst.ExceptHandler,
                    cst.ExceptStarHandler, cst.Finally, cst.MatchCase)


def _statements(module: cst.Module) -> Iterator[cst.CSTNode]:
    """Every statement and small statement, in the order of :func:`preorder`, skipping expressions."""
    stack: list[cst.CSTNode] = [module]
    while stack:
        current = stack.pop()
        yield current
        children = [c for c in child_nodes(current) if isinstance(c, _STATEMENT_PARTS)]
        children.reverse()
        stack.extend(children)


def route_table(
    ctx: FileView, key: str, constructors: frozenset[str], endpoint_calls: frozenset[str]
) -> RouteTable:
    memo = ctx.plugin_memo.get(key)
    if isinstance(memo, RouteTable):
        return memo
    table = _Scan(ctx, constructors, endpoint_calls).run(ctx.module)
    ctx.plugin_memo[key] = table
    return table


def route_decorator(
    ctx: FileView, fn: cst.FunctionDef, table: RouteTable, methods: frozenset[str],
    own_modules: tuple[str, ...], other_modules: tuple[str, ...],
) -> cst.Call | None:
    """The ``@obj.get("/x")`` decorator call when ``obj`` is a route object of this framework.

    ``obj`` counts when it is built in this module by a known constructor, or when it is imported
    from elsewhere in a module that imports this framework and not the other one.
    """
    for d in fn.decorators:
        dec = d.decorator
        if not isinstance(dec, cst.Call) or not isinstance(dec.func, cst.Attribute):
            continue
        if dec.func.attr.value not in methods:
            continue
        owner = dotted_name(dec.func.value)
        if owner is None:
            continue
        if owner in table.objects:
            return dec
        head = owner.split(".", 1)[0]
        qual = ctx.imports.qualify(owner)
        if head in ctx.imports.names and not qual.startswith(other_modules):
            if ctx.imports.imports_from(*own_modules) and not ctx.imports.imports_from(*other_modules):
                return dec
    return None
