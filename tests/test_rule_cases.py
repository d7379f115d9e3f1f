"""Every rule's cases (the examples of its documentation page) run in the example project.

An invalid case must get the rule's code; a valid case must get no finding at all. Adding a rule is
one class with its cases plus one line in ``tenantlint/rules/registry.py``: its cases run here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tenantlint.api import check_paths, load_config
from tenantlint.results import Finding
from tenantlint.rules.example_project import CASE_PATH, FILES
from tenantlint.rules.registry import ALL_RULES

CASES = [
    pytest.param(rule.code, kind, case, id=f"{rule.code}-{kind}-{i}")
    for rule in ALL_RULES
    for kind, cases in (("invalid", rule.invalid), ("valid", rule.valid))
    for i, case in enumerate(cases)
]


def findings_of(case: str, root: Path, monkeypatch: pytest.MonkeyPatch) -> list[Finding]:
    for rel, text in FILES.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    (root / CASE_PATH).write_text(case.lstrip("\n"), encoding="utf-8")
    monkeypatch.chdir(root)
    result = check_paths([Path(".")], load_config(), jobs=1)
    return list(result.findings)


@pytest.mark.parametrize(("code", "kind", "case"), CASES)
def test_rule_case(code: str, kind: str, case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    found = findings_of(case, tmp_path, monkeypatch)
    assert all(f.path == CASE_PATH for f in found), found  # the example project itself is clean
    report = "\n".join(f"{f.line}:{f.column} {f.code} {f.message}" for f in found)
    if kind == "invalid":
        assert code in {f.code for f in found}, f"{code} not reported:\n{report}"
    else:
        assert not found, f"a valid case of {code} got findings:\n{report}"


def test_every_rule_has_cases_of_both_kinds() -> None:
    assert len(CASES) >= 2 * len(ALL_RULES)
    for rule in ALL_RULES:
        assert rule.invalid and rule.valid, rule.code
