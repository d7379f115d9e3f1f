"""Parse valid Python that libcst's grammar rejects by blanking the statements it cannot read.

libcst does not accept everything CPython does (a parenthesised annotated target such as
``(name): int`` in the standard library's ``test/test_grammar.py``). Such a file is valid, so it
must not be reported as unparsable (TNT999). When CPython's own parser accepts the text, each
statement libcst stumbles on is replaced by an empty tuple spread over the same lines, and the rest
of the file is analysed as usual; line numbers of everything else are unchanged.
"""

from __future__ import annotations

import ast
import re

import libcst as cst

from tenantlint.analysis.source.cpython import parse_quietly

MAX_REPAIRS = 20
_AT = re.compile(r"error at (\d+):\d+")


def _error_line(error: cst.ParserSyntaxError) -> int:
    """The 1-based line libcst's native parser names in its message (``raw_line`` can be the
    line after it)."""
    found = _AT.search(error.message)
    return int(found.group(1)) if found else error.raw_line


def _start_line(stmt: ast.stmt) -> int:
    decorators: list[ast.expr] = getattr(stmt, "decorator_list", None) or []
    return min([stmt.lineno, *(d.lineno for d in decorators)])


def _innermost_statement(tree: ast.Module, line: int) -> ast.stmt | None:
    """The smallest statement whose lines (decorators included) contain ``line``."""
    best: ast.stmt | None = None
    best_size = 0
    for node in ast.walk(tree):
        if not isinstance(node, ast.stmt) or node.end_lineno is None:
            continue
        start = _start_line(node)
        if start <= line <= node.end_lineno:
            size = node.end_lineno - start
            if best is None or size <= best_size:
                best, best_size = node, size
    return best


def _blank(lines: list[str], stmt: ast.stmt) -> None:
    """Replace ``stmt`` in ``lines`` (in place) by ``()`` spanning the same lines."""
    first = _start_line(stmt) - 1
    last = (stmt.end_lineno or stmt.lineno) - 1
    start_col = stmt.col_offset  # decorators sit at the statement's own indentation
    head = lines[first].encode("utf-8")[:start_col].decode("utf-8", "replace")
    tail = lines[last].encode("utf-8")[stmt.end_col_offset or 0:].decode("utf-8", "replace")
    if first == last:
        lines[first] = f"{head}(){tail}"
        return
    lines[first] = f"{head}(\n"
    for i in range(first + 1, last):
        lines[i] = "\n"
    lines[last] = f"){tail}"


def parse_recovering(text: str, error: cst.ParserSyntaxError) -> cst.Module | None:
    """The module of ``text`` with the statements libcst rejects blanked; None when CPython
    rejects the text too, or when the rejected statements cannot be isolated."""
    try:
        tree = parse_quietly(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    lines = text.splitlines(keepends=True)
    blanked: set[int] = set()
    for _ in range(MAX_REPAIRS):
        stmt = _innermost_statement(tree, _error_line(error))
        if stmt is None or id(stmt) in blanked:
            return None
        blanked.add(id(stmt))
        _blank(lines, stmt)
        try:
            return cst.parse_module("".join(lines))
        except cst.ParserSyntaxError as exc:
            error = exc
        except (SyntaxError, ValueError, RecursionError):
            return None
    return None
