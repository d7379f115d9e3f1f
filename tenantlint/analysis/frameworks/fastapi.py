"""FastAPI and Starlette: route decorators, route lists, endpoint classes, parameter binding.

A route function's parameters are request input unless injected: ``Depends(f)``/``Security(f)`` with
``f`` in ``trusted_dependencies`` is trusted context (so are attributes of what it returns), other
dependencies and ``Request``/``WebSocket``/``BackgroundTasks`` are neither. A scalar parameter is a
URL path parameter when the route path has ``{name}``, else a query parameter; ``Body()``, ``Query()``,
``Path()``, ``Header()``, ``Cookie()``, ``Form()``/``File()`` say so explicitly, also in their
``Annotated[...]`` form, also through module-level ``X = Annotated[...]`` / ``X = Depends(f)``
aliases of this module or imported from another project module (``param_aliases.py``). A parameter typed
with a model class is the request body (pydantic): reading ``payload.org_id`` is the TNT201 read. A
scalar query/body/form/header parameter named like a tenant key is read by the declaration itself,
so the TNT201 is reported at the parameter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
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
    string_arg,
)
from tenantlint.analysis.frameworks.fastapi_system import (
    INJECTED,
    controller_dependencies,
    dependency_calls,
    is_system,
    listed_dependencies,
    router_dependencies,
)
from tenantlint.analysis.frameworks.param_aliases import imported_alias, parse_alias
from tenantlint.analysis.frameworks.route_index import included_dependencies, registered_by, registered_rule
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

FAMILY = framework("fastapi")
MODULES = FAMILY.import_prefixes
OTHERS = framework("flask").import_prefixes
CONSTRUCTORS = frozenset(
    {"fastapi.FastAPI", "fastapi.APIRouter", "fastapi.applications.FastAPI", "fastapi.routing.APIRouter",
     "starlette.applications.Starlette", "starlette.routing.Router"}
)
ROUTE_METHODS = frozenset(
    {"get", "post", "put", "patch", "delete", "head", "options", "trace", "api_route", "route",
     "websocket", "websocket_route"}
)
ENDPOINT_CALLS = FAMILY.route_calls
ENDPOINT_BASES = frozenset({"HTTPEndpoint", "WebSocketEndpoint"})
ENDPOINT_METHODS = frozenset(
    {"get", "post", "put", "patch", "delete", "head", "options", "on_connect", "on_receive"}
)
MARKERS = {"Body": BODY, "Query": QUERY, "Path": PATH, "Header": HEADERS, "Cookie": COOKIES,
           "Form": FORM, "File": FORM}
REQUEST_TYPES = frozenset({"Request", "WebSocket", "HTTPConnection"})
NEUTRAL_TYPES = frozenset({"BackgroundTasks", "Response", "SecurityScopes", "UploadFile"})
SCALARS = frozenset(
    {"int", "str", "float", "bool", "bytes", "UUID", "uuid.UUID", "date", "datetime", "time",
     "Decimal", "EmailStr", "Optional", "Union", "list", "List", "set", "Set", "tuple", "Literal",
     "None", "conint", "constr", "PositiveInt", "Enum", "UUID1", "UUID3", "UUID4", "UUID5",
     "pydantic.UUID1", "pydantic.UUID3", "pydantic.UUID4", "pydantic.UUID5", "NonNegativeInt"}
)
REQUEST_ATTRS = {"query_params": QUERY, "path_params": PATH, "headers": HEADERS, "cookies": COOKIES}
REQUEST_METHODS = {"json": BODY, "form": FORM, "body": BODY, "receive_json": BODY, "receive_text": BODY}
STARLETTE_REQUEST_NAMES = frozenset({"request", "websocket", "req", "conn"})
PLACEHOLDER = re.compile(r"{(\w+)(?::[^}]*)?}")


def _last(name: str | None) -> str:
    return (name or "").rsplit(".", 1)[-1]


def _alias(ctx: FileView, table: RouteTable, node: cst.BaseExpression) -> cst.BaseExpression | None:
    """What a module-level alias name stands for: ``X = ...`` in this module, or an ``Annotated``/
    ``Depends`` alias imported from another project module (``Settings.facts.param_aliases``)."""
    if isinstance(node, cst.Name) and node.value in table.aliases:
        return table.aliases[node.value]
    dotted = dotted_name(node) if isinstance(node, cst.Name | cst.Attribute) else None
    if dotted is None or not ctx.settings.facts.param_aliases:
        return None
    memo = ctx.plugin_memo.setdefault("fastapi.imported-aliases", {})
    assert isinstance(memo, dict)
    if dotted not in memo:
        text = imported_alias(ctx.settings.facts.param_aliases, ctx.imports, ctx.path, dotted)
        memo[dotted] = parse_alias(text) if text is not None else None
    found = memo[dotted]
    return found if isinstance(found, cst.BaseExpression) else None


def _unwrap(ann: cst.BaseExpression | None, ctx: FileView, table: RouteTable, depth: int = 0,
            ) -> tuple[cst.BaseExpression | None, list[cst.BaseExpression]]:
    """``Annotated[T, m1, m2]`` (possibly via a module alias) -> (T, [m1, m2]); else (ann, [])."""
    if ann is None or depth > 3:
        return ann, []
    target = _alias(ctx, table, ann) if isinstance(ann, cst.Name | cst.Attribute) else None
    if target is not None:
        inner, meta = _unwrap(target, ctx, table, depth + 1)
        if meta:
            return inner, meta
        return ann, []
    if isinstance(ann, cst.Subscript) and _last(dotted_name(ann.value)) == "Annotated":
        parts = [el.slice.value for el in ann.slice if isinstance(el.slice, cst.Index)]
        if parts:
            return parts[0], parts[1:]
    return ann, []


def _default_marker(ctx: FileView, table: RouteTable, default: cst.BaseExpression | None,
                    ) -> cst.BaseExpression | None:
    """A parameter default, with ``X = Depends(f)`` aliases (this module or imported) expanded."""
    if isinstance(default, cst.Name | cst.Attribute):
        target = _alias(ctx, table, default)
        if isinstance(target, cst.Call) and _last(dotted_name(target.func)) in INJECTED:
            return target
    return default


def _dependency(call: cst.Call, typ: cst.BaseExpression | None) -> str:
    """The name of what ``Depends(f)``/``Security(f, scopes=...)`` injects; for a class dependency
    ``Depends()`` the annotated type itself."""
    for a in call.args:
        if a.keyword is not None and a.keyword.value == "dependency":
            return _last(dotted_name(a.value))
    positional = [a.value for a in call.args if a.keyword is None and a.star == ""]
    if positional:
        return _last(dotted_name(positional[0]))
    return _last(dotted_name(typ)) if isinstance(typ, cst.Name | cst.Attribute) else ""


def _type_names(node: cst.BaseExpression | None) -> set[str]:
    """Every type name in an annotation (``list[int] | None`` -> {list, int, None})."""
    out: set[str] = set()
    if node is None:
        return out
    if isinstance(node, cst.Name | cst.Attribute):
        out.add(_last(dotted_name(node)))
    elif isinstance(node, cst.Subscript):
        out |= _type_names(node.value)
        for el in node.slice:
            if isinstance(el.slice, cst.Index):
                out |= _type_names(el.slice.value)
    elif isinstance(node, cst.BinaryOperation):
        out |= _type_names(node.left) | _type_names(node.right)
    elif isinstance(node, cst.SimpleString):
        out.add("str")
    return out


def _is_membership(ctx: FileView, dep_name: str) -> bool:
    checks = ctx.settings.membership_checks
    return bool(dep_name) and (dep_name in checks or _last(ctx.imports.original_name(dep_name)) in checks)


def _checked_dependencies(ctx: FileView, call: cst.Call) -> bool:
    """``dependencies=[Depends(require_member)]`` of a router or route with a membership check."""
    return any(_is_membership(ctx, _dependency(v, None)) for v in dependency_calls(call))


@dataclass(frozen=True)
class _Bound:
    """One route parameter: its value, whether it is the request object, the tenant-key read its
    declaration is (``org_id: int = Query()``), and whether it is a membership-check dependency."""

    value: Value
    request: bool = False
    read: tuple[cst.CSTNode, str, str] | None = None
    membership: bool = False
    system: bool = False  # a ``system_scope`` dependency


def _bind_param(ctx: FileView, table: RouteTable, p: cst.Param, path_vars: set[str], listed: bool,
                trusted_deps: frozenset[str], checked: bool) -> _Bound:
    """A dependency, the request, a neutral framework object, else request input."""
    name = p.name.value
    typ, meta = _unwrap(p.annotation.annotation if p.annotation is not None else None, ctx, table)
    default = _default_marker(ctx, table, p.default)
    markers = [*meta, *([default] if default is not None else [])]
    marker = _first_marker(markers)
    if marker is not None and _last(dotted_name(marker.func)) in INJECTED:
        return _bind_dependency(ctx, marker, typ, trusted_deps, checked)
    types = {ctx.imports.original_name(t) for t in _type_names(typ)}
    if listed and not types and not markers and name in STARLETTE_REQUEST_NAMES:
        return _Bound(Value(), request=True)  # a Starlette endpoint ``async def f(request)``
    if types & REQUEST_TYPES:
        return _Bound(Value(), request=True)
    if types & NEUTRAL_TYPES:
        return _Bound(Value())
    return _bind_input(ctx, p, marker, types, path_vars)


def _bind_input(ctx: FileView, p: cst.Param, marker: cst.Call | None, types: set[str],
                path_vars: set[str]) -> _Bound:
    """Request input of the kind its marker (``Query()``, ...) says, else the body for a model type,
    a URL path parameter when the route path names it, else the query string."""
    name = p.name.value
    model = bool(types) and not types <= SCALARS
    if marker is not None:
        kind = MARKERS[_last(dotted_name(marker.func))]
        key = string_arg(marker, 99, "alias") or name
    else:
        kind = BODY if model else PATH if name in path_vars else QUERY
        key = name
    value = Value(Provenance.untrusted(f"{kind} '{key}'" if kind == PATH else kind))
    reads_key = not model and _names_tenant_key(kind, key, ctx.settings.tenant_keys)
    return _Bound(value, read=(p, key, kind) if reads_key else None)


def _first_marker(markers: list[cst.BaseExpression]) -> cst.Call | None:
    """The first ``Depends()``/``Security()`` or ``Query()``-like call among a parameter's markers."""
    for m in markers:
        if isinstance(m, cst.Call):
            marker = _last(dotted_name(m.func))
            if marker in INJECTED or marker in MARKERS:
                return m
    return None


