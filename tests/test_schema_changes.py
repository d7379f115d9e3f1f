"""Migrations written as functions: DDL passed to a call makes the function system code."""

from __future__ import annotations

import libcst as cst
import pytest

from tenantlint.sqlcheck.parse import schema_change


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ALTER TABLE invoices ADD COLUMN n INT NULL", "ALTER TABLE invoices"),
        ("  create index ix_inv on invoices (org_id)", "CREATE INDEX ON invoices"),
        ("DROP TABLE IF EXISTS old_invoices", "DROP TABLE old_invoices"),
        ("CREATE TABLE t (id INT)", "CREATE TABLE t"),
        ("UPDATE invoices SET n = 0", None),
        ("Create a new invoice for the customer", None),
        ("dropped 3 rows", None),
        ("", None),
    ],
)
def test_schema_change_of_sql_text(text: str, expected: str | None) -> None:
    assert schema_change(text, "postgres") == expected


def test_only_the_functions_own_call_arguments_count() -> None:
    from tenantlint.analysis.interp.schema_changes import _CallStrings

    module = cst.parse_module(
        'def f(cur):\n'
        '    """ALTER TABLE in a docstring is not run"""\n'
        '    def inner():\n'
        '        cur.execute("ALTER TABLE a ADD COLUMN b INT")\n'
        '    cur.execute("UPDATE a SET b = 1")\n'
        '    cur.execute("CREATE INDEX i " "ON a (b)")\n'
    )
    fn = module.body[0]
    assert isinstance(fn, cst.FunctionDef)
    inner = fn.body.body[1]
    assert isinstance(inner, cst.FunctionDef)
    finder = _CallStrings()
    module.visit(finder)
    assert finder.by_function[id(fn)] == ["CREATE INDEX i ON a (b)"]
    assert finder.by_function[id(inner)] == ["ALTER TABLE a ADD COLUMN b INT"]
