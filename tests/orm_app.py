"""Helpers for ORM unit tests: write a tiny app to a temp folder and lint it."""

from __future__ import annotations

import os
from pathlib import Path

from tenantlint.api import check_paths, load_config
from tenantlint.results import Finding
from tests.fixtures_eval import EXPECT, Entry, compare, parse_expect


def lint_app(root: Path, files: dict[str, str], config: str = "") -> set[tuple[str, int, str]]:
    """Write ``files`` under ``root`` and return {(file, line, code)} of the findings."""
    return {(Path(f.path).as_posix(), f.line, f.code) for f in _findings(root, files, config)}


def mismatches(root: Path, files: dict[str, str], config: str = "") -> list[str]:
    """Lint the app and compare its findings with the sources' ``# expect:`` annotations, as the
    fixture apps are compared (same grammar, tables, multiplicity; the finding's own line)."""
    found: list[Entry] = [(Path(f.path).as_posix(), f.line, f.code, f.table)
                          for f in _findings(root, files, config)]
    _, missing, unexpected = compare(expected(files), found)
    return [f"missing {e}" for e in missing] + [f"unexpected {e}" for e in unexpected]


def _findings(root: Path, files: dict[str, str], config: str) -> list[Finding]:
    (root / "tenantlint.toml").write_text(config)
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    old = Path.cwd()
    os.chdir(root)
    try:
        result = check_paths([Path(".")], load_config(), jobs=1)
    finally:
        os.chdir(old)
    return list(result.findings)


def expected(files: dict[str, str]) -> list[Entry]:
    """``# expect: TNT101[table], TNT103`` trailing comments of the inline sources."""
    out: list[Entry] = []
    for name, text in files.items():
        for i, line in enumerate(text.splitlines(), 1):
            m = EXPECT.search(line)
            if m:
                out += [(name, i, code, table) for code, table in parse_expect(m.group(1))]
    return out
