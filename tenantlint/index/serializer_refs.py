"""Pre-pass reader: where the project spells its serializer classes (``docs/concepts.md``,
"Serializer context").

A serializer's ``self.context`` holds what the code constructing it passed in ``context={...}``.
Those constructions are its call sites only when they are the class's only uses: DRF also builds a
serializer itself (a view's ``serializer_class``, a nested field, ``get_serializer_class()``), with
a context the project does not show. Per file, for each class name ending in ``Serializer``, this
counts the references that are neither a class's base (``class Update(CreateSerializer)``: the
subclass's own uses count for it), nor its ``Meta`` (``CreateSerializer.Meta.fields``), nor schema
documentation (the ``request=``/``response=``/``responses=``/``request_body=`` argument of a call:
drf-spectacular's ``extend_schema``, ``OpenApiRequest``, ``OpenApiResponse``, drf-yasg's
``swagger_auto_schema``). Subclassing is recorded as ``Base>Sub`` with a count of 1. The counts join
the project's name counts: a serializer's constructions are all known when the project spells its
family's names exactly as many times as the analysis resolved constructions of them.
"""

from __future__ import annotations

import ast

from tenantlint.index.ast_util import walk

SUFFIX = "Serializer"
DOC_KEYWORDS = frozenset({"request", "response", "responses", "request_body"})
FAMILY = ">"  # ``Base>Sub``: ``Sub`` subclasses ``Base`` (both serializer classes)


def _name(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _is_serializer(name: str | None) -> bool:
    return name is not None and name.endswith(SUFFIX) and name[:1].isupper()


def _documented(value: ast.expr) -> list[ast.expr]:
    """The serializer names a schema argument holds: the value itself, or the values of a dict,
    list or tuple of them (``responses={200: ItemSerializer}``)."""
    if isinstance(value, ast.Dict):
        return [v for v in value.values if v is not None]
    if isinstance(value, ast.List | ast.Tuple):
        return list(value.elts)
    return [value]


def serializer_refs(tree: ast.Module) -> dict[str, int]:
    """Class name -> references that may construct it (or pass it on); ``Base>Sub`` -> 1."""
    skip: set[int] = set()
    counts: dict[str, int] = {}
    for node in walk(tree):
        if isinstance(node, ast.ClassDef):
            for base in node.bases:
                name = _name(base)
                if _is_serializer(name) and _is_serializer(node.name):  # else: a use of the class
                    skip.add(id(base))
                    counts[f"{name}{FAMILY}{node.name}"] = 1
        elif isinstance(node, ast.keyword) and node.arg in DOC_KEYWORDS:
            for value in _documented(node.value):
                if _is_serializer(_name(value)):
                    skip.add(id(value))
        elif isinstance(node, ast.Attribute) and node.attr == "Meta" and _is_serializer(_name(node.value)):
            skip.add(id(node.value))
    for node in walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and _is_serializer(node.id):
            counts[node.id] = counts.get(node.id, 0) + 1
        elif isinstance(node, ast.Attribute) and _is_serializer(node.attr):
            counts[node.attr] = counts.get(node.attr, 0) + 1
    return counts
