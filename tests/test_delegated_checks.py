"""DRF permission classes built on a membership check (index/delegated_checks.py), their use on
function views (``@permission_classes``), and the answer a permission method returns."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

from tenantlint.config.options import Config
from tenantlint.index.delegated_checks import delegated_candidates, recognise_delegated
from tenantlint.index.records import ProjectIndex
from tests.index_helpers import build_index
from tests.small_project import flagged_lines

CFG = Config(tenant_models=("Organisation",), global_tables=("Organisation",),
             membership_checks=("is_project_member", "is_org_admin"))

MODELS = """
from django.db import models

class Organisation(models.Model):
    name = models.CharField(max_length=9)

class Project(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE)

class Repository(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE)
"""

KNOWN = frozenset({"is_project_member", "is_org_admin"})


def index() -> ProjectIndex:
    return build_index([("flags/models.py", textwrap.dedent(MODELS).lstrip("\n"))], CFG)


def recognised(text: str) -> dict[str, object]:
    found = delegated_candidates("flags/permissions.py", ast.parse(textwrap.dedent(text)))
    return {c.name: c for c in recognise_delegated(index(), found, KNOWN)}


def test_a_row_fetched_by_the_url_and_handed_to_a_check_verifies_that_parameter() -> None:
    checks = recognised('''
        class ProjectAccess(IsAuthenticated):
            def has_permission(self, request, view):
                if not super().has_permission(request, view):
                    return False
                project = Project.objects.select_related("organisation").get(id=view.kwargs["project_pk"])
                return request.user.is_project_member(project)
    ''')
    check = checks["ProjectAccess"]
    assert check.verifies == ("project_pk",)  # type: ignore[attr-defined]
    assert check.rows == (("project_pk", "Project"),)  # type: ignore[attr-defined]
    assert "refuses unless is_project_member passes for project_pk" in check.describe()  # type: ignore[attr-defined]


def test_a_query_pinning_the_tenant_to_a_verified_parameter_verifies_the_other_it_pins() -> None:
    checks = recognised('''
        class RepositoryAccess(BasePermission):
            def has_permission(self, request, view):
                organisation_id = view.kwargs.get("organisation_pk")
                if not request.user.is_org_admin(int(organisation_id)):
                    return False
                if (repo_pk := view.kwargs.get("repo_pk")) is not None:
                    return Repository.objects.filter(id=repo_pk, organisation_id=organisation_id).exists()
                return True
    ''')
    assert set(checks["RepositoryAccess"].verifies) == {"organisation_pk", "repo_pk"}  # type: ignore[attr-defined]


def test_look_alikes_verify_nothing() -> None:
    checks = recognised('''
        class BodyProject(BasePermission):      # the body's project, not the URL's
            def has_permission(self, request, view):
                project = Project.objects.get(id=request.data["project"])
                return request.user.is_project_member(project)

        class RecentLogin(BasePermission):      # no membership check
            def has_permission(self, request, view):
                return request.user.logged_in_since(view.kwargs["project_pk"])

        class Rebound(BasePermission):          # the name checked is bound from elsewhere too
            def has_permission(self, request, view):
                project = Project.objects.get(id=view.kwargs["project_pk"])
                if request.data.get("other"):
                    project = Project.objects.get(id=request.data["other"])
                return request.user.is_project_member(project)

        class Logged(BasePermission):           # the answer is only logged
            def has_permission(self, request, view):
                ok = request.user.is_project_member(view.kwargs["project_pk"])
                log(ok)
                return True

        class is_project_member(BasePermission):  # a configured name keeps its own meaning
            def has_permission(self, request, view):
                return request.user.is_org_admin(view.kwargs["organisation_pk"])
    ''')
    assert checks == {}


def test_function_views_and_class_views_trust_what_the_class_verified(tmp_path: Path) -> None:
    config = 'tenant_models = ["Organisation"]\nglobal_tables = ["Organisation"]\n' \
             'membership_checks = ["is_project_member"]\n'
    files = {
        "flags/models.py": textwrap.dedent(MODELS),
        "flags/permissions.py": textwrap.dedent('''
            from rest_framework.permissions import BasePermission
            from flags.models import Project

            class ProjectAccess(BasePermission):
                def has_permission(self, request, view):
                    project = Project.objects.get(id=view.kwargs["project_pk"])
                    return request.user.is_project_member(project)

            class RecentLogin(BasePermission):
                def has_permission(self, request, view):
                    return request.user.logged_in_since(view.kwargs["project_pk"])
        '''),
        "flags/views.py": textwrap.dedent('''
            from rest_framework.decorators import api_view, permission_classes
            from rest_framework.response import Response
            from flags.models import Project
            from flags.permissions import ProjectAccess, RecentLogin

            @api_view(["GET"])
            @permission_classes([ProjectAccess])
            def summary(request, project_pk):
                return Response(Project.objects.get(id=project_pk).id)

            @api_view(["GET"])
            @permission_classes([RecentLogin])
            def summary_unchecked(request, project_pk):
                return Response(Project.objects.get(id=project_pk).id)
        '''),
    }
    assert flagged_lines(tmp_path, config, files, path="flags/views.py") == [14]  # not 9
    # the fetch inside ProjectAccess: its answer is the permission method's answer
    assert flagged_lines(tmp_path, config, files, path="flags/permissions.py") == []
