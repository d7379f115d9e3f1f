"""Pre-pass reader: the URL keyword arguments each class-based view is routed with.

``path("anchor/<str:anchor>/issues/<uuid:issue_id>/", ReactionViewSet.as_view({...}))`` gives the view
``anchor`` and ``issue_id`` in ``self.kwargs``, and nothing else. A view every route of which the
project writes so (``path``/``re_path``/``url`` with a literal route and the ``as_view(...)`` call in
place) has exactly the union of those routes' parameters, plus the extra ``kwargs`` dict literals the
routes pass, ``format`` once the project calls DRF's ``format_suffix_patterns``, and the parameters of
every ``include()`` prefix in the project (an included module may be mounted under any of them; not
those of a prefix of ``include(router.urls)``, whose views are routed by the router, so not known
anyhow): ``self.kwargs.get("slug")`` of a name none of them has is ``None``.

Keys of the table: the view class's name -> comma-joined parameter names, joined with ``|`` across
files; :data:`ANY` (anywhere in a value) when one of its routes is not read (a router registration, an
``as_view()`` held in a name, a route built at run time). The key :data:`INCLUDES` holds the
parameters of ``include()`` prefixes.
"""

from __future__ import annotations

import ast
import re

from tenantlint.index.ast_util import dotted, walk

ANY = "*"
INCLUDES = ""  # the key of include() prefixes' parameters
ROUTED = "."  # in every routed view's value: routed, maybe with no parameter at all
FORMAT_SUFFIXES = "format_suffix_patterns"
PATH_CALLS = frozenset({"path"})
REGEX_CALLS = frozenset({"re_path", "url"})
ROUTE_CALLS = PATH_CALLS | REGEX_CALLS
# Django's own reading of a ``path()`` route (``django.urls.resolvers._PATH_PARAMETER_COMPONENT_RE``).
_PATH_PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<parameter>[^>]+)>")


def _route_params(kind: str, route: ast.expr) -> set[str] | None:
    """The keyword parameters a literal route gives; None when the route is not a literal."""
    if not (isinstance(route, ast.Constant) and isinstance(route.value, str)):
        return None
    if kind in PATH_CALLS:
        return {m.group("parameter") for m in _PATH_PARAMETER.finditer(route.value)}
    try:
        return set(re.compile(route.value).groupindex)
    except re.error:
        return None


def _extra_kwargs(call: ast.Call) -> set[str] | None:
    """The keys of the extra ``kwargs`` dict a route passes to its view; None when not a literal."""
    extra = call.args[2] if len(call.args) > 2 else next(
        (kw.value for kw in call.keywords if kw.arg == "kwargs"), None)
    if extra is None:
        return set()
    if not isinstance(extra, ast.Dict) or not all(
            isinstance(k, ast.Constant) and isinstance(k.value, str) for k in extra.keys):
        return None
    return {k.value for k in extra.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)}


def _view_class(node: ast.expr) -> str:
    """``Cls.as_view(...)`` -> ``Cls`` (its last name)."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "as_view":
        return (dotted(node.func.value, calls="reject") or "").rsplit(".", 1)[-1]
    return ""


def _is_include(node: ast.expr) -> bool:
    if not isinstance(node, ast.Call):
        return False
    return (dotted(node.func, calls="reject") or "").rsplit(".", 1)[-1] == "include"


def _routers(tree: ast.Module) -> set[str]:
    """Module-level names bound to a DRF router (``router = DefaultRouter()``)."""
    names: set[str] = set()
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Call) \
                and (dotted(stmt.value.func, calls="reject") or "").endswith("Router"):
            names.update(t.id for t in stmt.targets if isinstance(t, ast.Name))
    return names


def _router_urls(node: ast.Call, routers: set[str]) -> bool:
    """``include(router.urls)``: the views of a router, each of which a registration routes anyhow."""
    arg = node.args[0] if len(node.args) == 1 and not node.keywords else None
    return isinstance(arg, ast.Attribute) and arg.attr == "urls" and isinstance(arg.value, ast.Name) \
        and arg.value.id in routers


def view_url_kwargs(tree: ast.Module) -> dict[str, str]:
    found: dict[str, set[str]] = {}
    routers = _routers(tree)
    placed: set[int] = set()  # ids of the ``as_view`` calls read in place
    for node in walk(tree):
        if not isinstance(node, ast.Call):
            continue
        kind = (dotted(node.func, calls="reject") or "").rsplit(".", 1)[-1]
        if kind == FORMAT_SUFFIXES:  # DRF's suffix routes add ``format`` to the views' kwargs
            found.setdefault(INCLUDES, set()).add("format")
            continue
        if kind == "register" and isinstance(node.func, ast.Attribute):
            registered = node.args[1] if len(node.args) > 1 else next(
                (kw.value for kw in node.keywords if kw.arg == "viewset"), None)
            name = (dotted(registered, calls="reject") or "").rsplit(".", 1)[-1] if registered else ""
            if name:
                found.setdefault(name, set()).add(ANY)
            continue
        if kind not in ROUTE_CALLS or len(node.args) < 2:
            continue
        target = node.args[1]
        params = _route_params(kind, node.args[0])
        extra = _extra_kwargs(node)
        if _is_include(target):
            assert isinstance(target, ast.Call)
            if _router_urls(target, routers):
                continue  # every view it mounts is registered with the router: not known anyhow
            into = found.setdefault(INCLUDES, set())
            into.update(params | (extra or set()) if params is not None and extra is not None else {ANY})
            continue
        cls = _view_class(target)
        if not cls:
            continue
        placed.add(id(target))
        into = found.setdefault(cls, set())
        into.update(params | extra | {ROUTED} if params is not None and extra is not None else {ANY})
    for node in walk(tree):
        cls = _view_class(node) if isinstance(node, ast.Call) else ""
        if cls and id(node) not in placed:  # routed in a way this reader does not follow
            found.setdefault(cls, set()).add(ANY)
    return {name: ",".join(sorted(params)) for name, params in found.items()}


def closed_url_kwargs(table: dict[str, str], cls: str) -> frozenset[str] | None:
    """Every URL keyword argument a view named ``cls`` can receive; None when not known (not routed
    by a route this reader follows, or routed so once)."""
    own = table.get(cls)
    if not own:
        return None
    names = {n for part in (own + "|" + table.get(INCLUDES, "")).split("|") for n in part.split(",") if n}
    return None if ANY in names else frozenset(names - {ROUTED})
