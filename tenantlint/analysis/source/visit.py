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


# libcst's own ``on_visit``/``on_leave``: a visitor keeping them gets its hooks looked up once per
# (visitor class, node type) instead of by a formatted name at every node (``_visit_hooks``)
_ON_VISIT = cst.CSTVisitor.on_visit
_ON_LEAVE = cst.CSTVisitor.on_leave
# visitor class -> node type -> the names of its ``visit_X`` / ``leave_X`` hooks, None for libcst's no-op
_HOOKS: dict[type, dict[type, tuple[str | None, str | None]]] = {}


def visit(node: cst.CSTNode, visitor: cst.CSTVisitor) -> None:
    """``node.visit(visitor)`` for a visitor that only reads (see the module docstring)."""
    kind = type(visitor)
    if kind.on_visit is _ON_VISIT and kind.on_leave is _ON_LEAVE:
        hooks = _HOOKS.get(kind)
        if hooks is None:
            hooks = _HOOKS[kind] = {}
        _visit_hooks(node, visitor, hooks)
        return
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


def _hook(visitor: type, name: str) -> str | None:
    """``name`` when the visitor class has a hook of that name other than libcst's no-op (which
    ``CSTVisitor`` declares for every node type), else None: calling it would do nothing."""
    return None if getattr(visitor, name, None) is getattr(cst.CSTVisitor, name, None) else name


def _visit_hooks(node: cst.CSTNode, visitor: cst.CSTVisitor,
                 hooks: dict[type, tuple[str | None, str | None]]) -> None:
    """:func:`visit` for a visitor with libcst's ``on_visit``/``on_leave``: what they do (call
    ``visit_X``, descend unless it answered False, call ``leave_X``), each hook's name found once."""
    kind = type(node)
    names = hooks.get(kind)
    if names is None:
        cls = type(visitor)
        names = hooks[kind] = (_hook(cls, f"visit_{kind.__name__}"), _hook(cls, f"leave_{kind.__name__}"))
    enter, leave = names
    if enter is None or getattr(visitor, enter)(node) is not False:
        for name in _order(node):
            value = getattr(node, name)
            vkind = type(value)
            if is_node(vkind):
                _visit_hooks(value, visitor, hooks)
            elif vkind is tuple or vkind is list:
                for item in value:
                    if is_node(type(item)):
                        _visit_hooks(item, visitor, hooks)
    if leave is not None:
        getattr(visitor, leave)(node)
