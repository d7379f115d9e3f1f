"""Evaluation of operators, literals and comprehensions: the part of the evaluator that knows no
query, request or view (those stay in ``evaluator.py``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, TypeVar

import libcst as cst

from tenantlint.analysis.facts import Trust
from tenantlint.analysis.interp import scoped_ids, scoped_keys
from tenantlint.analysis.interp.calls import dispatch_table, note_event
from tenantlint.analysis.interp.evaluator_part import EvaluatorPart
from tenantlint.analysis.interp.exprs import merge_prov, string_value
from tenantlint.analysis.interp.queue_producers import consumer_called
from tenantlint.analysis.interp.values import (
    UNKNOWN,
    DictValue,
    Dispatch,
    Origin,
    QueryValue,
    RowsById,
    ScopedKeys,
    SeqValue,
    Value,
    own_origin,
    worse,
)
from tenantlint.analysis.rawsql.text import merged as sql_either

T = TypeVar("T")


class OperatorEvaluation(EvaluatorPart):
    """Mixin of :class:`tenantlint.analysis.interp.evaluator.Evaluator`."""

    if TYPE_CHECKING:
        def iterate(self, value: Value) -> Value: ...
        def discard(self, origin: Origin) -> None: ...

    # ----- operators and literals -----------------------------------------------------------
    def _eval_Await(self, node: cst.Await) -> Value:
        return self.eval(node.expression, use=False)

    def _eval_BinaryOperation(self, node: cst.BinaryOperation) -> Value:
        for orm in self.orms:
            out = orm.combine(self._host(), node)
            if out is not None:
                return out
        left = self.eval(node.left)
        right = self.eval(node.right)
        return scoped_ids.operator_value(node.operator, left, right, (node.left, node.right))

    def _eval_UnaryOperation(self, node: cst.UnaryOperation) -> Value:
        for orm in self.orms:
            out = orm.negate(self._host(), node)
            if out is not None:
                return out
        return Value(self.eval(node.expression).prov)

    def _eval_BooleanOperation(self, node: cst.BooleanOperation) -> Value:
        left = self.eval(node.left, use=False)
        right = self.eval(node.right, use=False)
        for v in (left, right):
            if isinstance(v, QueryValue):
                self.consume(v)
        if left.untrusted:
            return left
        if right.untrusted:
            return right
        if left.entries and right.entries and left.prov == right.prov:  # ``d.get("a") or d.get("b")``
            return replace(right, entries=tuple(dict.fromkeys((*left.entries, *right.entries))))
        unknown = left.prov.trust is Trust.UNKNOWN and right.prov.trust is Trust.UNKNOWN
        if unknown and left.prov != right.prov and (own_origin(left) or own_origin(right)) \
                and not left.scoped_row_of and not right.scoped_row_of:
            # ``entry.get("parent_id") or root_id``: a parameter's value or another, of no one origin
            # (``ids or []``: the left's values, or none)
            if _literal(node.right):
                return left
            if not _literal(node.left):
                return Value()
        return right if not left.trusted else left

    def _eval_Comparison(self, node: cst.Comparison) -> Value:
        for orm in self.orms:
            out = orm.compare(self._host(), node)
            if out is not None:
                return out
        self.eval(node.left)
        for target in node.comparisons:
            self.eval(target.comparator)
        return Value()

    def _eval_IfExp(self, node: cst.IfExp) -> Value:
        self.eval(node.test)
        body = self.eval(node.body, use=False)
        orelse = self.eval(node.orelse, use=False)
        if (isinstance(body, QueryValue) and isinstance(orelse, QueryValue) and body.origin is not None
                and orelse.origin is not None and body.origin is not orelse.origin
                and body.origin.table == orelse.origin.table and body.state == orelse.state
                and not body.origin.uses and not orelse.origin.uses):
            # ``State.triage_objects if triage else State.objects``: a choice of manager, the same
            # query whichever is chosen; the chain applied to it is judged once, on the first.
            self.discard(orelse.origin)
            return body
        either = sql_either(body, orelse)
        if either is not None:
            return either
        # ``json.loads(data) if data is not None else None``: a parameter's values (or none)
        if _literal(node.orelse) and body.prov.trust is Trust.UNKNOWN:
            return body
        if _literal(node.body) and orelse.prov.trust is Trust.UNKNOWN:
            return orelse
        return worse(body, orelse)

    def _eval_FormattedString(self, node: cst.FormattedString) -> Value:
        parts = [
            self.eval(p.expression) for p in node.parts if isinstance(p, cst.FormattedStringExpression)
        ]
        return Value(merge_prov(parts)) if parts else Value()

    def _eval_SimpleString(self, node: cst.SimpleString) -> Value:
        return Value()

    def _eval_Integer(self, node: cst.Integer) -> Value:
        return Value()

    def _eval_Dict(self, node: cst.Dict) -> Value:
        values: list[Value] = []
        carries = False
        for el in node.elements:
            if isinstance(el, cst.DictElement):
                key = string_value(el.key)
                self.eval(el.key)
                v = self.eval(el.value)
                values.append(v)
                if key is not None and key.lower() in self.ctx.settings.tenant_keys and v.untrusted:
                    carries = True
            else:
                values.append(self.eval(el.value))
        items = tuple(
            (key, v)
            for el, v in zip(node.elements, values, strict=True)
            if isinstance(el, cst.DictElement) and (key := string_value(el.key)) is not None
        )
        prov = merge_prov([v for v in values if v.untrusted]) if carries else UNKNOWN
        callees = dispatch_table(self.ctx, self.fn, node)
        if callees is not None:
            return Dispatch(prov, carries_tenant_key=carries, items=items,
                            callees=tuple(c for _, c in callees),
                            names=tuple((k, c) for k, c in callees if k is not None))
        return DictValue(prov, carries_tenant_key=carries, items=items, empty=not node.elements)

    def _eval_List(self, node: cst.List | cst.Tuple) -> Value:
        values: list[Value] = []
        known: list[Value] = []  # the elements before the first ``*spread``, by position
        open_ended = False
        for el in node.elements:
            v = self._element(el)
            values.append(v)
            open_ended = open_ended or isinstance(el, cst.StarredElement)
            if not open_ended:
                known.append(v)
        together = scoped_ids.joined(values) if values else None  # ``[a.id, b.id]`` of scoped rows
        by_key = scoped_ids.keyed(values) if together is None else None  # ``[p.id, *scoped_ids]``
        prov = by_key.prov if by_key is not None else merge_prov(values) if values else UNKNOWN
        return SeqValue(prov, items=tuple(known),
                        open_ended=open_ended,
                        scoped_row_of=together.scoped_row_of if together is not None else None,
                        row_key=together is not None and together.row_key,
                        key_field=together.key_field if together is not None else "")

    _eval_Tuple = _eval_List

    def _eval_Set(self, node: cst.Set) -> Value:
        values = [self._element(el) for el in node.elements]
        together = scoped_ids.joined(values) or scoped_ids.keyed(values)
        return together if together is not None else Value(merge_prov(values))

    def _element(self, el: cst.BaseElement) -> Value:
        """An element of a list, tuple or set display; ``*query`` spreads the query's rows, as
        ``list(query)`` holds them."""
        if isinstance(el, cst.StarredElement):
            spread = self.eval(el.value, use=False)
            if isinstance(spread, QueryValue):
                row = self.iterate(spread)
                return Value(row.prov, scoped_row_of=row.scoped_row_of)
            return spread
        return self.eval(el.value)

    def _eval_Lambda(self, node: cst.Lambda) -> Value:
        body = node.body
        if (isinstance(body, cst.Call) and not _has_params(node)
                and consumer_called(self.ctx, body) is not None):
            # ``on_commit(lambda: queue_json_publish("q", event))``: an event put on a named queue
            note_event(self.ctx, self.fn, body, [self.eval(a.value, use=False) for a in body.args])
        return Value()

    def _eval_NamedExpr(self, node: cst.NamedExpr) -> Value:
        value = self.eval(node.value, use=False)
        if isinstance(node.target, cst.Name):
            self.fn.env[node.target.value] = value
        return value

    def in_comprehension(self, node: cst.ListComp | cst.SetComp | cst.GeneratorExp | cst.DictComp,
                         body: Callable[[], T], conditions: bool = True) -> T:
        """Run ``body`` with the comprehension's loop variables bound (its ``for`` evaluated, and its
        ``if``s when ``conditions``)."""
        saved = dict(self.fn.env)
        saved_loops = set(self.fn.loop_names)
        comp: cst.CompFor | None = node.for_in
        try:
            while comp is not None:
                element = self.iterate(self.eval(comp.iter, use=False))
                self.fn.bind_loop(comp.target, element)
                for cond in comp.ifs if conditions else ():
                    self.eval(cond.test)
                comp = comp.inner_for_in
            return body()
        finally:
            self.fn.env = saved
            self.fn.loop_names = saved_loops

    def _comprehension(self, node: cst.ListComp | cst.SetComp | cst.GeneratorExp | cst.DictComp) -> Value:
        def element() -> Value:
            if isinstance(node, cst.DictComp):
                key, value = self.eval(node.key), self.eval(node.value)
                if (scoped_ids.carried(key) and key.row_key and scoped_ids.carried(value)
                        and not value.row_key and value.scoped_row_of == key.scoped_row_of):
                    # ``{str(i.id): i for i in scoped}``: rows by their own ids
                    return RowsById(value.prov, table=value.scoped_row_of or "", keys=scoped_ids.kept(key))
                by_ids = scoped_keys.comprehended(key, value)  # ``{u.id: u.email for u in scoped}``
                return by_ids if by_ids is not None else Value(merge_prov([key, value]))
            return self.eval(node.elt)

        # Ids taken from rows that carry their tenant carry it too (``[g.id for g in scoped_groups]``).
        found = self.in_comprehension(node, element)
        if isinstance(found, ScopedKeys):
            return found
        if found.untrusted:
            return Value(found.prov)
        return scoped_ids.kept(found)

    _eval_ListComp = _comprehension
    _eval_SetComp = _comprehension
    _eval_GeneratorExp = _comprehension
    _eval_DictComp = _comprehension


def _literal(node: cst.BaseExpression) -> bool:
    """``None``, ``[]``, ``{}``, ``()``, ``0``, ``""``: a literal that holds no value of its own."""
    if isinstance(node, cst.Name):
        return node.value in ("None", "False", "True")
    if isinstance(node, cst.List | cst.Tuple | cst.Set | cst.Dict):
        return not node.elements
    return isinstance(node, cst.Integer | cst.Float | cst.SimpleString)


def _has_params(node: cst.Lambda) -> bool:
    p = node.params
    return bool(p.params or p.posonly_params or p.kwonly_params or p.star_kwarg is not None
                or not isinstance(p.star_arg, cst.MaybeSentinel))
