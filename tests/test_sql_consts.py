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


def test_functions_returning_constant_text_are_constants() -> None:
    """``def where_unread(): return X.where_flag_is_absent(...)``: constant whatever the arguments,
    a number interpolated into an f-string stands as 0, subclasses inherit, re-exports resolve."""
    import libcst as cst

    from tenantlint.analysis.rawsql.constants import lookup_member, module_constants

    module = cst.parse_module(
        "class Base:\n"
        "    @staticmethod\n"
        "    def where_flag_is_absent(flag):\n"
        "        return f'flags & {1 << flag.number} = 0'\n"
        "    @staticmethod\n"
        "    def where_unread():\n"
        "        '''Unread rows.'''\n"
        "        return Base.where_flag_is_absent(Base.flags.read)\n"
        "    def where_col(self, col):\n"
        "        return f'{col} IS NULL'\n"
        "    def __str__(self):\n"
        "        return 'x'\n"
        "class Child(Base):\n"
        "    pass\n"
        "def live():\n"
        "    x = 1\n"
        "    return 'deleted_at IS NULL'\n"
    )
    table = module_constants(module)
    assert table["Base.where_unread()"] == "flags & 0 = 0"
    assert table["Child.where_unread()"] == "flags & 0 = 0"
    assert "Base.where_col()" not in table  # the column name comes from the caller
    assert "live()" not in table  # more than one statement: not a constant
    qualified = {"pkg.models.messages.Child.where_unread()": "flags & 0 = 0"}
    assert lookup_member(qualified, "pkg.models.Child.where_unread()") == "flags & 0 = 0"
    assert lookup_member(qualified, "other.Child.where_unread()") is None
