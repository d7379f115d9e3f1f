# ruff: noqa: E501
"""Table-driven tests of the raw-SQL verifier core."""

from __future__ import annotations

import pytest

from tenantlint.analysis.facts import QueryKind, Scoping
from tenantlint.index.records import FieldInfo, ModelInfo, ProjectIndex, TenantTable
from tenantlint.sqlcheck import ParamRef, SqlAnalysis, SqlTenancy, analyze_sql, looks_like_sql
from tenantlint.sqlcheck.parse import parse_sql

T = SqlTenancy.of(
    {"invoices": "org_id", "projects": "org_id", "customers": "tenant_id"},
    {"invoice_lines": [("invoice_id", "invoices")], "line_notes": [("line_id", "invoice_lines")]},
)
S, U, W = Scoping.TRUSTED_FILTER, Scoping.UNSCOPED, Scoping.WEAKENED
SETS, MISSING = Scoping.INSERT_SETS_TENANT, Scoping.INSERT_MISSING_TENANT
DIALECTS = ("postgres", "sqlite", "mysql")
P0 = ParamRef(0, None)


def _order(item: tuple[str, Scoping]) -> tuple[str, str]:
    return (item[0], item[1].value)


def verdicts(sql: str, dialect: str = "postgres") -> list[tuple[str, Scoping]]:
    result = analyze_sql(sql, dialect=dialect, tenancy=T)
    assert result.error is None, result.error
    assert result.unverifiable is None
    return sorted(((u.table, u.scoping) for u in result.uses), key=_order)


# Each placeholder style, in every dialect.
PLACEHOLDERS = ["%s", "%(org)s", ":org", "?", "$1"]


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("ph", PLACEHOLDERS)
def test_placeholder_styles_pin_the_tenant(dialect: str, ph: str) -> None:
    result = analyze_sql(f"SELECT * FROM invoices WHERE org_id = {ph}", dialect=dialect, tenancy=T)
    assert result.error is None and result.kind is QueryKind.READ
    (use,) = result.uses
    assert use.scoping is S
    expected = ParamRef(None, "org") if "org" in ph else P0
    assert use.params == (expected,)


@pytest.mark.parametrize("dialect", DIALECTS)
def test_positional_indexes(dialect: str) -> None:
    sql = "SELECT * FROM invoices i JOIN projects p ON p.id = i.project_id WHERE i.x = ? AND i.org_id = ? AND p.org_id = ?"
    uses = {u.table: u for u in analyze_sql(sql, dialect=dialect, tenancy=T).uses}
    assert uses["invoices"].params == (ParamRef(1, None),)
    assert uses["projects"].params == (ParamRef(2, None),)
    dollar = analyze_sql(
        "SELECT * FROM invoices WHERE a = $1 AND org_id = $2", dialect=dialect, tenancy=T
    )
    assert dollar.uses[0].params == (ParamRef(1, None),)


