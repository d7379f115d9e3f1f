"""Parse SQL text (small process-wide LRU), into statements or an error message.

The LRU is small on purpose: parsed trees are large (kilobytes each), so a large cache only kept every
tree of the run alive.
"""

from __future__ import annotations

import functools
import logging
import re
from dataclasses import dataclass

import sqlglot
from sqlglot import exp
from sqlglot.errors import ErrorLevel, ParseError, TokenError

from tenantlint.sqlcheck.keywords import SQL_VERBS
from tenantlint.sqlcheck.params import neutralize, original_offset

logging.getLogger("sqlglot").setLevel(logging.CRITICAL)  # it logs warnings for exp.Command



def looks_like_sql(text: str) -> bool:
    """True when ``text`` starts (after whitespace, comments, parens) with a query keyword."""
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace() or ch == "(":
            i += 1
        elif text.startswith("--", i):
            nl = text.find("\n", i)
            if nl < 0:
                return False
            i = nl + 1
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            if end < 0:
                return False
            i = end + 2
        else:
            break
    head = text[i : i + 7].lower()
    for kw in SQL_VERBS:
        if head.startswith(kw):
            after = text[i + len(kw) : i + len(kw) + 1]
            return after == "" or not (after.isalnum() or after == "_")
    return False


@dataclass(frozen=True, slots=True)
class Parsed:
    """Statements of one text (never mutate them: they are shared through the cache)."""

    statements: tuple[exp.Expr, ...]
    error: str | None  # parse failure, or a statement that is not a query/DML/DDL


_STATEMENT_NAMES = (
    "Transaction", "Commit", "Rollback", "Set", "Use", "Describe", "Analyze", "Grant",
    "TruncateTable", "Pragma",
)  # fmt: skip
_STATEMENTS: tuple[type[exp.Expr], ...] = tuple(
    t for t in (getattr(exp, name, None) for name in _STATEMENT_NAMES) if isinstance(t, type)
)


def is_sql_root(node: exp.Expr) -> bool:
    """A query, DML or DDL: what the verifier analyses."""
    return isinstance(node, (exp.Query, exp.DML, exp.DDL, exp.Merge))


def _root_problem(node: exp.Expr, text: str) -> str | None:
    """Why ``node`` is not an acceptable statement root (sqlglot parses garbage without error)."""
    if is_sql_root(node) or isinstance(node, _STATEMENTS):
        return None
    if isinstance(node, exp.Command):
        # VACUUM, EXPLAIN, CALL...: real statements sqlglot does not model; a query that fell
        # back to a Command did not parse.
        return "not a recognised SQL statement" if looks_like_sql(text) else None
    return f"not a SQL statement (parsed as {type(node).__name__})"


def _message(e: ParseError, neutral: str, shifts: tuple[tuple[int, int], ...]) -> str:
    if e.errors:
        first = e.errors[0]
        desc = str(first.get("description") or "syntax error")
        line, col = first.get("line"), first.get("col")
        if isinstance(line, int) and isinstance(col, int):
            if shifts:  # report the column in the text as written, not the neutralised one
                lines = neutral.split("\n")
                start = sum(len(x) + 1 for x in lines[: line - 1])
                col = original_offset(shifts, start + col - 1) - original_offset(shifts, start) + 1
            return f"{desc} (line {line}, column {col})"
        return desc
    return str(e).splitlines()[0] if str(e) else "syntax error"


@functools.lru_cache(maxsize=64)
def parse_sql(text: str, dialect: str) -> Parsed:
    """Parse ``text`` (placeholders neutralised) in ``dialect``; errors are returned, not raised."""
    try:
        neutral, shifts = neutralize(text, dialect)
    except TokenError as e:
        return Parsed((), f"cannot tokenize: {e}")
    try:
        trees = sqlglot.parse(neutral, read=dialect, error_level=ErrorLevel.RAISE)
    except ParseError as e:
        repaired = _conflict_repaired(neutral, dialect)
        if repaired is None:
            return Parsed((), _message(e, neutral, shifts))
        trees = repaired
    except TokenError as e:
        return Parsed((), f"cannot tokenize: {e}")
    except (ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError) as e:
        # sqlglot raises these on some malformed input; report them as unparsable SQL.
        return Parsed((), f"parser failure: {type(e).__name__}")
    statements = tuple(t for t in trees if t is not None)
    if not statements:
        return Parsed((), "empty SQL")
    for stmt in statements:
        problem = _root_problem(stmt, text)
        if problem is not None:
            return Parsed(statements, problem)
    return Parsed(statements, None)


_CONFLICT = re.compile(r"\bON\s+CONFLICT\b", re.IGNORECASE)


def _conflict_repaired(neutral: str, dialect: str) -> list[exp.Expr | None] | None:
    """``INSERT ... SELECT ... FROM a CROSS JOIN b ON CONFLICT (...) DO ...``: sqlglot reads the
    ``ON`` of ``ON CONFLICT`` as the join's condition, where PostgreSQL knows a cross join has none.
    Parsed again with ``WHERE TRUE`` before each ``ON CONFLICT`` (the same rows); None when that
    does not parse either, or is not an INSERT."""
    if _CONFLICT.search(neutral) is None:
        return None
    try:
        trees = sqlglot.parse(_CONFLICT.sub(lambda m: "WHERE TRUE " + m.group(0), neutral),
                              read=dialect, error_level=ErrorLevel.RAISE)
    except (ParseError, TokenError, ValueError, KeyError, TypeError, AttributeError, IndexError,
            RecursionError):
        return None
    return trees if trees and all(isinstance(t, exp.Insert) for t in trees if t is not None) else None


_DDL_VERBS = frozenset({"alter", "create", "drop"})


def schema_change(text: str, dialect: str) -> str | None:
    """The table change ``text`` makes (``ALTER TABLE invoices``), when it is DDL on a table or index
    (ALTER/CREATE/DROP TABLE, INDEX, SEQUENCE, ...); None for any other text or statement."""
    words = text.lstrip().split(None, 1)
    if not words or words[0].lower() not in _DDL_VERBS:
        return None
    for stmt in parse_sql(text, dialect).statements:
        if isinstance(stmt, (exp.Alter, exp.Create, exp.Drop)):
            kind = str(stmt.args.get("kind") or "").upper()
            table = stmt.find(exp.Table)
            if kind and table is not None and table.name:
                on = "ON " if kind == "INDEX" and isinstance(stmt, exp.Create) else ""
                return f"{type(stmt).__name__.upper()} {kind} {on}{table.name}"
    return None
