"""Rules on class-based views: TNT202."""

from __future__ import annotations

from collections.abc import Iterator

from tenantlint.analysis.facts import FileFacts
from tenantlint.rules.base import Issue, Rule


class UnscopedView(Rule):
    code = "TNT202"
    name = "unscoped-view"
    severity = "error"
    summary = ("A class-based view or viewset exposing a tenant model without a get_queryset that "
               "applies a trusted tenant filter.")
    details = """
Reported at the class-level `queryset =` / `model =` assignment of a Django class-based view or a DRF
view/viewset whose model is a tenant table, unless the class has a `get_queryset` that returns a query
scoped by a trusted tenant filter (`super().get_queryset().filter(org=self.request.user.org)` counts),
or inherits one from a base class or mixin defined in the scanned project. The assignment is not also
reported as TNT101. DRF itself reads only `queryset`: a DRF view's `model =` is reported only when a
project base's `get_queryset` reads `self.model` and a generic action the view does not override
(from a DRF generic view, viewset or mixin) serves it. `APIView`, and `GenericAPIView` or
`GenericViewSet` without a mixin, have no generic action, so their explicit handlers are what is judged.
A viewset routed only by `as_view({...})` mappings (never registered with a router) to methods it
defines itself, none of which reads the view's queryset (`self.get_queryset()`, `self.get_object()`,
`self.queryset`, `self.model`, `filter_queryset`, `paginate_queryset`, `super()`), serves no
generic action either: its handlers are judged on their own queries.
"""
    why = """
Generic views and viewsets serve whatever `queryset` or `model` gives them: list, detail, update and
delete all run on it. Without a `get_queryset` that filters by the caller's tenant, every object of
every tenant is one URL away.
"""
    invalid = ("""
from rest_framework import viewsets

from billing.models import Invoice
from billing.serializers import InvoiceSerializer


class InvoiceViewSet(viewsets.ModelViewSet):
    queryset = Invoice.objects.all()
    serializer_class = InvoiceSerializer
""",)
    valid = ("""
from rest_framework import viewsets

from billing.models import Invoice
from billing.serializers import InvoiceSerializer


class InvoiceViewSet(viewsets.ModelViewSet):
    queryset = Invoice.objects.all()
    serializer_class = InvoiceSerializer

    def get_queryset(self):
        return super().get_queryset().filter(org=self.request.user.org)
""",)
    options = ("trusted_sources", "scoping_methods", "auto_scoped_managers")

    def check(self, facts: FileFacts) -> Iterator[Issue]:
        for v in facts.views:
            message = (f"view {v.view} exposes tenant table '{v.table}' "
                       "without a tenant-scoped get_queryset")
            yield Issue(self.code, v.node, message, v.table, v.view)