CASES: list[tuple[str, list[tuple[str, Scoping]]]] = [
    # basic
    ("SELECT * FROM invoices", [("invoices", U)]),
    ("SELECT * FROM invoices WHERE org_id = %s", [("invoices", S)]),
    ("SELECT * FROM invoices WHERE %s = org_id", [("invoices", S)]),
    ("SELECT * FROM public.invoices i WHERE i.org_id = %s", [("invoices", S)]),
    ('SELECT * FROM "Invoices" i WHERE i.org_id = %s', [("invoices", S)]),
    ("SELECT * FROM invoices WHERE status = %s AND org_id = %s AND x > 1", [("invoices", S)]),
    ("SELECT * FROM invoices WHERE (status = %s AND (org_id = %s))", [("invoices", S)]),
    ("SELECT * FROM invoices WHERE org_id IN (%s)", [("invoices", S)]),
    ("SELECT * FROM invoices WHERE org_id = ANY(%s)", [("invoices", S)]),
    ("SELECT * FROM invoices WHERE org_id = %s::int", [("invoices", S)]),
    ("SELECT * FROM invoices WHERE org_id = 5", [("invoices", S)]),
    ("SELECT * FROM invoices WHERE id = %s", [("invoices", U)]),
    ("SELECT * FROM invoices WHERE org_id > %s", [("invoices", U)]),
    ("SELECT * FROM users WHERE org_id = %s", []),
    ("SELECT 1", []),
    # weakened
    ("SELECT * FROM invoices WHERE org_id = %s OR is_public", [("invoices", W)]),
    ("SELECT * FROM invoices WHERE org_id = %s OR org_id IS NULL", [("invoices", W)]),
    ("SELECT * FROM invoices WHERE org_id != %s", [("invoices", W)]),
    ("SELECT * FROM invoices WHERE org_id <> %s", [("invoices", W)]),
    ("SELECT * FROM invoices WHERE NOT (org_id = %s)", [("invoices", W)]),
    ("SELECT * FROM invoices WHERE x = 1 AND (org_id = %s OR y = 2)", [("invoices", W)]),
    ("SELECT * FROM invoices WHERE org_id = %s AND (org_id = %s OR y = 2)", [("invoices", S)]),
    # joins
    (
        "SELECT * FROM invoices i JOIN projects p ON p.id = i.project_id WHERE i.org_id = %s",
        [("invoices", S), ("projects", U)],
    ),
    (
        "SELECT * FROM invoices i JOIN projects p ON p.org_id = i.org_id WHERE i.org_id = %s",
        [("invoices", S), ("projects", S)],
    ),
    (
        "SELECT * FROM invoices i JOIN projects p ON i.org_id = p.org_id AND p.org_id = %s",
        [("invoices", S), ("projects", S)],
    ),
    (
        "SELECT * FROM invoices i JOIN projects p USING (org_id) WHERE p.org_id = %s",
        [("invoices", S), ("projects", S)],
    ),
    (
        "SELECT * FROM invoices i LEFT JOIN projects p ON p.id = i.project_id AND i.org_id = %s",
        [("invoices", U), ("projects", U)],
    ),
    (
        "SELECT * FROM invoices i LEFT JOIN projects p ON p.id = i.project_id AND p.org_id = i.org_id "
        "WHERE i.org_id = %s",
        [("invoices", S), ("projects", S)],
    ),
    (
        "SELECT * FROM invoices i, projects p WHERE i.org_id = %s AND p.org_id = i.org_id",
        [("invoices", S), ("projects", S)],
    ),
    ("SELECT * FROM invoices i JOIN orgs o ON i.org_id = o.id WHERE o.id = %s", [("invoices", S)]),
    (
        "SELECT * FROM invoices i JOIN projects p ON p.org_id = i.org_id",
        [("invoices", U), ("projects", U)],
    ),
    (
        "SELECT * FROM invoices i JOIN projects p ON p.org_id = %s OR p.x = 1 WHERE i.org_id = %s",
        [("invoices", S), ("projects", W)],
    ),
    # unqualified columns
    (
        "SELECT * FROM invoices i JOIN users u ON u.id = i.user_id WHERE org_id = %s",
        [("invoices", S)],
    ),
    (
        "SELECT * FROM invoices i JOIN customers c ON c.id = i.cid WHERE org_id = %s AND tenant_id = %s",
        [("customers", S), ("invoices", S)],
    ),
    (
        "SELECT * FROM invoices i JOIN projects p ON p.id = i.pid WHERE org_id = %s",
        [("invoices", U), ("projects", U)],
    ),
    # via-scoped
    (
        "SELECT * FROM invoice_lines l JOIN invoices i ON l.invoice_id = i.id WHERE i.org_id = %s",
        [("invoice_lines", S), ("invoices", S)],
    ),
    (
        "SELECT * FROM invoice_lines l JOIN invoices i ON l.invoice_id = i.id",
        [("invoice_lines", U), ("invoices", U)],
    ),
    ("SELECT * FROM invoice_lines WHERE invoice_id = %s", [("invoice_lines", U)]),
    (
        "SELECT * FROM invoice_lines WHERE invoice_id IN (SELECT id FROM invoices WHERE org_id = %s)",
        [("invoice_lines", S), ("invoices", S)],
    ),
    (
        "SELECT * FROM invoice_lines WHERE invoice_id IN (SELECT id FROM invoices)",
        [("invoice_lines", U), ("invoices", U)],
    ),
    (
        "SELECT * FROM invoice_lines WHERE invoice_id IN (SELECT id FROM projects WHERE org_id = %s)",
        [("invoice_lines", U), ("projects", S)],
    ),
    (
        "SELECT * FROM line_notes n JOIN invoice_lines l ON n.line_id = l.id "
        "JOIN invoices i ON l.invoice_id = i.id WHERE i.org_id = %s",
        [("invoice_lines", S), ("invoices", S), ("line_notes", S)],
    ),
    # subqueries
    (
        "SELECT * FROM invoices WHERE org_id = %s AND id IN (SELECT invoice_id FROM payments)",
        [("invoices", S)],
    ),
    (
        "SELECT * FROM invoices WHERE org_id = %s AND project_id IN (SELECT id FROM projects)",
        [("invoices", S), ("projects", U)],
    ),
    (
        "SELECT * FROM invoices i WHERE i.org_id = %s AND EXISTS "
        "(SELECT 1 FROM projects p WHERE p.id = i.project_id AND p.org_id = i.org_id)",
        [("invoices", S), ("projects", S)],
    ),
    (
        "SELECT * FROM invoices i WHERE i.org_id = %s OR EXISTS "
        "(SELECT 1 FROM projects p WHERE p.org_id = i.org_id)",
        [("invoices", W), ("projects", U)],
    ),
    (
        "SELECT (SELECT count(*) FROM projects p) FROM invoices WHERE org_id = %s",
        [("invoices", S), ("projects", U)],
    ),
    ("SELECT * FROM (SELECT * FROM invoices WHERE org_id = %s) sub", [("invoices", S)]),
    ("SELECT * FROM (SELECT * FROM invoices) sub WHERE sub.org_id = %s", [("invoices", U)]),
    # CTEs
    ("WITH c AS (SELECT * FROM invoices WHERE org_id = %s) SELECT * FROM c", [("invoices", S)]),
    ("WITH c AS (SELECT * FROM invoices) SELECT * FROM c WHERE org_id = %s", [("invoices", U)]),
    (
        "WITH c AS (SELECT org_id FROM invoices WHERE org_id = %s) "
        "SELECT * FROM c JOIN projects p ON p.org_id = c.org_id",
        [("invoices", S), ("projects", S)],
    ),
    ("WITH invoices AS (SELECT 1 AS x) SELECT * FROM invoices", []),
    (
        "WITH RECURSIVE r AS (SELECT id FROM projects WHERE org_id = %s UNION ALL "
        "SELECT p.id FROM projects p JOIN r ON p.parent_id = r.id) SELECT * FROM r",
        [("projects", S), ("projects", U)],
    ),
    (
        "WITH RECURSIVE r AS (SELECT id FROM projects WHERE org_id = %s UNION ALL "
        "SELECT p.id FROM projects p JOIN r ON p.parent_id = r.id WHERE p.org_id = %s) SELECT * FROM r",
        [("projects", S), ("projects", S)],
    ),
    # set operations
    (
        "SELECT id FROM invoices WHERE org_id = %s UNION SELECT id FROM projects",
        [("invoices", S), ("projects", U)],
    ),
    (
        "SELECT id FROM invoices WHERE org_id = %s INTERSECT SELECT id FROM projects WHERE org_id = %s",
        [("invoices", S), ("projects", S)],
    ),
    (
        "SELECT id FROM invoices EXCEPT SELECT id FROM projects WHERE org_id = :o",
        [("invoices", U), ("projects", S)],
    ),
    # writes
    ("UPDATE invoices SET status = %s WHERE id = %s", [("invoices", U)]),
    ("UPDATE invoices SET status = %s WHERE id = %s AND org_id = %s", [("invoices", S)]),
    ("UPDATE invoices SET org_id = %s WHERE id = %s", [("invoices", U)]),
    ("UPDATE invoices SET status = 'x' WHERE org_id = %s OR org_id IS NULL", [("invoices", W)]),
    (
        "UPDATE invoices i SET status = 1 FROM projects p WHERE p.id = i.project_id AND i.org_id = %s",
        [("invoices", S), ("projects", U)],
    ),
    (
        "UPDATE invoices i SET status = 1 FROM projects p WHERE p.id = i.project_id "
        "AND i.org_id = %s AND p.org_id = i.org_id",
        [("invoices", S), ("projects", S)],
    ),
    (
        "UPDATE invoices SET total = (SELECT sum(x) FROM invoice_lines l WHERE l.invoice_id = invoices.id) "
        "WHERE org_id = %s",
        [("invoice_lines", S), ("invoices", S)],
    ),
    ("DELETE FROM invoices WHERE id = %s", [("invoices", U)]),
    ("DELETE FROM invoices WHERE id = %s AND org_id = %s", [("invoices", S)]),
    ("DELETE FROM invoices WHERE NOT org_id = %s", [("invoices", W)]),
    (
        "DELETE FROM invoices USING projects p WHERE invoices.project_id = p.id AND p.org_id = %s",
        [("invoices", U), ("projects", S)],
    ),
    (
        "DELETE FROM invoice_lines USING invoices i WHERE invoice_lines.invoice_id = i.id AND i.org_id = %s",
        [("invoice_lines", S), ("invoices", S)],
    ),
    (
        "DELETE FROM invoices WHERE org_id = %s AND id IN (SELECT invoice_id FROM invoice_lines)",
        [("invoice_lines", U), ("invoices", S)],
    ),
    (
        "WITH old AS (SELECT id FROM invoices WHERE org_id = %s) DELETE FROM invoices WHERE id IN (SELECT id FROM old)",
        [("invoices", S), ("invoices", U)],
    ),
    (
        "MERGE INTO invoices t USING staging s ON t.id = s.id AND t.org_id = %s "
        "WHEN MATCHED THEN UPDATE SET status = s.status",
        [("invoices", S)],
    ),
]