def _bind_dependency(ctx: FileView, call: cst.Call, typ: cst.BaseExpression | None,
                     trusted_deps: frozenset[str], checked: bool) -> _Bound:
    """``Depends(f)``: trusted context when ``f`` is a trusted dependency, else neither."""
    dep_name = _dependency(call, typ)
    membership = not checked and _is_membership(ctx, dep_name)
    system = is_system(ctx, {dep_name})
    if dep_name in trusted_deps or ctx.imports.original_name(dep_name) in trusted_deps:
        return _Bound(Value(Provenance.trusted(f"dependency {dep_name}")), membership=membership,
                      system=system)
    return _Bound(Value(), membership=membership, system=system)


def _names_tenant_key(kind: str, key: str, keys: frozenset[str]) -> bool:
    """A query/body/form/header parameter named like a tenant key (``X-Org-Id`` as ``org_id``)."""
    if kind not in (BODY, QUERY, FORM, HEADERS):
        return False
    normal = key.lower().replace("-", "_")
    if kind == HEADERS and normal.startswith("x_"):
        normal = normal[2:]
    return normal in keys or key.lower() in keys


def _verify_path_params(values: dict[str, Value]) -> None:
    """A membership-check dependency verified the URL path parameters: they become trusted."""
    for name, v in values.items():
        if v.untrusted and v.prov.source.startswith(PATH):
            values[name] = Value(Provenance.trusted(f"{name}, verified by a membership check"))


