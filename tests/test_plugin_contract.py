"""The plug-in contract (``analysis/plugins.py``) holds: the interpreter names no ORM or framework, plug-ins
reach the evaluator only through ``Evaluation``, and the analysis has no import cycle, type-level imports
included."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tenantlint.analysis.plugins import FrameworkPlugin, OrmPlugin, registered_plugins

PACKAGE = Path(__file__).resolve().parents[1] / "tenantlint"
ANALYSIS = PACKAGE / "analysis"
PLUGIN_DIRS = ("orm", "frameworks", "rawsql")
# What the evaluator keeps to itself: a plug-in asks ``Evaluation`` instead.
PRIVATE = frozenset({"origins", "facts", "statement_hints", "class_attrs", "orms", "bind"})


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, known: set[str]) -> set[str]:
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):  # TYPE_CHECKING imports included
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            out.add(node.module)
            out.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
    return out & known


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(ANALYSIS.rglob("*.py"))}


def _family_names() -> set[str]:
    plugins = registered_plugins()
    names = {fw.name for fw in plugins.frameworks} | {orm.name for orm in plugins.orms}
    for orm in plugins.orms:
        names |= orm.families
    for fw in plugins.frameworks:
        names |= {g.split(".", 1)[0] for g in fw.request_globals}
    return names


def test_every_registered_plugin_implements_the_contract() -> None:
    plugins = registered_plugins()
    assert plugins.frameworks and plugins.orms
    assert all(isinstance(fw, FrameworkPlugin) for fw in plugins.frameworks)
    assert all(isinstance(orm, OrmPlugin) for orm in plugins.orms)


@pytest.mark.parametrize("path", sorted((ANALYSIS / "interp").glob("*.py")), ids=lambda p: p.name)
def test_the_interpreter_names_no_orm_or_framework(path: Path) -> None:
    tree = ast.parse(path.read_text())
    families = _family_names()
    docstrings = {
        id(n.body[0].value) for n in ast.walk(tree)
        if isinstance(n, ast.Module | ast.ClassDef | ast.FunctionDef) and n.body
        and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)
    }
    named = {
        node.value for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
        and (node.value in families or node.value.split(".", 1)[0] in families)
    }
    assert not named, f"{path.name} names {sorted(named)}: ask a plug-in hook instead"
    plugin_modules = {m for m in _modules() if m.split(".")[2:3] in (["orm"], ["frameworks"])}
    assert not _imports(path, plugin_modules), f"{path.name} imports a plug-in module"
    hook_names = {n for cls in (OrmPlugin, FrameworkPlugin) for n in vars(cls) if not n.startswith("_")}
    hooks = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
             and n.func.id in ("getattr", "hasattr") and len(n.args) >= 2
             and isinstance(n.args[1], ast.Constant) and n.args[1].value in hook_names]
    assert not hooks, f"{path.name} looks a hook up by name (line {hooks[0].lineno}): declare it in plugins"


@pytest.mark.parametrize(
    "path", [p for d in PLUGIN_DIRS for p in sorted((ANALYSIS / d).glob("*.py"))],
    ids=lambda p: f"{p.parent.name}/{p.name}",
)
def test_plugins_reach_the_evaluator_only_through_the_contract(path: Path) -> None:
    tree = ast.parse(path.read_text())
    internal = {"tenantlint.analysis.interp.evaluator", "tenantlint.analysis.interp.walker",
                "tenantlint.analysis.interp.file_context", "tenantlint.analysis.interp.function_state",
                "tenantlint.analysis.interp.operators"}
    assert not _imports(path, internal), f"{path.name} imports the interpreter: use plugins.Evaluation"
    touched = sorted({
        f"{n.lineno}: .{n.attr}" for n in ast.walk(tree)
        if isinstance(n, ast.Attribute) and n.attr in PRIVATE
        and isinstance(n.value, ast.Attribute) and n.value.attr in ("ctx", "fn")
    })
    assert not touched, f"{path.name} reaches into the evaluator's state: {touched}"
    writes = [n.lineno for n in ast.walk(tree) if isinstance(n, ast.Assign | ast.AugAssign)
              for t in (n.targets if isinstance(n, ast.Assign) else [n.target])
              if not any(isinstance(a, ast.Attribute) and a.attr == "plugin_memo" for a in ast.walk(t))
              for a in ast.walk(t) if isinstance(a, ast.Name) and a.id == "ev"]
    assert not writes, f"{path.name} writes the evaluator's state at lines {writes}"


def test_the_analysis_has_no_import_cycle() -> None:
    modules = _modules()
    known = set(modules)
    graph = {name: _imports(path, known) - {name} for name, path in modules.items()}
    # Importing a module imports its package's __init__: only real module-to-module edges count.
    graph = {name: {d for d in deps if not name.startswith(d + ".")} for name, deps in graph.items()}
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for dep in sorted(graph[node]):
            if state.get(dep) == 1:
                cycle = path[path.index(dep):] + [dep] if dep in path else [node, dep]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if dep not in state:
                visit(dep, [*path, dep])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
