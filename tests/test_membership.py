"""Membership checks recognised by their bodies, and lookups through the tenant relation."""

from __future__ import annotations

import ast
import textwrap

from tenantlint.config.options import Config
from tenantlint.config.patterns import PatternSet
from tenantlint.index.membership import check_candidates, recognise
from tenantlint.index.records import ProjectIndex
from tenantlint.index.relations import is_membership_join, lookup_paths
from tests.index_helpers import build_index

CFG = Config(tenant_columns=("workspace_id",), tenant_models=("Workspace",), global_tables=("Workspace",))
TRUSTED = PatternSet.compile(CFG.trusted_sources)

MODELS = """
from django.conf import settings
from django.db import models

class Workspace(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=9)

class WorkspaceMember(models.Model):
    workspace = models.ForeignKey("db.WorkSpace", on_delete=models.CASCADE, related_name="members")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)

class Project(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE)

class ProjectMember(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="project_members")
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE)
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)

class Issue(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    name = models.CharField(max_length=9)
    description = models.TextField()
    priority = models.IntegerField()
    sequence = models.IntegerField()
    state = models.CharField(max_length=9)
"""


def index() -> ProjectIndex:
    return build_index([("db/models.py", textwrap.dedent(MODELS).lstrip("\n"))], CFG)


def candidates(text: str) -> tuple:  # type: ignore[type-arg]
    return check_candidates("app/perms.py", ast.parse(textwrap.dedent(text)), TRUSTED)


def test_lookup_paths_reach_unique_fields_of_the_tenant_model_case_insensitively() -> None:
    idx = index()
    member = idx.tenant_table_of_model("WorkspaceMember")
    assert member is not None
    assert lookup_paths(idx, member, frozenset()) == {"workspace__slug"}
    assert lookup_paths(idx, member, frozenset({"name"})) == {"workspace__slug", "workspace__name"}


def test_membership_join_goes_through_a_table_linking_users_to_the_tenant() -> None:
    idx = index()
    assert is_membership_join(idx, "Issue", "project__project_members__member") == "ProjectMember"
    assert is_membership_join(idx, "Project", "workspace__members__member") == "WorkspaceMember"
    assert is_membership_join(idx, "Issue", "assignee__email") is None
    assert is_membership_join(idx, "Issue", "project__project_members__project") is None


def test_permission_class_decorator_and_function_are_recognised_with_what_they_verify() -> None:
    found = candidates('''
        class ProjectPermission(BasePermission):
            def has_permission(self, request, view):
                return ProjectMember.objects.filter(
                    member=request.user, project_id=view.project_id, workspace__slug=view.workspace_slug
                ).exists()

        def allow(level):
            def decorator(fn):
                def wrapped(instance, request, *args, **kwargs):
                    rows = WorkspaceMember.objects.filter(member=request.user, workspace__slug=kwargs["slug"])
                    if rows.exists():
                        return fn(instance, request, *args, **kwargs)
                    return Response(status=403)
                return wrapped
            return decorator

        def ensure(user, slug):
            if not WorkspaceMember.objects.filter(member=user, workspace__slug=slug).exists():
                raise PermissionDenied()
    ''')
    checks = {c.name: c for c in recognise(index(), found)}
    assert checks["ProjectPermission"].kind == "permission class"
    assert set(checks["ProjectPermission"].verifies) == {"project_id", "workspace_slug", "slug"}
    assert checks["allow"].kind == "decorator" and checks["allow"].verifies == ("slug",)
    assert checks["ensure"].kind == "function" and checks["ensure"].verifies == ("slug",)


def test_look_alikes_are_not_checks() -> None:
    found = candidates('''
        class Authenticated(BasePermission):
            def has_permission(self, request, view):
                return request.user.is_authenticated

        def log(request, slug):
            WorkspaceMember.objects.filter(member=request.user, workspace__slug=slug).update(seen=True)

        def by_assignee(request, slug):
            return Issue.objects.filter(assignee=request.user, workspace__slug=slug).exists()
    ''')
    # ``log`` refuses nothing; an Issue links its assignee to a workspace but is content, not a
    # membership table.
    assert {c.name for c in recognise(index(), found)} == set()


def test_a_lookup_kept_in_a_name_and_answered() -> None:
    found = candidates('''
        def can_edit(user_id, project_id, roles=None):
            qs = ProjectMember.objects.filter(project_id=project_id, member_id=user_id)
            if roles is not None:
                qs = qs.filter(role__in=roles)
            return qs.exists()

        def rebound(user_id, project_id):
            qs = ProjectMember.objects.filter(project_id=project_id, member_id=user_id)
            qs = Issue.objects.filter(project_id=project_id)
            return qs.exists()

        def looped(user_id, project_id):
            qs = ProjectMember.objects.filter(project_id=project_id, member_id=user_id)
            for qs in []:
                pass
            return qs.exists()

        def unanswered(user_id, project_id):
            qs = ProjectMember.objects.filter(project_id=project_id, member_id=user_id)
            other = qs.exists()
            return True
    ''')
    checks = {c.name: c for c in recognise(index(), found)}
    assert set(checks) == {"can_edit"} and checks["can_edit"].verifies == ("project_id",)
