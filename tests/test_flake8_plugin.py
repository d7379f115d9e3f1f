"""flake8 plugin: ``flake8 --select TNT`` reports the same (path, line, code) as ``tenantlint check``.

By default a few apps are compared in-process; ``-m slow`` (run by ``.ci/run``) compares every fixture
app through subprocesses, with flake8 on one and on two jobs."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from tenantlint.analysis.settings import Settings
from tenantlint.cli import main as tenantlint_main
from tenantlint.config.options import Config
from tenantlint.integrations.flake8 import TenantlintChecker, flake8_findings
from tenantlint.runner import build_project

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"


Key = tuple[str, int, str]

# Apps compared in-process by default: Django with a syntax error, noqa and tenantlint: ignore comments
# (the documented flake8 differences), FastAPI with asyncpg raw SQL, Flask with Peewee. Every app is
# compared through real subprocesses (also with flake8 --jobs 2) in the `slow` test, which CI runs.
QUICK_APPS = ("django_billing", "django_layered", "fastapi_asyncpg_helpdesk", "flask_peewee_helpdesk")
ALL_APPS = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir())


def _installed() -> bool:
    return any(e.name == "TNT" for e in entry_points(group="flake8.extension"))


def _flake8_args(cwd: Path, *args: str) -> list[str]:
    """flake8 options: the plugin comes from the entry point, else from local-plugins."""
    argv = ["--select", "TNT", "--format", "%(path)s|%(row)d|%(code)s", *args]
    if not _installed():
        cfg = cwd / ".flake8-tnt-test.cfg"
        cfg.write_text("[flake8:local-plugins]\nextension =\n    TNT = "
                       "tenantlint.integrations.flake8:TenantlintChecker\n")
        argv += ["--config", str(cfg)]
    return [*argv, "."]


def _parse_flake8(out: str) -> set[Key]:
    keys = set()
    for line in out.splitlines():
        path, row, code = line.split("|")
        keys.add((path.removeprefix("./"), int(row), code))
    return keys


def flake8(cwd: Path, *args: str) -> set[Key]:
    """Run flake8 in a subprocess in ``cwd``."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-m", "flake8", *_flake8_args(cwd, *args)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=240)
    assert proc.returncode in (0, 1), proc.stderr
    return _parse_flake8(proc.stdout)


def flake8_in_process(cwd: Path, monkeypatch: pytest.MonkeyPatch) -> set[Key]:
    """flake8's own command line, run in this process with one job (the plugin as flake8 loads it)."""
    from flake8.main import cli

    out = cwd / ".flake8-out.txt"
    monkeypatch.chdir(cwd)
    status = cli.main([*_flake8_args(cwd, "--jobs", "1", "--output-file", str(out))])
    assert status in (0, 1)
    return _parse_flake8(out.read_text(encoding="utf-8"))


def tenantlint(cwd: Path) -> set[Key]:
    """``tenantlint check --format json`` in a subprocess in ``cwd``."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-m", "tenantlint", "check", "--format", "json", "--no-cache"],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=240)
    return {(f["path"], f["line"], f["code"]) for f in json.loads(proc.stdout)["findings"]}


def tenantlint_in_process(cwd: Path, monkeypatch: pytest.MonkeyPatch) -> set[Key]:
    out = cwd / ".tenantlint-out.json"
    monkeypatch.chdir(cwd)
    assert tenantlint_main(["check", "--format", "json", "--no-cache", "--output", str(out)]) in (0, 1)
    return {(f["path"], f["line"], f["code"]) for f in json.loads(out.read_text())["findings"]}


def flake8_view(work: Path, found: set[Key]) -> set[Key]:
    """What flake8 must report given what ``check`` reports. Documented differences: flake8 reports
    syntax errors itself (E999) and never hands such a file to plugins, and it owns `# noqa`, so an
    unused noqa is not TNT902 under flake8."""

    def flake8_owned(key: Key) -> bool:
        path, line, code = key
        text = (work / path).read_text(encoding="utf-8", errors="replace").splitlines()[line - 1]
        return code == "TNT999" or (code == "TNT902" and "tenantlint:" not in text)

    return {k for k in found if not flake8_owned(k)}


@pytest.mark.parametrize("app", QUICK_APPS)
def test_flake8_matches_check_in_process(app: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    work = tmp_path / app
    shutil.copytree(FIXTURES / app, work)
    expected = tenantlint_in_process(work, monkeypatch)
    assert expected
    assert flake8_in_process(work, monkeypatch) == flake8_view(work, expected)
    assert (work / ".tenantlint_cache").is_dir()  # the index went through the shared disk cache


@pytest.mark.slow
@pytest.mark.parametrize("app", ALL_APPS)
def test_flake8_matches_check_on_fixture_apps(app: str, tmp_path: Path) -> None:
    work = tmp_path / app
    shutil.copytree(FIXTURES / app, work)
    expected = tenantlint(work)
    assert expected
    expected = flake8_view(work, expected)
    assert flake8(work) == expected
    assert (work / ".tenantlint_cache").is_dir()  # the index went through the shared disk cache
    assert flake8(work, "--jobs", "2") == expected


def settings(root: Path) -> Settings:
    project = build_project(Config(root=root))
    return Settings(Config(root=root), project.index, project.facts)


SRC = """from billing.models import Invoice


