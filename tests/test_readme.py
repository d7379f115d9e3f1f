"""The README's quick start and sample output are real: its commands leave the shell where it was, and
every output block is what a run on the example app prints (timings aside). When the analysis of the
example app changes, paste the new output into the README."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()
APP = "fixtures/django_billing"


def section(title: str) -> str:
    start = README.index(f"## {title}\n")
    end = README.index("\n## ", start + 1)
    return README[start:end]


def blocks(text: str) -> list[str]:
    return re.findall(r"```text\n(.*?)```", text, flags=re.S)


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("readme") / "django_billing"
    shutil.copytree(ROOT / APP, work, ignore=shutil.ignore_patterns(".tenantlint_cache"))
    return work


def tenantlint(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    return subprocess.run([sys.executable, "-m", "tenantlint", "check", "--no-cache", *args], cwd=cwd,
                          env=env, capture_output=True, text=True, timeout=240)


def without_time(line: str) -> str:
    return re.sub(r", \d+\.\d\ds", ", <time>", line)


def test_quick_start_commands_can_be_typed_one_after_the_other() -> None:
    commands = [line.strip() for line in section("Quick start").splitlines() if line.startswith("    ")]
    assert len(commands) == 2
    first, second = commands
    # the first runs the example app in a subshell: the second starts from the checkout again
    assert first.endswith(f"(cd {APP} && tenantlint check)")
    assert "python -m pip install ." in first and ". .venv/bin/activate" in first
    assert second == 'python -m pip install -e ".[test]" && python -m pytest -m "slow or not slow"'
    assert (ROOT / APP / "tenantlint.toml").is_file()


def test_sample_output_is_a_real_run(app: Path) -> None:
    findings, frame, stats, tables = blocks(section("What it reports"))[:4]
    proc = tenantlint(app)
    out = proc.stdout.splitlines()
    shown = findings.strip().splitlines()
    summary = shown.pop()
    assert without_time(summary) == without_time(proc.stderr.strip())
    listed = [line for line in shown if line != "..."]
    assert listed and all(line in out for line in listed), [x for x in listed if x not in out]
    assert [out.index(line) for line in listed] == sorted(out.index(line) for line in listed)
    assert stats == tenantlint(app, "--statistics").stdout
    first = frame.splitlines()[0]
    path = first.split(":", 1)[0]
    framed = tenantlint(app, "--show-source", path).stdout
    assert frame in framed
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    listing = subprocess.run([sys.executable, "-m", "tenantlint", "tables"], cwd=app, env=env,
                             capture_output=True, text=True, timeout=240)
    assert tables == listing.stdout
