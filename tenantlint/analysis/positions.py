"""Node positions without resolving ``PositionProvider`` on the whole module.

A node's span is computed inside its top-level statement only: that statement is wrapped in a
one-statement module, ``PositionProvider`` runs on it, and the statement's line offset comes from
CPython's ``ast`` (the line of its first token minus the blank/comment lines libcst attaches to it).
Top-level statements start in column 0, so columns need no offset. Any disagreement between the two
parsers falls back to the whole-module provider, so spans are always exactly libcst's.
"""

from __future__ import annotations

import ast
import dataclasses
from collections.abc import Iterator

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


def whole_module_ranges(module: cst.Module) -> dict[cst.CSTNode, CodeRange]:
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    return dict(wrapper.resolve(PositionProvider))


def _leading(stmt: cst.BaseStatement) -> int:
    count = len(getattr(stmt, "leading_lines", ()))
    decorators = getattr(stmt, "decorators", ())
    if decorators:
        count += len(decorators[0].leading_lines)
    return count


def _first_lines(module: cst.Module, text: str) -> list[int] | None:
    """1-based line of the first token of each top-level statement, by ``ast``; None on mismatch."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    out: list[int] = []
    j = 0
    body = tree.body
    for stmt in module.body:
        if j >= len(body):
            return None
        node = body[j]
        decorators = getattr(node, "decorator_list", None)
        line = min([node.lineno, *(d.lineno for d in decorators)]) if decorators else node.lineno
        out.append(line)
        j += len(stmt.body) if isinstance(stmt, cst.SimpleStatementLine) else 1
    return out if j == len(body) else None


class StatementPositions:
    """Spans of nodes of one module, resolved one top-level statement at a time."""

    def __init__(self, module: cst.Module, text: str | None) -> None:
        self.module = module
        self.text = text
        self._owner: dict[int, int] = {}  # id(node) -> index of its top-level statement
        self._indexed = 0  # statements whose subtrees are in _owner
        self._ranges: dict[cst.CSTNode, CodeRange] = {}
        self._done: set[int] = set()
        self._lines: list[int] | None = None
        self._whole: dict[cst.CSTNode, CodeRange] | None = None

    def _statement_of(self, node: cst.CSTNode) -> int | None:
        key = id(node)
        body = self.module.body
        while key not in self._owner and self._indexed < len(body):
            i = self._indexed
            for n in subtree(body[i]):
                self._owner[id(n)] = i
            self._indexed += 1
        return self._owner.get(key)

    def _resolve(self, i: int) -> bool:
        if self._lines is None:
            assert self.text is not None
            lines = _first_lines(self.module, self.text)
            if lines is None:
                return False
            self._lines = lines
        stmt = self.module.body[i]
        sub = self.module.with_changes(body=[stmt], header=(), footer=())
        offset = self._lines[i] - 1 - _leading(stmt)
        for n, rng in MetadataWrapper(sub, unsafe_skip_copy=True).resolve(PositionProvider).items():
            if n is sub:
                continue
            self._ranges[n] = CodeRange((rng.start.line + offset, rng.start.column),
                                        (rng.end.line + offset, rng.end.column))
        self._done.add(i)
        return True

    def range(self, node: cst.CSTNode) -> CodeRange:
        if node in self._ranges:
            return self._ranges[node]
        if self._whole is None and self.text is not None:
            i = self._statement_of(node)
            if i is not None and i not in self._done and self._resolve(i) and node in self._ranges:
                return self._ranges[node]
        if self._whole is None:
            self._whole = whole_module_ranges(self.module)
        return self._whole[node]

    def span(self, node: cst.CSTNode) -> Span:
        rng = self.range(node)
        return Span(rng.start.line, rng.start.column + 1, rng.end.line, rng.end.column + 1)
