"""SQL text built differently on different branches: every text is verified at the call."""

from __future__ import annotations

from pathlib import Path

import pytest

from tenantlint.analysis.interp.values import Value
from tenantlint.analysis.rawsql import text as st
from tests.test_sql_sinks import codes


def test_merged_texts_keep_every_alternative() -> None:
    a, b = st.SqlText(text="SELECT 1"), st.SqlText(text="SELECT 2")
    both = st.merged(a, b)
    assert both is not None
    assert [v.text for v in st.variants(both)] == ["SELECT 1", "SELECT 2"]
    assert st.merged(a, st.SqlText(text="SELECT 1")) is a  # the same text: nothing to add
    assert st.merged(a, Value()) is None  # not two texts: the core merges as usual
    assert st.static_string(both) is None  # no single known string


def test_composition_applies_to_each_alternative() -> None:
    both = st.merged(st.SqlText(text="SELECT a FROM t"), st.SqlText(text="SELECT b FROM t"))
    assert both is not None
    out = st.concat([both, st.SqlText(text=" WHERE org_id = %s")], Value())
    assert [v.text for v in st.variants(out)] == ["SELECT a FROM t WHERE org_id = %s",
                                                   "SELECT b FROM t WHERE org_id = %s"]
    fmt = st.brace_format(st.merged(st.SqlText(text="A {}"), st.SqlText(text="B {}")) or both,
                          [st.SqlText(text="x")], {}, Value())
    assert [v.text for v in st.variants(fmt)] == ["A x", "B x"]


def test_alternatives_are_capped() -> None:
    value = st.SqlText(text="q")
    for i in range(6):  # six optional parts: 64 texts
        value = st.merged(value, st.concat([value, st.SqlText(text=f" {i}")], Value())) or value
    assert len(st.variants(value)) == st.MAX_ALTERNATIVES
    assert value.overflow


def test_every_branch_is_verified(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    body = """
    def save(conn, pk, number):
        if pk is None:
            sql = "INSERT INTO invoices (org_id, number) VALUES (%s, %s)"
            params = (request.user.org_id, number)
        else:
            sql = "UPDATE invoices SET number = %s WHERE id = %s"
            params = (number, pk)
        conn.execute(sql, params)
    """
    assert codes(tmp_path, body, monkeypatch) == {(9, "TNT102")}


def test_scoped_branches_are_ok(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    body = """
    def page(conn, status):
        sql = "SELECT id FROM invoices WHERE org_id = %(org)s"
        if status:
            sql += " AND status = %(status)s"
        return conn.execute(sql + " ORDER BY id", {"org": request.user.org_id, "status": status})
    """
    assert codes(tmp_path, body, monkeypatch) == set()


def test_a_conditional_expression(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    body = """
    def page(conn, mine):
        where = "org_id = %s" if mine else "status = 'open'"
        return conn.execute(f"SELECT id FROM invoices WHERE {where}", (request.user.org_id,))
    """
    assert codes(tmp_path, body, monkeypatch) == {(4, "TNT101")}


def test_more_texts_than_the_cap_is_tnt301(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    filters = "".join(f"    if f{i}:\n        sql += \" AND status = 'x{i}'\"\n" for i in range(5))
    body = ("def page(conn, f0, f1, f2, f3, f4):\n    sql = \"SELECT id FROM invoices WHERE org_id = %s\"\n"
            + filters + "    return conn.execute(sql, (request.user.org_id,))\n")
    assert codes(tmp_path, body, monkeypatch) == {(13, "TNT301")}
