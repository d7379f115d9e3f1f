"""Rule metadata is declared once; docs, `tenantlint rules` and the registry agree."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tenantlint.cli import main
from tenantlint.rules.registry import ALL_RULES
from tenantlint.untrusted import visible

ROOT = Path(__file__).resolve().parents[1]
# Codes users already rely on (select/ignore, baselines, noqa comments): they never go away or change
# meaning. A new rule needs no edit here: one class and one line in rules/registry.py.
PUBLISHED_CODES = ("TNT101", "TNT102", "TNT103", "TNT104", "TNT105", "TNT201", "TNT202", "TNT301",
                   "TNT302", "TNT901", "TNT902", "TNT999")


def test_registry_keeps_published_codes_in_code_order() -> None:
    codes = [r.code for r in ALL_RULES]
    assert set(PUBLISHED_CODES) <= set(codes)
    assert codes == sorted(set(codes))  # unique, and listed in code order
    assert len({r.name for r in ALL_RULES}) == len(codes)
    for r in ALL_RULES:
        assert re.fullmatch(r"[A-Z]{1,3}[0-9]{0,3}", r.code)  # flake8's code pattern
        assert r.severity in ("error", "warning")
        assert r.summary and r.why.strip()
        assert r.invalid and r.valid and all(c.strip() for c in (*r.invalid, *r.valid))


def test_rule_pages_show_the_rule_cases() -> None:
    for r in ALL_RULES:
        page = r.documentation()
        example, use_instead = page.split("## Example")[1].split("## Use instead")
        # invisible characters (TNT903's cases) are shown escaped on the page
        assert all(visible(case.strip(), keep_lines=True) in example for case in r.invalid), r.code
        assert all(case.strip() in use_instead for case in r.valid), r.code


def test_docs_are_generated_from_rules() -> None:
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "document_rules.py"), "--check"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout


def test_rules_command_lists_every_rule(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules"]) == 0
    out = capsys.readouterr().out
    for r in ALL_RULES:
        assert r.code in out and r.name in out
    assert main(["rules", "TNT101"]) == 0
    page = capsys.readouterr().out
    assert "## Why is this bad?" in page and "## Use instead" in page
    assert main(["rules", "TNT000"]) == 2
