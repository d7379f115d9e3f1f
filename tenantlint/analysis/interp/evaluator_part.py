"""The base of the evaluator's parts (``operators.py``, ``call_eval.py``): what a part may use of
the whole :class:`tenantlint.analysis.interp.evaluator.Evaluator`, and the evaluator as the plug-ins
see it."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

import libcst as cst

from tenantlint.analysis.interp.values import QueryValue, Value

if TYPE_CHECKING:
    from tenantlint.analysis.interp.file_context import FileContext
    from tenantlint.analysis.interp.function_state import FunctionState
    from tenantlint.analysis.plugins import Evaluation, OrmPlugin


class EvaluatorPart:
    """Mixin base of :class:`tenantlint.analysis.interp.evaluator.Evaluator`."""

    ctx: FileContext
    fn: FunctionState
    orms: tuple[OrmPlugin, ...]

    if TYPE_CHECKING:
        def eval(self, node: cst.BaseExpression, use: bool = True) -> Value: ...
        def eval_args(self, call: cst.Call, use: bool = True) -> list[Value]: ...
        def consume(self, q: QueryValue) -> None: ...

    def _host(self) -> Evaluation:
        """This evaluator as the plug-ins see it."""
        return cast("Evaluation", self)
