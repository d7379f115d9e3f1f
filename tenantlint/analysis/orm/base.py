"""What an ORM family plugs into the evaluator. The core never names an ORM."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

import libcst as cst

from tenantlint.analysis.interp.values import ModelRef, QueryValue, Value

if TYPE_CHECKING:
    from tenantlint.analysis.interp.evaluator import Evaluator


class OrmFamily(Protocol):
    name: str
    families: frozenset[str]  # ModelInfo.family values this plug-in handles

    def model_attribute(self, ev: Evaluator, model: ModelRef, attr: str, node: cst.Attribute) -> Value | None:
        """``Invoice.objects`` -> a query; None when the attribute is not the ORM's business."""
        ...

    def model_call(self, ev: Evaluator, model: ModelRef, call: cst.Call) -> Value | None:
        """``Invoice(number=1)`` -> an unsaved instance."""
        ...

    def query_method(self, ev: Evaluator, query: QueryValue, method: str, call: cst.Call) -> Value | None:
        """``qs.filter(...)`` and friends; None to fall back to a plain call."""
        ...

    def function_call(self, ev: Evaluator, qualname: str, call: cst.Call) -> Value | None:
        """``get_object_or_404(...)``, ``Q(...)``, ``select(...)``; None when not this ORM's."""
        ...

    def compare(self, ev: Evaluator, node: cst.Comparison) -> Value | None:
        """``Invoice.org_id == x`` -> a predicate; None when not this ORM's."""
        ...