def a(request):
    return Invoice.objects.all()  # noqa: TNT101


def b(request):
    return Invoice.objects.all()  # tenantlint: ignore[TNT101] admin export, reviewed


def c(request):
    return Invoice.objects.all()  # tenantlint: ignore[TNT101]


x = 1  # noqa: TNT102
y = 2  # tenantlint: ignore[TNT103] nothing here
"""


def test_noqa_left_to_flake8_and_tenantlint_ignore_applied() -> None:
    found = [(f.line, f.code) for f in flake8_findings("v.py", SRC, settings(FIXTURES / "demo"))]
    # line 5: noqa is flake8's to apply; line 9: suppressed with a reason; line 13: suppressed, TNT901;
    # line 16: no TNT902 for an unused noqa under flake8; line 17: TNT902 for the unused ignore.
    assert found == [(5, "TNT101"), (13, "TNT901"), (17, "TNT902")]


def test_checker_yields_flake8_tuples(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(FIXTURES / "demo", tmp_path / "demo")
    monkeypatch.chdir(tmp_path / "demo")
    lines = SRC.splitlines(keepends=True)
    checker = TenantlintChecker(None, "v.py", lines)
    reports = list(checker.run())
    assert reports[0] == (5, 11, "TNT101 query on tenant table 'billing_invoice' has no tenant filter",
                          TenantlintChecker)
    assert [r[2].split()[0] for r in reports] == ["TNT101", "TNT901", "TNT902"]


def _flake8_proc(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "flake8", "--format", "%(path)s|%(row)d|%(code)s", *args]
    if not _installed():
        cfg = cwd / ".flake8-tnt-test.cfg"
        cfg.write_text("[flake8:local-plugins]\nextension =\n    TNT = "
                       "tenantlint.integrations.flake8:TenantlintChecker\n")
        cmd += ["--config", str(cfg)]
    return subprocess.run([*cmd, "."], cwd=cwd, env=env, capture_output=True, text=True, timeout=240)


def test_exclude_applies_to_the_files_flake8_names(tmp_path: Path) -> None:
    work = tmp_path / "demo"
    shutil.copytree(FIXTURES / "demo", work)
    (work / "billing" / "migrations").mkdir(exist_ok=True)
    (work / "billing" / "migrations" / "0009_backfill.py").write_text(SRC)
    (work / "legacy").mkdir()
    (work / "legacy" / "old.py").write_text(SRC)
    with (work / "tenantlint.toml").open("a") as toml:
        toml.write('\nexclude = ["legacy/**"]\n')
    found = {path for path, _, _ in flake8(work)}
    assert found and not any("migrations" in p or p.startswith("legacy/") for p in found)
    assert found == {path for path, _, _ in tenantlint(work)}


def test_config_error_is_one_line_and_exit_2(tmp_path: Path) -> None:
    work = tmp_path / "demo"
    shutil.copytree(FIXTURES / "demo", work)
    (work / "tenantlint.toml").write_text('tenant_colums = ["org_id"]\n')
    proc = _flake8_proc(work, "--select", "TNT")
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "tenantlint: config error: tenantlint.toml: key 'tenant_colums': unknown key "
        "(did you mean 'tenant_columns'?)"]
    # TNT not selected: the plugin reads no config and does nothing
    other = _flake8_proc(work, "--select", "E9,F63")
    assert other.returncode == 0 and other.stderr == "", other.stderr


def test_results_are_shared_with_check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """After `tenantlint check`, flake8 analyses nothing again: every result comes from the cache."""
    import tenantlint.integrations.flake8 as plugin
    import tenantlint.runner as runner
    from tenantlint.cli import main as tenantlint_main

    work = tmp_path / "demo"
    shutil.copytree(FIXTURES / "demo", work)
    monkeypatch.chdir(work)
    assert tenantlint_main(["check", "--quiet", "--jobs", "1", "--format", "json", "--output", "o.json"]) == 1
    monkeypatch.setattr(plugin, "_STATES", {})

    def no_analysis(*args: object) -> object:
        raise AssertionError("analysed again")

    monkeypatch.setattr(runner, "analyze_data", no_analysis)
    checker = TenantlintChecker(None, "./billing/views.py",
                                (work / "billing" / "views.py").read_text().splitlines(keepends=True))
    monkeypatch.setattr(TenantlintChecker, "enabled", True)
    monkeypatch.setattr(TenantlintChecker, "config_path", None)
    codes = [r[2].split()[0] for r in checker.run()]
    import json

    expected = [f["code"] for f in json.loads((work / "o.json").read_text())["findings"]
                if f["path"] == "billing/views.py" and f["code"] not in ("TNT902", "TNT999")]
    assert codes and sorted(codes) == sorted(expected)


def test_selection_follows_flake8() -> None:
    import argparse

    from tenantlint.integrations.flake8 import tnt_selected

    def options(select: list[str] | None, ignore: list[str] | None = None) -> argparse.Namespace:
        return argparse.Namespace(select=select, extend_select=None, ignore=ignore, extend_ignore=None,
                                  extended_default_select=["C90", "F", "E", "W", "TNT"],
                                  extended_default_ignore=[])

    assert tnt_selected(options(None)) is True
    assert tnt_selected(options(["E", "F", "W"])) is False
    assert tnt_selected(options(["TNT1"])) is True
    assert tnt_selected(options(None, ["TNT"])) is False
