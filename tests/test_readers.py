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


SERIALIZER_CREATES = """
from rest_framework import serializers


class ModuleSerializer(serializers.ModelSerializer):
    class Meta:
        model = Module

    def create(self, validated_data):
        module = Module.objects.create(**validated_data, project=self.context["project"])
        ModuleMember.objects.create(module=module, workspace=module.workspace)
        return module


class BuiltSerializer(serializers.ModelSerializer):
    class Meta:
        model = models.Cycle

    def create(self, validated_data):
        cycle = Cycle(**validated_data, project_id=self.context["project_id"])
        cycle.save()
        return cycle


class HandedBack(serializers.ModelSerializer):
    class Meta:
        model = Label

    def create(self, validated_data):
        Label.objects.create(name="x", workspace_id=1)
        return super().create(validated_data)


class NoCreate(serializers.ModelSerializer):
    class Meta:
        model = Page
"""


def test_serializer_inserts_reads_the_keywords_of_its_own_insert() -> None:
    from tenantlint.index.readers import serializer_inserts

    tree = ast.parse(textwrap.dedent(SERIALIZER_CREATES))
    found = serializer_inserts(tree, serializer_models(tree))
    # Only the insert of the serializer's model counts (not ModuleMember's workspace=); a create()
    # that hands the insert back to DRF, or no create() at all, is not recorded.
    assert found == {"ModuleSerializer": "project", "BuiltSerializer": "project_id"}


TOKENS = """
import secrets
from uuid import uuid4


def make_anchor():
    return uuid4().hex


def make_code():
    return "board"
"""


def test_random_defaults() -> None:
    from tenantlint.index.tokens import random_default, random_functions

    module = ast.parse(textwrap.dedent(TOKENS))
    local = random_functions(module)
    assert local == frozenset({"make_anchor"})

    def default(text: str) -> bool:
        return random_default(ast.parse(text, mode="eval").body, local)

    assert default("make_anchor") and default("secrets.token_urlsafe") and default("uuid.uuid4")
    assert default("lambda: secrets.token_hex(16)")
    assert not default("make_code") and not default("uuid.uuid1") and not default("'fixed'")


def test_router_registration_routes_every_action() -> None:
    tree = ast.parse(textwrap.dedent("""
        router = DefaultRouter()
        router.register("links", views.LinkViewSet)
        router.register(prefix="tags", viewset=TagViewSet)
        urlpatterns = [path("links/", LinkViewSet.as_view({"get": "list"}))]
    """))
    assert viewset_actions(tree) == {"LinkViewSet": "*,list", "TagViewSet": "*"}
