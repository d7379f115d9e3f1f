"""Placeholders: rewrite every DB-API style to one neutral form with the dialect's tokenizer.

``%s``, ``?``, ``$1``, ``:1`` become ``:__tlp_<index>``; ``%(name)s`` and ``:name`` become
``:name``. sqlglot 30 parses ``:name`` as ``exp.Placeholder(this=name)`` in postgres, sqlite and
mysql alike, while ``%s`` and ``$1`` parse only in some dialects.
"""

from __future__ import annotations

from collections.abc import Sequence

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
    return _apply(text, _edits(Dialect.get_or_raise(dialect).tokenize(text)))


# A placeholder found at a token: (start, end inclusive, replacement, tokens it spans). The
# replacement None stands for the next positional placeholder (``%s``, ``?``: numbered in order).
_Found = tuple[int, int, str | None, int]


def _edits(tokens: Sequence[Token]) -> list[tuple[int, int, str]]:
    """``(start, end inclusive, replacement)`` of every placeholder, in order."""
    edits: list[tuple[int, int, str]] = []
    position = 0
    i = 0
    while i < len(tokens):
        found = _placeholder_at(tokens, i)
        if found is None:
            i += 1
            continue
        start, end, replacement, width = found
        if replacement is None:
            replacement = _positional(position)
            position += 1
        edits.append((start, end, replacement))
        i += width
    return edits


def _placeholder_at(tokens: Sequence[Token], i: int) -> _Found | None:
    tok = tokens[i]
    tt = tok.token_type
    if tt == TokenType.MOD:
        return _percent(tokens, i)
    if tt == TokenType.PLACEHOLDER:
        return (tok.start, tok.end, None, 1) if tok.text == "?" else None
    if tt == TokenType.PARAMETER:
        return _numbered(tokens, i)  # ``$1`` as two tokens
    if tt in _NAME_TYPES:
        if tok.text.startswith("$") and tok.text[1:].isdigit():  # ``$1`` as one token
            return (tok.start, tok.end, _positional(max(int(tok.text[1:]) - 1, 0)), 1)
        return None
    if tt == TokenType.COLON:
        prev = tokens[i - 1] if i > 0 else None
        glued = prev is not None and _adjacent(prev, tok) and prev.token_type in _NO_COLON_BEFORE
        return None if glued else _numbered(tokens, i)  # ``:1``, not ``x[1:2]``
    return None


def _next_adjacent(tokens: Sequence[Token], i: int) -> Token | None:
    """The token right after ``tokens[i]`` with no space between them, if any."""
    if i + 1 >= len(tokens) or not _adjacent(tokens[i], tokens[i + 1]):
        return None
    return tokens[i + 1]


def _numbered(tokens: Sequence[Token], i: int) -> _Found | None:
    """``$1`` / ``:1``: the sign at ``i`` and the number right after it."""
    nxt = _next_adjacent(tokens, i)
    if nxt is None or nxt.token_type != TokenType.NUMBER or not nxt.text.isdigit():
        return None
    return (tokens[i].start, nxt.end, _positional(max(int(nxt.text) - 1, 0)), 2)


def _percent(tokens: Sequence[Token], i: int) -> _Found | None:
    """``%s`` (positional) or ``%(name)s`` (named), with nothing between the tokens."""
    tok, nxt = tokens[i], _next_adjacent(tokens, i)
    if nxt is None:
        return None
    if nxt.token_type in _NAME_TYPES and nxt.text == "s":
        return (tok.start, nxt.end, None, 2)
    if nxt.token_type != TokenType.L_PAREN or i + 4 >= len(tokens):
        return None
    name, close, s = tokens[i + 2], tokens[i + 3], tokens[i + 4]
    shaped = (name.token_type in _NAME_TYPES and close.token_type == TokenType.R_PAREN
              and s.text == "s")
    if not shaped or not (_adjacent(nxt, name) and _adjacent(name, close) and _adjacent(close, s)):
        return None
    return (tok.start, s.end, f":{name.text}", 5)


def _apply(text: str, edits: list[tuple[int, int, str]]) -> tuple[str, tuple[tuple[int, int], ...]]:
    """``text`` with the edits made, and the shifts :func:`original_offset` maps back with."""
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