class FastApi(FrameworkPlugin):
    name = "fastapi"

    def _table(self, ctx: FileView) -> RouteTable:
        return route_table(ctx, self.name, CONSTRUCTORS, ENDPOINT_CALLS)

    def view_class(self, ctx: FileView, cls: ClassInfo) -> bool:
        return False

    def handler(self, ctx: FileView, fn: cst.FunctionDef, cls: ClassInfo | None) -> HandlerInfo | None:
        if not ctx.imports.imports_from(*MODULES) and (
                cls is not None
                or registered_by(ctx.settings.facts.route_frameworks, ctx.path, fn.name.value) != self.name):
            return None  # registered by this framework's call in another module: a handler all the same
        if cls is not None:
            if fn.name.value in ENDPOINT_METHODS and inherits(ctx, cls, ("starlette.",), ENDPOINT_BASES):
                names = [p.name.value for p in params_of(fn)]
                return HandlerInfo(f"{cls.name}.{fn.name.value}", self.name, {},
                                   frozenset(names[1:2]) or frozenset({"request"}))
        table = self._table(ctx)
        dec = route_decorator(ctx, fn, table, ROUTE_METHODS, MODULES, OTHERS)
        if cls is not None:
            return self._controller_method(ctx, fn, cls, table, dec)
        checked = False
        deps: set[str] = set()
        if dec is not None:
            path = string_arg(dec, 0, "path") or ""
            assert isinstance(dec.func, cst.Attribute)
            owner = dotted_name(dec.func.value) or ""
            router = table.aliases.get(owner)
            if (isinstance(router, cst.Call)
                    and ctx.imports.qualify(dotted_name(router.func) or "") in CONSTRUCTORS):
                included = registered_rule(ctx.settings.facts.routes, ctx.path, owner) or ""
                path = included + (string_arg(router, 99, "prefix") or "") + path
                checked = _checked_dependencies(ctx, router)
            checked = checked or _checked_dependencies(ctx, dec)
            deps = listed_dependencies(dec) | self._router_deps(ctx, table, dec)
            included_deps: set[str] = set()
            for name in included_dependencies(ctx.settings.facts.router_dependencies, ctx.path, owner):
                if name.startswith("@"):  # a project router class: what its ``__init__`` passes
                    included_deps |= ctx.settings.member_types.dependencies(name[1:])
                else:
                    included_deps.add(name)
            checked = checked or any(_is_membership(ctx, n) for n in included_deps)
            deps |= included_deps
        else:
            if fn.name.value in table.endpoints:
                path = table.endpoints[fn.name.value]
            else:
                found = registered_rule(ctx.settings.facts.routes, ctx.path, fn.name.value)
                if found is None:
                    return None
                path = found
            # ``router.add_api_route(path, fn, dependencies=[...])``: its dependencies, its router's
            # and those the router is included with
            deps = self._included(ctx, fn.name.value)
            checked = any(_is_membership(ctx, n) for n in deps)
        info = self._bind(ctx, fn, table, set(PLACEHOLDER.findall(path)), checked, dec is None)
        return replace(info, system=True) if not info.system and is_system(ctx, deps) else info

    def _controller_method(self, ctx: FileView, fn: cst.FunctionDef, cls: ClassInfo, table: RouteTable,
                           dec: cst.Call | None) -> HandlerInfo | None:
        """A class-based controller (``@controller(router)`` / fastapi-utils' ``cbv``): a method
        carrying a route decorator is an endpoint; ``self`` is no request input."""
        if dec is None:
            return None
        path = string_arg(dec, 0, "path") or ""
        info = self._bind(ctx, fn, table, set(PLACEHOLDER.findall(path)),
                          _checked_dependencies(ctx, dec), skip_first=True)
        deps = (listed_dependencies(dec) | controller_dependencies(ctx, cls)
                | self._router_deps(ctx, table, dec))
        return replace(info, name=f"{cls.name}.{fn.name.value}", system=info.system or is_system(ctx, deps))

    @staticmethod
    def _included(ctx: FileView, name: str) -> set[str]:
        """Dependencies the route object or function ``name`` of this file runs by registrations and
        inclusions elsewhere (a project router class ``@pkg.Class``: what its ``__init__`` passes)."""
        out: set[str] = set()
        for dep in included_dependencies(ctx.settings.facts.router_dependencies, ctx.path, name):
            if dep.startswith("@"):
                out |= ctx.settings.member_types.dependencies(dep[1:])
            else:
                out.add(dep)
        return out

    @staticmethod
    def _router_deps(ctx: FileView, table: RouteTable, dec: cst.Call) -> set[str]:
        assert isinstance(dec.func, cst.Attribute)
        return router_dependencies(ctx, table.aliases.get(dotted_name(dec.func.value) or ""))

    def _bind(
        self, ctx: FileView, fn: cst.FunctionDef, table: RouteTable, path_vars: set[str],
        checked: bool = False, listed: bool = False, skip_first: bool = False,
    ) -> HandlerInfo:
        """The handler of route function ``fn``: what each parameter is (see :func:`_bind_param`).
        ``checked``: a membership-check dependency of the route verified its URL path parameters."""
        values: dict[str, Value] = {}
        request_names: set[str] = set()
        reads: list[tuple[cst.CSTNode, str, str]] = []
        system = False
        trusted_deps = ctx.settings.last(ctx.config.trusted_dependencies)
        for p in params_of(fn)[1 if skip_first else 0:]:
            bound = _bind_param(ctx, table, p, path_vars, listed, trusted_deps, checked)
            checked = checked or bound.membership
            system = system or bound.system
            values[p.name.value] = bound.value
            if bound.request:
                request_names.add(p.name.value)
            if bound.read is not None:
                reads.append(bound.read)
        for p in star_params(fn):
            values[p.name.value] = Value()
        if checked:
            _verify_path_params(values)
        return HandlerInfo(fn.name.value, self.name, values, frozenset(request_names), reads=tuple(reads),
                           system=system)

    def request_attribute(self, attr: str) -> str | None:
        return REQUEST_ATTRS.get(attr)

    def request_method(self, method: str) -> str | None:
        return REQUEST_METHODS.get(method)


FRAMEWORK = FastApi()
