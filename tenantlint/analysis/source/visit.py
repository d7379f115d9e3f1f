"""Run a read-only ``CSTVisitor`` without libcst's copy of the tree.

``node.visit(visitor)`` rebuilds every node it passes (one dataclass construction per node, checks
included), even for a visitor that changes nothing: for the analysis's small scans that copy costs
more than the scan. :func:`visit` calls the visitor's ``on_visit`` and ``on_leave`` on the same nodes
in the same order (each node type's fields in libcst's own visiting order, learnt once per type from
libcst itself) and builds nothing. Attribute hooks (``visit_Call_func``) are not called: use it only
for visitors without them.
"""

from __future__ import annotations

import dataclasses

import libcst as cst

from tenantlint.analysis.source.positions import is_node

_ORDER: dict[type, tuple[str, ...]] = {}


class _FieldOrder(cst.CSTVisitor):
    """The fields of ``root`` in the order libcst visits them (without descending below them)."""

    def __init__(self, root: cst.CSTNode) -> None:
        super().__init__()
        self.root = root
        self.fields: list[str] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        return node is self.root

    def on_visit_attribute(self, node: cst.CSTNode, attribute: str) -> None:
        if node is self.root and attribute not in self.fields:
            self.fields.append(attribute)


def _order(node: cst.CSTNode) -> tuple[str, ...]:
    kind = type(node)
    found = _ORDER.get(kind)
    if found is None:
        learn = _FieldOrder(node)
        node.visit(learn)
        # a field libcst visits only on some nodes of this type comes last (never seen so far)
        rest = [f.name for f in dataclasses.fields(node) if f.name not in learn.fields]
        found = _ORDER[kind] = (*learn.fields, *rest)
    return found


def visit(node: cst.CSTNode, visitor: cst.CSTVisitor) -> None:
    """``node.visit(visitor)`` for a visitor that only reads (see the module docstring)."""
    if visitor.on_visit(node):
        for name in _order(node):
            value = getattr(node, name)
            kind = type(value)
            if is_node(kind):
                visit(value, visitor)
            elif kind is tuple or kind is list:
                for item in value:
                    if is_node(type(item)):
                        visit(item, visitor)
    visitor.on_leave(node)
