"""Project-wide table of functions registered as route endpoints in another module.

``app.add_url_rule("/orgs/<int:org_id>/summary", view_func=org_summary)`` (Flask) and
``Route("/x/{org_id}", endpoints.fn)`` (Starlette) often live in ``app.py`` while the function is
defined in ``views.py``/``endpoints.py``. The pre-pass (``tenantlint/scan.py``) keeps
``pkg.module.function -> URL rule`` in ``Settings.routes`` (and ``pkg.module.router -> URL prefix``
for a FastAPI ``include_router(router, prefix="/orgs/{org_id}")`` with path parameters); the target
is resolved through the registering file's imports, so the key names the defining module.
Flask/Starlette/FastAPI ``handler()`` consult it with :func:`registered_rule`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import libcst as cst

from tenantlint.analysis.frameworks.common import string_arg
from tenantlint.analysis.frameworks.fastapi_system import listed_dependencies
from tenantlint.analysis.interp.exprs import dotted_name
from tenantlint.analysis.interp.imports import collect_imports
from tenantlint.analysis.rawsql.constants import lookup_constant, module_name, resolve_import
from tenantlint.families import FRAMEWORK_FAMILIES, route_calls

CALLS = route_calls()  # every framework's (``tenantlint/families.py``)
# The framework each registration call belongs to: an endpoint registered so is that framework's handler
# even when its own module imports no framework (``router.add_api_route("/x", endpoints.fn)``).
FRAMEWORK_OF = {call: fw.name for fw in FRAMEWORK_FAMILIES for call in fw.route_calls}
ADD_API_ROUTE = "add_api_route"
HINT = re.compile(r"include_router|\b(?:" + "|".join(sorted(CALLS)) + r")\s*\(")
# Every match of HINT holds one of these (a text with none is not searched)
HINT_WORDS = ("_route", "Route", "add_url_rule")


def _target(node: cst.Call, last: str) -> cst.BaseExpression | None:
    """The endpoint of a registration call (``view_func=``/``endpoint=`` or positional)."""
    for a in node.args:
        if a.keyword is not None and a.keyword.value in ("view_func", "endpoint"):
            if a.keyword.value == "view_func" or last != "add_url_rule":
                return a.value
    positional = [a.value for a in node.args if a.keyword is None and a.star == ""]
    index = 2 if last == "add_url_rule" else 1
    return positional[index] if len(positional) > index else None


class _Registrations(cst.CSTVisitor):
    def __init__(self) -> None:
        self.found: list[tuple[str, str]] = []  # (dotted endpoint as written, URL rule)
        self.frameworks: dict[str, str] = {}  # dotted endpoint as written -> framework
        self.dependencies: list[tuple[str, str]] = []  # (dotted router as written, names joined by ,)
        self.built: dict[str, cst.Call] = {}  # module-level name -> the call that built it
        # ``router.add_api_route(path, endpoint, dependencies=[...])``: (endpoint, router, names)
        self.added: list[tuple[str, str, set[str]]] = []
        self._depth = 0

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._depth += 1

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._depth -= 1

    def visit_Assign(self, node: cst.Assign) -> None:
        if self._depth == 0 and isinstance(node.value, cst.Call) and len(node.targets) == 1:
            target = node.targets[0].target
            if isinstance(target, cst.Name):
                self.built[target.value] = node.value

    def visit_Call(self, node: cst.Call) -> None:
        callee = dotted_name(node.func)
        last = (callee or "").rsplit(".", 1)[-1]
        if last == "include_router":
            self.include(node)
            return
        if last not in CALLS:
            return
        target = _target(node, last)
        if isinstance(target, cst.Name | cst.Attribute):
            written = dotted_name(target)
            if written is not None:
                rule = string_arg(node, 0, "rule") or string_arg(node, 0, "path") or ""
                self.found.append((written, rule))
                self.frameworks.setdefault(written, FRAMEWORK_OF[last])
                if last == ADD_API_ROUTE and isinstance(node.func, cst.Attribute):
                    self.added_route(node, written)

    def added_route(self, node: cst.Call, endpoint: str) -> None:
        """``router.add_api_route(path, endpoint, dependencies=[Depends(f)])``: the endpoint runs the
        call's dependencies, the router's (its constructor's, a project router class's) and those
        the router is included with elsewhere (``^router``, resolved in the analysis)."""
        assert isinstance(node.func, cst.Attribute)
        router = dotted_name(node.func.value)
        if router is None:
            return
        names = {n for n in listed_dependencies(node) if n} | {f"^{router}"}
        built = self.built.get(router)
        if built is not None:
            names |= {n for n in listed_dependencies(built) if n}
            maker = dotted_name(built.func) or ""
            if maker.rsplit(".", 1)[-1][:1].isupper() and maker.rsplit(".", 1)[-1] != "APIRouter":
                names.add(f"@{maker}")
        self.added.append((endpoint, router, names))


    def include(self, node: cst.Call) -> None:
        """``app.include_router(org_router, prefix="/orgs/{org_id}", dependencies=[Depends(f)])``: the
        router's URL prefix and the dependencies every route of it runs."""
        router = next((a.value for a in node.args if a.keyword is not None and a.keyword.value == "router"),
                      next((a.value for a in node.args if a.keyword is None and a.star == ""), None))
        written = dotted_name(router) if isinstance(router, cst.Name | cst.Attribute) else None
        if written is None:
            return
        prefix = string_arg(node, 99, "prefix")
        if prefix and "{" in prefix:
            self.found.append((written, prefix))
        names = {n for n in listed_dependencies(node) if n}
        # ``parent.include_router(child)``: the child's routes run the parent router's dependencies,
        # those its constructor lists and (``@Class``, resolved in the analysis) those a project
        # subclass of the router passes from its ``__init__`` (``AdminAPIRouter(prefix="/admin")``).
        receiver = node.func.value if isinstance(node.func, cst.Attribute) else None
        parent = self.built.get(receiver.value) if isinstance(receiver, cst.Name) else None
        if parent is not None:
            names |= {n for n in listed_dependencies(parent) if n}
            maker = dotted_name(parent.func) or ""
            if maker.rsplit(".", 1)[-1][:1].isupper() and maker.rsplit(".", 1)[-1] != "APIRouter":
                names.add(f"@{maker}")
        if names:
            self.dependencies.append((written, ",".join(sorted(names))))


