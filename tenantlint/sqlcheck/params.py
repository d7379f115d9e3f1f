"""Placeholders: rewrite every DB-API style to one neutral form with the dialect's tokenizer.

``%s``, ``?``, ``$1``, ``:1`` become ``:__tlp_<index>``; ``%(name)s`` and ``:name`` become
``:name``. sqlglot 30 parses ``:name`` as ``exp.Placeholder(this=name)`` in postgres, sqlite and
mysql alike, while ``%s`` and ``$1`` parse only in some dialects.
"""

from __future__ import annotations

from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.tokenizer_core import Token, TokenType

from tenantlint.sqlcheck.verdict import ParamRef

POSITIONAL_PREFIX = "__tlp_"
_NAME_TYPES = frozenset({TokenType.VAR, TokenType.IDENTIFIER})
_NO_COLON_BEFORE = frozenset(
    {TokenType.VAR, TokenType.NUMBER, TokenType.R_BRACKET, TokenType.R_PAREN, TokenType.IDENTIFIER}
)


def _adjacent(a: Token, b: Token) -> bool:
    return b.start == a.end + 1


def _positional(index: int) -> str:
    return f":{POSITIONAL_PREFIX}{index}"


def original_offset(shifts: tuple[tuple[int, int], ...], offset: int) -> int:
    """Map an offset in the neutral text back to the original text."""
    for neutral_end, delta in shifts:
        if offset >= neutral_end:
            offset += delta
    return offset


def neutralize(text: str, dialect: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    """The neutral text and its shifts ``(end of an edit in the neutral text, length change)``."""
    tokens = Dialect.get_or_raise(dialect).tokenize(text)
    edits: list[tuple[int, int, str]] = []  # (start, end inclusive, replacement)
    position = 0
    i = 0
    n = len(tokens)
    while i < n:
        tok = tokens[i]
        nxt = tokens[i + 1] if i + 1 < n else None
        tt = tok.token_type
        if tt == TokenType.MOD and nxt is not None and _adjacent(tok, nxt):
            if nxt.token_type in _NAME_TYPES and nxt.text == "s":
                edits.append((tok.start, nxt.end, _positional(position)))
                position += 1
                i += 2
                continue
            if nxt.token_type == TokenType.L_PAREN and i + 4 < n:
                name, close, s = tokens[i + 2], tokens[i + 3], tokens[i + 4]
                if (
                    name.token_type in _NAME_TYPES
                    and close.token_type == TokenType.R_PAREN
                    and s.text == "s"
                    and _adjacent(nxt, name)
                    and _adjacent(name, close)
                    and _adjacent(close, s)
                ):
                    edits.append((tok.start, s.end, f":{name.text}"))
                    i += 5
                    continue
        elif tt == TokenType.PLACEHOLDER and tok.text == "?":
            edits.append((tok.start, tok.end, _positional(position)))
            position += 1
        elif tt == TokenType.PARAMETER and nxt is not None and _adjacent(tok, nxt):
            if nxt.token_type == TokenType.NUMBER and nxt.text.isdigit():
                edits.append((tok.start, nxt.end, _positional(max(int(nxt.text) - 1, 0))))
                i += 2
                continue
        elif tt in _NAME_TYPES and tok.text.startswith("$") and tok.text[1:].isdigit():
            edits.append((tok.start, tok.end, _positional(max(int(tok.text[1:]) - 1, 0))))
        elif tt == TokenType.COLON and nxt is not None and _adjacent(tok, nxt):
            prev = tokens[i - 1] if i > 0 else None
            glued = (
                prev is not None and _adjacent(prev, tok) and prev.token_type in _NO_COLON_BEFORE
            )
            if not glued and nxt.token_type == TokenType.NUMBER and nxt.text.isdigit():
                edits.append((tok.start, nxt.end, _positional(max(int(nxt.text) - 1, 0))))
                i += 2
                continue
        i += 1
    out: list[str] = []
    shifts: list[tuple[int, int]] = []
    cursor = 0
    size = 0
    for start, end, replacement in edits:
        out.append(text[cursor:start])
        size += start - cursor
        out.append(replacement)
        size += len(replacement)
        shifts.append((size, (end + 1 - start) - len(replacement)))
        cursor = end + 1
    out.append(text[cursor:])
    return "".join(out), tuple(shifts)


def param_ref(node: exp.Expr) -> ParamRef | None:
    """The placeholder ``node`` is (after :func:`neutralize`), else None."""
    if isinstance(node, exp.Placeholder):
        name = node.name
        if name.startswith(POSITIONAL_PREFIX) and name[len(POSITIONAL_PREFIX) :].isdigit():
            return ParamRef(int(name[len(POSITIONAL_PREFIX) :]), None)
        return ParamRef(None, name or None)
    if isinstance(node, exp.Parameter):
        inner = node.this
        if isinstance(inner, exp.Literal) and inner.this.isdigit():
            return ParamRef(max(int(inner.this) - 1, 0), None)
        return ParamRef(None, node.name or None)
    return None
