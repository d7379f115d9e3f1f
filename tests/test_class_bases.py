"""The project's class-base table: bases through other modules and through a package's re-exports."""

from __future__ import annotations

from tenantlint.analysis.interp.class_bases import project_bases


def test_a_base_reexported_by_its_package_is_followed() -> None:
    table = {
        "app.views.issues.IssueViewSet": "app.views.BaseViewSet",  # ``from app.views import BaseViewSet``
        "app.views.base.BaseViewSet": "rest_framework.viewsets.ModelViewSet",
    }
    assert project_bases(table, "app.views.issues.IssueViewSet", "") == (
        "app.views.BaseViewSet", "rest_framework.viewsets.ModelViewSet")


def test_an_ambiguous_reexport_is_not_guessed() -> None:
    table = {
        "app.views.issues.IssueViewSet": "app.views.BaseViewSet",
        "app.views.base.BaseViewSet": "rest_framework.viewsets.ModelViewSet",
        "app.views.old.BaseViewSet": "rest_framework.views.APIView",
    }
    assert project_bases(table, "app.views.issues.IssueViewSet", "") == ("app.views.BaseViewSet",)


def test_the_index_follows_a_new_table() -> None:
    first = {"a.m.X": "a.Base", "a.b.Base": "django.views.View"}
    second = {"a.m.X": "a.Base", "a.c.Base": "rest_framework.views.APIView"}
    assert project_bases(first, "a.m.X", "")[-1] == "django.views.View"
    assert project_bases(second, "a.m.X", "")[-1] == "rest_framework.views.APIView"
