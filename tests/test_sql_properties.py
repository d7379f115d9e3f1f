"""Property tests: generated queries over a small schema get the verdict their shape implies."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from tenantlint.analysis.facts import QueryKind, Scoping
from tenantlint.sqlcheck import SqlTenancy, analyze_sql

T = SqlTenancy.of({"invoices": "org_id", "projects": "org_id"})
SETTINGS = settings(max_examples=200, deadline=None)

# dialect -> placeholder styles it is used with (the verifier accepts them all in every dialect)
STYLES = {
    "postgres": ("%s", "%(org)s", "$1"),
    "sqlite": ("?", ":org"),
    "mysql": ("%s", "%(org)s"),
}
EXTRA = (
    "status = 'paid'",
    "amount > 5",
    "{a}.deleted_at IS NULL",
    "{a}.id <> 7",
    "NOT {a}.archived",
)
PREDICATE_STATES = ("present", "absent", "or", "or_null", "neq", "not")
EXPECTED = {
    "present": Scoping.TRUSTED_FILTER,
    "absent": Scoping.UNSCOPED,
    "or": Scoping.WEAKENED,
    "or_null": Scoping.WEAKENED,
    "neq": Scoping.WEAKENED,
    "not": Scoping.WEAKENED,
}


@dataclass(frozen=True)
class Case:
    sql: str
    dialect: str
    expected: Scoping
    kind: QueryKind


def _tenant_predicate(state: str, col: str, ph: str) -> str | None:
    return {
        "present": f"{col} = {ph}",
        "absent": None,
        "or": f"({col} = {ph} OR {col.rsplit('.', 1)[0]}.is_public)"
        if "." in col
        else f"({col} = {ph} OR is_public)",
        "or_null": f"({col} = {ph} OR {col} IS NULL)",
        "neq": f"{col} <> {ph}",
        "not": f"NOT ({col} = {ph})",
    }[state]


@st.composite
def conjunction(draw: st.DrawFn, state: str, col: str, ph: str, alias: str) -> str:
    extras = draw(st.lists(st.sampled_from(EXTRA), max_size=3, unique=True))
    parts = [e.format(a=alias) for e in extras]
    pred = _tenant_predicate(state, col, ph)
    if pred is not None:
        parts.insert(draw(st.integers(0, len(parts))), pred)
    return " AND ".join(parts)


@st.composite
def select_cases(draw: st.DrawFn) -> Case:
    dialect = draw(st.sampled_from(sorted(STYLES)))
    ph = draw(st.sampled_from(STYLES[dialect]))
    state = draw(st.sampled_from(PREDICATE_STATES))
    qualified = draw(st.booleans())
    col = "i.org_id" if qualified else "org_id"
    join_users = draw(st.booleans())
    in_on = join_users and state != "absent" and draw(st.booleans())
    where = draw(conjunction(state, col, ph, "i"))
    source = "invoices i"
    if join_users:
        on = "u.id = i.user_id"
        if in_on:
            # move the tenant predicate into the inner join's ON clause
            pred = _tenant_predicate(state, col, ph)
            assert pred is not None
            on = draw(st.sampled_from([f"{on} AND {pred}", f"{pred} AND {on}"]))
            where = draw(conjunction("absent", col, ph, "i"))
        source += " JOIN users u ON " + on
    body = f" FROM {source}" + (f" WHERE {where}" if where else "")
    inner = "SELECT i.id, i.user_id, i.org_id" + body
    wrap = draw(st.sampled_from(["plain", "subquery", "cte", "derived", "union"]))
    if wrap == "plain":
        sql = inner
    elif wrap == "subquery":
        sql = f"SELECT * FROM users WHERE id IN (SELECT i.user_id{body})"
    elif wrap == "cte":
        sql = f"WITH c AS ({inner}) SELECT * FROM c ORDER BY c.id"
    elif wrap == "derived":
        sql = f"SELECT d.id FROM ({inner}) AS d"
    else:
        sql = f"SELECT id FROM users WHERE id = 1 UNION ALL SELECT i.id{body}"
    return Case(sql, dialect, EXPECTED[state], QueryKind.READ)


@st.composite
def write_cases(draw: st.DrawFn) -> Case:
    dialect = draw(st.sampled_from(sorted(STYLES)))
    ph = draw(st.sampled_from(STYLES[dialect]))
    state = draw(st.sampled_from(PREDICATE_STATES))
    col = draw(st.sampled_from(["org_id", "invoices.org_id"]))
    where = draw(conjunction(state, col, ph, "invoices"))
    tail = f" WHERE {where}" if where else ""
    verb = draw(st.sampled_from(["update", "delete"]))
    if verb == "update":
        sql = f"UPDATE invoices SET status = {ph}, org_id = {ph}{tail}"
    else:
        sql = f"DELETE FROM invoices{tail}"
    return Case(sql, dialect, EXPECTED[state], QueryKind.WRITE)


def _check(case: Case) -> None:
    result = analyze_sql(case.sql, dialect=case.dialect, tenancy=T)
    assert result.error is None, (case, result.error)
    assert result.unverifiable is None
    assert result.kind is case.kind
    verdicts = [(u.table, u.scoping) for u in result.uses]
    assert verdicts == [("invoices", case.expected)], case
    if case.expected is Scoping.TRUSTED_FILTER:
        assert len(result.uses[0].params) == 1


@SETTINGS
@given(select_cases())
def test_generated_selects(case: Case) -> None:
    _check(case)


@SETTINGS
@given(write_cases())
def test_generated_writes(case: Case) -> None:
    _check(case)


@SETTINGS
@given(select_cases(), st.booleans())
def test_second_table_linked_on_tenant_column(case: Case, linked: bool) -> None:
    """projects joined to invoices: scoped exactly when linked to a trusted invoices row."""
    if " UNION " in case.sql or "WITH c" in case.sql or "AS d" in case.sql or " IN (" in case.sql:
        return
    link = " AND p.org_id = i.org_id" if linked else ""
    sql = case.sql.replace(
        "FROM invoices i", f"FROM invoices i JOIN projects p ON p.id = i.project_id{link}", 1
    )
    result = analyze_sql(sql, dialect=case.dialect, tenancy=T)
    got = dict((u.table, u.scoping) for u in result.uses)
    expected = case.expected
    if " org_id" in case.sql.split("FROM", 1)[1] or "(org_id" in case.sql:
        # an unqualified tenant column now matches two tenant tables: it pins neither
        expected = Scoping.UNSCOPED
    assert got["invoices"] is expected, sql
    trusted = linked and expected is Scoping.TRUSTED_FILTER
    assert (got["projects"] is Scoping.TRUSTED_FILTER) is trusted, sql


SQLISH = st.lists(
    st.sampled_from(
        [
            "SELECT",
            "FROM",
            "WHERE",
            "AND",
            "OR",
            "NOT",
            "invoices",
            "i",
            "org_id",
            "=",
            "%s",
            "?",
            ":org",
            "$1",
            "(",
            ")",
            ",",
            "*",
            "JOIN",
            "ON",
            "UPDATE",
            "SET",
            "DELETE",
            "WITH",
            "AS",
            "UNION",
            "IN",
            "'x'",
            "1",
            ";",
            "__tl_hole_0__",
            "--",
            "/*",
            "%(org)s",
            "::",
            ".",
        ]
    ),
    max_size=25,
).map(" ".join)


@SETTINGS
@given(st.one_of(st.text(max_size=200), SQLISH), st.sampled_from(sorted(STYLES)), st.booleans())
def test_never_raises(text: str, dialect: str, with_holes: bool) -> None:
    holes = frozenset({"__tl_hole_0__"}) if with_holes else frozenset()
    result = analyze_sql(text, dialect=dialect, tenancy=T, holes=holes)
    assert not (result.error and result.unverifiable)
    if result.error is not None or result.unverifiable is not None:
        assert result.uses == () or result.unverifiable is not None
