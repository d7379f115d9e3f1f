"""pre-commit (7.2): the hook of .pre-commit-hooks.yaml fails on a staged leak and passes on the fix.

``pre-commit try-repo`` would build a virtualenv and pip-install tenantlint and its dependencies
(libcst, sqlglot...) from an index: that needs the network. So the test runs the same hook definition
(id, types, require_serial, entry ``tenantlint check --force-exclude``) as a ``repo: local`` hook with
``language: system`` and the current interpreter, which needs nothing but git and pre-commit.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MODELS = (ROOT / "fixtures" / "demo" / "billing" / "models.py").read_text()
LEAK = "from billing.models import Invoice\n\n\ndef view(request):\n    return Invoice.objects.all()\n"
FIX = LEAK.replace("objects.all()", "objects.filter(org=request.user.org)")

pytestmark = [
    pytest.mark.skipif(importlib.util.find_spec("pre_commit") is None, reason="pre-commit not installed"),
    pytest.mark.skipif(shutil.which("git") is None, reason="git not installed"),
]


def hook_config() -> str:
    text = (ROOT / ".pre-commit-hooks.yaml").read_text()
    assert "id: tenantlint" in text and "entry: tenantlint check --force-exclude" in text
    entry = next(line.split("entry:", 1)[1].strip() for line in text.splitlines() if "entry:" in line)
    assert "types: [python]" in text and "require_serial: true" in text
    body = [line for line in text.splitlines() if not line.lstrip("- ").startswith(("entry:", "language:"))]
    hook = "\n".join("      " + line.replace("- ", "  ", 1) if line.startswith("- ") else "      " + line
                     for line in body)
    return (f"repos:\n  - repo: local\n    hooks:\n      - entry: {sys.executable} -m {entry}\n"
            f"        language: system\n{hook.replace('        id:', '        id:')}\n")


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


def test_hook_blocks_a_leak_and_passes_the_fix(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "billing").mkdir(parents=True)
    (repo / "billing" / "models.py").write_text(MODELS)
    (repo / "views.py").write_text(LEAK)
    # pre-commit names every staged file: the default exclude (migrations) must still apply
    (repo / "billing" / "migrations").mkdir()
    (repo / "billing" / "migrations" / "0002_backfill.py").write_text(LEAK)
    (repo / "README.txt").write_text("not python\n")
    (repo / ".pre-commit-config.yaml").write_text(hook_config())
    git(repo, "init", "-q")
    git(repo, "-c", "user.email=t@example.com", "-c", "user.name=t", "add", "-A")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PRE_COMMIT_HOME": str(tmp_path / "pc-home"),
           "GIT_CONFIG_GLOBAL": os.devnull}
    cmd = [sys.executable, "-m", "pre_commit", "run", "--files", "views.py", "README.txt",
           "billing/migrations/0002_backfill.py"]
    failed = subprocess.run(cmd, cwd=repo, env=env, capture_output=True, text=True, timeout=240)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "views.py:5:12: TNT101" in failed.stdout
    assert "migrations" not in failed.stdout
    (repo / "views.py").write_text(FIX)
    git(repo, "add", "views.py")
    passed = subprocess.run(cmd, cwd=repo, env=env, capture_output=True, text=True, timeout=240)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "Passed" in passed.stdout