@pytest.mark.parametrize(("sql", "expected"), CASES)
def test_table_verdicts(sql: str, expected: list[tuple[str, Scoping]]) -> None:
    assert verdicts(sql) == sorted(expected, key=_order)


MYSQL_CASES: list[tuple[str, list[tuple[str, Scoping]]]] = [
    (
        "UPDATE invoices i JOIN projects p ON p.id = i.project_id SET i.status = 1 WHERE i.org_id = %s",
        [("invoices", S), ("projects", U)],
    ),
    (
        "DELETE i FROM invoices i JOIN projects p ON p.id = i.project_id WHERE i.org_id = %s AND p.org_id = %s",
        [("invoices", S), ("projects", S)],
    ),
    ("SELECT * FROM `invoices` WHERE `org_id` = %s", [("invoices", S)]),
]


@pytest.mark.parametrize(("sql", "expected"), MYSQL_CASES)
def test_mysql_shapes(sql: str, expected: list[tuple[str, Scoping]]) -> None:
    assert verdicts(sql, "mysql") == sorted(expected, key=_order)


@pytest.mark.parametrize(
    ("sql", "kind"),
    [
        ("SELECT 1", QueryKind.READ),
        ("WITH a AS (SELECT 1) SELECT * FROM a", QueryKind.READ),
        ("SELECT 1 UNION SELECT 2", QueryKind.READ),
        ("UPDATE invoices SET a = 1", QueryKind.WRITE),
        ("DELETE FROM invoices", QueryKind.WRITE),
        ("INSERT INTO invoices (a) VALUES (1)", QueryKind.INSERT),
        ("CREATE TABLE x (id int)", None),
        ("SELECT 1; UPDATE invoices SET a = 1 WHERE org_id = %s", QueryKind.WRITE),
    ],
)
def test_kind(sql: str, kind: QueryKind | None) -> None:
    assert analyze_sql(sql, dialect="postgres", tenancy=T).kind is kind


