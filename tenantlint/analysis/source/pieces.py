"""libcst's tree of a text with a huge top-level function, parsed in pieces and put back together.

libcst's native parser holds its own copy of the whole text's tree while it builds the Python one:
a 2.5 MB function of 50,000 statements peaks at ~1.5 GB for ~0.35 GB of final tree. So when a
top-level function's body is larger than :data:`MIN_BODY_CHARS`, its body is cut between two of
its direct statements every :data:`PIECE_CHARS` or so, each piece is parsed as its own small text
(the function's header, then the piece's lines), and the pieces' statements are joined into one
function again. The result is the tree a whole parse gives (``deep_equals``; tests compare the
two): the cuts are placed only where the two parses cannot differ, and anything unexpected falls
back to the whole parse.

A cut lies before a statement of the function's body that begins a line at the body's indentation,
right after a simple statement (an assignment, a call, a ``return``...) that ends on the line
before it, or only empty lines in between: the lines a piece starts with (empty ones) are then that
statement's leading lines, as in the whole parse, and a piece never ends inside an indented block
that could own trailing lines. The first piece holds everything before the function as well, the
last one everything after it, so the module's own header, footer and other statements are parsed
as usual.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Sequence
from itertools import pairwise

import libcst as cst

MIN_BODY_CHARS = 64 * 1024  # a smaller function is parsed with its file
PIECE_CHARS = 16 * 1024  # about this much of the body per piece

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")  # lines as the tokenizer counts them
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
_COMPOUND = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.If, ast.For, ast.AsyncFor,
             ast.While, ast.With, ast.AsyncWith, ast.Try, ast.Match) + (
                 (ast.TryStar,) if hasattr(ast, "TryStar") else ())


def _blank_or_comment(line: str) -> bool:
    code = line.strip()
    return not code or code.startswith("#")


def _biggest_function(tree: ast.Module) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    best = None
    best_lines = 0
    for stmt in tree.body:
        if isinstance(stmt, _FUNCTIONS) and stmt.end_lineno is not None:
            size = stmt.end_lineno - stmt.lineno
            if size > best_lines:
                best, best_lines = stmt, size
    return best


def _cuts(fn: ast.FunctionDef | ast.AsyncFunctionDef, lines: Sequence[str]) -> list[int]:
    """0-based line numbers where a piece of ``fn``'s body may begin (see the module docstring)."""
    body = fn.body
    first = body[0]
    header_end = max(fn.lineno, *(d.end_lineno or d.lineno for d in fn.decorator_list)) if \
        fn.decorator_list else fn.lineno
    if first.lineno <= header_end or first.lineno - 1 >= len(lines):
        return []  # ``def f(): x`` or a body on the header's line
    indent = first.col_offset
    prefix = lines[first.lineno - 1][:indent]
    if prefix.strip(" \t"):
        return []
    out: list[int] = []
    chars = 0
    for prev, stmt in pairwise(body):
        if prev.end_lineno is None:
            return []
        chars += sum(len(lines[i]) for i in range(prev.lineno - 1, prev.end_lineno))
        if chars < PIECE_CHARS or isinstance(prev, _COMPOUND) or stmt.col_offset != indent:
            continue
        start = stmt.lineno - 1
        if isinstance(stmt, _COMPOUND) and getattr(stmt, "decorator_list", None):
            start = min(d.lineno for d in stmt.decorator_list) - 1  # type: ignore[attr-defined]
            if lines[start][:indent] != prefix:
                continue
        gap = range(prev.end_lineno, start)
        if start <= prev.end_lineno - 1 or any(lines[i].strip() for i in gap):
            continue  # two statements on one line (``a = 1; b = 2``), or a comment between them
        if lines[start][:indent] != prefix or lines[start][indent:indent + 1] in (" ", "\t"):
            continue
        out.append(prev.end_lineno)  # the gap's empty lines begin the next piece
        chars = 0
    return out


def parse_in_pieces(text: str, tree: ast.Module, parse: Callable[[str], cst.Module]) -> cst.Module | None:
    """The tree of ``text`` (which CPython parsed into ``tree``), parsed by ``parse`` in pieces when
    a top-level function is larger than :data:`MIN_BODY_CHARS`; None when there is nothing to cut
    or the pieces do not fit together (the caller then parses the whole text)."""
    if len(text) < MIN_BODY_CHARS:
        return None
    lines = _LINE.findall(text)
    fn = _biggest_function(tree)
    if fn is None or fn.end_lineno is None:
        return None
    body_chars = sum(len(lines[i]) for i in range(fn.body[0].lineno - 1, min(fn.end_lineno, len(lines))))
    if body_chars < MIN_BODY_CHARS:
        return None
    cuts = _cuts(fn, lines)
    if not cuts:
        return None
    head_start = min([fn.lineno, *(d.lineno for d in fn.decorator_list)]) - 1
    head_end = fn.body[0].lineno - 1  # comments and empty lines above the body are its own
    while head_end > fn.lineno and _blank_or_comment(lines[head_end - 1]):
        head_end -= 1
    header = "".join(lines[head_start:head_end])
    bounds = [0, *cuts, len(lines)]
    statements: list[cst.BaseStatement] = []
    first: cst.Module | None = None
    last: cst.Module | None = None
    for n, (start, end) in enumerate(pairwise(bounds)):
        piece = "".join(lines[start:end])
        module = parse(piece if n == 0 else header + piece)
        if first is not None and (module.default_indent != first.default_indent
                                  or module.default_newline != first.default_newline):
            return None  # the pieces' blocks would be indented unlike the whole file's
        function = module.body[-1] if n == 0 else module.body[0]
        if not isinstance(function, cst.FunctionDef) or not isinstance(function.body, cst.IndentedBlock):
            return None
        if 0 < n < len(bounds) - 2 and len(module.body) != 1:
            return None
        statements.extend(function.body.body)
        if n == 0:
            first = module
        last = module
        del module, function
    if first is None or last is None or first is last:
        return None
    head = first.body[-1]
    tail = last.body[0]
    assert isinstance(head, cst.FunctionDef) and isinstance(head.body, cst.IndentedBlock)
    assert isinstance(tail, cst.FunctionDef) and isinstance(tail.body, cst.IndentedBlock)
    joined = head.with_changes(body=head.body.with_changes(body=tuple(statements),  # as the parser's
                                                           footer=tail.body.footer))
    return first.with_changes(body=(*first.body[:-1], joined, *last.body[1:]), footer=last.footer,
                              has_trailing_newline=last.has_trailing_newline)
