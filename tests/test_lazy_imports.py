"""A pre-commit run imports only what it uses (issue 8): no rich for plain text, no jinja2/jsonschema."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "fixtures" / "demo"

PROBE = """
import sys
from tenantlint.cli import main
status = main(sys.argv[1:])
heavy = sorted(m for m in ("rich", "jinja2", "jsonschema") if m in sys.modules)
print("IMPORTED", ",".join(heavy), file=sys.stderr)
sys.exit(status)
"""


def imported(*args: str) -> set[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-c", PROBE, "check", "--no-cache", *args], cwd=DEMO, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1, proc.stderr  # the demo has findings: the reporter really wrote them
    line = next(x for x in proc.stderr.splitlines() if x.startswith("IMPORTED"))
    return {m for m in line.removeprefix("IMPORTED").strip().split(",") if m}


def test_plain_text_and_json_import_no_rich_jinja_or_jsonschema() -> None:
    assert imported() == set()  # stdout is a pipe: plain lines
    assert imported("--format", "json") == set()


WARM_PROBE = """
import sys
from tenantlint.cli import main
status = main(sys.argv[1:])
heavy = sorted(m for m in ("libcst", "sqlglot", "rich") if m in sys.modules)
print("IMPORTED", ",".join(heavy), file=sys.stderr)
sys.exit(status)
"""


def _check(tmp: Path, cache: Path) -> tuple[set[str], str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-c", WARM_PROBE, "check", "--format", "json",
                           "--cache-dir", str(cache), "."], cwd=tmp, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1, proc.stderr
    line = next(x for x in proc.stderr.splitlines() if x.startswith("IMPORTED"))
    return {m for m in line.removeprefix("IMPORTED").strip().split(",") if m}, proc.stdout


def test_a_warm_run_loads_no_parser(tmp_path: Path) -> None:
    """With every result in the cache nothing is parsed, so libcst and sqlglot are never imported;
    the findings are the same as the cold run's, and an edited file brings the parser back."""
    import shutil
    import time

    project = tmp_path / "demo"
    shutil.copytree(DEMO, project)
    cache = tmp_path / "cache"
    cold, cold_out = _check(project, cache)
    assert "libcst" in cold
    time.sleep(0.01)
    warm, warm_out = _check(project, cache)
    assert warm == set()
    strip = [line for line in warm_out.splitlines() if '"seconds"' not in line]
    assert strip == [line for line in cold_out.splitlines() if '"seconds"' not in line]
    target = next(p for p in sorted(project.rglob("*.py")) if "objects" in p.read_text())
    target.write_text(target.read_text() + "\n# edited\n")
    edited, _ = _check(project, cache)
    assert "libcst" in edited


def test_sqlglot_loads_only_for_sql() -> None:
    """Importing the analysis and the pre-pass reader does not load sqlglot; the first SQL does."""
    code = ("import sys, tenantlint.cli, tenantlint.analysis.engine, tenantlint.prepass\n"
            "print('sqlglot' in sys.modules)\n"
            "from tenantlint.sqlcheck import analyze_sql\n"
            "print('sqlglot' in sys.modules)\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         timeout=60, check=True).stdout.split()
    assert out == ["False", "True"]


def test_a_small_check_starts_no_pool_machinery_and_no_audit() -> None:
    """Below the pool's threshold no worker is forked, so concurrent.futures and multiprocessing
    (~25 ms of start-up) are not imported; the audit report's model is only for ``audit``."""
    code = ("import sys\nfrom tenantlint.cli import main\nstatus = main(sys.argv[1:])\n"
            "print('LOADED', sorted(m for m in ('concurrent.futures', 'multiprocessing', 'tenantlint.audit')"
            " if m in sys.modules), file=sys.stderr)\nsys.exit(status)\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-c", code, "check", "--no-cache", "--format", "json"], cwd=DEMO,
                          env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1, proc.stderr
    assert "LOADED []" in proc.stderr
