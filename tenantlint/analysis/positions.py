"""Node positions without resolving ``PositionProvider`` on the whole module.

A node's span is computed inside its innermost enclosing statement (descending through class and
function bodies): that statement is kept alone inside copies of its ancestors (so indentation, hence
columns, are unchanged), ``PositionProvider`` runs on that small module, and the line offset is the
statement's line from CPython's ``ast`` minus its line there. Any disagreement between the two
parsers falls back to the whole-module provider, so spans are always exactly libcst's.
"""

from __future__ import annotations

import ast
import dataclasses
from collections.abc import Iterator, Sequence

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from tenantlint.model import Span

_FIELDS: dict[type, tuple[str, ...]] = {}


def _children(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    names = _FIELDS.get(type(node))
    if names is None:
        names = tuple(f.name for f in dataclasses.fields(node))
        _FIELDS[type(node)] = names
    for name in names:
        value = getattr(node, name)
        if isinstance(value, cst.CSTNode):
            yield value
        elif isinstance(value, tuple | list):
            for item in value:
                if isinstance(item, cst.CSTNode):
                    yield item


def subtree(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """``node`` and every node below it."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(_children(current))


def preorder(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """``node`` and every node below it, parents first, children in field order (source order but
    for a few fields, e.g. a function's decorators come after its body). Several times cheaper than
    a ``CSTVisitor`` when only a few node types matter."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        children = list(_children(current))
        children.reverse()
        stack.extend(children)


def whole_module_ranges(module: cst.Module) -> dict[cst.CSTNode, CodeRange]:
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    return dict(wrapper.resolve(PositionProvider))


_Scoped = cst.ClassDef | cst.FunctionDef


def _inner_body(stmt: cst.CSTNode) -> cst.IndentedBlock | None:
    """The body of a class or function whose statements are resolved one at a time."""
    if isinstance(stmt, _Scoped) and isinstance(stmt.body, cst.IndentedBlock):
        return stmt.body
    return None


def _ast_body(node: ast.AST | None) -> list[ast.stmt] | None:
    if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
        return node.body
    return None


def _ast_statement(body: list[ast.stmt], stmts: Sequence[cst.BaseStatement], index: int) -> ast.stmt | None:
    """The ``ast`` statement of libcst's ``stmts[index]`` (a ``SimpleStatementLine`` holds several);
    None when the two parsers' statement counts disagree."""
    j = 0
    for k, stmt in enumerate(stmts):
        if j >= len(body):
            return None
        if k == index:
            return body[j]
        j += len(stmt.body) if isinstance(stmt, cst.SimpleStatementLine) else 1
    return None


class StatementPositions:
    """Spans of nodes of one module, resolved one (possibly nested) statement at a time.

    A statement path is the chain of body indices from the module through classes and functions
    (``(3, 1)``: the second statement of the fourth top-level statement's body). The statement is
    resolved in a copy of its ancestors that keeps only it, so indentation and columns are exact.
    """

    def __init__(self, module: cst.Module, text: str | None, tree: ast.Module | None = None) -> None:
        self.module = module
        self.text = text
        self._owner: dict[int, tuple[int, ...]] = {}  # id(node) -> path of its innermost statement
        self._indexed = 0  # top-level statements whose subtrees are in _owner
        self._ranges: dict[cst.CSTNode, CodeRange] = {}
        self._done: set[tuple[int, ...]] = set()
        self._tree: ast.Module | None = tree
        self._tree_failed = text is None
        self._whole: dict[cst.CSTNode, CodeRange] | None = None

    def _index(self, stmt: cst.CSTNode, path: tuple[int, ...]) -> None:
        block = _inner_body(stmt)
        if block is None:
            for n in subtree(stmt):
                self._owner[id(n)] = path
            return
        stack: list[cst.CSTNode] = [stmt]
        while stack:
            node = stack.pop()
            self._owner[id(node)] = path
            if node is block:
                for j, child in enumerate(block.body):
                    self._index(child, (*path, j))
                stack.extend(c for c in _children(node) if not isinstance(c, cst.BaseStatement))
            else:
                stack.extend(_children(node))

    def _statement_of(self, node: cst.CSTNode) -> tuple[int, ...] | None:
        key = id(node)
        body = self.module.body
        while key not in self._owner and self._indexed < len(body):
            self._index(body[self._indexed], (self._indexed,))
            self._indexed += 1
        return self._owner.get(key)

    def _resolve(self, path: tuple[int, ...]) -> bool:
        if self._tree is None:
            if self._tree_failed or self.text is None:
                return False
            try:
                self._tree = ast.parse(self.text)
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                self._tree_failed = True
                return False
        chain: list[cst.CSTNode] = []  # ancestors (class/function) of the statement
        container: cst.Module | cst.IndentedBlock = self.module
        anode: ast.AST | None = self._tree
        stmt: cst.BaseStatement | None = None
        for index in path:
            if stmt is not None:
                chain.append(stmt)
                block = _inner_body(stmt)
                if block is None:
                    return False
                container = block
            abody = _ast_body(anode)
            if abody is None:
                return False
            stmt = container.body[index]
            anode = _ast_statement(abody, container.body, index)
            if anode is None:
                return False
        assert stmt is not None and isinstance(anode, ast.stmt)
        wrapped: cst.CSTNode = stmt
        for ancestor in reversed(chain):
            inner = _inner_body(ancestor)
            assert inner is not None
            wrapped = ancestor.with_changes(body=inner.with_changes(body=[wrapped]))
        sub = self.module.with_changes(body=[wrapped], header=(), footer=())
        found = MetadataWrapper(sub, unsafe_skip_copy=True).resolve(PositionProvider)
        own = found[stmt]
        offset = anode.lineno - own.start.line  # both: the first token after decorators
        for n in subtree(stmt):
            rng = found[n]
            self._ranges[n] = CodeRange((rng.start.line + offset, rng.start.column),
                                        (rng.end.line + offset, rng.end.column))
        self._done.add(path)
        return True

    def range(self, node: cst.CSTNode) -> CodeRange:
        if node in self._ranges:
            return self._ranges[node]
        if self._whole is None and self.text is not None:
            path = self._statement_of(node)
            if path is not None and path not in self._done and self._resolve(path) and node in self._ranges:
                return self._ranges[node]
        if self._whole is None:
            self._whole = whole_module_ranges(self.module)
        return self._whole[node]

    def span(self, node: cst.CSTNode) -> Span:
        rng = self.range(node)
        return Span(rng.start.line, rng.start.column + 1, rng.end.line, rng.end.column + 1)
