"""``tenantlint init``: the tenant candidates it ranks, the config it proposes and writes, and the
warning every command prints when no tenant table is found."""

from __future__ import annotations

from pathlib import Path

import pytest

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[import-not-found,no-redef,unused-ignore]

from tenantlint.cli import main
from tenantlint.config.load import load_config
from tenantlint.config.options import Config
from tenantlint.runner import build_project
from tenantlint.setup.candidates import rank, tenant_named, words
from tenantlint.setup.hints import collect

MODELS = """\
from django.contrib.auth.models import AbstractUser
from django.db import models


class Workspace(models.Model):
    slug = models.SlugField(unique=True)


class User(AbstractUser):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, null=True)


class WorkspaceMember(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE)
    member = models.ForeignKey(User, on_delete=models.CASCADE)


class Label(models.Model):
    name = models.CharField(max_length=20)


class Invoice(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE)
    label = models.ForeignKey(Label, on_delete=models.SET_NULL, null=True)
    created_by = models.ForeignKey(User, on_delete=models.CASCADE)


class Line(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE)
    label = models.ForeignKey(Label, on_delete=models.SET_NULL, null=True)
    created_by = models.ForeignKey(User, on_delete=models.CASCADE)


class Payment(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE)
    created_by = models.ForeignKey(User, on_delete=models.CASCADE)
"""

PERMISSIONS = """\
from django.core.exceptions import PermissionDenied

from billing.models import WorkspaceMember


def require_workspace_member(request, slug):
    if not WorkspaceMember.objects.filter(workspace__slug=slug, member=request.user).exists():
        raise PermissionDenied


def get_members(workspace):  # a query, not a check
    return WorkspaceMember.objects.filter(workspace=workspace)
"""

VIEWS = """\
from billing.models import Invoice
from billing.permissions import require_workspace_member


def invoices(request, slug):
    require_workspace_member(request, slug)
    return list(Invoice.objects.filter(workspace__slug=slug))
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "billing").mkdir()
    (tmp_path / "billing" / "models.py").write_text(MODELS)
    (tmp_path / "billing" / "permissions.py").write_text(PERMISSIONS)
    (tmp_path / "billing" / "views.py").write_text(VIEWS)
    return tmp_path


def test_words_and_tenant_names() -> None:
    assert words("WorkspaceMember") == ["workspace", "member"]
    assert tenant_named("Organization") and tenant_named("ProjectSpace") and tenant_named("Realm")
    assert not tenant_named("Invoice") and not tenant_named("WorkspaceMember")


def test_rank_puts_the_tenant_first_with_its_evidence(project: Path) -> None:
    config = Config(root=project)
    ranking = rank(build_project(config).index, config)
    best = ranking.best
    assert best is not None and best.name == "Workspace"
    assert (best.column, best.field) == ("workspace_id", "workspace")
    # Invoice, Payment and WorkspaceMember by their column, Line through its required invoice
    assert (best.scopes, best.direct) == (4, 3)
    assert best.user_link == "User.workspace" and best.memberships == ("WorkspaceMember",)
    assert ranking.user_models == ("User",)
    assert "User" not in [c.name for c in ranking.candidates]
    label = next(c for c in ranking.candidates if c.name == "Label")
    assert label.scopes == 0 or label.score < best.score


def test_plain_tenant_id_column_without_foreign_key(tmp_path: Path) -> None:
    (tmp_path / "models.py").write_text(
        "from peewee import CharField, Model\n\n\n"
        "class Tenant(Model):\n    name = CharField()\n\n\n"
        "class Document(Model):\n    tenant_id = CharField()\n\n\n"
        "class Dialog(Model):\n    tenant_id = CharField()\n    kb_id = CharField()\n"
    )
    config = Config(root=tmp_path)
    best = rank(build_project(config).index, config).best
    assert best is not None and best.name == "Tenant" and best.column == "tenant_id"
    assert best.scopes == 2


def test_hints_find_the_membership_check_not_the_query_helper(project: Path) -> None:
    hints = collect(project, Config().exclude, ("WorkspaceMember",), ("workspace",), ("User",))
    assert [h.value for h in hints.membership_checks] == ["require_workspace_member"]
    assert "billing/permissions.py:6" in hints.membership_checks[0].evidence


def test_init_prints_the_proposal_and_writes_nothing(project: Path, monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(project)
    assert main(["init"]) == 0
    out = capsys.readouterr().out
    assert "1. Workspace" in out and "would scope 4 tables: 3 by their own workspace_id column" in out
    assert 'tenant_models = ["Workspace"]' in out
    assert not (project / "tenantlint.toml").exists()


def test_init_write_produces_a_config_that_loads_and_finds_the_tables(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(project)
    assert main(["init", "--write"]) == 0
    written = (project / "tenantlint.toml").read_text()
    data = tomllib.loads(written)
    assert data["tenant_models"] == ["Workspace"]
    assert data["tenant_columns"] == ["workspace_id"]
    assert data["tenant_keys"] == ["workspace"]
    assert data["global_tables"] == ["Workspace"]
    assert data["membership_checks"] == ["require_workspace_member"]
    assert "trusted_sources" not in data  # only a comment: nothing found
    config = load_config(None, None)
    assert config.source == project / "tenantlint.toml"
    tables = build_project(config).index.tables
    assert {"billing_invoice", "billing_line", "billing_payment", "billing_workspacemember"} <= set(tables)
    capsys.readouterr()
    assert main(["init", "--write"]) == 2  # never overwrites silently
    assert "exists; use --force" in capsys.readouterr().err
    assert main(["init", "--write", "--force"]) == 0


def test_init_write_pyproject_appends_a_tool_table(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (project / "pyproject.toml").write_text('[project]\nname = "billing"\n')
    assert main(["init", str(project), "--write", "--pyproject"]) == 0
    data = tomllib.loads((project / "pyproject.toml").read_text())
    assert data["project"]["name"] == "billing"
    assert data["tool"]["tenantlint"]["tenant_models"] == ["Workspace"]
    monkeypatch.chdir(project)
    assert load_config(None, None).tenant_models == ("Workspace",)
    assert main(["init", str(project), "--write", "--pyproject"]) == 2


def test_init_with_no_models_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "app.py").write_text("print('hello')\n")
    monkeypatch.chdir(tmp_path)
    assert main(["init"]) == 1
    assert "list the tenant tables by hand" in capsys.readouterr().out
    assert main(["init", "missing-dir"]) == 2


@pytest.mark.parametrize("command", [["check"], ["tables"], ["audit", "--output", "a.html"]])
def test_every_command_warns_without_tenant_tables(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    command: list[str],
) -> None:
    monkeypatch.chdir(project)
    main([*command, "--no-cache"] if command[0] != "tables" else command)
    err = capsys.readouterr().err
    assert "no tenant table found" in err and "tenantlint init" in err
    (project / "tenantlint.toml").write_text('tenant_models = ["Workspace"]\n')
    main([*command, "--no-cache"] if command[0] != "tables" else command)
    assert "no tenant table found" not in capsys.readouterr().err
