"""Pre-pass reader: view properties that return URL parameters (``docs/concepts.md``).

A permission class often reads the tenant through a property of the view rather than the URL
parameters themselves::

    class BaseAPIView(APIView):
        @property
        def project_id(self):
            project_id = self.kwargs.get("project_id")
            if project_id:
                return project_id
            return self.kwargs.get("pk")

    class ProjectPermission(BasePermission):
        def has_permission(self, request, view):
            return ProjectMember.objects.filter(member=request.user, project_id=view.project_id).exists()

``view.project_id`` is then whichever of those URL parameters the routed view has. This module
records, per top-level class, each ``@property``/``@cached_property`` whose every ``return`` gives a
URL parameter of the view (``self.kwargs.get("k")``, ``self.kwargs["k"]``, or a local assigned from
one), ``None`` or nothing: ``pkg.module.Class.prop`` -> the comma-joined parameter names.
"""

from __future__ import annotations

import ast

from tenantlint.analysis.rawsql.constants import module_name
from tenantlint.index.ast_util import walk

PROPERTY_DECORATORS = frozenset({"property", "cached_property"})


def _kwarg(node: ast.expr | None) -> str | None:
    """``self.kwargs.get("k")`` / ``self.kwargs.get("k", None)`` / ``self.kwargs["k"]`` -> ``k``."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get":
        target: ast.expr = node.func.value
        key = node.args[0] if node.args else None
    elif isinstance(node, ast.Subscript):
        target, key = node.value, node.slice
    else:
        return None
    if not (isinstance(target, ast.Attribute) and target.attr == "kwargs"
            and isinstance(target.value, ast.Name) and target.value.id == "self"):
        return None
    return key.value if isinstance(key, ast.Constant) and isinstance(key.value, str) else None


def _decorated_property(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    for dec in fn.decorator_list:
        name = dec.attr if isinstance(dec, ast.Attribute) else dec.id if isinstance(dec, ast.Name) else ""
        if name in PROPERTY_DECORATORS:
            return True
    return False


def _returned_kwargs(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    """The URL parameters the property returns, in source order; [] when some ``return`` gives
    anything else (a computed value, another attribute)."""
    locals_: dict[str, str] = {}
    for node in walk(fn):
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            key = _kwarg(node.value)
            if key is not None:
                locals_[node.targets[0].id] = key
    found: list[str] = []
    for node in walk(fn):
        if not isinstance(node, ast.Return) or node.value is None:
            continue
        value = node.value
        if isinstance(value, ast.Constant) and value.value is None:
            continue
        key = locals_.get(value.id) if isinstance(value, ast.Name) else _kwarg(value)
        if key is None:
            return []
        if key not in found:
            found.append(key)
    return [k for k in _source_order(fn) if k in found]


def _source_order(fn: ast.AST) -> list[str]:
    nodes = [n for n in walk(fn) if isinstance(n, ast.Call | ast.Subscript)]
    nodes.sort(key=lambda n: (n.lineno, n.col_offset))
    out: list[str] = []
    for n in nodes:
        key = _kwarg(n)
        if key is not None and key not in out:
            out.append(key)
    return out


def kwarg_properties(rel: str, tree: ast.Module) -> dict[str, str]:
    """``pkg.module.Class.prop`` -> comma-joined URL parameters the property returns."""
    mod = module_name(rel)
    out: dict[str, str] = {}
    for stmt in tree.body:
        if not isinstance(stmt, ast.ClassDef):
            continue
        for item in stmt.body:
            if not isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef) or not _decorated_property(item):
                continue
            keys = _returned_kwargs(item)
            if keys:
                qual = f"{mod}.{stmt.name}" if mod else stmt.name
                out[f"{qual}.{item.name}"] = ",".join(keys)
    return out
