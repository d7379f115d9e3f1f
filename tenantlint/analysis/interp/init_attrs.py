"""Attributes ``__init__`` sets from its parameters, read by the methods it calls while it runs.

    class Executor:
        def __init__(self, query, data_source_id):
            self.data_source_id = data_source_id
            self.data_source = self._load_data_source()

        def _load_data_source(self):
            return DataSource.query.get(self.data_source_id)

An attribute the class sets exactly once, in a top-level statement ``self.attr = param`` of
``__init__`` (``param`` one of its parameters, never rebound there; no class-level ``attr``, no
``setattr`` in the class), holds what the construction passed for ``param`` while ``__init__`` runs.
A method reading ``self.attr`` gets a port ``self.attr`` of its own (``PSEUDO``): the call
``self._load_data_source()`` in ``__init__``, after the assignment, binds it to ``param``
(``interp/calls.py``); any other call binds it to nothing known, so the method's query keyed by it
stays reported where it is unless every call is such a call (``crossfn/combine.arg_for``).
"""

from __future__ import annotations

import libcst as cst

from tenantlint.analysis.source.visit import visit
from tenantlint.crossfn.records import PSEUDO

_BOUND_BY_CALLER = frozenset({"staticmethod", "classmethod", "property", "cached_property"})


def _init(cls: cst.ClassDef) -> cst.FunctionDef | None:
    for stmt in cls.body.body:
        if isinstance(stmt, cst.FunctionDef) and stmt.name.value == "__init__":
            return stmt
    return None


def _params(fn: cst.FunctionDef) -> set[str]:
    p = fn.params
    return {x.name.value for x in (*p.posonly_params, *p.params, *p.kwonly_params)}


def _assigned_attr(stmt: cst.CSTNode) -> tuple[str, str] | None:
    """``self.attr = name``, a whole simple statement: (attr, name)."""
    if not isinstance(stmt, cst.SimpleStatementLine) or len(stmt.body) != 1:
        return None
    small = stmt.body[0]
    if not isinstance(small, cst.Assign) or len(small.targets) != 1 or not isinstance(small.value, cst.Name):
        return None
    target = small.targets[0].target
    if (isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name)
            and target.value.value == "self"):
        return target.attr.value, small.value.value
    return None


# The last classes asked about: their methods are walked one after another. Few, as each entry keeps
# its class's whole libcst subtree alive (256 kept ~20 MB of a 450-file project's trees).
_CACHE: dict[int, tuple[cst.ClassDef, dict[str, str]]] = {}
_CACHE_SIZE = 4


def fed_attrs(cls: cst.ClassDef) -> dict[str, str]:
    """attr -> the ``__init__`` parameter it holds (see the module's docstring)."""
    hit = _CACHE.get(id(cls))
    if hit is not None and hit[0] is cls:
        return hit[1]
    if len(_CACHE) >= _CACHE_SIZE:
        _CACHE.clear()
    found = _fed_attrs(cls)
    _CACHE[id(cls)] = (cls, found)
    return found


def _fed_attrs(cls: cst.ClassDef) -> dict[str, str]:
    init = _init(cls)
    if init is None or not isinstance(init.body, cst.IndentedBlock):
        return {}
    params = _params(init) - {"self"}
    stores = _Stores()
    visit(cls.body, stores)
    if stores.dynamic:
        return {}
    out: dict[str, str] = {}
    for stmt in init.body.body:
        found = _assigned_attr(stmt)
        if found is None:
            continue
        attr, name = found
        if (name in params and name not in stores.names and stores.attrs.get(attr) == 1
                and attr not in stores.class_level):
            out[attr] = name
    return out


def init_ports(fn: cst.FunctionDef, cls: cst.ClassDef | None) -> list[str]:
    """The ports ``self.attr`` of method ``fn`` of ``cls``: the attributes ``__init__`` feeds that it
    reads."""
    if cls is None or fn.name.value == "__init__" or any(
            _decorator(d) in _BOUND_BY_CALLER for d in fn.decorators):
        return []
    fed = fed_attrs(cls)
    if not fed:
        return []
    reads = _Reads()
    visit(fn.body, reads)
    return [PSEUDO + a for a in sorted(fed) if a in reads.attrs]


def init_args(cls: cst.ClassDef, call: cst.Call) -> list[tuple[str, str]]:
    """(port, parameter) bound by ``call``, a call in ``__init__`` of ``cls``: the attributes fed by
    the top-level statements before the one holding ``call``."""
    init = _init(cls)
    fed = fed_attrs(cls)
    if init is None or not fed or not isinstance(init.body, cst.IndentedBlock):
        return []
    out: list[tuple[str, str]] = []
    for stmt in init.body.body:
        if _holds(stmt, call):
            return out
        found = _assigned_attr(stmt)
        if found is not None and fed.get(found[0]) == found[1]:
            out.append((PSEUDO + found[0], found[1]))
    return []


def _decorator(d: cst.Decorator) -> str:
    node = d.decorator.func if isinstance(d.decorator, cst.Call) else d.decorator
    if isinstance(node, cst.Attribute):
        return node.attr.value
    return node.value if isinstance(node, cst.Name) else ""


def _holds(stmt: cst.CSTNode, node: cst.CSTNode) -> bool:
    finder = _Finds(node)
    visit(stmt, finder)
    return finder.found


class _Finds(cst.CSTVisitor):
    def __init__(self, node: cst.CSTNode) -> None:
        self.node = node
        self.found = False

    def on_visit(self, node: cst.CSTNode) -> bool:
        if node is self.node:
            self.found = True
        return not self.found


class _Reads(cst.CSTVisitor):
    """The attributes of ``self`` a method reads."""

    def __init__(self) -> None:
        self.attrs: set[str] = set()

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if isinstance(node.value, cst.Name) and node.value.value == "self":
            self.attrs.add(node.attr.value)


class _Stores(cst.CSTVisitor):
    """Per attribute of ``self``, how often the class body assigns it (any target, ``+=``, ``del``,
    a ``for``/``with`` target); names assigned anywhere in it; class-level names; ``setattr``."""

    def __init__(self) -> None:
        self.attrs: dict[str, int] = {}
        self.names: set[str] = set()
        self.class_level: set[str] = set()
        self.dynamic = False
        self._depth = 0

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._depth += 1

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._depth -= 1

    def visit_Call(self, node: cst.Call) -> None:
        if isinstance(node.func, cst.Name) and node.func.value in ("setattr", "delattr", "vars"):
            self.dynamic = True
        elif isinstance(node.func, cst.Attribute) and node.func.attr.value in ("__setattr__", "update") and (
                isinstance(node.func.value, cst.Attribute) and node.func.value.attr.value == "__dict__"):
            self.dynamic = True

    def _target(self, target: cst.BaseExpression) -> None:
        if isinstance(target, cst.Name):
            (self.names if self._depth else self.class_level).add(target.value)
        elif isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name) and \
                target.value.value == "self":
            self.attrs[target.attr.value] = self.attrs.get(target.attr.value, 0) + 1
        elif isinstance(target, cst.Tuple | cst.List):
            for el in target.elements:
                self._target(el.value)
        elif isinstance(target, cst.StarredElement):
            self._target(target.value)

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        self._target(node.target)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._target(node.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._target(node.target)

    def visit_For(self, node: cst.For) -> None:
        self._target(node.target)

    def visit_AsName(self, node: cst.AsName) -> None:
        self._target(node.name)

    def visit_Del(self, node: cst.Del) -> None:
        self._target(node.target)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._target(node.target)
