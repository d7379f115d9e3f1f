"""Generate docs/rules/ from the rule classes (the single source of rule metadata).

    python scripts/document_rules.py          # write docs/rules/*.md
    python scripts/document_rules.py --check  # exit 1 when docs/rules/ is out of date (CI)
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tenantlint.rules.example_project import CASE_PATH, FILES  # noqa: E402
from tenantlint.rules.registry import ALL_RULES  # noqa: E402

DOCS = ROOT / "docs" / "rules"


def pages() -> dict[Path, str]:
    out = {DOCS / f"{rule.code}.md": rule.documentation() for rule in ALL_RULES}
    lines = [
        "# Rules",
        "",
        "Generated from `tenantlint/rules/` by `scripts/document_rules.py`; `tenantlint rules CODE` "
        "prints the same page.",
        "",
        "| code | name | severity | flags |",
        "|---|---|---|---|",
    ]
    for rule in ALL_RULES:
        summary = rule.summary.replace("|", "\\|")
        lines.append(f"| [{rule.code}]({rule.code}.md) | {rule.name} | {rule.severity} | {summary} |")
    lines += [
        "",
        "## The examples",
        "",
        "Each page's examples are the rule's cases: every \"Example\" is a complete `" + CASE_PATH + "` that",
        "gets the rule's code, every \"Use instead\" one that gets no finding at all, in this small project",
        "(`tests/test_rule_cases.py` runs them all):",
    ]
    for rel, text in FILES.items():
        if text:
            lang = "sql" if rel.endswith(".sql") else "toml" if rel.endswith(".toml") else "python"
            lines += ["", f"`{rel}`:", "", f"```{lang}", text.rstrip("\n"), "```"]
    out[DOCS / "README.md"] = "\n".join(lines) + "\n"
    return out


def main(argv: list[str]) -> int:
    stale = [p for p, text in pages().items() if not p.exists() or p.read_text(encoding="utf-8") != text]
    if "--check" in argv:
        for p in stale:
            print(f"out of date: {p.relative_to(ROOT)} (run python scripts/document_rules.py)")
        return 1 if stale else 0
    DOCS.mkdir(parents=True, exist_ok=True)
    for p, text in pages().items():
        p.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