@pytest.mark.parametrize("dialect", DIALECTS)
def test_insert(dialect: str) -> None:
    def one(sql: str) -> tuple[Scoping, tuple[ParamRef, ...]]:
        result = analyze_sql(sql, dialect=dialect, tenancy=T)
        assert result.kind is QueryKind.INSERT and result.error is None
        target = result.uses[0]
        return target.scoping, target.params

    assert one("INSERT INTO invoices (status, org_id) VALUES (?, ?)") == (
        SETS,
        (ParamRef(1, None),),
    )
    assert one("INSERT INTO invoices (org_id, s) VALUES (:org, 1), (:org, 2)") == (
        SETS,
        (ParamRef(None, "org"),),
    )
    assert one("INSERT INTO invoices (status) VALUES (?)") == (MISSING, ())
    assert one("INSERT INTO invoice_lines (invoice_id, amount) VALUES (?, ?)") == (SETS, (P0,))
    assert one("INSERT INTO invoice_lines (amount) VALUES (?)") == (MISSING, ())
    assert one("INSERT INTO invoices VALUES (1, 2, 3)")[0] is SETS


def test_insert_select_and_conflict() -> None:
    sql = "INSERT INTO invoices (org_id, status) SELECT org_id, status FROM projects WHERE org_id = %s"
    result = analyze_sql(sql, dialect="postgres", tenancy=T)
    assert [(u.table, u.scoping, u.params) for u in result.uses] == [
        ("invoices", SETS, (P0,)),
        ("projects", S, (P0,)),
    ]
    result = analyze_sql(
        "INSERT INTO invoices (status) SELECT status FROM projects", dialect="postgres", tenancy=T
    )
    assert [(u.table, u.scoping) for u in result.uses] == [("invoices", MISSING), ("projects", U)]
    result = analyze_sql(
        "INSERT INTO invoices (id, org_id) VALUES (%s, %s) ON CONFLICT (id) DO UPDATE SET org_id = EXCLUDED.org_id",
        dialect="postgres",
        tenancy=T,
    )
    assert [(u.table, u.scoping, u.params) for u in result.uses] == [
        ("invoices", SETS, (ParamRef(1, None),))
    ]


