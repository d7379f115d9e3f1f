"""Migrations written as functions: a function that changes the schema of a table.

A function that passes static DDL to a call (``db.execute_sql("ALTER TABLE invoices ADD COLUMN
...")``, ``CREATE INDEX``, ``DROP TABLE``) is a schema migration: the queries beside the DDL back-fill or
rewrite every tenant's rows on purpose (``UPDATE invoices SET temp_id = ...``). The walker walks such a
function in system scope, with the DDL as the reason, as it does a scheduled task; the audit lists it
among the deliberate bypasses. Only the function's own statements count: DDL in a nested function or
class does not make its parent a migration. Request handlers are never migrations.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

if TYPE_CHECKING:
    from tenantlint.analysis.interp.file_context import FileContext

SCHEMA_CHANGE = "a schema migration: "  # why the queries of such a function are system code
_MEMO = "schema.ddl-words"
_WORDS = ("ALTER", "CREATE", "DROP")


class _CallStrings(cst.CSTVisitor):
    """Static strings passed as call arguments in one function body (nested scopes skipped)."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    def visit_Arg(self, node: cst.Arg) -> None:
        value = node.value
        if isinstance(value, (cst.SimpleString, cst.ConcatenatedString)):
            text = value.evaluated_value
            if isinstance(text, str):
                self.texts.append(text)


def _may_hold_ddl(ctx: FileContext) -> bool:
    """Whether the file's text names a DDL verb at all (once per file; True when the text is unknown)."""
    memo = ctx.plugin_memo
    if _MEMO not in memo:
        source = ctx.source
        memo[_MEMO] = source is None or any(w in source.upper() for w in _WORDS)
    return memo[_MEMO] is True


def schema_change(ctx: FileContext, fn: cst.FunctionDef) -> str | None:
    """The table change ``fn`` makes itself (``ALTER TABLE invoices``), if it is a migration."""
    if not _may_hold_ddl(ctx):
        return None
    finder = _CallStrings()
    fn.body.visit(finder)
    candidates = [t for t in finder.texts if t.lstrip()[:6].upper().startswith(_WORDS)]
    if not candidates:
        return None
    from tenantlint.sqlcheck.parse import schema_change as sql_change  # sqlglot: only now

    dialect = ctx.config.sql_dialect
    return next((c for c in (sql_change(t, dialect) for t in candidates) if c is not None), None)
