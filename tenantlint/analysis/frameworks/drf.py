"""Django REST framework: API views, viewsets, ``@api_view``, ``@action``, serializers.

A viewset method an ``as_view({"post": "archive"})`` mapping routes requests to (anywhere in the
project: ``index.readers.viewset_actions``) is an action as much as an ``@action`` is.

Request input: ``request.data`` (body), ``request.query_params`` (query string),
``serializer.validated_data`` / ``initial_data`` (body); ``self.kwargs`` (URL path) comes from the
Django plug-in. ``perform_create``/``perform_update`` saving a serializer of a tenant model without
passing the tenant is an insert without tenant (TNT104); the serializer's model is looked up in the
project-wide table built by ``index.readers.serializer_models``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import libcst as cst

from tenantlint.analysis.facts import Provenance
from tenantlint.analysis.frameworks.common import (
    inherits,
    params_of,
    qualified_bases,
    star_params,
    view_object,
)
from tenantlint.analysis.frameworks.drf_routing import routes_only_own_methods
from tenantlint.analysis.interp.exprs import class_attribute, dotted_name
from tenantlint.analysis.interp.trusted_context import REPRESENTED
from tenantlint.analysis.interp.values import DictValue, RowValue, Value
from tenantlint.analysis.plugins import (
    BODY,
    PATH,
    QUERY,
    ClassInfo,
    FrameworkPlugin,
    HandlerInfo,
    local_lineage,
)
from tenantlint.crossfn.records import CONTEXT, CONTEXT_SOURCE
from tenantlint.index.caller_serializers import represents_caller
from tenantlint.index.records import TenantTable

if TYPE_CHECKING:
    from tenantlint.analysis.plugins import Evaluation, FileView

REQUEST_ATTRS = {"data": BODY, "query_params": QUERY}
SERIALIZER_INPUT = frozenset({"validated_data", "initial_data"})
SERIALIZER_PACKAGE = "rest_framework.serializers."

VIEW_BASES = frozenset(
    {
        "APIView", "GenericAPIView", "ViewSet", "GenericViewSet", "ModelViewSet", "ReadOnlyModelViewSet",
        "ViewSetMixin", "CreateAPIView", "ListAPIView", "RetrieveAPIView", "DestroyAPIView",
        "UpdateAPIView", "ListCreateAPIView", "RetrieveUpdateAPIView", "RetrieveDestroyAPIView",
        "RetrieveUpdateDestroyAPIView", "CreateModelMixin", "ListModelMixin", "RetrieveModelMixin",
        "UpdateModelMixin", "DestroyModelMixin",
    }
)
HANDLER_METHODS = frozenset(
    {
        "get", "post", "put", "patch", "delete", "head", "options", "trace", "dispatch", "initial",
        "list", "retrieve", "create", "update", "partial_update", "destroy", "get_queryset",
        "get_object", "filter_queryset", "perform_create", "perform_update", "perform_destroy",
        "get_serializer_context", "get_serializer", "get_serializer_class", "paginate_queryset",
    }
)
SAVING_METHODS = frozenset({"perform_create", "perform_update"})


@dataclass(frozen=True, slots=True)
class SerializerValue(Value):
    """A serializer of a known model; ``creates`` when its ``save()`` inserts a row."""

    model: str = ""
    table: str = ""
    tenant: TenantTable | None = None
    creates: bool = False
    # The row it was built with (``Serializer(row, data=...)``) when that row carries its tenant:
    # its ``instance`` is that very row, before and after ``save()``.
    instance: RowValue | None = None
    name: str = ""  # the serializer class




def routed_action(ctx: FileView, cls: ClassInfo, method: str) -> bool:
    """A method that a ``as_view({"post": "archive"})`` mapping somewhere in the project routes
    requests to: a viewset action as much as one decorated ``@action``."""
    routed = ctx.settings.facts.viewset_actions.get(cls.name)
    return routed is not None and method in routed.replace("|", ",").split(",")


VIEWSET_ACTIONS = frozenset({"list", "retrieve", "create", "update", "partial_update", "destroy"})
VIEW_SUFFIXES = ("ViewSet", "View", "APIView", "Resource", "Endpoint")


def vendored_view(ctx: FileView, cls: ClassInfo) -> bool:
    """A project's own view classes: deriving (through project classes) from a project class named
    like DRF's (a vendored ``ModelViewSet``), or following the viewset protocol — a viewset action
    taking ``request`` in a class named like a view, or two such actions."""
    for base in qualified_bases(ctx, cls):
        last = base.rsplit(".", 1)[-1]
        if last in VIEW_BASES and _is_project_class(ctx, base):
            return True
    actions = 0
    for c in (cls, *(ctx.local_classes[b] for b in cls.bases if b in ctx.local_classes)):
        body = c.node.body.body if isinstance(c.node.body, cst.IndentedBlock) else ()
        for stmt in body:
            if isinstance(stmt, cst.FunctionDef) and stmt.name.value in VIEWSET_ACTIONS:
                names = [p.name.value for p in params_of(stmt)]
                if names[1:2] == ["request"]:
                    actions += 1
    named = cls.name.endswith(VIEW_SUFFIXES) or any(
        b.rsplit(".", 1)[-1].endswith(VIEW_SUFFIXES) for b in cls.bases)
    return actions >= 2 or (actions == 1 and named)


def _is_project_class(ctx: FileView, base: str) -> bool:
    if base in ctx.local_classes:
        return True
    table = ctx.settings.facts.class_bases
    return any(k == base or k.endswith("." + base) or base.endswith("." + k) for k in table) \
        if "." in base else False


def _tenant_names(t: TenantTable) -> set[str]:
    return set(t.insert_names())


GENERIC_ACTIONS = frozenset({"list", "retrieve", "create", "update", "partial_update", "destroy"})
_ACTION_PACKAGES = ("rest_framework.viewsets.", "rest_framework.generics.", "rest_framework.mixins.")
# DRF bases that bring no generic action of their own (the actions come from ``mixins``).
ACTIONLESS_BASES = frozenset({
    "rest_framework.generics.GenericAPIView", "rest_framework.viewsets.GenericViewSet",
    "rest_framework.viewsets.ViewSet", "rest_framework.viewsets.ViewSetMixin",
})


class Drf(FrameworkPlugin):
    name = "drf"
    url_only_parameters = True

    def view_class(self, ctx: FileView, cls: ClassInfo) -> bool:
        if inherits(ctx, cls, ("rest_framework.",), VIEW_BASES) or vendored_view(ctx, cls):
            return True
        inherited = ctx.project_bases(cls)  # ``class IssueViewSet(BaseViewSet)``, base elsewhere
        return bool(inherited) and inherits(ctx, ClassInfo(cls.name, (*cls.bases, *inherited), cls.node),
                                            ("rest_framework.",), VIEW_BASES)

    def view_method(self, ev: Evaluation, method: str,
                    call: cst.Call, view_table: str | None) -> Value | None:
        return view_object(ev, method, call, view_table)

    def _decorated(self, ctx: FileView, fn: cst.FunctionDef, name: str) -> bool:
        for d in fn.decorators:
            dec = d.decorator.func if isinstance(d.decorator, cst.Call) else d.decorator
            text = dotted_name(dec)
            if text and ctx.imports.qualify(text) == f"rest_framework.decorators.{name}":
                return True
        return False

    def handler(self, ctx: FileView, fn: cst.FunctionDef, cls: ClassInfo | None) -> HandlerInfo | None:
        names = [p.name.value for p in params_of(fn)]
        values: dict[str, Value] = {}
        if cls is None:
            if not self._decorated(ctx, fn, "api_view"):
                return None
            for n in names[1:]:
                values[n] = Value(Provenance.untrusted(f"{PATH} '{n}'"))
            for p in star_params(fn):
                values[p.name.value] = Value(Provenance.untrusted(PATH))
            request = frozenset(names[:1]) or frozenset({"request"})
            return HandlerInfo(fn.name.value, self.name, values, request)
        method = fn.name.value
        is_action = self._decorated(ctx, fn, "action") or routed_action(ctx, cls, method)
        if not (is_action or method in HANDLER_METHODS) or not self.view_class(ctx, cls):
            return None
        if method in SAVING_METHODS and len(names) >= 2:
            serializer = self._serializer_of(ctx, cls)
            values[names[1]] = serializer if serializer is not None else Value()
        elif method == "perform_destroy" and len(names) == 2:
            values[names[1]] = Value()  # ``self.get_object()``: judged where fetched (``get_queryset``)
        else:
            for n in names[1:]:
                if n != "request":
                    values[n] = Value(Provenance.untrusted(f"{PATH} '{n}'"))
            for p in star_params(fn):
                values[p.name.value] = Value(Provenance.untrusted(PATH))
        return HandlerInfo(f"{cls.name}.{method}", self.name, values, frozenset({"request"}))

    def _serializer_of(self, ctx: FileView, cls: ClassInfo) -> SerializerValue | None:
        for c in local_lineage(ctx, cls):
            value = class_attribute(c.node, "serializer_class")
            if value is not None:
                name = dotted_name(value)
                return self._serializer_value(ctx, name, creates=True) if name else None
        return None

    def _serializer_value(self, ctx: FileView, name: str, creates: bool) -> SerializerValue | None:
        local = name.rsplit(".", 1)[-1]
        model = ctx.settings.facts.serializer_models.get(ctx.imports.original_name(local))
        if model is None or ctx.model_name(model) is None and model not in ctx.index.by_model:
            return None
        table = ctx.index.table_of_model(model) or model
        return SerializerValue(model=model, table=table, tenant=ctx.tenant_of_model(model), creates=creates,
                               name=ctx.imports.original_name(local))

    def attribute(self, ev: Evaluation, node: cst.Attribute) -> Value | None:
        if node.attr.value in SERIALIZER_INPUT and ev.fn.handler is not None:
            return Value(Provenance.untrusted(BODY))
        if node.attr.value == "instance" and isinstance(node.value, cst.Name) and node.value.value == "self":
            return self._own_instance(ev)
        if node.attr.value == "instance" and isinstance(node.value, cst.Name):
            return self._saved_instance(ev, node.value.value)
        if node.attr.value == "context" and isinstance(node.value, cst.Name) and node.value.value == "self":
            return self._context(ev)
        return None

    def _context(self, ev: Evaluation) -> Value | None:
        """``self.context`` in a model serializer: what the code that built the serializer put
        there (``context={"project": project}``). Like a helper's parameters, the caller is
        responsible for it; its values are no request input, and a query keyed by them alone is
        judged where the serializer is constructed (``crossfn/context.py``). Keys some
        construction fills from the body or query string are request input here too."""
        owner = ev.fn.owner
        if owner is None or owner.name not in ev.ctx.settings.facts.serializer_models:
            return None
        prov = Provenance.trusted(CONTEXT_SOURCE)
        joined = ev.ctx.settings.facts.body_context.get(owner.name)
        if not joined:
            return Value(prov)
        # Keys some view fills from the body or query string are request input.
        keys = sorted({k for part in joined.split("|") for k in part.split(",") if k})
        return DictValue(prov, items=tuple(
            (k, Value(Provenance.untrusted(f"{BODY} (self.context['{k}'], set from request input)")))
            for k in keys))

    def _own_instance(self, ev: Evaluation) -> Value | None:
        """``self.instance`` in a model serializer: the row the view fetched (and is judged for),
        a trusted row of the serializer's model that carries its tenant."""
        owner = ev.fn.owner
        model = ev.ctx.settings.facts.serializer_models.get(owner.name) if owner is not None else None
        tenant = ev.ctx.tenant_of_model(model) if model else None
        if tenant is None:
            return None
        return RowValue(Provenance.trusted(f"self.instance, a row of {tenant.table}"),
                        scoped_row_of=tenant.table, table=tenant.table)

    def _saved_instance(self, ev: Evaluation, name: str) -> Value | None:
        """``serializer.instance`` of a serializer that creates a row: the row its ``save()`` just
        inserted. A new row belongs to the tenant it was created with (its insert is checked for
        TNT103/TNT104), so a query keyed by it or its id reads only what this code wrote."""
        recv = ev.fn.env.get(name)
        if isinstance(recv, SerializerValue) and recv.instance is not None:
            return recv.instance
        if not isinstance(recv, SerializerValue) or not recv.creates or recv.tenant is None:
            return None
        return RowValue(Provenance.trusted(f"{name}.instance, the row it just saved"),
                        scoped_row_of=recv.table, table=recv.table)

    def serves_model_attribute(self, ctx: FileView, cls: ClassInfo) -> bool:
        """DRF itself never reads ``model``; a project's base ``get_queryset`` may
        (``self.model.objects.all()``), and then only a generic action the view does not override
        serves it. A plain ``APIView``, ``GenericAPIView`` or ``GenericViewSet`` without a mixin has
        no generic action; a view that overrides every one of them judges its own handlers."""
        generic = any(
            base.startswith(_ACTION_PACKAGES) and base not in ACTIONLESS_BASES
            for base in cls.bases
        )
        if not generic or routes_only_own_methods(ctx, cls):
            return False
        body = cls.node.body.body if isinstance(cls.node.body, cst.IndentedBlock) else ()
        own = {s.name.value for s in body if isinstance(s, cst.FunctionDef)}
        return not GENERIC_ACTIONS <= own

    def method_inputs(self, ctx: FileView, cls: ClassInfo, fn: cst.FunctionDef) -> frozenset[str]:
        """A model serializer's methods are given ``self.context``."""
        return frozenset({CONTEXT}) if cls.name in ctx.settings.facts.serializer_models else frozenset()

    def method_rows(self, ctx: FileView, cls: ClassInfo, fn: cst.FunctionDef) -> dict[str, Value]:
        """``update(self, instance, validated_data)`` of a model serializer: DRF's ``save()`` passes
        ``self.instance``, the row the view fetched, as ``instance``. ``to_representation(self,
        instance)`` and a ``SerializerMethodField``'s ``get_<field>(self, obj)`` of any serializer
        receive the object being serialized: a row the view fetched and is returning (judged where
        it was fetched), or the caller when every use of the serializer in the project builds it
        for the authenticated user (``index/caller_serializers.py``)."""
        params = fn.params.params
        if fn.decorators or len(params) < 2:
            return {}
        name = params[1].name.value
        if fn.name.value == "update" and len(params) >= 3:
            model = ctx.settings.facts.serializer_models.get(cls.name)
            tenant = ctx.tenant_of_model(model) if model else None
            if tenant is None:
                return {}
            prov = Provenance.trusted(f"{name}, the serializer's instance, a row of {tenant.table}")
            return {name: RowValue(prov, scoped_row_of=tenant.table, table=tenant.table)}
        if len(params) != 2 or not (fn.name.value == "to_representation"
                                    or fn.name.value in method_fields(cls)):
            return {}
        if not is_serializer(ctx, cls):
            return {}
        if represents_caller(ctx.settings.facts.caller_serializers.get(cls.name)):
            # every use in the project builds it for the authenticated user (``UserMeSerializer(
            # request.user)``): the object is the caller (``index/caller_serializers.py``)
            return {name: Value(Provenance.trusted(f"{REPRESENTED}{cls.name} ({name})"))}
        prov = Provenance.trusted(f"{name}, the object the serializer represents")
        model = ctx.settings.facts.serializer_models.get(cls.name)
        tenant = ctx.tenant_of_model(model) if model else None
        if tenant is None:
            return {name: Value(prov)}
        return {name: RowValue(prov, scoped_row_of=tenant.table, table=tenant.table)}

    def call(self, ev: Evaluation, node: cst.Call) -> Value | None:
        func = node.func
        if type(func) is cst.Name and func.value not in ev.fn.env:  # type: ignore[attr-defined]
            assert isinstance(func, cst.Name)
            if not ev.ctx.settings.facts.serializer_models:
                return None
            positional = [a for a in node.args if a.keyword is None]
            has_instance = bool(positional) or any(
                a.keyword is not None and a.keyword.value == "instance" for a in node.args
            )
            value = self._serializer_value(ev.ctx, func.value, creates=not has_instance)
            if value is None:
                return None
            args = ev.eval_args(node)
            if any(a.keyword is not None and a.keyword.value == CONTEXT for a in node.args):
                ev.note_call(node, args)  # a call site of what its methods read from ``self.context``
            given = next((v for a, v in zip(node.args, args, strict=True)
                          if (a.keyword is None and not a.star) or
                          (a.keyword is not None and a.keyword.value == "instance")), None)
            if isinstance(given, RowValue) and given.trusted and given.scoped_row_of == value.table:
                value = replace(value, instance=given)
            return value
        if not (isinstance(func, cst.Attribute) and func.attr.value == "save"):
            return None
        owner = func.value
        if not isinstance(owner, cst.Name):
            return None
        recv = ev.fn.env.get(owner.value)
        if not isinstance(recv, SerializerValue):
            return None
        tenant_set = False
        prov: Provenance | None = None
        names = _tenant_names(recv.tenant) if recv.tenant is not None else set()
        for arg in node.args:
            given = ev.eval(arg.value)
            if arg.keyword is not None and arg.keyword.value in names:
                tenant_set = True
                prov = given.prov
            elif arg.star == "**" and given.carries_tenant_key:
                tenant_set = True
                prov = given.prov
        if recv.tenant is not None and recv.tenant.via and not recv.tenant.tenant_names():
            # Scoped only through a parent FK (``Comment.asset``): the serializer's validated data
            # supplies that FK (its queryset decides which parents are allowed), so no TNT104.
            tenant_set = True
        made = ev.ctx.settings.facts.serializer_inserts.get(recv.name)
        if made is not None and names.intersection(made.split(",")):
            # Its own ``create()`` inserts the row with the tenant (or a field the model copies it
            # from): that insert is judged where it is, with the values ``self.context`` gives it.
            tenant_set = True
        if recv.creates:
            ev.record_insert(node, recv.table, recv.tenant is not None, tenant_set, prov,
                          "django")
        return Value()

    def request_attribute(self, attr: str) -> str | None:
        return REQUEST_ATTRS.get(attr)


