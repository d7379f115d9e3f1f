"""A module's route table is the same whether or not the plug-in may skip the expression walk
(``source`` known and spelling no endpoint call) — over every fixture file and a hand-made case."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest

from tenantlint.analysis.frameworks import fastapi, flask
from tenantlint.analysis.frameworks.common import RouteTable, route_table
from tenantlint.analysis.interp.file_context import FileContext
from tenantlint.analysis.interp.imports import collect_imports
from tenantlint.analysis.plugins import registered_plugins
from tenantlint.analysis.settings import Settings
from tenantlint.analysis.source.parse import decode
from tenantlint.config.options import Config
from tenantlint.index.records import ProjectIndex

ROOT = Path(__file__).resolve().parent.parent
FILES = sorted((ROOT / "fixtures").rglob("*.py"))
SETTINGS = Settings(Config(), ProjectIndex())

HAND_MADE = '''
from flask import Flask, Blueprint
from starlette.routing import Route
app = Flask(__name__)
bp = Blueprint("b", __name__)
if True:
    other = Blueprint("o", __name__)
else:
    other = None
try:
    X = 1
except ImportError:
    X = 2
def create():
    inner = Flask("x")
    app.add_url_rule("/a", "a", view)
routes = [Route("/r", endpoint=handler)]
'''


Tables = list[tuple[dict[str, str], dict[str, str], list[str]]]


def _tables(module: cst.Module, source: str | None) -> Tables:
    out = []
    for key, constructors, calls in (("fastapi", fastapi.CONSTRUCTORS, fastapi.ENDPOINT_CALLS),
                                     ("flask", flask.CONSTRUCTORS, flask.ENDPOINT_CALLS)):
        ctx = FileContext("app/x.py", module, SETTINGS, collect_imports(module), registered_plugins(),
                          source=source)
        table: RouteTable = route_table(ctx, key, constructors, calls)
        out.append((table.objects, table.endpoints,
                    [f"{k}={id(v)}" for k, v in table.aliases.items()]))  # the same nodes, in order
    return out


def _both(text: str) -> tuple[Tables, Tables]:
    module = cst.parse_module(text)
    return _tables(module, text), _tables(module, None)


def test_hand_made_module() -> None:
    with_source, without = _both(HAND_MADE)
    assert with_source == without
    flask_objects = with_source[1][0]
    assert flask_objects == {"app": "flask.Flask", "bp": "flask.Blueprint", "other": "flask.Blueprint",
                             "inner": "flask.Flask"}
    assert with_source[1][1] == {"view": "/a"}
    assert with_source[0][1] == {"handler": "/r"}
    # Without any endpoint call spelt, only assignments are read, and they are all found.
    plain = HAND_MADE.replace("add_url_rule", "add_thing").replace("Route(", "Thing(")
    with_source, without = _both(plain)
    assert with_source == without
    assert set(with_source[1][0]) == {"app", "bp", "other", "inner"}


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_fixture_route_tables_do_not_depend_on_the_shortcut(path: Path) -> None:
    text = decode(path.read_bytes())
    try:
        cst.parse_module(text)
    except cst.ParserSyntaxError:
        pytest.skip("libcst rejects this fixture (a TNT999 case)")
    with_source, without = _both(text)
    assert with_source == without
