"""Migrations written as functions: a function that changes the schema of a table.

A function that passes static DDL to a call (``db.execute_sql("ALTER TABLE invoices ADD COLUMN
...")``, ``CREATE INDEX``, ``DROP TABLE``) is a schema migration: the queries beside the DDL back-fill or
rewrite every tenant's rows on purpose (``UPDATE invoices SET temp_id = ...``). The walker walks such a
function in system scope, with the DDL as the reason, as it does a scheduled task; the audit lists it
among the deliberate bypasses. Only the function's own statements count: DDL in a nested function or
class does not make its parent a migration. Request handlers are never migrations.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import libcst as cst

if TYPE_CHECKING:
    from tenantlint.analysis.interp.file_context import FileContext

SCHEMA_CHANGE = "a schema migration: "  # why the queries of such a function are system code
_MEMO = "schema.ddl-strings"
_VERBS = ("ALTER", "CREATE", "DROP")
# Pre-filter over the Python text (the SQL itself is read by sqlglot): a string literal that opens with
# a DDL verb and the kind of object (``"ALTER TABLE``, ``"""\n CREATE UNIQUE INDEX``), not a docstring
# that opens with "Create a ...".
_HINT = re.compile(
    r"""[\"']\s*(?:ALTER|CREATE|DROP)\s+(?:UNIQUE\s+|TEMPORARY\s+|TEMP\s+)?(?:TABLE|INDEX|SEQUENCE|VIEW)\b""",
    re.IGNORECASE,
)


class _CallStrings(cst.CSTVisitor):
    """Static strings passed as call arguments, per function of a module (each function's own body:
    the strings of a nested function or class are its own, not its parent's)."""

    def __init__(self) -> None:
        self.by_function: dict[int, list[str]] = {}
        self._stack: list[list[str] | None] = []

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        texts: list[str] = []
        self.by_function[id(node)] = texts
        self._stack.append(texts)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._stack.pop()

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._stack.append(None)

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self._stack.pop()

    def visit_Lambda(self, node: cst.Lambda) -> None:
        self._stack.append(None)

    def leave_Lambda(self, original_node: cst.Lambda) -> None:
        self._stack.pop()

    def visit_Arg(self, node: cst.Arg) -> None:
        texts = self._stack[-1] if self._stack else None
        value = node.value
        if texts is None or not isinstance(value, (cst.SimpleString, cst.ConcatenatedString)):
            return
        text = value.evaluated_value
        if isinstance(text, str) and text.lstrip()[:6].upper().startswith(_VERBS):
            texts.append(text)


def _strings(ctx: FileContext) -> dict[int, list[str]]:
    """DDL-looking call arguments per function of the file (once per file; none when its text holds
    no string that opens with a DDL verb)."""
    memo = ctx.plugin_memo
    found = memo.get(_MEMO)
    if not isinstance(found, dict):
        found = {}
        if ctx.source is None or _HINT.search(ctx.source):
            finder = _CallStrings()
            ctx.module.visit(finder)
            found = {k: v for k, v in finder.by_function.items() if v}
        memo[_MEMO] = found
    return found


def schema_change(ctx: FileContext, fn: cst.FunctionDef) -> str | None:
    """The table change ``fn`` makes itself (``ALTER TABLE invoices``), if it is a migration."""
    candidates = _strings(ctx).get(id(fn))
    if not candidates:
        return None
    from tenantlint.sqlcheck.parse import schema_change as sql_change  # sqlglot: only now

    dialect = ctx.config.sql_dialect
    return next((c for c in (sql_change(t, dialect) for t in candidates) if c is not None), None)
