"""Helper methods of framework view classes: only the names the framework dispatches to or hooks are
called without being spelled (``crossfn/view_bases.py``, ``analysis/interp/view_methods.py``)."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest

from tenantlint.crossfn.records import ANY_METHOD, DYNAMIC
from tenantlint.crossfn.view_bases import VIEW_RECEIVER, framework_calls
from tenantlint.prepass import name_counts
from tests.small_project import flagged_lines

CONFIG = 'tenant_models = ["Org"]\nglobal_tables = ["Org"]\nwhole_application = true\n'
MODELS = """
from django.db import models


class Org(models.Model):
    name = models.CharField(max_length=10)


class Asset(models.Model):
    org = models.ForeignKey(Org, on_delete=models.CASCADE)
"""
URLS = """
from django.urls import path

from app.views import AssetEndpoint

urlpatterns = [path("assets/", AssetEndpoint.as_view())]
"""


def _views(base_import: str, base: str, extra: str = "") -> dict[str, str]:
    views = f"""
{base_import}
from rest_framework.response import Response

from app.models import Asset


class AssetEndpoint({base}):
    def asset_delete(self, asset_id):
        return Asset.objects.filter(id=asset_id).delete()

    def get(self, request):
        return Response(list(Asset.objects.filter(org=request.user.org).values("id")))
"""
    files = {"app/__init__.py": "", "app/models.py": MODELS, "app/views.py": views, "app/urls.py": URLS}
    if extra:
        files["app/extra.py"] = extra
    return files


@pytest.mark.parametrize("name", ["get", "post", "delete", "list", "create", "get_queryset",
                                  "perform_create", "check_permissions", "dispatch_request", "__init__"])
def test_names_a_framework_view_calls(name: str) -> None:
    assert framework_calls(name)


@pytest.mark.parametrize("name", ["asset_delete", "entity_asset_save", "board_exists"])
def test_other_names_only_code_calls(name: str) -> None:
    assert not framework_calls(name)


@pytest.mark.parametrize(("base_import", "base"), [
    ("from rest_framework.generics import GenericAPIView", "GenericAPIView"),
    ("from rest_framework.views import APIView", "APIView"),
    ("from rest_framework import viewsets", "viewsets.ModelViewSet"),
    ("from django.views import View", "View"),
])
def test_an_uncalled_helper_of_a_view_is_unreached(tmp_path: Path, base_import: str, base: str) -> None:
    assert flagged_lines(tmp_path, CONFIG, _views(base_import, base), code="TNT102") == []


def test_a_helper_of_a_view_with_an_unknown_base_stays_judged(tmp_path: Path) -> None:
    files = _views("from uploads.mixins import UploadMixin\nfrom rest_framework.views import APIView",
                   "UploadMixin, APIView")
    assert flagged_lines(tmp_path, CONFIG, files, code="TNT102") == [10]


def test_a_helper_of_a_project_base_view_is_unreached(tmp_path: Path) -> None:
    files = _views("from app.base import BaseAPIView", "BaseAPIView")
    files["app/base.py"] = """
from rest_framework.generics import GenericAPIView


class TimezoneMixin:
    pass


class BaseAPIView(TimezoneMixin, GenericAPIView):
    pass
"""
    assert flagged_lines(tmp_path, CONFIG, files, code="TNT102") == []


def test_a_computed_getattr_on_any_object_leaves_view_helpers_unreached(tmp_path: Path) -> None:
    extra = """
def touch(instance, names):
    for name in names:
        getattr(instance, name)()
"""
    files = _views("from rest_framework.views import APIView", "APIView", extra)
    assert flagged_lines(tmp_path, CONFIG, files, code="TNT102") == []


def test_a_computed_getattr_on_the_view_reaches_its_helpers(tmp_path: Path) -> None:
    extra = """
from rest_framework.permissions import BasePermission


class ClientNamedCheck(BasePermission):
    def has_permission(self, request, view):
        return getattr(view, request.GET["check"])(request)
"""
    files = _views("from rest_framework.views import APIView", "APIView", extra)
    assert flagged_lines(tmp_path, CONFIG, files, code="TNT102") == [9]


@pytest.mark.parametrize("code", [
    'getattr(self.context["view"], op)()',
    'getattr(context.get("view"), op)()',
    "getattr(view, op)()",
])
def test_a_computed_getattr_on_a_view_is_counted(code: str) -> None:
    counts = dict(name_counts(ast.parse(textwrap.dedent(code))))
    assert counts.get(DYNAMIC + VIEW_RECEIVER) == 1


def test_a_computed_getattr_on_anything_else_is_any_method() -> None:
    counts = dict(name_counts(ast.parse('getattr(rows[0], op)()')))
    assert counts.get(DYNAMIC + ANY_METHOD) == 1 and DYNAMIC + VIEW_RECEIVER not in counts
