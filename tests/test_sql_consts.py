"""``lookup_constant``: exact dotted names, dotted suffixes either way, ambiguity, one index per table."""

from __future__ import annotations

from tenantlint.analysis.rawsql.constants import lookup_constant


def test_exact_and_suffix_matches() -> None:
    table = {"billing.queries.OPEN": "SELECT 1", "src.reports.sql.TOTAL": "SELECT 2"}
    assert lookup_constant(table, "billing.queries.OPEN") == "SELECT 1"
    # the scanned root has a ``src`` prefix the import does not, and the other way round
    assert lookup_constant(table, "reports.sql.TOTAL") == "SELECT 2"
    assert lookup_constant(table, "app.billing.queries.OPEN") == "SELECT 1"
    assert lookup_constant(table, "OPEN") == "SELECT 1"
    assert lookup_constant(table, "queries.CLOSED") is None
    assert lookup_constant(table, "xbilling.queries.OPEN") is None  # not a dotted suffix


def test_ambiguous_suffix_is_none_unless_the_texts_agree() -> None:
    table = {"a.q.OPEN": "SELECT 1", "b.q.OPEN": "SELECT 2", "c.q.SAME": "S", "d.q.SAME": "S"}
    assert lookup_constant(table, "q.OPEN") is None
    assert lookup_constant(table, "SAME") == "S"


def test_each_table_has_its_own_index() -> None:
    first = {"m.X": "one"}
    second = {"m.X": "two", "n.Y": "three"}
    assert lookup_constant(first, "X") == "one"
    assert lookup_constant(second, "X") == "two"
    assert lookup_constant(second, "pkg.n.Y") == "three"
    assert lookup_constant(first, "Y") is None
