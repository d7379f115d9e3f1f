"""Spans of calls read from CPython's tree of their statement, with no code generation.

libcst's span of a call (``PositionProvider``: from its callee to its closing parenthesis, without
parentheses around the call) is CPython's: both parsers see the same tokens. So the calls of a
simple statement line are matched with CPython's: the statement's own lines are parsed by CPython
(a few microseconds, next to generating the statement's code with libcst), both sides' calls are
listed in source order (libcst's nodes in field order, but an ``if``-expression's body before its
test; CPython's sorted by start, an enclosing call before the calls inside it), and each pair must
agree on the callee's last name and the number of arguments. A statement where anything disagrees,
or that holds an f-string (CPython < 3.12 misplaces what is inside one), answers nothing: the caller
generates its code as before. A call in parentheses answers nothing either (its code, the
snippet of a finding, includes them).

Columns: CPython counts UTF-8 bytes, libcst characters; a line that is not ASCII is converted.
"""

from __future__ import annotations

import ast
import re
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import libcst as cst

from tenantlint.analysis.source.children import code_children
from tenantlint.index import ast_util

# (first line, first column, last line, end column): 1-based lines, 0-based character columns
Quad = tuple[int, int, int, int]
# A call of CPython's tree: its span in CPython's numbering (1-based lines, UTF-8 byte columns), the
# kind of its callee (0 a name, 1 an attribute, 2 anything else), the callee's last name, the number
# of arguments
CallKey = tuple[int, int, int, int, int, str, int]

_NEWLINE = re.compile(r"\r\n?|\n")  # CPython's and libcst's line breaks (not str.splitlines')
_LEAVES = frozenset({cst.Name, cst.SimpleString, cst.Integer, cst.Float, cst.Imaginary})


def _cst_calls(stmt: cst.SimpleStatementLine) -> list[cst.Call] | None:
    """The calls of ``stmt`` in source order; None when it holds an f-string. Only what can hold a
    call is visited (not a keyword's name, an attribute's name, names, numbers, strings)."""
    out: list[cst.Call] = []
    stack: list[cst.CSTNode] = [stmt]
    while stack:
        node = stack.pop()
        kind = type(node)
        if kind in _LEAVES:
            continue
        if kind is cst.Attribute:
            stack.append(node.value)  # type: ignore[attr-defined]
            continue
        if kind is cst.Call:
            out.append(node)  # type: ignore[arg-type]
            children: list[cst.CSTNode] = [node.func, *(a.value for a in node.args)]  # type: ignore[attr-defined]
        elif kind is cst.IfExp:  # ``body if test else orelse``: fields are test, body, orelse
            children = [node.body, node.test, node.orelse]  # type: ignore[attr-defined]
        elif kind is cst.FormattedString:
            return None
        elif kind is cst.SimpleStatementLine:  # the common shapes without ``code_children``
            children = list(node.body)  # type: ignore[attr-defined]
        elif kind is cst.Assign:  # each target (its ``AssignTarget``'s only code), then the value
            children = [*(t.target for t in node.targets), node.value]  # type: ignore[attr-defined]
        elif kind is cst.Expr:
            children = [node.value]  # type: ignore[attr-defined]
        else:
            children = code_children(node)
        children.reverse()
        stack.extend(children)
    return out


def _ast_calls(roots: Sequence[ast.AST]) -> list[ast.Call] | None:
    """The calls under ``roots`` sorted by start (an enclosing call first); None when they hold an
    f-string."""
    calls: list[ast.Call] = []
    todo: list[ast.AST] = list(roots)
    push = todo.append
    for node in todo:  # a queue that grows while it is read (``ast_util.walk``)
        kind = node.__class__
        if kind is ast.Name or kind is ast.Constant:
            continue
        if kind is ast.Attribute:
            push(node.value)  # type: ignore[attr-defined]
        elif kind is ast.Call:
            calls.append(node)  # type: ignore[arg-type]
            push(node.func)  # type: ignore[attr-defined]
            todo.extend(node.args)  # type: ignore[attr-defined]
            todo.extend(kw.value for kw in node.keywords)  # type: ignore[attr-defined]
        elif kind is ast.JoinedStr:
            return None
        elif kind is ast.Module:  # the common shapes without ``children`` (their order does not
            todo.extend(node.body)  # type: ignore[attr-defined]  # matter: the calls are sorted)
        elif kind is ast.Assign:
            todo.extend(node.targets)  # type: ignore[attr-defined]
            push(node.value)  # type: ignore[attr-defined]
        elif kind is ast.Expr:
            push(node.value)  # type: ignore[attr-defined]
        else:
            todo.extend(ast_util.children(node))
    if len(calls) > 1:
        calls.sort(key=lambda c: (c.lineno, c.col_offset, -(c.end_lineno or 0), -(c.end_col_offset or 0)))
    return calls


