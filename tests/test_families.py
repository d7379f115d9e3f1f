"""The families table names both halves of every ORM and framework: a half that is missing, or a
plug-in or extractor that no row names, is a test failure rather than silence."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import pytest

import tenantlint.analysis.frameworks
import tenantlint.analysis.orm
from tenantlint.analysis.plugins import FrameworkPlugin, OrmPlugin, registered_plugins
from tenantlint.families import FRAMEWORK_FAMILIES, ORM_FAMILIES, OrmFamily, load, route_calls
from tenantlint.index.extract import _EXTRACTORS

INDEX = Path(__file__).resolve().parents[1] / "tenantlint" / "index"


def _instances(package: object, kind: type) -> list[tuple[str, object]]:
    out = []
    path = package.__path__  # type: ignore[attr-defined]
    for info in pkgutil.iter_modules(path):
        module = importlib.import_module(f"{package.__name__}.{info.name}")  # type: ignore[attr-defined]
        out += [(f"{module.__name__}:{k}", v) for k, v in vars(module).items()
                if isinstance(v, kind) and not k.startswith("_")]
    return out


@pytest.mark.parametrize("family", ORM_FAMILIES, ids=lambda f: f.name)
def test_every_orm_row_names_both_halves(family: OrmFamily) -> None:
    plugin = load(family.plugin)
    assert isinstance(plugin, OrmPlugin), f"{family.name}: {family.plugin} is not an OrmPlugin"
    assert family.name in plugin.families, f"{family.plugin} does not claim models of {family.name}"
    if family.extractor is not None:
        assert callable(load(family.extractor))
        assert _EXTRACTORS[family.name] is load(family.extractor)


def test_every_family_the_index_produces_has_a_row() -> None:
    """``ModelInfo(family="...")`` literals in index/: each has a row, so its models are analysed."""
    produced: set[str] = set()
    for path in INDEX.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.keyword) and node.arg == "family":
                value = node.value
                if isinstance(value, ast.Constant):
                    produced.add(value.value)
            elif isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Tuple) and any(isinstance(e, ast.Name) and e.id == "family"
                                                 for e in t.elts)
                for t in node.targets
            ) and isinstance(node.value, ast.Tuple) and isinstance(node.value.elts[0], ast.Constant):
                produced.add(node.value.elts[0].value)  # ``family, name = "alembic", table``
            elif isinstance(node, ast.Call) and getattr(node.func, "id", None) == "_extract":
                produced.update(a.value for a in node.args if isinstance(a, ast.Constant))
    assert {"django", "sqlalchemy", "sqlmodel", "alembic", "ddl", "peewee", "tortoise"} <= produced
    rows = {f.name for f in ORM_FAMILIES}
    assert produced <= rows, f"index families without a row: {sorted(produced - rows)}"


def test_every_plugin_has_a_row() -> None:
    named = {f.plugin for f in ORM_FAMILIES} | {f.plugin for f in FRAMEWORK_FAMILIES}
    for ref, _ in (_instances(tenantlint.analysis.orm, OrmPlugin)
                   + _instances(tenantlint.analysis.frameworks, FrameworkPlugin)):
        assert ref in named, f"{ref} is a plug-in that no row of tenantlint/families.py names"


@pytest.mark.parametrize("family", FRAMEWORK_FAMILIES, ids=lambda f: f.name)
def test_every_framework_row_names_its_plugin(family: object) -> None:
    from tenantlint.families import FrameworkFamily

    assert isinstance(family, FrameworkFamily)
    plugin = load(family.plugin)
    assert isinstance(plugin, FrameworkPlugin) and plugin.name == family.name
    assert family.import_prefixes
    assert plugin.request_globals == family.request_globals


def test_the_analysis_asks_the_plugins_in_table_order() -> None:
    plugins = registered_plugins()
    assert [fw.name for fw in plugins.frameworks] == [f.name for f in FRAMEWORK_FAMILIES]
    assert [orm.name for orm in plugins.orms] == list(dict.fromkeys(
        load(f.plugin).name for f in ORM_FAMILIES  # type: ignore[attr-defined]
    ))


def test_route_registrations_come_from_the_table() -> None:
    from tenantlint.analysis.frameworks.route_index import CALLS, HINT

    assert CALLS == route_calls()
    for call in CALLS:
        assert HINT.search(f"app.{call}('/x', f)")
