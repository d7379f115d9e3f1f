"""docs/architecture.md names only modules that exist.

Every backticked path on the page (``analysis/interp/walker.py``, ``sqlcheck/``, ``rules/base.py``) is
read relative to ``tenantlint/`` (or to the repository root when it starts with ``tests/``,
``scripts/``, ``docs/``, ``fixtures/`` or ``benchmarks/``); ``path.py::Name`` also needs ``Name``
defined at the top level of that module. So a rename that forgets the page fails here.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "architecture.md"
REPO_DIRS = ("tenantlint/", "tests/", "scripts/", "docs/", "fixtures/", "benchmarks/")
PATH = re.compile(r"`([A-Za-z_][\w/.]*(?:\.py|/)(?:::\w+)?)`")


def named_paths(text: str) -> list[str]:
    return sorted(set(PATH.findall(text)))


def problems(text: str) -> list[str]:
    out = []
    for ref in named_paths(text):
        path, _, name = ref.partition("::")
        base = ROOT if path.startswith(REPO_DIRS) else ROOT / "tenantlint"
        target = base / path
        if not target.exists():
            out.append(f"{ref}: no such module or folder")
        elif name and name not in _top_level_names(target):
            out.append(f"{ref}: {path} defines no {name}")
    return out


def _top_level_names(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(t.id for t in targets if isinstance(t, ast.Name))
    return names


def test_every_module_named_in_architecture_md_exists() -> None:
    text = PAGE.read_text(encoding="utf-8")
    assert len(named_paths(text)) > 50  # the page names the layout in full
    assert problems(text) == []


def test_a_missing_module_is_caught() -> None:
    assert problems("`analysis/interp/walker.py` and `analysis/sql_sinks.py`") == [
        "analysis/sql_sinks.py: no such module or folder"
    ]
    assert problems("`analysis/source/parse.py::Positions`, `results.py::Nope`") == [
        "results.py::Nope: results.py defines no Nope"
    ]
    assert problems("`sqlcheck/` and `tests/fixtures_eval.py` and `oldpkg/`") == [
        "oldpkg/: no such module or folder"
    ]
