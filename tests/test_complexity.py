"""The functions that were split into named steps stay simple.

McCabe complexity (the ``mccabe`` package, flake8's C901) of each listed function, and of every
function of the listed whole modules, is at most 15. A listed function that no longer exists fails
too, so a rename updates this list.
"""

from __future__ import annotations

import ast
from pathlib import Path

import mccabe
import pytest

ROOT = Path(__file__).resolve().parents[1] / "tenantlint"
MAX = 15

# module -> the functions held to MAX (None: every function of the module)
SPLIT: dict[str, tuple[str, ...] | None] = {
    "analysis/interp/call_eval.py": None,
    "sqlcheck/params.py": None,
    "scan.py": None,
    "analysis/interp/walker.py": (
        "Walker._statement", "Walker._if", "Walker._for", "Walker._while", "Walker._loop_body",
        "Walker._with", "Walker._try", "Walker._match", "Walker.walk_function", "Walker._entry_env",
        "Walker._handler_params", "Walker._method_rows",
    ),
    "analysis/interp/predicates.py": (
        "pins_of", "_leaf_pins", "_and_pins", "_or_pins", "_not_pins",
    ),
    "analysis/interp/class_models.py": (
        "module_class_models", "_class_level_models", "_init_models", "_model_calls", "_passed_models",
    ),
    "analysis/frameworks/fastapi.py": (
        "FastApi._bind", "_bind_param", "_bind_input", "_bind_dependency", "_first_marker",
        "_names_tenant_key", "_verify_path_params",
    ),
}


def complexities(path: Path) -> dict[str, int]:
    visitor = mccabe.PathGraphingAstVisitor()
    visitor.preorder(ast.parse(path.read_text(encoding="utf-8")), visitor)
    return {graph.entity: graph.complexity() for graph in visitor.graphs.values()}


@pytest.mark.parametrize("module", sorted(SPLIT))
def test_split_functions_stay_simple(module: str) -> None:
    found = complexities(ROOT / module)
    names = SPLIT[module] or tuple(found)
    assert [n for n in names if n not in found] == []
    assert {n: found[n] for n in names if found[n] > MAX} == {}


def test_a_complex_function_is_caught(tmp_path: Path) -> None:
    branches = "\n".join(f"    if x == {i}:\n        return {i}" for i in range(MAX))
    path = tmp_path / "m.py"
    path.write_text(f"def f(x):\n{branches}\n    return -1\n", encoding="utf-8")
    assert complexities(path) == {"f": MAX + 1}
