"""The pre-pass readers over CPython's ``ast``: scoped view bases and serializer models."""

from __future__ import annotations

import ast
import textwrap

from tenantlint.config.options import Config
from tenantlint.index.readers import scoped_view_bases, serializer_models, viewset_actions

VIEWS = """
from rest_framework import viewsets


class OrgScoped:
    def get_queryset(self):
        return super().get_queryset().filter(org=self.request.user.org)


class OrgIdScoped(object):
    async def get_queryset(self):
        return Invoice.objects.filter(org_id__in=request.user.org_ids)


class ScopedByMethod:
    def get_queryset(self):
        return Invoice.objects.for_tenant(self.request)


class FromQueryString:
    def get_queryset(self):
        return Invoice.objects.filter(org=self.request.GET["org"])


class OtherKey:
    def get_queryset(self):
        return Invoice.objects.filter(owner=self.request.user)


class Excluded:
    def get_queryset(self):
        return Invoice.objects.filter(org__gt=self.request.user.org)


def get_queryset():
    return Invoice.objects.filter(org=request.user.org)
"""

SERIALIZERS = """
from rest_framework import serializers
from billing import models


class InvoiceSerializer(serializers.ModelSerializer):
    class Meta:
        model = models.Invoice
        fields = "__all__"


class NoteSerializer(BaseSerializer):
    class Meta:
        fields = ["x"]
        model = Note
        model = Other


class OneLine(serializers.ModelSerializer):
    class Meta: model = Skipped


class NotASerializer(Base):
    class Meta:
        model = Invoice


class Annotated(serializers.ModelSerializer):
    class Meta:
        model: type = Invoice
"""


def test_scoped_view_bases() -> None:
    tree = ast.parse(textwrap.dedent(VIEWS))
    assert scoped_view_bases(tree, Config()) == {"OrgScoped", "OrgIdScoped", "ScopedByMethod"}


def test_serializer_models() -> None:
    tree = ast.parse(textwrap.dedent(SERIALIZERS))
    # The first plain assignment wins; a one-line Meta and an annotated model are not read
    # (as libcst's readers did before the pre-pass moved to ``ast``).
    assert serializer_models(tree) == {"InvoiceSerializer": "Invoice", "NoteSerializer": "Note"}


def test_viewset_actions() -> None:
    tree = ast.parse(textwrap.dedent("""
        from django.urls import path
        from app import views
        urlpatterns = [
            path("a/", views.TicketViewSet.as_view({"get": "list", "post": "close"})),
            path("b/", views.TicketViewSet.as_view(actions={"delete": "reopen"})),
            path("c/", NoteViewSet.as_view({"get": handler_name})),
            path("d/", PlainView.as_view()),
        ]
    """))
    assert viewset_actions(tree) == {"TicketViewSet": "close,list,reopen"}
