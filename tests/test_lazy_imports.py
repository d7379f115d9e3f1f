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