FRAMEWORK = Drf()


def is_serializer(ctx: FileView, cls: ClassInfo) -> bool:
    """A DRF serializer class: a base, through the file's classes and the project's, is one of
    ``rest_framework.serializers``."""
    seen: set[str] = set()
    todo = [*cls.bases, *ctx.project_bases(cls)]
    while todo:
        base = todo.pop()
        if base in seen:
            continue
        seen.add(base)
        if base.startswith(SERIALIZER_PACKAGE):
            return True
        local = ctx.local_classes.get(base)
        if local is not None and local is not cls:
            todo.extend(local.bases)
    return False


def method_fields(cls: ClassInfo) -> frozenset[str]:
    """The methods a ``SerializerMethodField`` of the class body reads: ``get_<field>``, or its
    ``method_name=``."""
    out: set[str] = set()
    body = cls.node.body.body if isinstance(cls.node.body, cst.IndentedBlock) else ()
    for stmt in body:
        if not isinstance(stmt, cst.SimpleStatementLine):
            continue
        for small in stmt.body:
            if not isinstance(small, cst.Assign) or not isinstance(small.value, cst.Call):
                continue
            if (dotted_name(small.value.func) or "").rsplit(".", 1)[-1] != "SerializerMethodField":
                continue
            named = next((a.value for a in small.value.args
                          if a.keyword is not None and a.keyword.value == "method_name"), None)
            if isinstance(named, cst.SimpleString):
                out.add(named.evaluated_value if isinstance(named.evaluated_value, str) else "")
                continue
            for t in small.targets:
                if isinstance(t.target, cst.Name):
                    out.add(f"get_{t.target.value}")
    return frozenset(out)
