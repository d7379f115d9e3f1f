"""Tortoise ORM: Django-like querysets started from the model (``await Event.filter(...)``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from tenantlint.analysis.interp.predicates import PredValue, conj
from tenantlint.analysis.interp.values import ModelRef, QueryValue, Value
from tenantlint.analysis.orm.django import QUERY_METHODS, DjangoOrm
from tenantlint.index.records import ModelInfo

if TYPE_CHECKING:
    from tenantlint.analysis.plugins import Evaluation


class TortoiseOrm(DjangoOrm):
    """Lookups, ``Q``, chains and creates behave as in Django; the model itself is the manager."""

    name = "tortoise"
    families = frozenset({"tortoise"})

    def entry_point(self, ev: Evaluation, model: ModelRef, info: ModelInfo | None, attr: str,
                    node: cst.Attribute) -> Value:
        """The model class is the manager: its queryset methods (and declared managers) start a
        query; any other class attribute is a plain value."""
        if attr in QUERY_METHODS or attr in ("objects", "get_or_none") or (info and attr in info.managers):
            return ev.new_query(node, "tortoise", model.table, model.tenant)
        return Value()

    def model_attribute(self, ev: Evaluation, model: ModelRef,
                        attr: str, node: cst.Attribute) -> Value | None:
        out = super().model_attribute(ev, model, attr, node)
        if isinstance(out, QueryValue) and out.origin is not None:
            out.origin.family = "tortoise"
        return out

    def function_call(self, ev: Evaluation, qualname: str, call: cst.Call) -> Value | None:
        if qualname in ("tortoise.expressions.Q", "tortoise.query_utils.Q"):
            preds = self.leaves(ev, call)
            return PredValue(pred=conj(*preds) if preds else None)
        return None


ORM = TortoiseOrm()
