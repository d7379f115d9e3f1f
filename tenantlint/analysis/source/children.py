"""Children of libcst nodes, cheaper than libcst's own ``children`` (which builds every field)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import libcst as cst

_FIELDS: dict[type, tuple[str, ...]] = {}
# type of a field's value -> a libcst node (``isinstance(v, cst.CSTNode)`` is an ABC check: slow)
_IS_NODE: dict[type, bool] = {}


def is_node(kind: type) -> bool:
    """``issubclass(kind, cst.CSTNode)``, once per type."""
    found = _IS_NODE.get(kind)
    if found is None:
        found = _IS_NODE[kind] = issubclass(kind, cst.CSTNode)
    return found


def child_nodes(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """``node``'s children in dataclass field order (cheaper than libcst's ``children``)."""
    names = _FIELDS.get(type(node))
    if names is None:
        names = tuple(f.name for f in dataclasses.fields(node))
        _FIELDS[type(node)] = names
    for name in names:
        value = getattr(node, name)
        kind = type(value)
        if is_node(kind):
            yield value
        elif kind is tuple or kind is list:
            for item in value:
                if is_node(type(item)):
                    yield item


# Fields that only ever hold whitespace, comments, brackets, punctuation or operator tokens.
_TOKEN_FIELDS = frozenset({
    "lpar", "rpar", "lbrace", "rbrace", "lbracket", "rbracket", "leading_lines", "trailing_whitespace",
    "leading_whitespace", "lines_after_decorators", "empty_lines", "header", "footer", "newline",
    "comma", "trailing_comma", "semicolon", "equal", "colon", "first_colon", "second_colon", "dot",
    "relative", "operator", "asynchronous", "posonly_ind",
})
_CODE_FIELDS: dict[type, tuple[str, ...]] = {}
_TOKEN_MODULES = ("libcst._nodes.whitespace", "libcst._nodes.op")
# type -> a libcst node that may hold code (not whitespace, a comment or a token)
_IS_CODE: dict[type, bool] = {}


def _is_code(kind: type) -> bool:
    found = _IS_CODE.get(kind)
    if found is None:
        found = _IS_CODE[kind] = issubclass(kind, cst.CSTNode) and kind.__module__ not in _TOKEN_MODULES
    return found


def code_children(node: cst.CSTNode) -> list[cst.CSTNode]:
    """``node``'s children that may hold code (expressions, statements and their parts), in field
    order: :func:`child_nodes` without whitespace, comments, brackets and tokens (most of a libcst
    tree), for walks that look for code only."""
    kind = type(node)
    names = _CODE_FIELDS.get(kind)
    if names is None:
        names = tuple(f.name for f in dataclasses.fields(node)
                      if f.name not in _TOKEN_FIELDS and not f.name.startswith("whitespace"))
        _CODE_FIELDS[kind] = names
    out: list[cst.CSTNode] = []
    for name in names:
        value = getattr(node, name)
        vkind = type(value)
        if _is_code(vkind):
            out.append(value)
        elif vkind is tuple or vkind is list:
            out.extend(item for item in value if _is_code(type(item)))
    return out


def preorder(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """``node`` and every node below it, parents first, children in field order (source order but
    for a few fields, e.g. a function's decorators come after its body). Several times cheaper than
    a ``CSTVisitor`` when only a few node types matter."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        children = list(child_nodes(current))
        children.reverse()
        stack.extend(children)
