"""Project-wide pre-pass: classes whose ``get_queryset`` applies a trusted tenant filter.

SPEC: a ``get_queryset`` inherited from a base class or mixin defined in the scanned project counts
as the view's own. A mixin does not know its model, so its ``get_queryset`` counts when it filters on a
tenant key (``org``, ``org_id``, ``tenant``…) by a trusted value, or calls a scoping method.
"""

from __future__ import annotations

import libcst as cst

from tenantlint.analysis.exprs import dotted
from tenantlint.analysis.nesting import with_headroom
from tenantlint.analysis.orm.django import split_lookup
from tenantlint.analysis.source import SourceError, parse
from tenantlint.config.model import Config
from tenantlint.config.patterns import PatternSet


def _trusted_filter(fn: cst.FunctionDef, keys: frozenset[str], trusted: PatternSet,
                    scoping: frozenset[str]) -> bool:
    found = False

    class V(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            nonlocal found
            if not isinstance(node.func, cst.Attribute):
                return
            method = node.func.attr.value
            if method in scoping:
                found = True
                return
            if method not in ("filter", "for_tenant", "where", "filter_by"):
                return
            for arg in node.args:
                if arg.keyword is None:
                    continue
                path, op = split_lookup(arg.keyword.value)
                text = dotted(arg.value) or ""
                if text.startswith("self.request.") and not trusted.match(text):
                    text = text[len("self."):]  # the view's request, as in `request.tenant`
                last = path.split("__")[-1]
                tenant_key = last in keys or f"{last}_id" in keys
                if tenant_key and op in ("eq", "in") and trusted.match(text):
                    found = True

    fn.visit(V())
    return found


@with_headroom
def scoped_view_bases(text: str, config: Config) -> set[str]:
    try:
        module = parse(text)
    except SourceError:
        return set()
    return module_scoped_view_bases(module, config)


def module_scoped_view_bases(module: cst.Module, config: Config) -> set[str]:
    """``scoped_view_bases`` of an already parsed module."""
    keys = frozenset(config.tenant_keys) | frozenset(config.tenant_columns)
    trusted = PatternSet.compile(config.trusted_sources)
    scoping = frozenset(n.rsplit(".", 1)[-1] for n in config.scoping_methods)
    out: set[str] = set()
    for stmt in module.body:
        if not isinstance(stmt, cst.ClassDef) or not isinstance(stmt.body, cst.IndentedBlock):
            continue
        for item in stmt.body.body:
            if isinstance(item, cst.FunctionDef) and item.name.value == "get_queryset":
                if _trusted_filter(item, keys, trusted, scoping):
                    out.add(stmt.name.value)
    return out
