"""system_paths, default test excludes, trusted_parameters and the unmatched-config warning."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tenantlint.analysis.interp.trusted_context import in_system_path, parse_trusted_parameters
from tenantlint.config.errors import ConfigError
from tenantlint.config.load import load_config
from tenantlint.config.options import Config
from tenantlint.files import excluded

MODELS = """\
from django.conf import settings
from django.db import models


class Org(models.Model):
    name = models.CharField(max_length=20)


class Invoice(models.Model):
    org = models.ForeignKey(Org, on_delete=models.CASCADE)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
"""


def _project(tmp_path: Path, config: str) -> Path:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "models.py").write_text(MODELS)
    (tmp_path / "tenantlint.toml").write_text(config)
    return tmp_path


def _check(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tenantlint", "check", *args, "--no-cache"],
                          cwd=root, capture_output=True, text=True)


@pytest.mark.parametrize(
    ("path", "expected"),
    [("app/tests/test_x.py", True), ("tests/x.py", True), ("app/test_views.py", True),
     ("app/views_test.py", True), ("conftest.py", True), ("app/sub/conftest.py", True),
     ("app/testing.py", False), ("app/latest_views.py", False), ("app/contest.py", False)],
)
def test_tests_are_excluded_by_default(path: str, expected: bool) -> None:
    assert excluded(path, Config().exclude) is expected


def test_system_paths_default_and_extension(tmp_path: Path) -> None:
    assert in_system_path("app/management/commands/purge.py", Config())
    assert not in_system_path("app/management/utils.py", Config())
    (tmp_path / "tenantlint.toml").write_text('system_paths = ["**/cron/**"]\n')
    config = load_config(start=tmp_path)
    assert config.system_paths == ("**/management/commands/**", "**/cron/**")
    assert in_system_path("jobs/cron/nightly.py", config)


def test_trusted_parameters_parse_and_validate(tmp_path: Path) -> None:
    table = parse_trusted_parameters(("require_realm_admin:user_profile", "auth.require_realm_admin:user",
                                      "add_tenant_id_to_kwargs:tenant_id"))
    assert table == {"require_realm_admin": frozenset({"user_profile", "user"}),
                     "add_tenant_id_to_kwargs": frozenset({"tenant_id"})}
    (tmp_path / "tenantlint.toml").write_text('trusted_parameters = ["require_realm_admin"]\n')
    with pytest.raises(ConfigError, match="trusted_parameters.*decorator:param"):
        load_config(start=tmp_path)


def test_management_command_not_reported_but_views_are(tmp_path: Path) -> None:
    root = _project(tmp_path, 'tenant_models = ["Org"]\n')
    body = "from app.models import Invoice\n\n\ndef handle():\n    return Invoice.objects.count()\n"
    (root / "app" / "management" / "commands").mkdir(parents=True)
    (root / "app" / "management" / "commands" / "count.py").write_text(body)
    (root / "app" / "jobs.py").write_text(body)
    (root / "app" / "test_jobs.py").write_text(body)
    out = _check(root, "--exit-zero")
    assert "app/jobs.py:5:12: TNT101" in out.stdout
    assert "management" not in out.stdout and "test_jobs" not in out.stdout


def test_injected_parameter_is_trusted_and_the_caller(tmp_path: Path) -> None:
    config = 'tenant_models = ["Org"]\ntrusted_parameters = ["require_admin:user"]\n'
    root = _project(tmp_path, config)
    (root / "app" / "views.py").write_text(
        "from app.models import Invoice\nfrom app.auth import require_admin\n\n\n"
        "@require_admin\ndef mine(request, user):\n"
        "    a = Invoice.objects.filter(org=user.org).count()\n"
        "    b = Invoice.objects.filter(owner=user).count()\n"
        "    return a + b\n\n\n"
        "def theirs(request, user):\n"
        "    return Invoice.objects.filter(org=user.org).count()\n"
    )
    out = _check(root, "--exit-zero")
    lines = [line for line in out.stdout.splitlines() if line.startswith("app/views.py")]
    assert [line.split(":")[1] for line in lines] == ["13"], out.stdout


def test_unmatched_config_names_are_a_warning_with_the_root(tmp_path: Path) -> None:
    root = _project(tmp_path, 'tenant_models = ["Org"]\nglobal_tables = ["Invoce", "Nothing"]\n')
    out = _check(root, "--exit-zero")
    assert out.returncode == 0
    assert "global_tables 'Invoce' (did you mean 'Invoice'?)" in out.stderr
    assert "global_tables 'Nothing'" in out.stderr and str(root.resolve()) in out.stderr
    assert "tenant_models 'Org'" not in out.stderr


def test_handler_parameter_named_by_trusted_sources_is_trusted(tmp_path: Path) -> None:
    """``trusted_sources = ["user_profile.*"]``: a view's ``user_profile`` (passed in by the
    framework's auth decorator) is the caller, not a URL path parameter."""
    root = _project(tmp_path, 'tenant_models = ["Org"]\ntrusted_sources = ["user_profile.*"]\n')
    (root / "app" / "views.py").write_text(
        "from app.models import Invoice\n\n\n"
        "def mine(request, user_profile, pk):\n"
        "    a = Invoice.objects.filter(org=user_profile.org, pk=pk).count()\n"
        "    b = Invoice.objects.filter(owner=user_profile).count()\n"
        "    c = Invoice.objects.filter(org=pk).count()\n"
        "    return a + b + c\n"
    )
    out = _check(root, "--exit-zero")
    lines = [line for line in out.stdout.splitlines() if line.startswith("app/views.py")]
    assert [line.split(":")[1] for line in lines] == ["7"], out.stdout


def test_view_parameter_annotated_with_the_user_model_is_the_caller(tmp_path: Path) -> None:
    """A URL converter never yields a user row: ``user: Account`` is the authenticated user a
    dispatch wrapper passes. Another model's annotation, or a number, stays a URL value."""
    root = _project(tmp_path, 'tenant_models = ["Org"]\n')
    (root / "app" / "accounts.py").write_text(
        "from django.contrib.auth.models import AbstractUser\nfrom django.db import models\n\n\n"
        "class Account(AbstractUser):\n"
        "    org = models.ForeignKey('app.Org', on_delete=models.CASCADE)\n"
    )
    (root / "app" / "views.py").write_text(
        "from app.accounts import Account\nfrom app.models import Invoice, Org\n\n\n"
        "def mine(request, user: Account):\n"
        "    return Invoice.objects.filter(org=user.org).count()\n\n\n"
        "def by_org(request, org: Org, number: int):\n"
        "    a = Invoice.objects.filter(org=org).count()\n"
        "    return a + Invoice.objects.filter(org_id=number).count()\n"
    )
    out = _check(root, "--exit-zero")
    lines = [line for line in out.stdout.splitlines() if line.startswith("app/views.py")]
    assert [line.split(":")[1] for line in lines] == ["10", "11"], out.stdout
