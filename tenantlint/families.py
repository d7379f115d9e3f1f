"""The ORM and web-framework families tenantlint knows: both halves of each, in one table.

An ORM family has two halves: the project index's model extractor (``index/``, CPython ``ast``) and
the analysis plug-in (``analysis/orm/``, libcst) that reads its queries. A framework has its plug-in
(``analysis/frameworks/``) and what the pre-pass must know of it (route-registration calls). Adding
one is writing its modules and one row here; ``tests/test_families.py`` fails when a row names a half
that does not exist, or a plug-in or an extractor has no row.

Halves are named as ``"module:attribute"`` and loaded on first use, so reading the table imports
neither libcst nor any plug-in.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module


@dataclass(frozen=True, slots=True)
class OrmFamily:
    name: str  # ``ModelInfo.family``
    plugin: str  # ``module:attribute`` of its ``analysis.plugins.OrmPlugin``
    # ``module:function(cls, ModelFile) -> ModelInfo | None`` reading one model class; None when
    # the family's tables come from calls or SQL files (``index/table_calls.py``, ``index/ddl.py``)
    extractor: str | None
    import_prefixes: tuple[str, ...] = ()  # a file importing one of these uses this ORM


@dataclass(frozen=True, slots=True)
class FrameworkFamily:
    name: str  # ``HandlerInfo.framework``
    plugin: str  # ``module:attribute`` of its ``analysis.plugins.FrameworkPlugin``
    import_prefixes: tuple[str, ...]  # a file importing one of these uses this framework
    request_globals: frozenset[str] = frozenset()  # a request object that is a module global
    route_calls: frozenset[str] = frozenset()  # calls registering a function as a route endpoint


_ORM = "tenantlint.analysis.orm"
_WEB = "tenantlint.analysis.frameworks"

# Order: the plug-in order of the analysis (the first plug-in that answers wins).
ORM_FAMILIES: tuple[OrmFamily, ...] = (
    OrmFamily("django", f"{_ORM}.django:ORM", "tenantlint.index.django_models:extract_django",
              ("django", "modelcluster")),
    OrmFamily("sqlalchemy", f"{_ORM}.sqlalchemy:ORM", "tenantlint.index.sqla_models:extract_sqlalchemy",
              ("flask_sqlalchemy", "sqlalchemy")),
    OrmFamily("sqlmodel", f"{_ORM}.sqlalchemy:ORM", "tenantlint.index.sqla_models:extract_sqlmodel",
              ("sqlmodel",)),
    OrmFamily("alembic", f"{_ORM}.sqlalchemy:ORM", None),
    OrmFamily("ddl", f"{_ORM}.sqlalchemy:ORM", None),
    OrmFamily("peewee", f"{_ORM}.peewee:ORM", "tenantlint.index.peewee_tortoise:extract_peewee",
              ("peewee", "playhouse")),
    OrmFamily("tortoise", f"{_ORM}.tortoise:ORM", "tenantlint.index.peewee_tortoise:extract_tortoise",
              ("tortoise",)),
)

# Order: the first framework that claims a function as a handler describes it, so the decorator-based
# frameworks come before Django's "first parameter is ``request``" convention.
FRAMEWORK_FAMILIES: tuple[FrameworkFamily, ...] = (
    FrameworkFamily("flask", f"{_WEB}.flask:FRAMEWORK", ("flask", "quart"),
                    request_globals=frozenset({"flask.request", "quart.request", "flask.globals.request"}),
                    route_calls=frozenset({"add_url_rule"})),
    FrameworkFamily("fastapi", f"{_WEB}.fastapi:FRAMEWORK", ("fastapi", "starlette"),
                    route_calls=frozenset({"Route", "WebSocketRoute", "APIRoute", "APIWebSocketRoute",
                                           "add_api_route", "add_route", "add_websocket_route",
                                           "add_api_websocket_route"})),
    FrameworkFamily("drf", f"{_WEB}.drf:FRAMEWORK", ("rest_framework",)),
    FrameworkFamily("django", f"{_WEB}.django:FRAMEWORK", ("django",)),
)


def framework(name: str) -> FrameworkFamily:
    return next(f for f in FRAMEWORK_FAMILIES if f.name == name)


def orm_import_prefixes() -> tuple[tuple[str, str], ...]:
    """(import prefix, ORM family) of every row."""
    return tuple((prefix, f.name) for f in ORM_FAMILIES for prefix in f.import_prefixes)


def route_calls() -> frozenset[str]:
    """Every framework's route-registration calls."""
    return frozenset().union(*(f.route_calls for f in FRAMEWORK_FAMILIES))


def load(ref: str) -> object:
    """The object a ``module:attribute`` reference names."""
    module, _, attribute = ref.partition(":")
    return getattr(import_module(module), attribute)
