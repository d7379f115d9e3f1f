"""Engine mistakes found in Django / DRF fixture apps: `|=`/`&=` on querysets, membership checks,
serializer saves, view bases."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from tenantlint.analysis.engine import analyze_text
from tenantlint.analysis.settings import Settings
from tenantlint.api import load_config, make_settings

MODELS = """
from django.db import models


class Organization(models.Model):
    name = models.CharField(max_length=100)


class Site(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE)
    name = models.CharField(max_length=20)


class Note(models.Model):
    site = models.ForeignKey(Site, on_delete=models.CASCADE)
    body = models.TextField()
"""

SERIALIZERS = """
from rest_framework import serializers
from app.models import Note, Site


class NoteSerializer(serializers.ModelSerializer):
    class Meta:
        model = Note
        fields = ["id", "site", "body"]


class SiteSerializer(serializers.ModelSerializer):
    class Meta:
        model = Site
        fields = ["id", "name"]
"""


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    root: Path = tmp_path_factory.mktemp("proj")
    (root / "tenantlint.toml").write_text(
        'global_tables = ["Organization"]\nmembership_checks = ["require_member"]\n'
    )
    (root / "app").mkdir()
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "models.py").write_text(MODELS)
    (root / "app" / "serializers.py").write_text(SERIALIZERS)
    return make_settings(load_config(root))


def codes(settings: Settings, source: str) -> list[tuple[int, str]]:
    text = textwrap.dedent(source).lstrip("\n")
    return sorted((f.line, f.code) for f in analyze_text("app/views.py", text, settings).findings)


def test_or_assign_puts_the_tenant_predicate_under_or(settings: Settings) -> None:
    source = """
    from django.db.models import Q
    from app.models import Site

    def search(request):
        any_q = Q(organization=request.organization)
        for tag in request.GET.getlist("tag"):
            any_q |= Q(name__icontains=tag)
        return list(Site.objects.filter(any_q))
    """
    assert codes(settings, source) == [(8, "TNT105")]


def test_and_assign_keeps_the_tenant_predicate(settings: Settings) -> None:
    source = """
    from django.db.models import Q
    from app.models import Site

    def search(request):
        q = Q(organization=request.organization)
        for term in request.GET.getlist("q"):
            q &= Q(name__icontains=term)
        return list(Site.objects.filter(q))
    """
    assert codes(settings, source) == []


def test_or_assign_on_querysets_combines_like_the_operator(settings: Settings) -> None:
    source = """
    from app.models import Site

    def search(request):
        qs = Site.objects.filter(organization=request.organization)
        qs |= Site.objects.filter(name="x")
        return list(qs)
    """
    assert [c for _, c in codes(settings, source)] == ["TNT105"]


def test_membership_check_on_an_expression_trusts_that_expression(settings: Settings) -> None:
    source = """
    from app.models import Site
    from app.perms import require_member

    def sites(request, **kwargs):
        require_member(request.user, request.GET["org"])
        return list(Site.objects.filter(organization_id=request.GET["org"]))

    def other(request, **kwargs):
        require_member(request.user, request.GET["org"])
        return list(Site.objects.filter(organization_id=request.GET["other"]))
    """
    found = codes(settings, source)
    assert (6, "TNT103") not in found and (10, "TNT103") in found


def test_serializer_save_of_a_via_scoped_model_takes_the_parent_from_validated_data(
    settings: Settings,
) -> None:
    source = """
    from rest_framework import viewsets
    from app.models import Note
    from app.serializers import NoteSerializer, SiteSerializer

    class NoteViewSet(viewsets.ModelViewSet):
        serializer_class = NoteSerializer

        def get_queryset(self):
            return Note.objects.filter(site__organization=self.request.user.organization)

        def perform_create(self, serializer):
            serializer.save(body="x")

    def create_site(request):
        serializer = SiteSerializer(data=request.data)
        serializer.save(name="x")
    """
    assert codes(settings, source) == [(16, "TNT104")]


def test_view_with_a_base_class_from_another_module_is_a_view(tmp_path: Path) -> None:
    (tmp_path / "tenantlint.toml").write_text('global_tables = ["Organization"]\n')
    for pkg in ("app", "core", "issues"):
        (tmp_path / pkg).mkdir()
        (tmp_path / pkg / "__init__.py").write_text("")
    (tmp_path / "app" / "models.py").write_text(MODELS)
    (tmp_path / "core" / "views.py").write_text(
        "from rest_framework.viewsets import ModelViewSet\n\n\n"
        "class BaseViewSet(ModelViewSet):\n    pass\n"
    )
    settings = make_settings(load_config(tmp_path))
    source = """
    from app.models import Site
    from core.views import BaseViewSet

    class SiteViewSet(BaseViewSet):
        def get_queryset(self):
            return Site.objects.filter(organization_id=self.kwargs["org_pk"])
    """
    assert codes(settings, source) == [(6, "TNT103")]


SEVERAL = """
from django.db import models


class Workspace(models.Model):
    name = models.CharField(max_length=100)


class Project(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE)


class Issue(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE)
    project = models.ForeignKey(Project, on_delete=models.CASCADE)
    name = models.CharField(max_length=20)

    class Meta:
        db_table = "issues"
"""


def test_any_of_several_tenant_columns_pins_the_tenant(tmp_path: Path) -> None:
    (tmp_path / "tenantlint.toml").write_text(
        'tenant_columns = ["workspace_id", "project_id"]\nglobal_tables = ["Workspace"]\n'
    )
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "models.py").write_text(SEVERAL)
    settings = make_settings(load_config(tmp_path))
    table = settings.index.tenant_table("issues")
    assert table is not None and {"project", "project_id"} <= table.tenant_names()
    source = """
    from django.db import connection
    from app.models import Issue

    def issues(request):
        rows = list(Issue.objects.filter(project_id=request.user.project_id))
        Issue.objects.create(project_id=request.user.project_id, name="x")
        with connection.cursor() as cur:
            cur.execute("SELECT name FROM issues WHERE project_id = %s", [request.user.project_id])
        leak = list(Issue.objects.filter(name="x"))
        return rows, leak
    """
    assert codes(settings, source) == [(9, "TNT101")]
