"""Helpers for ORM unit tests: write a tiny app to a temp folder and lint it."""

from __future__ import annotations

import os
from pathlib import Path

from tenantlint.api import check_paths, load_config


def lint_app(root: Path, files: dict[str, str], config: str = "") -> set[tuple[str, int, str]]:
    """Write ``files`` under ``root`` and return {(file, line, code)} of the findings."""
    (root / "tenantlint.toml").write_text(config)
    for name, text in files.items():
        (root / name).write_text(text)
    old = Path.cwd()
    os.chdir(root)
    try:
        result = check_paths([Path(".")], load_config(), jobs=1)
    finally:
        os.chdir(old)
    return {(Path(f.path).as_posix(), f.line, f.code) for f in result.findings}


def expected(files: dict[str, str]) -> set[tuple[str, int, str]]:
    """``# expect: TNT101, TNT103`` trailing comments of the inline sources."""
    out: set[tuple[str, int, str]] = set()
    for name, text in files.items():
        for i, line in enumerate(text.splitlines(), 1):
            if "# expect:" in line:
                for code in line.split("# expect:")[1].split(","):
                    out.add((name, i, code.strip()))
    return out
