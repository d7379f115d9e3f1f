"""Pre-pass readers over CPython's ``ast`` of one file: scoped view bases, serializer models, routed
viewset methods.

Both run on every project file that may hold them, before the analysis; ``ast`` is several times
cheaper than libcst to parse, and these readers need nothing libcst alone gives.

* :func:`scoped_view_bases` — a ``get_queryset`` inherited from a base class or mixin defined
  in the scanned project counts as the view's own. A mixin does not know its model, so its
  ``get_queryset`` counts when it filters on a tenant key (``org``, ``org_id``, ``tenant``…) by a
  trusted value, or calls a scoping method.
* :func:`serializer_models` — ``ModelSerializer`` subclass name -> its ``Meta.model`` class name.
* :func:`serializer_inserts` — a model serializer whose own ``create()`` inserts its model (and does
  not call ``super().create``): the keywords that insert passes (``project=project``).
* :func:`body_context_keys` — the keys of a serializer's ``context={...}`` that some construction
  sets from the request body or query string (``context={"project_id": request.data.get(...)}``).
* :func:`viewset_actions` — the methods of a DRF viewset that ``as_view({...})`` routes requests to.
"""

from __future__ import annotations

import ast

from tenantlint.analysis.orm.lookups import split_lookup
from tenantlint.config.options import Config
from tenantlint.config.patterns import PatternSet
from tenantlint.index.ast_util import dotted, walk

FILTER_METHODS = ("filter", "for_tenant", "where", "filter_by")
MODEL_SERIALIZERS = frozenset({"ModelSerializer", "HyperlinkedModelSerializer"})


def _trusted_filter(fn: ast.AST, keys: frozenset[str], trusted: PatternSet, scoping: frozenset[str]) -> bool:
    for node in walk(fn):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        method = node.func.attr
        if method in scoping:
            return True
        if method not in FILTER_METHODS:
            continue
        for kw in node.keywords:
            if kw.arg is None:
                continue
            path, op = split_lookup(kw.arg)
            text = dotted(kw.value, calls="mark") or ""
            if text.startswith("self.request.") and not trusted.match(text):
                text = text[len("self."):]  # the view's request, as in `request.tenant`
            last = path.split("__")[-1]
            tenant_key = last in keys or f"{last}_id" in keys
            if tenant_key and op in ("eq", "in") and trusted.match(text):
                return True
    return False


def scoped_view_bases(tree: ast.Module, config: Config) -> set[str]:
    """Top-level classes whose own ``get_queryset`` applies a trusted tenant filter."""
    keys = frozenset(config.tenant_keys) | frozenset(config.tenant_columns)
    trusted = PatternSet.compile(config.trusted_sources)
    scoping = frozenset(n.rsplit(".", 1)[-1] for n in config.scoping_methods)
    out: set[str] = set()
    for stmt in tree.body:
        if not isinstance(stmt, ast.ClassDef):
            continue
        for item in stmt.body:
            if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef) and item.name == "get_queryset":
                if _trusted_filter(item, keys, trusted, scoping):
                    out.add(stmt.name)
    return out


def _one_line_suite(cls: ast.ClassDef) -> bool:
    """``class Meta: model = X`` — a suite on the header's line, which libcst readers skip."""
    return bool(cls.body) and cls.body[0].lineno == cls.lineno


def _class_attr(cls: ast.ClassDef, attr: str) -> ast.expr | None:
    """The value of the first plain assignment to ``attr`` in the class body."""
    if _one_line_suite(cls):
        return None
    for stmt in cls.body:
        if isinstance(stmt, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == attr for t in stmt.targets
        ):
            return stmt.value
    return None


def _base_name(node: ast.expr) -> str:
    if isinstance(node, ast.Starred):
        node = node.value
    return (dotted(node, calls="reject") or "").rsplit(".", 1)[-1]


def serializer_models(tree: ast.Module) -> dict[str, str]:
    """``ModelSerializer`` subclass name -> ``Meta.model`` class name, for top-level classes."""
    out: dict[str, str] = {}
    for stmt in tree.body:
        if not isinstance(stmt, ast.ClassDef) or _one_line_suite(stmt):
            continue
        bases = {_base_name(b) for b in stmt.bases}
        if not bases & MODEL_SERIALIZERS and not any(b.endswith("Serializer") for b in bases):
            continue
        for item in stmt.body:
            if isinstance(item, ast.ClassDef) and item.name == "Meta":
                model = _class_attr(item, "model")
                if isinstance(model, ast.Name | ast.Attribute):
                    name = dotted(model, calls="reject")
                    if name:
                        out[stmt.name] = name.rsplit(".", 1)[-1]
    return out


