"""A nested function that queries the model its caller passes: walked once per model.

``def model_count(model): return session.scalar(select(func.count(model.id)).filter_by(group_id=g))``
defined inside a function that calls ``model_count(Recipe)`` and ``model_count(User)``: the query's
entity is a parameter, so the function is walked once per model class the enclosing body passes at
that parameter (positionally or by keyword), with the parameter bound to that model. A nested function
whose calls pass anything else at that parameter is walked as it is (its queries on the parameter
stay unresolved and are counted as not analysed).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from tenantlint.analysis.interp.exprs import dotted
from tenantlint.analysis.interp.held_models import model_ref
from tenantlint.analysis.interp.values import ModelRef
from tenantlint.analysis.source.visit import visit

if TYPE_CHECKING:
    from tenantlint.analysis.interp.file_context import FileContext

MAX_MODELS = 16


class _Calls(cst.CSTVisitor):
    def __init__(self, name: str) -> None:
        self.name = name
        self.calls: list[cst.Call] = []

    def visit_Call(self, node: cst.Call) -> None:
        if isinstance(node.func, cst.Name) and node.func.value == self.name:
            self.calls.append(node)


def param_model_walks(ctx: FileContext, fn: cst.FunctionDef, body: object
                      ) -> list[tuple[str, dict[str, ModelRef]]]:
    """(label, {param: model}) for each model the enclosing ``body`` passes to ``fn``."""
    params = [p.name.value for p in (*fn.params.posonly_params, *fn.params.params)]
    if not params:
        return []
    finder = _Calls(fn.name.value)
    for stmt in body:  # type: ignore[attr-defined]
        if stmt is not fn:
            visit(stmt, finder)
    if not finder.calls:
        return []
    for index, param in enumerate(params):
        models: dict[str, ModelRef] = {}
        for call in finder.calls:
            arg = _argument(call, index, param)
            model = ctx.model_name(dotted(arg) or "") if arg is not None else None
            if model is None:
                models = {}
                break
            models.setdefault(model, model_ref(ctx, model))
        if models:
            return [(f"{fn.name.value}({model})", {param: ref})
                    for model, ref in list(models.items())[:MAX_MODELS]]
    return []


def _argument(call: cst.Call, index: int, param: str) -> cst.BaseExpression | None:
    position = 0
    for a in call.args:
        if a.star:
            return None
        if a.keyword is not None:
            if a.keyword.value == param:
                return a.value
            continue
        if position == index:
            return a.value
        position += 1
    return None
