"""Locals that hold constants: values a function computes from nothing its caller or the request
gives it (docs/concepts.md, "Across functions").

``recent = timezone_now() - timedelta(seconds=OFFLINE_SECS)``, ``events = [Kind.CREATED,
Kind.DELETED]``: an expression of literals, module-level names (and their attributes), operators,
containers and calls of such, that reads no local, no parameter and no request, runs no query and
evaluates to a plain value of unknown origin. Such a local is a constant where a query's keys are
counted (``calls.param_keys``): like a literal written in place, it does not stop a query keyed by
the function's parameters from being an id-keyed helper judged at its call sites.
"""

from __future__ import annotations

from dataclasses import replace

import libcst as cst

from tenantlint.analysis.facts import Provenance, Trust
from tenantlint.analysis.interp.function_state import FunctionState
from tenantlint.analysis.interp.values import CONSTANT_ORIGIN, DictValue, SeqValue, Value
from tenantlint.analysis.source.visit import visit

_PLAIN = (Value, SeqValue, DictValue)
_SOURCE = CONSTANT_ORIGIN


class _Reads(cst.CSTVisitor):
    """The names an expression reads (not attribute names or keywords), and whether it has a part
    that binds or defers names of its own (a lambda, a comprehension) or awaits."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self.opaque = False

    def visit_Name(self, node: cst.Name) -> None:
        self.names.append(node.value)

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        visit(node.value, self)
        return False

    def visit_Arg(self, node: cst.Arg) -> bool:
        visit(node.value, self)  # not the keyword
        return False

    def _opaque(self, node: cst.CSTNode) -> bool:
        self.opaque = True
        return False

    visit_Lambda = _opaque  # type: ignore[assignment]
    visit_ListComp = _opaque  # type: ignore[assignment]
    visit_SetComp = _opaque  # type: ignore[assignment]
    visit_GeneratorExp = _opaque  # type: ignore[assignment]
    visit_DictComp = _opaque  # type: ignore[assignment]
    visit_Await = _opaque  # type: ignore[assignment]
    visit_NamedExpr = _opaque  # type: ignore[assignment]


def reads_of(expr: cst.BaseExpression) -> list[str] | None:
    """The names ``expr`` reads, or None when a part of it binds or defers names of its own."""
    reads = _Reads()
    visit(expr, reads)
    return None if reads.opaque else reads.names


def constant_value(fn: FunctionState, expr: cst.BaseExpression, value: Value,
                   ran_query: bool) -> Value | None:
    """``value`` marked as a constant when ``expr`` computes it from constants alone, else None."""
    if ran_query or type(value) not in _PLAIN or value.prov != Provenance(Trust.UNKNOWN):
        return None
    if value.scoped_row_of or value.entries or value.carries_tenant_key:
        return None
    if isinstance(value, SeqValue | DictValue) and not value.items:
        return None  # ``ids = []``: filled later, by whatever the function puts into it
    reads = _Reads()
    visit(expr, reads)
    if reads.opaque:
        return None
    for name in reads.names:
        if name in fn.params or name in fn.request_names or name in ("self", "cls"):
            return None
        held = fn.env.get(name)
        if held is None or held.prov.source == _SOURCE or held is fn.module_env.get(name):
            continue  # an import, a builtin, a constant local, a module-level name not rebound here
        return None
    return replace(value, prov=Provenance.unknown(_SOURCE))