def test_multiple_statements() -> None:
    result = analyze_sql(
        "DELETE FROM invoices WHERE org_id = ?; DELETE FROM projects;", dialect="sqlite", tenancy=T
    )
    assert [(u.table, u.scoping) for u in result.uses] == [("invoices", S), ("projects", U)]


def test_literal_detail() -> None:
    (use,) = analyze_sql(
        "SELECT * FROM invoices WHERE org_id = 7", dialect="postgres", tenancy=T
    ).uses
    assert use.scoping is S and use.params == () and "literal 7" in use.detail


# --- errors (TNT302) ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "sql",
    [
        "SELEC * FRM invoices",
        "SELECT * FROM invoices WHERE",
        "SELECT * FROM invoices WHERE org_id = = 1",
        "UPDATE invoices SET a = WHERE x = 1",
        "DELETE FROM WHERE x = 1",
        "INSERT INTO t (a VALUES (1)",
        "select * from invoices where (org_id = %s",
    ],
)
def test_unparsable_static_sql(sql: str) -> None:
    result = analyze_sql(sql, dialect="postgres", tenancy=T)
    assert result.error is not None and result.uses == () and result.unverifiable is None


def test_error_has_position() -> None:
    result = analyze_sql("SELECT * FROM invoices WHERE org_id = = 1", dialect="postgres", tenancy=T)
    assert result.error is not None and "line 1" in result.error
    plain = analyze_sql("SELECT * FROM t WHERE a = 1 AND b = = 1", dialect="postgres", tenancy=T)
    shifted = analyze_sql("SELECT * FROM t WHERE a = ? AND b = = 1", dialect="postgres", tenancy=T)
    assert plain.error is not None and plain.error == shifted.error
    assert "line 1, column" in plain.error