def serializer_inserts(tree: ast.Module, models: dict[str, str]) -> dict[str, str]:
    """Model serializer name -> comma-joined keywords its own ``create()`` passes when it inserts the
    serializer's model itself (``Module.objects.create(**validated_data, project=project)``,
    ``Module(...)``). A ``create()`` that calls ``super().create`` (DRF's insert of the validated
    data) is not recorded: ``save()`` inserts what the view and the validated data give it.
    ``models``: the file's :func:`serializer_models`."""
    out: dict[str, str] = {}
    for stmt in tree.body:
        if not isinstance(stmt, ast.ClassDef) or stmt.name not in models:
            continue
        create = next((item for item in stmt.body if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)
                       and item.name == "create"), None)
        if create is None:
            continue
        model = models[stmt.name]
        keywords: set[str] = set()
        inserts = False
        for node in walk(create):
            if not isinstance(node, ast.Call):
                continue
            func = dotted(node.func, calls="reject") or ""
            if isinstance(node.func, ast.Attribute) and node.func.attr == "create" \
                    and isinstance(node.func.value, ast.Call) \
                    and (dotted(node.func.value.func, calls="reject") or "") == "super":
                inserts = False
                break
            parts = func.split(".")
            if parts[0] != model or not (len(parts) == 1 or (len(parts) == 3 and parts[2] in INSERT_METHODS)):
                continue
            inserts = True
            keywords.update(kw.arg for kw in node.keywords if kw.arg is not None)
        if inserts:
            out[stmt.name] = ",".join(sorted(keywords))
    return out


INSERT_METHODS = frozenset({"create", "get_or_create", "update_or_create"})


# Request input that no membership check verifies: the body and the query string.
REQUEST_INPUT = frozenset({"data", "query_params", "GET", "POST"})


def _reads_request_input(node: ast.AST) -> bool:
    for sub in walk(node):
        if isinstance(sub, ast.Attribute) and sub.attr in REQUEST_INPUT:
            base = dotted(sub.value, calls="reject") or ""
            if base == "request" or base.endswith(".request"):
                return True
    return False


def body_context_keys(tree: ast.Module) -> dict[str, str]:
    """Called class name (last part) -> comma-joined ``context`` keys some call in the file sets
    from request input: ``Serializer(data=..., context={"project_id": request.data["p"]})``."""
    found: dict[str, set[str]] = {}
    for node in walk(tree):
        if not isinstance(node, ast.Call):
            continue
        context = next((k.value for k in node.keywords if k.arg == "context"), None)
        if not isinstance(context, ast.Dict):
            continue
        name = _base_name(node.func)
        if not name:
            continue
        for key, value in zip(context.keys, context.values, strict=True):
            if isinstance(key, ast.Constant) and isinstance(key.value, str) and _reads_request_input(value):
                found.setdefault(name, set()).add(key.value)
    return {name: ",".join(sorted(keys)) for name, keys in sorted(found.items())}


def viewset_actions(tree: ast.Module) -> dict[str, str]:
    """``Cls.as_view({"get": "list", "post": "archive"})`` (a DRF viewset routed by hand): view class
    name -> the comma-joined method names the mapping routes requests to; ``*`` for a viewset a
    router registers (``router.register("links", LinkViewSet)``: every generic action)."""
    found: dict[str, set[str]] = {}
    for node in walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        if node.func.attr == "register":
            registered = node.args[1] if len(node.args) > 1 else next(
                (kw.value for kw in node.keywords if kw.arg == "viewset"), None)
            cls = _base_name(registered) if isinstance(registered, ast.Name | ast.Attribute) else ""
            if cls:  # ``router.register("links", LinkViewSet)``: every generic action is routed
                found.setdefault(cls, set()).add("*")
            continue
        if node.func.attr != "as_view":
            continue
        mapping = node.args[0] if node.args else next(
            (kw.value for kw in node.keywords if kw.arg == "actions"), None)
        if not isinstance(mapping, ast.Dict):
            continue
        cls = _base_name(node.func.value).rsplit(".", 1)[-1]
        methods = {v.value for v in mapping.values
                   if isinstance(v, ast.Constant) and isinstance(v.value, str) and v.value.isidentifier()}
        if cls and methods:
            found.setdefault(cls, set()).update(methods)
    return {cls: ",".join(sorted(methods)) for cls, methods in found.items()}
