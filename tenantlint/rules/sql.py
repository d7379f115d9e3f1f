"""Rules on raw SQL that cannot be verified: TNT301, TNT302."""

from __future__ import annotations

from collections.abc import Iterator

from tenantlint.analysis.facts import FileFacts
from tenantlint.rules.base import Issue, Rule


class UnverifiableSql(Rule):
    code = "TNT301"
    name = "unverifiable-sql"
    severity = "warning"
    summary = ("SQL built at run time (f-string, %, +, .format, join) whose tables or WHERE clause "
               "cannot be resolved statically.")
    details = """
SQL reaching a database call (`cursor.execute`, `executemany`, asyncpg `fetch*`, `session.execute(text(...))`,
`exec_driver_sql`, `Model.objects.raw`, `RawSQL`, `extra(where=...)`, `pandas.read_sql`, psycopg
`sql.SQL(...).format(...)`) is resolved from literals, constants (also imported from other project
modules), local variables and `textwrap.dedent`. Run-time parts confined to the select list, `GROUP BY`,
`ORDER BY` or `LIMIT` do not make it TNT301: the rest is still verified. psycopg composition
(`sql.SQL`, `sql.Composed`, `.format`, `.join`) is parameterised, not string interpolation: a
`sql.Literal(v)` is a value the driver quotes, read as a placeholder bound to `v` (so a tenant filter
`org_id = {}` formatted with `sql.Literal(request.user.org_id)` is verified, and one with the
client's value is TNT103), a list of them (`sql.SQL(", ").join([sql.Literal(i) for i in ids])`) as
one such value, and `sql.Identifier("name")` with a literal name as that quoted name; only an
identifier or fragment whose text is unknown, in a table name or the WHERE clause, is TNT301.
`INSERT ... SELECT ... CROSS JOIN ... ON CONFLICT`, which the parser would read as a join
condition, is read as PostgreSQL does. Reported at the executing call. A statement flagged TNT301
is not also flagged TNT101/TNT102. Not reported in system code (a management command, a scheduled
task, a migration helper, `system_scope`, a function only such code calls): it reads every tenant's
rows on purpose, so no table it may name would need a tenant filter; the audit lists it as system
scope.
"""
    why = """
When the table or the WHERE clause is assembled at run time, nobody — reviewer or linter — can tell
whether the tenant predicate is there on every path. Dynamic SQL is also where injection lives.
"""
    invalid = ("""
from django.db import connection


def search(request):
    where = request.GET["where"]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM invoices WHERE {where}")
        return cursor.fetchall()
""",)
    valid = ("""
from django.db import connection


def search(request):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT * FROM invoices WHERE org_id = %s AND status = %s",
            [request.user.org_id, request.GET["status"]],
        )
        return cursor.fetchall()
""",)
    options = ("sql_dialect",)

    def check(self, facts: FileFacts) -> Iterator[Issue]:
        for p in facts.sql_problems:
            if p.kind == "dynamic" and p.system is None:
                yield Issue(self.code, p.node, p.message, None, p.handler)


class UnparsableSql(Rule):
    code = "TNT302"
    name = "unparsable-sql"
    severity = "warning"
    summary = "A SQL literal that the SQL parser rejects."
    details = """
Only complete static SQL that reaches a database call is checked; a string that starts like SQL
(`SELECT`, `WITH`, `INSERT`, `UPDATE`, `DELETE`) but does not parse in `sql_dialect` is reported at
the executing call, with the parser's message.
"""
    why = """
SQL that does not parse cannot be checked for a tenant predicate. It is often a typo that fails in
production, or a dialect the linter was not told about (`sql_dialect`).
"""
    invalid = ("""
from django.db import connection


def open_invoices(request):
    with connection.cursor() as cursor:
        cursor.execute("SELEC * FROM invoices WHERE org_id = %s", [request.user.org_id])
        return cursor.fetchall()
""",)
    valid = ("""
from django.db import connection


def open_invoices(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM invoices WHERE org_id = %s", [request.user.org_id])
        return cursor.fetchall()
""",)
    options = ("sql_dialect",)

    def check(self, facts: FileFacts) -> Iterator[Issue]:
        for p in facts.sql_problems:
            if p.kind == "unparsable":
                yield Issue(self.code, p.node, p.message, None, p.handler)