@pytest.mark.parametrize(
    "text", ["", "  ", "VACUUM", "BEGIN", "COMMIT", "SET search_path TO app", "EXPLAIN SELECT 1"]
)
def test_statements_without_tables_are_silent(text: str) -> None:
    result = analyze_sql(text, dialect="postgres", tenancy=T)
    assert result == SqlAnalysis(None, (), None, None)


@pytest.mark.parametrize("text", ["hello world", "SELEC * FRM invoices", "invoices.org_id"])
def test_garbage_root_is_an_error(text: str) -> None:
    result = analyze_sql(text, dialect="postgres", tenancy=T)
    assert result.error is not None and "not a SQL statement" in result.error


# --- holes (TNT301) ----------------------------------------------------------------------

H = frozenset({"__tl_hole_0__", "__tl_hole_1__"})

UNVERIFIABLE_HOLES = [
    "SELECT * FROM __tl_hole_0__ WHERE org_id = %s",
    "SELECT * FROM invoices___tl_hole_0__ WHERE org_id = %s",
    "SELECT * FROM invoices WHERE __tl_hole_0__",
    "SELECT * FROM invoices WHERE org_id = %s AND __tl_hole_0__",
    "SELECT * FROM invoices WHERE org_id = __tl_hole_0__",
    "SELECT * FROM invoices WHERE name = '__tl_hole_0__' AND org_id = %s",
    "SELECT * FROM invoices __tl_hole_0__",
    "SELECT * FROM invoices i JOIN projects p ON __tl_hole_0__ WHERE i.org_id = %s",
    "SELECT count(*) FROM invoices GROUP BY x HAVING __tl_hole_0__",
    "UPDATE __tl_hole_0__ SET a = 1 WHERE org_id = %s",
    "UPDATE invoices SET __tl_hole_0__ = 1 WHERE org_id = %s",
    "DELETE FROM invoices WHERE __tl_hole_0__",
    "INSERT INTO invoices (__tl_hole_0__) VALUES (%s)",
    "SELECT * FROM invoices WHERE org_id = %s AND id IN (SELECT __tl_hole_0__ FROM x)",
    "__tl_hole_0__",
    "SELECT * FROM invoices WHERE org_id = %s __tl_hole_0__ __tl_hole_1__",
]


@pytest.mark.parametrize("sql", UNVERIFIABLE_HOLES)
def test_harmful_holes(sql: str) -> None:
    result = analyze_sql(sql, dialect="postgres", tenancy=T, holes=H)
    assert result.unverifiable is not None, result
    assert result.error is None and result.uses == ()


HARMLESS_HOLES = [
    ("SELECT __tl_hole_0__ FROM invoices WHERE org_id = %s", S),
    ("SELECT id, __tl_hole_0__ AS x FROM invoices WHERE org_id = %s", S),
    ("SELECT * FROM invoices WHERE org_id = %s ORDER BY __tl_hole_0__", S),
    ("SELECT * FROM invoices WHERE org_id = %s ORDER BY __tl_hole_0__ DESC LIMIT __tl_hole_1__", S),
    ("SELECT count(*) FROM invoices WHERE org_id = %s GROUP BY __tl_hole_0__", S),
    ("SELECT __tl_hole_0__ FROM invoices", U),
    ("UPDATE invoices SET status = __tl_hole_0__ WHERE org_id = %s", S),
    ("SELECT * FROM invoices WHERE org_id = %s -- __tl_hole_0__", S),
]