def call_keys(stmts: Sequence[ast.AST]) -> tuple[CallKey, ...] | None:
    """What :func:`spans_from_keys` needs of the calls of ``stmts`` (CPython's statements of one
    line, or one of them): each call's span and what identifies it, in source order; None when
    they hold an f-string or a call without an end position."""
    found = _ast_calls(stmts)
    if found is None:
        return None
    keys: list[CallKey] = []
    for a in found:
        if a.end_lineno is None or a.end_col_offset is None:
            return None
        f = a.func
        kind, name = (0, f.id) if type(f) is ast.Name else (  # type: ignore[attr-defined]
            (1, f.attr) if type(f) is ast.Attribute else (2, ""))  # type: ignore[attr-defined]
        keys.append((a.lineno, a.col_offset, a.end_lineno, a.end_col_offset, kind, name,
                     len(a.args) + len(a.keywords)))
    return tuple(keys)


def _same(c: cst.Call, key: CallKey) -> bool:
    if len(c.args) != key[6]:
        return False
    f = c.func
    if type(f) is cst.Name:
        return key[4] == 0 and key[5] == f.value
    if type(f) is cst.Attribute:
        return key[4] == 1 and key[5] == f.attr.value
    return True


def _column(line: str, byte_col: int) -> int:
    return byte_col if line.isascii() else len(line.encode("utf-8")[:byte_col].decode("utf-8", "replace"))


@contextmanager
def quietly() -> Iterator[None]:
    """CPython's warnings about the analysed code (``"\\."``) silenced, around any number of
    :func:`statement_call_spans` (``catch_warnings`` costs more than parsing a small statement)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def statement_call_spans(stmt: cst.SimpleStatementLine, text: str, first: int, last: int,
                         line_starts: Sequence[int]) -> dict[int, Quad] | None:
    """id(call) -> span of every call of ``stmt``, a simple statement line whose code is lines
    ``first``..``last`` (1-based, CPython's lines of its first and last small statement) of ``text``
    (``line_starts``: the offset of each line); None when the parsers disagree (module docstring)."""
    calls = _cst_calls(stmt)
    if not calls:
        return None if calls is None else {}
    if first < 1 or last < first or last > len(line_starts):
        return None
    start = line_starts[first - 1]
    end = line_starts[last] if last < len(line_starts) else len(text)
    code = text[start:end]
    body = code.lstrip(" \t\f")
    indent = len(code) - len(body)  # ASCII whitespace: as many bytes as characters
    try:
        tree = ast.parse(body)  # the caller silences CPython's warnings (``quietly``)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    keys = call_keys(tree.body)
    if keys is None:
        return None
    shift = first - 1  # to the text's lines and, on the first line, its columns
    keys = tuple((l1 + shift, c1 + (indent if l1 == 1 else 0), l2 + shift, c2 + (indent if l2 == 1 else 0),
                  kind, name, n) for l1, c1, l2, c2, kind, name, n in keys)
    return _spans(calls, keys, None if code.isascii() else text, line_starts)


def spans_from_keys(stmt: cst.SimpleStatementLine, keys: Sequence[CallKey], text: str | None,
                    line_starts: Sequence[int]) -> dict[int, Quad] | None:
    """:func:`statement_call_spans` from the :func:`call_keys` of the statement's CPython
    statements in the whole text's tree (kept by ``positions.statement_skeleton``): no parse.
    ``text``: None when the text is ASCII (no column to convert)."""
    calls = _cst_calls(stmt)
    if not calls:
        return None if calls is None else {}
    return _spans(calls, keys, text, line_starts)


def _spans(calls: list[cst.Call], keys: Sequence[CallKey], text: str | None,
           line_starts: Sequence[int]) -> dict[int, Quad] | None:
    """Each of libcst's ``calls`` paired with the key in the same place; CPython's byte columns
    turned into characters on a line that is not ASCII (``text``: None when none is)."""
    if len(keys) != len(calls):
        return None
    out: dict[int, Quad] = {}
    for c, key in zip(calls, keys, strict=True):
        if not _same(c, key):
            return None
        if c.lpar:
            continue  # its code (a finding's snippet) includes its parentheses: not its span
        l1, c1, l2, c2 = key[0], key[1], key[2], key[3]
        if text is not None:
            if l2 > len(line_starts):
                return None
            c1, c2 = _column(_line(text, line_starts, l1), c1), _column(_line(text, line_starts, l2), c2)
        out[id(c)] = (l1, c1, l2, c2)
    return out


def _line(text: str, line_starts: Sequence[int], line: int) -> str:
    start = line_starts[line - 1]
    return text[start:line_starts[line]] if line < len(line_starts) else text[start:]
