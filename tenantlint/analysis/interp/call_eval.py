"""Evaluation of calls: ``f(...)`` and ``receiver.method(...)``, each answered by the first step that
knows it (a framework, a loaded model, an ORM, the request, the config's patterns, a builtin); the
part of the evaluator that dispatches calls (the values and facts stay in ``evaluator.py``)."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import libcst as cst

from tenantlint.analysis.facts import Provenance
from tenantlint.analysis.interp import (
    calls,
    filter_helpers,
    id_sets,
    receivers,
    records,
    row_maps,
    scoped_ids,
    scoped_keys,
    signed_values,
)
from tenantlint.analysis.interp.evaluator_part import EvaluatorPart
from tenantlint.analysis.interp.executor_calls import inner_call
from tenantlint.analysis.interp.exprs import SCOPING_SOURCE, dotted, merge_prov, string_value
from tenantlint.analysis.interp.maybe_none import NONE_LITERAL
from tenantlint.analysis.interp.own_queryset import own_queryset
from tenantlint.analysis.interp.routed_kwargs import absent_kwarg
from tenantlint.analysis.interp.values import (
    Built,
    DictValue,
    Dispatch,
    IdSets,
    Instance,
    ModelRef,
    QueryValue,
    RowMap,
    RowsById,
    RowValue,
    ScopedPairs,
    SeqValue,
    Value,
    own_origin,
)
from tenantlint.analysis.interp.written_rows import spend_written_row
from tenantlint.crossfn.records import KEYED_ROWS, PARAMETER

if TYPE_CHECKING:
    from tenantlint.analysis.plugins import FrameworkPlugin

# The JSON libraries' codecs: ``orjson``, ``ujson`` and ``simplejson`` read and write as ``json`` does.
JSON_CODECS = frozenset(f"{lib}.{fn}" for lib in ("json", "orjson", "ujson", "simplejson")
                        for fn in ("dumps", "loads"))
CONVERTERS = frozenset(
    {"int", "str", "float", "UUID", "uuid.UUID", "Decimal", "decimal.Decimal",
     "bytes.decode", "escape", "strip", "ObjectId", "bson.ObjectId", *JSON_CODECS}
)
# A dict's views, asked with no argument: its keys, or (key, value) pairs, which it holds itself.
DICT_VIEWS = frozenset({"keys", "items"})
# Functions whose result yields values of their first argument's elements only: ``groupby(rows, key)``
# gives (key, group) pairs, a value read from a row and some of the rows.
GROUPERS = frozenset({"itertools.groupby"})
DICT_GETTERS = frozenset({"get", "getlist", "pop", "getone", "get_all", "__getitem__", "setdefault"})
# Methods of a related manager or queryset that hand back some of its rows (or values of them).
ROW_NARROWING = frozenset({"all", "filter", "exclude", "order_by", "values", "values_list",
                           "select_related", "prefetch_related", "distinct", "only", "defer",
                           "select_for_update", "iterator"})


class CallEvaluation(EvaluatorPart):
    """Mixin of :class:`tenantlint.analysis.interp.evaluator.Evaluator`."""

    if TYPE_CHECKING:
        def model_ref(self, model: str) -> ModelRef: ...
        def iterate(self, value: Value) -> Value: ...
        def is_request(self, node: cst.BaseExpression) -> bool: ...
        def request_method_kind(self, method: str) -> str | None: ...
        def note_request_read(self, node: cst.CSTNode, recv: Value, key: str | None) -> None: ...
        def note_unresolved(self, node: cst.CSTNode, reason: str | None) -> None: ...
        def view_framework(self) -> FrameworkPlugin | None: ...
        def view_table(self) -> str | None: ...
        def class_attr(self, node: cst.CSTNode, attr: str) -> Value: ...
        def _pattern_value(self, text: str | None) -> Value | None: ...
        def _query_like(self, node: cst.Call, qualname: str) -> str | None: ...

    def _eval_Call(self, node: cst.Call) -> Value:
        inner = inner_call(self.ctx, self.fn, node)
        if inner is not None:  # ``thread_pool_exec(f, a)``: the call ``f(a)`` it makes
            return self._eval_Call(inner)
        for fw in self.ctx.plugins.frameworks:
            known = fw.call(self._host(), node)
            if known is not None:
                return known
        signed = signed_values.evaluate(self.ctx.plugins.frameworks, self.ctx.imports, self.fn.env, node)
        if signed is not None:  # ``signer.unsign(token)``: a value the server issued
            self.eval_args(node)
            return signed
        func = node.func
        loaded = receivers.loaded_model(self._host(), node) or (
            receivers.owner_model(self._host()) if receivers.is_self_class(self._host(), node) else None)
        if loaded is not None:
            self.eval_args(node)
            return loaded
        if isinstance(func, cst.Attribute):
            value = self._method_call(node, func)
            if node.args and isinstance(value, QueryValue):  # ``Model.update(data)`` reads ``data``
                self.fn.query_calls.add(id(node))  # (``kept_entries.py``)
            return value
        if isinstance(func, cst.Name) and func.value in self.fn.env:
            args = self.eval_args(node)
            table = self.fn.env[func.value]
            if isinstance(table, Dispatch):
                calls.note_dispatch(self.ctx, self.fn, node, table, args)
            return Value()
        pattern = self._pattern_value(dotted(node))
        if pattern is not None:
            self.eval_args(node)
            return pattern
        name = dotted(func)
        if name is not None:
            out = self._named_call(node, func, name)
            if out is not None:
                return out
        self.eval(func, use=False)
        args = self._call_args(node)
        returned = calls.note_call(self.ctx, self.fn, node, args)
        if returned is not None:
            return self._returned(node, returned)
        return self._handed_back(node, args) or self._verified_result(name) or Value()

    def _verified_result(self, name: str | None) -> Value | None:
        """What a membership check returns (``check, rw = get_check_for_user(request, code)``): the
        row it verified, or a verdict about the caller, so a trusted value (a row of a tenant table
        that carries its tenant)."""
        check = (name or "").rsplit(".", 1)[-1]
        if not check or check not in self.ctx.settings.membership_checks:
            return None
        return Value(Provenance.trusted(f"returned by the membership check {check}()"))

    def _call_args(self, node: cst.Call) -> list[Value]:
        """The arguments of a call of a project function; a statement given to a parameter the callee
        only extends and hands back is not run by the call (``interp/passes.py``)."""
        through = calls.through_args(self.ctx, self.fn, node)
        return [self.eval(a.value, use=i not in through) for i, a in enumerate(node.args)]

    def _handed_back(self, node: cst.Call, args: list[Value]) -> Value | None:
        """The query a pass-through call hands back: the one it was given (still not run)."""
        through = calls.through_args(self.ctx, self.fn, node)
        for i in sorted(through):
            if isinstance(args[i], QueryValue):
                return args[i]
        return None

    def _returned(self, node: cst.Call, returned: Value) -> Value:
        """A project function's return value at its call; a builder's query becomes this call's own
        query (judged here, with the filters the caller adds), naming the builder."""
        if not isinstance(returned, Built):
            return returned
        tenant = self.ctx.index.tenant_table(returned.table)
        q: QueryValue = self._host().new_query(node, returned.family, returned.table, tenant)
        assert q.origin is not None
        q.origin.via = f"via {returned.helper}() ({returned.path}:{returned.line})"
        q.origin.via_call = node
        self.ctx.built_at.setdefault(id(node), []).append(q.origin)
        return replace(q, single_row=returned.single_row)

    def _named_call(self, node: cst.Call, func: cst.BaseExpression, name: str) -> Value | None:
        """``Invoice(...)``, ``get_object_or_404(...)``, ``int(x)``: a model, an ORM function, a builtin."""
        qual = self.ctx.imports.qualify(name)
        model = self.ctx.model_name(name) if isinstance(func, cst.Name) else None
        held = receivers.model_of(self._host(), func) if model is None else None
        if model is not None or held is not None:
            out = self._orm_model_call(held or self.model_ref(model or ""), node)
            if out is not None:
                return out
        out = self._orm_function_call(qual, node)
        if out is not None:
            return out
        self.note_unresolved(node, self._query_like(node, qual))
        return self._builtin_call(node, name, qual)

    def _builtin_call(self, node: cst.Call, name: str, qual: str) -> Value | None:
        """A converter keeps its argument's provenance, a container merges its arguments'."""
        if qual in GROUPERS:
            return self._grouped(node)
        sets = id_sets.started(qual, node)  # ``defaultdict(set)``
        if sets is not None:
            return sets
        if name in CONVERTERS or qual in CONVERTERS or qual.rsplit(".", 1)[-1] in ("UUID",):
            args = self.eval_args(node)
            if args and scoped_ids.carried(args[0]):
                return scoped_ids.kept(args[0])  # ``str(issue.id)``: the same id, spelled otherwise
            return Value(args[0].prov) if args else Value()
        if name in ("dict", "list", "tuple", "set", "frozenset", "sorted", "reversed"):
            args = self.eval_args(node)
            if name != "dict" and len(args) == 1 and isinstance(args[0], QueryValue):
                # ``list(scoped_query)``: its elements are the query's rows (``iterate`` judges them).
                row = self.iterate(args[0])
                return Value(row.prov, scoped_row_of=row.scoped_row_of)
            if name != "dict" and args and scoped_ids.carried(args[0]):
                return scoped_ids.kept(args[0])  # ``set(ids)``, ``sorted(ids, key=...)``
            keys = scoped_keys.keys_of(args[0]) if name != "dict" and args else None
            if keys is not None:
                return keys  # ``list(by_id)``: the keys of a dict keyed by scoped ids
            if name != "dict" and args and isinstance(args[0], ScopedPairs):
                return args[0]  # ``sorted(by_id.items())``: the same pairs
            if name != "dict" and not node.args:
                return SeqValue()  # ``set()``: empty, holds no value of its own
            if name != "dict" and len(args) == 1 and args[0].beside_scoped:
                return scoped_ids.kept(args[0])  # ``list({target.id} | scoped_ids)``: the same union
            return Value(merge_prov(args)) if args else Value()
        if name in ("getattr",) and len(node.args) >= 2:
            args = self.eval_args(node)
            return Value(args[0].prov)
        return None

    def _grouped(self, node: cst.Call) -> Value:
        """``itertools.groupby(rows, key)``: its pairs hold values of ``rows``' elements only, so
        they keep what those elements are (rows of a query keyed by parameters, scoped ids, request
        input)."""
        args = self.eval_args(node)
        if not args or node.args[0].star or node.args[0].keyword:
            return Value(merge_prov(args)) if args else Value()
        first = args[0]
        if isinstance(first, QueryValue):
            row = self.iterate(first)
            return Value(row.prov, scoped_row_of=row.scoped_row_of)
        if scoped_ids.carried(first):
            return scoped_ids.kept(first)
        return Value(first.prov)

    def _method_call(self, node: cst.Call, func: cst.Attribute) -> Value:
        """``receiver.method(...)``: the first step that knows the call answers it, in this order."""
        for before_receiver in (self._converter_call, self._constructor_call, self._request_method_call,
                                self._pattern_call, self._view_method_call, self._get_queryset_call,
                                self._filter_helper_call):
            out = before_receiver(node, func)
            if out is not None:
                return out
        recv = self.eval(func.value, use=False)
        spend_written_row(self.fn, node, func)
        for on_receiver in (self._query_method_call, self._model_method_call, self._save_call):
            out = on_receiver(node, func, recv)
            if out is not None:
                return out
        return self._other_method_call(node, func, recv)

    # The steps of ``_method_call`` before the receiver is evaluated: None when the step does not apply.
    def _converter_call(self, node: cst.Call, func: cst.Attribute) -> Value | None:
        """``uuid.UUID(x)``, ``json.loads(x)``: the provenance of the first argument."""
        name = dotted(func)
        if name is not None and self.ctx.imports.qualify(name) in GROUPERS:
            return self._grouped(node)
        if name is None or (name not in CONVERTERS and self.ctx.imports.qualify(name) not in CONVERTERS):
            return None
        args = self.eval_args(node)
        json_codec = name in JSON_CODECS or self.ctx.imports.qualify(name) in JSON_CODECS
        if args and json_codec and isinstance(args[0], DictValue | SeqValue) and not isinstance(
                args[0], Dispatch):
            return args[0]  # ``json.dumps({...})``: the entries, read back by ``json.loads`` later
        if args and scoped_ids.carried(args[0]):
            return scoped_ids.kept(args[0])
        return Value(args[0].prov, entries=args[0].entries) if args else Value()

    def _constructor_call(self, node: cst.Call, func: cst.Attribute) -> Value | None:
        """``self.model(**data)``, ``models.Invoice(...)``: a constructor."""
        held = receivers.model_of(self._host(), func)
        if held is None:
            return None
        out = self._orm_model_call(held, node)
        if out is not None:
            return out
        self.eval_args(node)
        return Value()

    def _request_method_call(self, node: cst.Call, func: cst.Attribute) -> Value | None:
        """``request.get_json()``: untrusted, of the kind the framework names."""
        if not self.is_request(func.value):
            return None
        kind = self.request_method_kind(func.attr.value)
        if kind is None:
            return None
        self.eval_args(node)
        return Value(Provenance.untrusted(kind))

    def _pattern_call(self, node: cst.Call, func: cst.Attribute) -> Value | None:
        """A call the config's trusted or untrusted patterns name."""
        pattern = self._pattern_value(dotted(node))
        if pattern is not None:
            self.eval_args(node)
        return pattern

    def _filter_helper_call(self, node: cst.Call, func: cst.Attribute) -> Value | None:
        """``cls._visible(ids, uid)``: the predicate a one-expression helper of this class builds."""
        return filter_helpers.inline_filter(self, node, func)

    def _view_method_call(self, node: cst.Call, func: cst.Attribute) -> Value | None:
        """``self.get_object()`` in a view: what the view's framework knows of its own methods."""
        if dotted(func.value) != "self" or (fw := self.view_framework()) is None:
            return None
        return fw.view_method(self._host(), func.attr.value, node, self.view_table())

    def _get_queryset_call(self, node: cst.Call, func: cst.Attribute) -> Value | None:
        """``self.get_queryset()`` / ``super().get_queryset()`` of a class that defines it."""
        if (func.attr.value != "get_queryset" or not self.fn.class_attrs
                or dotted(func.value) not in ("self", "super()")):
            return None
        if dotted(func.value) == "self":  # the class's own, when confined (``own_queryset.py``)
            attrs = self.fn.class_attrs
            own = own_queryset(attrs, attrs.get("queryset") or attrs.get("model"))
            if own is not None and own.origin is not None:
                self.eval_args(node)
                q = self._host().new_query(node, own.origin.family, own.origin.table, own.origin.tenant,
                                           own.state)
                assert q.origin is not None
                q.origin.internal = True
                return q
        return self.class_attr(node, "get_queryset")

    # The steps after the receiver ``recv`` is evaluated.
    def _query_method_call(self, node: cst.Call, func: cst.Attribute, recv: Value) -> Value | None:
        """A chain method of a query: its ORM answers, else the query is used and the result unknown."""
        if not isinstance(recv, QueryValue) or recv.origin is None:
            return None
        for orm in self.orms:
            if recv.origin.family in orm.families:
                out = orm.query_method(self._host(), recv, func.attr.value, node)
                if out is not None:
                    return out
        self.consume(recv)
        self.eval_args(node)
        return Value()

    def _model_method_call(self, node: cst.Call, func: cst.Attribute, recv: Value) -> Value | None:
        """``Model.objects.filter(...)``-like calls on a model: the query its ORM starts."""
        if not isinstance(recv, ModelRef):
            return None
        method = func.attr.value
        for orm in self.orms:
            if recv.family in orm.families:
                attr_value = orm.model_attribute(self._host(), recv, method, func)
                if isinstance(attr_value, QueryValue) and attr_value.origin is not None:
                    out = orm.query_method(self._host(), attr_value, method, node)
                    if out is not None:
                        return self._model_helper(node, out)
        return None  # ``Model.helper(...)``: a method of the project (``_other_method_call``)

    def _model_helper(self, node: cst.Call, out: Value) -> Value:
        """``Model.helper(...)`` the ORM took for a query it may return (a tentative one): a call of a
        method of the project too, whose summary, when it has one, says what it returns."""
        origin = out.origin if isinstance(out, QueryValue) else None
        last = self.fn.last_args
        if origin is None or not origin.tentative or last is None or last[0] is not node:
            return out
        returned = calls.note_call(self.ctx, self.fn, node, last[1])
        if returned is None:
            return out
        self._host().discard(origin)
        return self._returned(node, returned)

    def _save_call(self, node: cst.Call, func: cst.Attribute, recv: Value) -> Value | None:
        """``row.save()`` of a model instance: an insert or update, recorded by its ORM."""
        if not isinstance(recv, Instance) or func.attr.value != "save":
            return None
        self.eval_args(node)
        for orm in self.orms:
            if orm.save_instance(self._host(), recv, node):
                break
        return Value()

    def _other_method_call(self, node: cst.Call, func: cst.Attribute, recv: Value) -> Value:
        """Any other method: an ORM function, else a call noted for the across-functions check."""
        method = func.attr.value
        qual = self.ctx.imports.qualify(dotted(func) or "")
        out = self._orm_function_call(qual, node)
        if out is not None:
            return out
        if not recv.trusted and not recv.untrusted:
            self.note_unresolved(node, self._query_like(node, qual))
        args = self._call_args(node)
        returned = calls.note_call(self.ctx, self.fn, node, args)
        if returned is not None:
            return self._returned(node, returned)
        scoped = self._scoped_ids_method(func, method, recv, args)
        if scoped is not None:
            return scoped
        back = self._handed_back(node, args) or self._verified_result(method)
        if back is not None:
            return back
        if method in self.ctx.settings.scoping_methods:
            # ``self._filter_builder()``: the filter a scoping method builds, spread into a query later
            # (``filter_by(**self._filter_builder())``).
            return Value(Provenance.trusted(f"{SCOPING_SOURCE}{method}"))
        if method in DICT_GETTERS and node.args:
            if isinstance(recv, Dispatch):
                return calls.dispatch_entry(recv, string_value(node.args[0].value),
                                            calls.selector(self.fn, node.args[0].value))
            key = string_value(node.args[0].value)
            if method == "get" and len(args) <= 2 and absent_kwarg(recv, key):
                # ``self.kwargs.get("slug", None)`` of a view no route gives it: the default
                return args[1] if len(args) == 2 else NONE_LITERAL
            return self._keyed_read(node, recv, key)
        if recv.untrusted or recv.trusted:
            return Value(recv.prov, scoped_row_of=recv.scoped_row_of)
        if (method in ROW_NARROWING or method in DICT_VIEWS and not node.args) and own_origin(
                recv).startswith((PARAMETER, KEYED_ROWS)):
            # ``message.attachment_set.all()``, ``messages.filter(...)`` of a parameter: rows it
            # holds; ``field_data.keys()``: the keys of the dict it is
            return Value(recv.prov)
        if method in ("format", "join") and args:
            return Value(merge_prov([recv, *args]))
        return Value()

    def _scoped_ids_method(self, func: cst.Attribute, method: str, recv: Value, args: list[Value]
                           ) -> Value | None:
        """``ids.append(v)`` grows the local ``ids`` (scoped ids while every value put in is one);
        ``ids.difference(other)`` and the like are scoped ids (``interp/scoped_ids.py``)."""
        holder = func.value.value if isinstance(func.value, cst.Subscript) else None
        if method in id_sets.ENTRY_GROWERS and isinstance(holder, cst.Name) \
                and isinstance(self.fn.env.get(holder.value), IdSets) and args:
            sets = self.fn.env[holder.value]  # ``d[k].add(id)``: an entry of a dict of id collections
            assert isinstance(sets, IdSets)
            self.fn.env[holder.value] = id_sets.put(sets, args[-1])
            return None
        if method in scoped_ids.GROWERS or method in scoped_keys.KEY_GROWERS:
            if isinstance(func.value, cst.Name) and func.value.value in self.fn.env:
                old = self.fn.env[func.value.value]
                after = (row_maps.grown(old, method) or scoped_keys.key_grown(old, method, args)
                         or id_sets.grown(old, method)
                         or records.grown(old, method, args) or scoped_ids.grown(old, method, args))
                if after is not None:
                    self.fn.env[func.value.value] = after
            if method in scoped_ids.GROWERS:
                return None
        elif method in row_maps.CHANGERS and isinstance(func.value, cst.Name) \
                and isinstance(self.fn.env.get(func.value.value), RowMap):
            # ``kb_map.pop(kb_id)``: an ordinary dict from now on
            self.fn.env[func.value.value] = row_maps.ordinary(self.fn.env[func.value.value])
        view = row_maps.view_of(method, recv, args)  # ``kb_map.items()`` of a map of fetched rows
        if view is not None:
            return view
        if method in ("keys", "items") and not args:
            keys = scoped_keys.keys_of(recv) if method == "keys" else scoped_keys.items_of(recv)
            if keys is not None:
                return keys
        return scoped_ids.method_result(method, recv, args)

    def _keyed_read(self, node: cst.CSTNode, recv: Value, key: str | None) -> Value:
        """``recv[key]`` / ``recv.get(key)``: a known dict entry, else a read noted and derived."""
        if isinstance(recv, Dispatch):
            return calls.dispatch_entry(recv, key)
        held = id_sets.entry(recv)  # ``d[k]`` of a dict of id collections
        if held is not None:
            return held
        if isinstance(recv, DictValue) and key is not None:
            known = dict(recv.items).get(key)
            if known is not None:
                return known
        if isinstance(recv, RowsById):  # one of the scoped rows, when the key is found
            return RowValue(recv.prov, scoped_row_of=recv.table, table=recv.table)
        self.note_request_read(node, recv, key)
        return Value(calls.entry_prov(recv, key), scoped_row_of=recv.scoped_row_of,
                     entries=calls.entries_read(recv, key))

    def _orm_model_call(self, ref: ModelRef, node: cst.Call) -> Value | None:
        """``Model(...)``: what the model's ORM makes of it."""
        for orm in self.orms:
            if ref.family in orm.families:
                out = orm.model_call(self._host(), ref, node)
                if out is not None:
                    return out
        return None

    def _orm_function_call(self, qual: str, node: cst.Call) -> Value | None:
        """A call of the function ``qual``: the first ORM that knows it answers."""
        for orm in self.orms:
            out = orm.function_call(self._host(), qual, node)
            if out is not None:
                return out
        return None
