"""The repository describes itself: no reference to documents outside it."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUTSIDE = re.compile(r"\bSPEC\b|SPEC\.md|GUIDE\.md|\.\./shared\b|/work/shared\b")


SKIP_DIRS = {".git", ".venv", "venv", "__pycache__", ".tenantlint_cache", ".mypy_cache", ".ruff_cache", "out"}
TEXT = {".py", ".md", ".toml", ".txt", ".cfg", ".yaml", ".yml", ".sql", ".html", ".j2", ""}


def tracked_text_files() -> list[Path]:
    files = []
    for path in ROOT.rglob("*"):
        rel = path.relative_to(ROOT).parts
        if any(part in SKIP_DIRS or part.endswith(".egg-info") for part in rel[:-1]):
            continue
        if path.is_file() and path.suffix in TEXT and path != Path(__file__).resolve():
            files.append(path)
    return files


def test_nothing_refers_to_documents_outside_the_repository() -> None:
    hits = []
    for path in tracked_text_files():
        text = path.read_text(encoding="utf-8", errors="replace")
        for lineno, line in enumerate(text.splitlines(), 1):
            if OUTSIDE.search(line):
                hits.append(f"{path.relative_to(ROOT)}:{lineno}: {line.strip()}")
    assert len(tracked_text_files()) > 100  # the walk really saw the repository
    assert not hits, "\n".join(hits)