@pytest.mark.parametrize(("sql", "scoping"), HARMLESS_HOLES)
def test_harmless_holes(sql: str, scoping: Scoping) -> None:
    result = analyze_sql(sql, dialect="postgres", tenancy=T, holes=H)
    assert result.unverifiable is None and result.error is None
    assert [(u.table, u.scoping) for u in result.uses] == [("invoices", scoping)]


def test_unparsable_with_holes_is_unverifiable_not_error() -> None:
    result = analyze_sql(
        "SELECT * FROM invoices WHERE (__tl_hole_0__", dialect="postgres", tenancy=T, holes=H
    )
    assert result.error is None and result.unverifiable is not None


# --- looks_like_sql, parse cache, tenancy --------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SELECT 1", True),
        ("  select * from x", True),
        ("-- c\n/* d */ ( WITH a AS (SELECT 1) SELECT 1)", True),
        ("insert into t values (1)", True),
        ("UPDATE t SET a=1", True),
        ("delete from t", True),
        ("MERGE INTO t", True),
        ("selection of items", False),
        ("Hello", False),
        ("", False),
        ("/* unterminated", False),
        ("VACUUM", False),
    ],
)
def test_looks_like_sql(text: str, expected: bool) -> None:
    assert looks_like_sql(text) is expected


def test_parse_cache_returns_same_object() -> None:
    a = parse_sql("SELECT * FROM invoices WHERE org_id = %s AND 1 = 1", "postgres")
    b = parse_sql("SELECT * FROM invoices WHERE org_id = %s AND 1 = 1", "postgres")
    assert a is b
    analyze_sql(
        "UPDATE invoices SET a = 1 FROM projects p WHERE p.id = 1", dialect="postgres", tenancy=T
    )
    again = parse_sql("UPDATE invoices SET a = 1 FROM projects p WHERE p.id = 1", "postgres")
    assert (
        again.statements[0].sql() == "UPDATE invoices SET a = 1 FROM projects AS p WHERE p.id = 1"
    )


def test_tenancy_from_index() -> None:
    index = ProjectIndex(
        models={
            "InvoiceLine": (
                ModelInfo(
                    "InvoiceLine",
                    "billing_invoiceline",
                    "django",
                    "billing/models.py",
                    3,
                    (FieldInfo("invoice", "invoice_id", "Invoice"),),
                ),
            ),
        },
        tables={
            "billing_invoice": TenantTable("billing_invoice", ("Invoice",), "org", "org_id"),
            "billing_invoiceline": TenantTable(
                "billing_invoiceline", ("InvoiceLine",), None, None, ("invoice",), ("invoice_id",)
            ),
        },
        by_model={"Invoice": "billing_invoice", "InvoiceLine": "billing_invoiceline"},
    )
    tenancy = SqlTenancy.from_index(index)
    assert tenancy.tenant_column_of("public.Billing_Invoice") == "org_id"
    assert tenancy.via('"billing_invoiceline"') == (("invoice_id", "billing_invoice"),)
    assert tenancy.is_tenant("billing_invoiceline") and not tenancy.is_tenant("users")
    sql = (
        "SELECT * FROM billing_invoiceline l JOIN billing_invoice i ON i.id = l.invoice_id "
        "WHERE i.org_id = %(org)s"
    )
    uses = analyze_sql(sql, dialect="postgres", tenancy=tenancy).uses
    assert {(u.table, u.scoping) for u in uses} == {
        ("billing_invoiceline", S),
        ("billing_invoice", S),
    }
