"""Flask (and Quart): ``@app.route``/``@bp.get`` routes, ``add_url_rule``, ``MethodView``/``View``.

Route objects are recognised by what their constructor resolves to through the file's imports
(``app = Flask(__name__)``, ``bp = flask.Blueprint(...)``), or, when imported from another module of
the project, by the file importing Flask (and not FastAPI/Starlette). View arguments are URL path
parameters; the global ``request`` imported from flask is recognised by the evaluator.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from tenantlint.analysis.facts import Provenance
from tenantlint.analysis.frameworks.common import (
    RouteTable,
    inherits,
    params_of,
    route_decorator,
    route_table,
    star_params,
)
from tenantlint.analysis.frameworks.route_index import registered_by, registered_rule
from tenantlint.analysis.interp.exprs import dotted_name
from tenantlint.analysis.interp.values import Value
from tenantlint.analysis.plugins import (
    BODY,
    COOKIES,
    FORM,
    HEADERS,
    PATH,
    QUERY,
    ClassInfo,
    FrameworkPlugin,
    HandlerInfo,
)
from tenantlint.families import framework

if TYPE_CHECKING:
    from tenantlint.analysis.plugins import FileView

FAMILY = framework("flask")
MODULES = FAMILY.import_prefixes
OTHERS = framework("fastapi").import_prefixes
CONSTRUCTORS = frozenset(
    {"flask.Flask", "flask.Blueprint", "flask.blueprints.Blueprint", "flask.app.Flask", "quart.Quart",
     "quart.Blueprint", "apiflask.APIFlask", "apiflask.APIBlueprint"}
)
ROUTE_METHODS = frozenset({"route", "get", "post", "put", "patch", "delete"})
ENDPOINT_CALLS = FAMILY.route_calls
VIEW_BASES = frozenset({"MethodView", "View"})
VIEW_METHODS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "dispatch_request"})

REQUEST_ATTRS = {
    "json": BODY, "form": FORM, "args": QUERY, "values": QUERY, "data": BODY, "headers": HEADERS,
    "cookies": COOKIES, "view_args": PATH, "files": FORM,
}
REQUEST_METHODS = {"get_json": BODY, "get_data": BODY}


def _path_values(fn: cst.FunctionDef, skip: int) -> dict[str, Value]:
    values: dict[str, Value] = {}
    for p in params_of(fn)[skip:]:
        values[p.name.value] = Value(Provenance.untrusted(f"{PATH} '{p.name.value}'"))
    for p in star_params(fn):
        values[p.name.value] = Value(Provenance.untrusted(PATH))
    return values


def _checked_view(ctx: FileView, cls: ClassInfo) -> bool:
    """``decorators = [login_required, require_org_member]`` with a name in ``membership_checks``."""
    checks = ctx.settings.membership_checks
    for stmt in cls.node.body.body:
        if not isinstance(stmt, cst.SimpleStatementLine):
            continue
        for small in stmt.body:
            if not isinstance(small, cst.Assign | cst.AnnAssign):
                continue
            targets = ([t.target for t in small.targets] if isinstance(small, cst.Assign)
                       else [small.target])
            if not any(isinstance(t, cst.Name) and t.value == "decorators" for t in targets):
                continue
            if not isinstance(small.value, cst.List | cst.Tuple):
                continue
            for el in small.value.elements:
                node = el.value.func if isinstance(el.value, cst.Call) else el.value
                name = dotted_name(node) if isinstance(node, cst.Name | cst.Attribute) else None
                if name and (name.rsplit(".", 1)[-1] in checks
                             or ctx.imports.original_name(name).rsplit(".", 1)[-1] in checks):
                    return True
    return False


class Flask(FrameworkPlugin):
    name = "flask"
    request_globals = FAMILY.request_globals
    # itsdangerous, Flask's own signing library
    signers = frozenset({"itsdangerous.Signer", "itsdangerous.TimestampSigner", "itsdangerous.Serializer",
                         "itsdangerous.URLSafeSerializer", "itsdangerous.URLSafeTimedSerializer",
                         "itsdangerous.TimedSerializer"})

    def _table(self, ctx: FileView) -> RouteTable:
        return route_table(ctx, self.name, CONSTRUCTORS, ENDPOINT_CALLS)

    def view_class(self, ctx: FileView, cls: ClassInfo) -> bool:
        return False  # Flask views do not serve ``queryset``/``model``

    def _method_view(self, ctx: FileView, cls: ClassInfo) -> bool:
        return inherits(ctx, cls, ("flask.", "quart."), VIEW_BASES)

    def handler(self, ctx: FileView, fn: cst.FunctionDef, cls: ClassInfo | None) -> HandlerInfo | None:
        if not ctx.imports.imports_from(*MODULES) and (
                cls is not None
                or registered_by(ctx.settings.facts.route_frameworks, ctx.path, fn.name.value) != self.name):
            return None  # registered by this framework's call in another module: a handler all the same
        if cls is not None:
            if fn.name.value in VIEW_METHODS and self._method_view(ctx, cls):
                values = _path_values(fn, 1)
                if _checked_view(ctx, cls):
                    values = {k: Value(Provenance.trusted(f"{k}, verified by a membership check"))
                              for k in values}
                return HandlerInfo(f"{cls.name}.{fn.name.value}", self.name, values, frozenset())
            return None
        table = self._table(ctx)
        routed = route_decorator(ctx, fn, table, ROUTE_METHODS, MODULES, OTHERS) is not None
        if not routed and fn.name.value not in table.endpoints:
            if registered_rule(ctx.settings.facts.routes, ctx.path, fn.name.value) is None:
                return None
        return HandlerInfo(fn.name.value, self.name, _path_values(fn, 0), frozenset())

    def request_attribute(self, attr: str) -> str | None:
        return REQUEST_ATTRS.get(attr)

    def request_method(self, method: str) -> str | None:
        return REQUEST_METHODS.get(method)


FRAMEWORK = Flask()
