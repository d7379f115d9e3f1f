"""DRF ``get_permissions()`` read as the view's permission classes (analysis/interp/permission_method.py),
and ``self.kwargs`` of a parameter a check verified, read in an action taking ``*args, **kwargs``."""

from __future__ import annotations

import textwrap
from pathlib import Path

import libcst as cst

from tenantlint.analysis.interp.permission_method import returned_permissions
from tenantlint.analysis.plugins import ClassInfo
from tests.small_project import flagged_lines


class _View:
    """The part of a file view ``returned_permissions`` reads: the classes of the file."""

    def __init__(self, text: str) -> None:
        module = cst.parse_module(textwrap.dedent(text))
        self.local_classes = {
            s.name.value: ClassInfo(s.name.value, tuple(b.value.value for b in s.bases
                                                   if isinstance(b.value, cst.Name)), s)
            for s in module.body if isinstance(s, cst.ClassDef)}


def returned(text: str, name: str = "View", declared: tuple[str, ...] = ("Declared",)) -> list[str]:
    view = _View(text)
    return returned_permissions(view, view.local_classes[name], lambda: list(declared))  # type: ignore[arg-type]


def test_every_return_lists_the_class() -> None:
    assert returned('''
        class View(ModelViewSet):
            def get_permissions(self):
                return [IsAuthenticated(), perms.ProjectAccess(action_map={"list": "view"})]
    ''') == ["IsAuthenticated", "ProjectAccess"]


def test_only_the_classes_every_return_lists() -> None:
    assert returned('''
        class View(ModelViewSet):
            def get_permissions(self):
                if self.action == "list":
                    return [IsAuthenticated(), ProjectAccess()]
                return (ProjectAccess, OrgAdmin)
    ''') == ["ProjectAccess"]
    assert returned('''
        class View(ModelViewSet):
            def get_permissions(self):
                if self.action == "callback":
                    return []
                return [ProjectAccess()]
    ''') == []


def test_super_gives_the_declared_classes_and_a_base_of_the_file_counts() -> None:
    assert returned('''
        class Base(ModelViewSet):
            def get_permissions(self):
                if self.action == "destroy":
                    return [Declared(), OrgAdmin()]
                return super().get_permissions()

        class View(Base):
            pass
    ''') == ["Declared"]


def test_unreadable_methods_apply_nothing() -> None:
    assert returned('''
        class View(ModelViewSet):
            def get_permissions(self):
                return [p() for p in self.classes]
    ''') == []
    assert returned('''
        class View(ModelViewSet):
            def get_permissions(self):
                if self.action == "list":
                    self.permission_classes = [AllowAny]
                return super().get_permissions()
    ''') == []
    assert returned('''
        class View(ModelViewSet):
            def get_permissions(self):
                return [*self.extra, ProjectAccess()]
    ''') == []
    assert returned('''
        class View(ModelViewSet):
            permission_classes = [ProjectAccess]
    ''') == []


def test_a_nested_function_s_return_is_not_the_method_s() -> None:
    assert returned('''
        class View(ModelViewSet):
            def get_permissions(self):
                def pick():
                    return [AllowAny()]
                return [ProjectAccess()]
    ''') == ["ProjectAccess"]


CONFIG = 'tenant_models = ["Organisation"]\nglobal_tables = ["Organisation"]\n' \
         'membership_checks = ["is_project_member", "is_org_admin", "ListedAccess"]\n'
MODELS = """
from django.db import models

class Organisation(models.Model):
    name = models.CharField(max_length=9)

class Project(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE)

class Repository(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE)
"""
PERMISSIONS = '''
from rest_framework.permissions import BasePermission
from flags.models import Project, Repository

class ProjectAccess(BasePermission):
    def has_permission(self, request, view):
        project = Project.objects.get(id=view.kwargs["project_pk"])
        return request.user.is_project_member(project)

class RepoAccess(BasePermission):
    def has_permission(self, request, view):
        org = view.kwargs.get("organisation_pk")
        if not request.user.is_org_admin(int(org)):
            return False
        return Repository.objects.filter(id=view.kwargs["repo_pk"], organisation_id=org).exists()

class OrgAdmin(BasePermission):
    def has_permission(self, request, view):
        return request.user.is_org_admin(view.kwargs["organisation_pk"])

class RecentLogin(BasePermission):
    def has_permission(self, request, view):
        return request.user.logged_in_since(view.kwargs["project_pk"])

class ListedAccess(BasePermission):
    def has_permission(self, request, view):
        return grants(request.user, view.kwargs)
'''


def test_get_permissions_verifies_like_permission_classes(tmp_path: Path) -> None:
    files = {
        "flags/models.py": MODELS,
        "flags/permissions.py": PERMISSIONS,
        "flags/views.py": '''
            from rest_framework import viewsets
            from flags.models import Project
            from flags.permissions import ProjectAccess, RecentLogin

            class Checked(viewsets.ModelViewSet):
                def get_permissions(self):
                    return [ProjectAccess()]

                def get_queryset(self):
                    return Project.objects.filter(id=self.kwargs["project_pk"])

            class PerAction(viewsets.ModelViewSet):
                def get_permissions(self):
                    if self.action == "list":
                        return [RecentLogin()]
                    return [ProjectAccess()]

                def get_queryset(self):
                    return Project.objects.filter(id=self.kwargs["project_pk"])
        ''',
    }
    assert flagged_lines(tmp_path, CONFIG, files, path="flags/views.py") == [19]  # not 10


def test_self_kwargs_in_an_action_taking_star_kwargs_names_its_check(tmp_path: Path) -> None:
    files = {
        "flags/models.py": MODELS,
        "flags/permissions.py": PERMISSIONS,
        "flags/views.py": '''
            from rest_framework import viewsets
            from rest_framework.response import Response
            from flags.models import Repository
            from flags.permissions import OrgAdmin, RepoAccess

            class Repos(viewsets.ModelViewSet):
                permission_classes = [RepoAccess]

                def update(self, request, *args, **kwargs):
                    return Response(Repository.objects.get(id=self.kwargs["repo_pk"]).id)

            class OrgOnly(viewsets.ModelViewSet):
                permission_classes = [OrgAdmin]

                def update(self, request, *args, **kwargs):
                    return Response(Repository.objects.get(id=self.kwargs["repo_pk"]).id)
        ''',
    }
    assert flagged_lines(tmp_path, CONFIG, files, path="flags/views.py") == [16]  # not 10


def test_a_listed_check_verifies_each_self_kwargs_entry_by_its_name(tmp_path: Path) -> None:
    files = {
        "flags/models.py": MODELS,
        "flags/permissions.py": PERMISSIONS,
        "flags/views.py": '''
            from rest_framework import viewsets
            from flags.models import Project, Repository
            from flags.permissions import ListedAccess

            class Listed(viewsets.ModelViewSet):
                permission_classes = [ListedAccess]

                def get_queryset(self):
                    project = Project.objects.get(pk=self.kwargs["project_pk"])
                    return Repository.objects.filter(id=self.kwargs["pk"])
        ''',
    }
    # ``project_pk`` names the project the check verified; ``pk`` names no model
    assert flagged_lines(tmp_path, CONFIG, files, path="flags/views.py") == [10]
