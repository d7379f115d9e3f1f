"""The repository describes itself: no reference to documents outside it, and the Sphinx-style
references in the package's docstrings (``:func:`dotted```, ``:mod:`tenantlint.scan```) name things
that exist."""

from __future__ import annotations

import importlib
import inspect
import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUTSIDE = re.compile(r"\bSPEC\b|SPEC\.md|GUIDE\.md|\.\./shared\b|/work/shared\b")


SKIP_DIRS = {".git", ".venv", "venv", "__pycache__", ".tenantlint_cache", ".mypy_cache", ".ruff_cache", "out"}
TEXT = {".py", ".md", ".toml", ".txt", ".cfg", ".yaml", ".yml", ".sql", ".html", ".j2", ""}


def tracked_text_files() -> list[Path]:
    files = []
    for folder, dirs, names in os.walk(ROOT):
        dirs[:] = [d for d in dirs if d not in SKIP_DIRS and not d.endswith(".egg-info")]
        for name in names:
            path = Path(folder) / name
            if path.suffix in TEXT and path != Path(__file__).resolve():
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


ROLE = re.compile(r":(?:func|mod|class|meth|data|attr|exc):`~?([A-Za-z_][\w.]*)`")


def _resolves(module: str, ref: str) -> bool:
    """``ref`` as written in ``module``: a name of the module (``Class.method`` too), a method of one
    of its classes (``:meth:`write``` in a class docstring), or a fully qualified name."""
    parts = ref.split(".")
    for i in range(len(parts), 0, -1):  # a module, then attributes
        try:
            obj: object = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        return _getattrs(obj, parts[i:])
    mod = importlib.import_module(module)
    if _getattrs(mod, parts):
        return True
    classes = [c for _, c in inspect.getmembers(mod, inspect.isclass) if c.__module__ == module]
    return len(parts) == 1 and any(hasattr(c, ref) for c in classes)


def _getattrs(obj: object, names: list[str]) -> bool:
    for name in names:
        if not hasattr(obj, name):
            return False
        obj = getattr(obj, name)
    return True


def test_docstring_references_name_what_exists() -> None:
    refs = []
    for path in sorted((ROOT / "tenantlint").rglob("*.py")):
        if path.name == "__main__.py":  # importing it runs the command line
            continue
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        refs += [(module, m.group(0), m.group(1)) for m in ROLE.finditer(path.read_text(encoding="utf-8"))]
    assert len(refs) > 20
    dead = [f"{module}: {text}" for module, text, ref in refs if not _resolves(module, ref)]
    assert not dead, "\n".join(dead)


def test_a_dead_reference_is_caught() -> None:
    assert _resolves("tenantlint.scan", "tenantlint.runner.build_project")
    assert _resolves("tenantlint.reporters.base", "write")
    assert not _resolves("tenantlint.sqlcheck.params", "neutralize_placeholders")
    assert not _resolves("tenantlint.scan", "tenantlint.analysis.sql_sinks.analyze")
