"""Django: function views (first parameter ``request``), class-based views, request input."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import libcst as cst

from tenantlint.analysis.facts import Provenance
from tenantlint.analysis.frameworks.common import inherits, qualified_bases, view_object
from tenantlint.analysis.interp.exprs import URL_VERIFIED, VERIFIED_KWARGS
from tenantlint.analysis.interp.keyed_fetch import OWN_ID
from tenantlint.analysis.interp.routed_kwargs import RoutedKwargs, route_params
from tenantlint.analysis.interp.values import DictValue, Value
from tenantlint.analysis.plugins import (
    BODY,
    COOKIES,
    FORM,
    HEADERS,
    PATH,
    QUERY,
    ClassInfo,
    FrameworkPlugin,
    HandlerInfo,
)
from tenantlint.families import framework

if TYPE_CHECKING:
    from tenantlint.analysis.plugins import Evaluation, FileView

REQUEST_ATTRS = {
    "POST": FORM,
    "GET": QUERY,
    "body": BODY,
    "headers": HEADERS,
    "META": HEADERS,
    "COOKIES": COOKIES,
    "FILES": FORM,
}

VIEW_BASES = frozenset(
    {
        "View", "TemplateView", "RedirectView", "ListView", "DetailView", "CreateView", "UpdateView",
        "DeleteView", "FormView", "ArchiveIndexView", "YearArchiveView", "MonthArchiveView",
        "DayArchiveView", "DateDetailView", "SingleObjectMixin", "MultipleObjectMixin",
        "BaseListView", "BaseDetailView", "BaseUpdateView", "BaseDeleteView", "BaseCreateView",
    }
)
HANDLER_METHODS = frozenset(
    {
        "get", "post", "put", "patch", "delete", "head", "options", "dispatch", "get_queryset",
        "get_object", "get_context_data", "form_valid", "form_invalid", "get_form_kwargs",
        "get_initial", "get_success_url", "setup",
    }
)


def _params(fn: cst.FunctionDef) -> list[cst.Param]:
    p = fn.params
    return [*p.posonly_params, *p.params, *p.kwonly_params]


OTHER_WEB = (*framework("flask").import_prefixes, *framework("fastapi").import_prefixes)


def _verified_kwarg(ev: Evaluation, name: str) -> Value:
    """``self.kwargs["project_id"]`` of a URL parameter a membership check verified: what the
    handler's parameter of that name holds (``project_id, verified by @allow_member``), so that the
    value names the parameter the check looked the caller up by, however the handler reads it."""
    v = ev.fn.env.get(name)
    if v is not None and v.trusted and v.prov.source.startswith((f"{name}, ", f"{name} as view.")):
        return v
    by = ev.fn.handler.verified_by if ev.fn.handler is not None else ""
    return Value(Provenance.trusted(f"{name}, verified by {by or 'a membership check'}"))


# Django's management command classes: ``manage.py`` runs a subclass's ``handle``
COMMAND_BASES = frozenset({"BaseCommand", "AppCommand", "LabelCommand"})
_MANAGEMENT = "django.core.management."


def command_base(bases: Iterable[str]) -> str | None:
    """The Django command class among ``bases`` (qualified through the imports), if any."""
    for base in bases:
        if base.startswith(_MANAGEMENT) and base.rsplit(".", 1)[-1] in COMMAND_BASES:
            return base
    return None


def _kwargs(prov: Provenance, items: dict[str, Value], params: frozenset[str] | None) -> DictValue:
    """``self.kwargs``: its known entries, and the names its routes give when they are all known."""
    entries = tuple(sorted(items.items()))
    if params is None:
        return DictValue(prov, items=entries)
    return RoutedKwargs(prov, items=entries, params=params)


class Django(FrameworkPlugin):
    name = "django"
    signers = frozenset({"django.core.signing.Signer", "django.core.signing.TimestampSigner"})
    signed_loaders = frozenset({"django.core.signing.loads"})
    url_only_parameters = True

    def view_class(self, ctx: FileView, cls: ClassInfo) -> bool:
        return any(b.startswith("django.views") for b in cls.bases) or inherits(
            ctx, cls, ("django.",), VIEW_BASES
        )

    def command_class(self, ctx: FileView, cls: ClassInfo) -> str | None:
        return command_base(qualified_bases(ctx, cls))

    def attribute(self, ev: Evaluation, node: cst.Attribute) -> Value | None:
        # URL kwargs of a class-based view (Django and DRF): ``self.kwargs["pk"]``.
        if node.attr.value == "kwargs" and ev.fn.handler is not None:
            owner = node.value
            if isinstance(owner, cst.Name) and owner.value == "self":
                verified = ev.fn.handler.verified
                params = route_params(ev.ctx, ev.fn.owner)  # every route's, when all are known
                if "*" in verified:  # a configured membership check verified every parameter
                    every = {k: _verified_kwarg(ev, k) for k in ev.fn.handler.params}
                    by = ev.fn.handler.verified_by
                    source = f"{VERIFIED_KWARGS}, by {by}" if by else VERIFIED_KWARGS
                    return _kwargs(Provenance.trusted(source), every, params)
                # those a recognised check (permission class) looked the caller up by
                items = {k: _verified_kwarg(ev, k) for k in verified}
                for k in ev.fn.handler.params:  # ``self.kwargs["pk"]`` is the parameter ``pk``, once a
                    v = ev.fn.env.get(k)  # scoped fetch of that very row proved it, or a check
                    if v is not None and v.trusted and k not in items and v.prov.source.startswith(
                            f"{k}, {OWN_ID}"):
                        items[k] = v
                    elif v is not None and v.trusted and k not in items and URL_VERIFIED + k in ev.fn.env:
                        items[k] = ev.fn.env[URL_VERIFIED + k]  # or a check called in the handler verified it
                if items or params is not None:
                    return _kwargs(Provenance.untrusted(PATH), items, params)
                return Value(Provenance.untrusted(PATH))
        return None

    def view_method(self, ev: Evaluation, method: str,
                    call: cst.Call, view_table: str | None) -> Value | None:
        return view_object(ev, method, call, view_table)

    def handler(self, ctx: FileView, fn: cst.FunctionDef, cls: ClassInfo | None) -> HandlerInfo | None:
        params = _params(fn)
        names = [p.name.value for p in params]
        if cls is None:
            if not names or names[0] != "request" or ctx.imports.imports_from(*OTHER_WEB):
                return None
            values: dict[str, Value] = {}
            for n in names[1:]:
                values[n] = Value(Provenance.untrusted(f"{PATH} '{n}'"))
            star = fn.params.star_kwarg
            if isinstance(star, cst.Param):
                values[star.name.value] = Value(Provenance.untrusted(PATH))
            star_arg = fn.params.star_arg
            if isinstance(star_arg, cst.Param):
                values[star_arg.name.value] = Value(Provenance.untrusted(PATH))
            return HandlerInfo(fn.name.value, self.name, values)
        if not (ctx.is_view_class(cls) and fn.name.value in HANDLER_METHODS):
            return None
        values = {}
        request_names = {"request"}
        for n in names[1:]:
            if n == "request":
                continue
            values[n] = Value(Provenance.untrusted(f"{PATH} '{n}'"))
        star = fn.params.star_kwarg
        if isinstance(star, cst.Param):
            values[star.name.value] = Value(Provenance.untrusted(PATH))
        return HandlerInfo(f"{cls.name}.{fn.name.value}", self.name, values, frozenset(request_names))

    def request_attribute(self, attr: str) -> str | None:
        return REQUEST_ATTRS.get(attr)


FRAMEWORK = Django()