def module_routes(rel: str, module: cst.Module) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """``pkg.module.function -> URL rule`` of the route registrations in one file,
    ``pkg.module.function -> framework`` of those registered by a framework's call, and
    ``pkg.module.router -> dependency names`` of the routers it includes with ``dependencies=``."""
    visitor = _Registrations()
    module.visit(visitor)
    if not visitor.found and not visitor.dependencies:
        return {}, {}, {}
    imports = collect_imports(module)
    mod = module_name(rel)

    def key_of(written: str) -> str:
        if written.split(".", 1)[0] in imports.names:
            return resolve_import(imports.qualify(written), rel)
        return f"{mod}.{written}" if mod else written

    out: dict[str, str] = {}
    frameworks: dict[str, str] = {}
    for written, rule in visitor.found:
        key = key_of(written)
        out.setdefault(key, rule)
        if written in visitor.frameworks:
            frameworks.setdefault(key, visitor.frameworks[written])
    dependencies: dict[str, str] = {}
    added = [(endpoint, ",".join(sorted(names))) for endpoint, _, names in visitor.added]
    for written, listed in [*visitor.dependencies, *added]:
        key = key_of(written)
        names = ",".join(f"{n[0]}{key_of(n[1:])}" if n[:1] in "@^" and n else n for n in listed.split(","))
        dependencies[key] = f"{dependencies[key]},{names}" if key in dependencies else names
    return out, frameworks, dependencies


def included_dependencies(table: Mapping[str, str], path: str, router: str) -> set[str]:
    """Names of the dependencies a router of the file at ``path`` is included with elsewhere (or an
    endpoint ``router.add_api_route`` registers runs); an entry ``@pkg.module.Class`` stands for what
    a project router class passes (the caller expands it). ``^pkg.module.router``, the router an
    endpoint was added to, is expanded here into what that router is included with."""
    found = registered_rule(table, path, router)
    names = {n for part in (found or "").split("|") for n in part.split(",") if n}
    for ref in [n for n in names if n.startswith("^")]:
        names.discard(ref)
        via = lookup_constant(table, ref[1:]) or ""
        names |= {n for part in via.split("|") for n in part.split(",") if n and not n.startswith("^")}
    return names


def registered_by(frameworks: Mapping[str, str], path: str, function: str) -> str | None:
    """The framework whose registration call names a function of the file at ``path``, else None."""
    if not frameworks:
        return None
    mod = module_name(path)
    return lookup_constant(frameworks, f"{mod}.{function}" if mod else function)


def registered_rule(routes: Mapping[str, str], path: str, function: str) -> str | None:
    """The URL rule a function of the file at ``path`` is registered with elsewhere, else None."""
    if not routes:
        return None
    mod = module_name(path)
    return lookup_constant(routes, f"{mod}.{function}" if mod else function)
