"""Raw SQL reaching a database call: sinks, text resolution, params, TNT301/302 placement."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from tenantlint.analysis.rawsql.constants import file_constants, module_name, resolve_import
from tenantlint.api import check_paths, load_config
from tenantlint.sqlcheck.parse import parse_sql

SCHEMA = """
CREATE TABLE invoices (id BIGINT PRIMARY KEY, org_id BIGINT NOT NULL, status TEXT, number TEXT);
CREATE TABLE plans (id BIGINT PRIMARY KEY, code TEXT);
"""

HEADER = """\
import sqlite3
import textwrap
from textwrap import dedent
import pandas as pd
from psycopg import sql
from sqlalchemy import text, bindparam
from flask import request
"""


def run(tmp_path: Path, files: dict[str, str], monkeypatch: pytest.MonkeyPatch,
        toml: str = "") -> set[tuple[str, int, str]]:
    (tmp_path / "tenantlint.toml").write_text(toml)
    (tmp_path / "schema.sql").write_text(SCHEMA)
    for name, body in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(body))
    monkeypatch.chdir(tmp_path)
    result = check_paths([Path(".")], load_config(), jobs=1)
    return {(Path(f.path).as_posix(), f.line, f.code) for f in result.findings}


def codes(tmp_path: Path, body: str, monkeypatch: pytest.MonkeyPatch, toml: str = "") -> set[tuple[int, str]]:
    found = run(tmp_path, {"app.py": HEADER + textwrap.dedent(body)}, monkeypatch, toml)
    offset = HEADER.count("\n")
    return {(line - offset, code) for path, line, code in found if path == "app.py"}


# ----- sinks --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "call",
    [
        'cur.execute("SELECT id FROM invoices WHERE status = %s", (s,))',
        'cur.executemany("SELECT id FROM invoices WHERE status = ?", [(s,)])',
        'cur.executescript("SELECT id FROM invoices")',
        'pool.fetch("SELECT id FROM invoices WHERE status = $1", s)',
        'pool.fetchrow("SELECT id FROM invoices WHERE status = $1", s)',
        'pool.fetchval("SELECT id FROM invoices WHERE status = $1", s)',
        'conn.exec_driver_sql("SELECT id FROM invoices WHERE status = %s", (s,))',
        'session.execute(text("SELECT id FROM invoices WHERE status = :s"), {"s": s})',
        'pd.read_sql("SELECT id FROM invoices", engine)',
        'pd.read_sql_query("SELECT id FROM invoices", engine)',
        'Invoice.objects.raw("SELECT * FROM invoices WHERE status = %s", [s])',
        'db.execute_sql("SELECT id FROM invoices WHERE status = %s", (s,))',
        'conn.execute_query("SELECT id FROM invoices WHERE status = $1", [s])',
        'conn.execute_query_dict("SELECT id FROM invoices WHERE status = $1", values=[s])',
        'conn.execute_script("SELECT id FROM invoices")',
    ],
)
def test_each_sink_reports_unscoped_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, call: str) -> None:
    body = f"def f(cur, pool, conn, session, engine, db, s):\n    {call}\n"
    assert codes(tmp_path, body, monkeypatch) == {(2, "TNT101")}


def test_scoped_sinks_are_ok(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    body = """\
    def f(cur, pool, session, org_id):
        cur.execute("SELECT id FROM invoices WHERE org_id = %s", (org_id,))
        pool.fetch("SELECT id FROM invoices WHERE org_id = $1", org_id)
        session.execute(text("SELECT id FROM invoices WHERE org_id = :o").bindparams(o=org_id))
        cur.execute("SELECT code FROM plans")
    """
    assert codes(tmp_path, body, monkeypatch) == set()


def test_peewee_and_tortoise_sink_params(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    body = """\
    @app.route("/x")
    def view(db, conn):
        o = request.args["o"]
        db.execute_sql("SELECT id FROM invoices WHERE org_id = %s", (g.org_id,))
        db.execute_sql("SELECT id FROM invoices WHERE org_id = %s", params=(o,))
        conn.execute_query("SELECT id FROM invoices WHERE org_id = $1", [g.org_id])
        conn.execute_query_dict("SELECT id FROM invoices WHERE org_id = $1", values=[o])
        conn.execute_insert("INSERT INTO invoices (org_id, number) VALUES ($1, $2)", [o, "x"])
    """
    toml = 'handler_decorators = ["route"]\ntrusted_sources = ["g.*"]\n'
    assert codes(tmp_path, body, monkeypatch, toml) == {(5, "TNT103"), (7, "TNT103"), (8, "TNT103")}


def test_write_and_insert_kinds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    body = """\
    def f(cur, org_id):
        cur.execute("UPDATE invoices SET status = 'x' WHERE id = %s", (1,))
        cur.execute("INSERT INTO invoices (id, status) VALUES (%s, %s)", (1, 'x'))
        cur.execute("INSERT INTO invoices (id, org_id) VALUES (%s, %s)", (1, org_id))
    """
    assert codes(tmp_path, body, monkeypatch) == {(2, "TNT102"), (3, "TNT104")}


def test_django_extra_where_pins_the_queryset(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    models = """\
    from django.db import models
    class Org(models.Model):
        pass
    class Deal(models.Model):
        org = models.ForeignKey(Org, on_delete=models.CASCADE)
        class Meta:
            db_table = "deals"
    """
    views = """\
    from django.db.models.expressions import RawSQL
    from .models import Deal
    def f(org_id, q):
        a = list(Deal.objects.extra(where=["org_id = %s"], params=[org_id]))
        b = list(Deal.objects.extra(where=["title = %s"], params=[q]))
        c = list(Deal.objects.extra(where=["org_id = %s OR shared"], params=[org_id]))
        d = Deal.objects.filter(org_id=org_id).annotate(n=RawSQL("SELECT count(*) FROM deals d", ()))
    """
    found = run(tmp_path, {"crm/__init__.py": "", "crm/models.py": models, "crm/views.py": views},
                monkeypatch)
    assert {(line, code) for path, line, code in found if path == "crm/views.py"} == {
        (5, "TNT101"), (6, "TNT105"), (7, "TNT101"),
    }


def test_orm_statement_argument_is_not_a_sink(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    body = """\
    def f(session, stmt, query):
        session.execute(stmt)
        session.execute(query, {"a": 1})
    """
    assert codes(tmp_path, body, monkeypatch) == set()


# ----- text resolution ------------------------------------------------------------------------------
def test_text_resolution_forms(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    body = '''\
    BAD = "SELECT id FROM invoices " "WHERE status = %s"
    GOOD = """
        SELECT id FROM invoices WHERE org_id = %s
    """

    class Q:
        BAD = "SELECT id FROM invoices WHERE number = %s"

    def f(cur, x):
        cur.execute(BAD, (x,))
        cur.execute(GOOD, (x,))
        cur.execute(Q.BAD, (x,))
        local = textwrap.dedent("""
            SELECT id FROM invoices
        """)
        cur.execute(local)
        other = dedent("SELECT id FROM invoices WHERE org_id = %s")
        cur.execute(other, (x,))
        grown = "SELECT id FROM invoices"
        grown += " WHERE org_id = %s"
        cur.execute(grown, (x,))
        cur.execute(text(GOOD).bindparams(org=x))
    '''
    assert codes(tmp_path, body, monkeypatch) == {(10, "TNT101"), (12, "TNT101"), (16, "TNT101")}


def test_constant_imported_from_another_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    queries = '''\
    LIST = "SELECT id FROM invoices WHERE status = %s"
    SCOPED = "SELECT id FROM invoices WHERE org_id = %s"
    class Sql:
        ANY = "SELECT id FROM invoices"
    '''
    api = """\
    from .queries import LIST, SCOPED, Sql
    from . import queries
    def f(cur, org_id):
        cur.execute(LIST, ("open",))
        cur.execute(SCOPED, (org_id,))
        cur.execute(Sql.ANY)
        cur.execute(queries.LIST, ("x",))
    """
    found = run(tmp_path, {"billing/__init__.py": "", "billing/queries.py": queries,
                           "billing/api.py": api}, monkeypatch)
    assert found == {("billing/api.py", 4, "TNT101"), ("billing/api.py", 6, "TNT101"),
                     ("billing/api.py", 7, "TNT101")}


def test_self_and_cls_class_constants(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    base = '''\
    class BaseRepo:
        PURGE = "DELETE FROM invoices WHERE status = %s"
    '''
    repo = """\
    from .base import BaseRepo
    class Repo(BaseRepo):
        SCOPED = "UPDATE invoices SET status = %s WHERE id = %s AND org_id = %s"
        RENAME = "UPDATE invoices SET number = %s WHERE id = %s"
        def scoped(self, s, i, org_id):
            self.conn.execute(self.SCOPED, (s, i, org_id))
        def rename(self, n, i):
            self.conn.execute(self.RENAME, (n, i))
        @classmethod
        def rename_cls(cls, conn, n, i):
            conn.execute(cls.RENAME, (n, i))
        def purge(self):
            self.conn.execute(self.PURGE, ("void",))
    class Sub(Repo):
        def again(self, n, i):
            self.conn.execute(self.RENAME, (n, i))
    """
    found = run(tmp_path, {"billing/__init__.py": "", "billing/base.py": base,
                           "billing/repo.py": repo}, monkeypatch)
    assert found == {("billing/repo.py", 8, "TNT102"), ("billing/repo.py", 11, "TNT102"),
                     ("billing/repo.py", 13, "TNT102"), ("billing/repo.py", 16, "TNT102")}


def test_constant_helpers() -> None:
    assert module_name("billing/queries.py") == "billing.queries"
    assert module_name("pkg/__init__.py") == "pkg"
    assert resolve_import(".queries.X", "billing/api.py") == "billing.queries.X"
    assert resolve_import("..common.X", "a/b/c.py") == "a.common.X"
    assert resolve_import("abs.mod.X", "a/b.py") == "abs.mod.X"
    consts = file_constants("m/q.py", 'A = "x"\nB = A + " y"\nC = f"{B}!"\nclass K:\n    D = "d"\nE = g()\n')
    assert consts == {"m.q.A": "x", "m.q.B": "x y", "m.q.C": "x y!", "m.q.K.D": "d"}


# ----- dynamic SQL (TNT301) and unparsable SQL (TNT302) -------------------------------------------
def test_dynamic_sql(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    body = """\
    def f(cur, org_id, table, where, col, filters, c, o):
        cur.execute(f"SELECT id FROM invoices WHERE org_id = {org_id}")
        cur.execute("SELECT id FROM %s WHERE org_id = %%s" % table, (org_id,))
        cur.execute("DELETE FROM {} WHERE org_id = %s".format(table), (org_id,))
        cur.execute("SELECT id FROM invoices WHERE " + " AND ".join(filters))
        cur.execute(f"SELECT {col} FROM invoices WHERE org_id = %s ORDER BY {col}", (org_id,))
        cur.execute(f"SELECT {col} FROM invoices WHERE status = %s", ("x",))
        cur.execute(sql.SQL("SELECT * FROM {} WHERE org_id = %s").format(sql.Identifier(table)), (org_id,))
        cur.execute(sql.SQL("SELECT {f} FROM invoices WHERE org_id = %s").format(f=sql.Identifier(c)), (o,))
        query = some_builder()
        cur.execute(query)
    """
    assert codes(tmp_path, body, monkeypatch) == {
        (2, "TNT301"), (3, "TNT301"), (4, "TNT301"), (5, "TNT301"), (7, "TNT101"), (8, "TNT301"),
    }


def test_unparsable_sql_is_reported_at_the_executing_call(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = """\
    BROKEN = "SELECT id FROM invoices WHERE org_id = %s AND AND id = %s"
    NEVER_RUN = "SELECT FROM WHERE"

    def f(cur, org_id):
        cur.execute(
            BROKEN,
            (org_id, 1),
        )
        cur.execute(f"SELECT id FROM invoices WHERE org_id = %s AND {org_id} AND AND")
    """
    assert codes(tmp_path, body, monkeypatch) == {(5, "TNT302"), (9, "TNT301")}


# ----- params ------------------------------------------------------------------------------------
def test_params_provenance(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    body = """\
    @app.route("/x")
    def view(org):
        pass
        cur.execute("SELECT id FROM invoices WHERE org_id = %s", (org,))
        cur.execute("SELECT id FROM invoices WHERE status = %s AND org_id = %s", (org, g.org_id))
        cur.execute("SELECT id FROM invoices WHERE org_id = %(o)s", {"o": org})
        cur.execute("SELECT id FROM invoices WHERE org_id = :o", {"o": g.org_id})
        pool.fetch("SELECT id FROM invoices WHERE org_id = $2", g.org_id, org)
        session.execute(text("SELECT id FROM invoices WHERE org_id = :o").bindparams(o=org))
        session.execute(text("SELECT id FROM invoices WHERE org_id = :o").bindparams(bindparam("o", org)))
        engine.execute(text("SELECT id FROM invoices WHERE org_id = :o"), o=org)
        cur.execute("INSERT INTO invoices (id, org_id) VALUES (?, ?)", (1, org))
        cur.execute("SELECT id FROM invoices WHERE org_id = %s", params)
    """
    toml = 'handler_decorators = ["route"]\ntrusted_sources = ["g.*"]\n'
    found = codes(tmp_path, body, monkeypatch, toml)
    assert {line for line, code in found if code == "TNT103"} == {4, 6, 8, 9, 10, 11, 12}
    assert (5, "TNT103") not in found and (7, "TNT103") not in found and (13, "TNT103") not in found


def test_executemany_comprehension_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    body = """\
    @app.route("/x")
    def view():
        org = request.json["org_id"]
        rows = request.json["rows"]
        cur.executemany("INSERT INTO invoices (org_id, number) VALUES (?, ?)", [(org, r["n"]) for r in rows])
        cur.executemany("INSERT INTO invoices (org_id, number) VALUES (?, ?)", [(g.org_id, r) for r in rows])
        cur.executemany("INSERT INTO invoices (org_id, number) VALUES (%(o)s, %(n)s)",
                        ({"o": r["org_id"], "n": r["n"]} for r in rows if r))
        cur.executemany("INSERT INTO invoices (org_id, number) VALUES (?, ?)", [(o, n) for o, n in rows])
        cur.executemany("INSERT INTO invoices (org_id, number) VALUES (?, ?)", [(g.org_id, n) for n in rows])
        r = g.org_id
        cur.executemany("INSERT INTO invoices (org_id, number) VALUES (?, ?)", [(r, 1)])
    """
    toml = 'handler_decorators = ["route"]\ntrusted_sources = ["g.*"]\n'
    found = codes(tmp_path, body, monkeypatch, toml)
    assert {line for line, code in found if code == "TNT103"} == {5, 7, 9}
    assert (12, "TNT103") not in found  # the comprehension's ``r`` does not leak


def test_system_scope_makes_raw_sql_ok(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    body = """\
    def f(cur):
        with system_scope():
            cur.execute("DELETE FROM invoices WHERE status = 'x'")
        cur.execute("DELETE FROM invoices WHERE status = 'x'")
    """
    toml = 'system_scope = ["system_scope"]\n'
    assert codes(tmp_path, body, monkeypatch, toml) == {(4, "TNT102")}


# ----- parse once ---------------------------------------------------------------------------------
def test_each_distinct_sql_string_is_parsed_once_per_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stmt = "SELECT id, number FROM invoices WHERE org_id = %s AND status = 'unique-to-this-test'"
    body = f"""\
    def f(cur, org_id):
        cur.execute("{stmt}", (org_id,))
        cur.execute("{stmt}", (org_id,))
    def g(cur, org_id):
        cur.execute("{stmt}", (org_id,))
    """
    parse_sql.cache_clear()
    run(tmp_path, {"a.py": body, "b.py": body}, monkeypatch)
    info = parse_sql.cache_info()
    assert info.misses == 1  # one distinct text: parsed once
    assert info.hits == 0  # the per-run analysis memo answers the repeats before the parser


def test_update_setting_the_tenant_column_checks_its_value(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    body = """\
    @app.route("/x")
    def view():
        new = request.form["org_id"]
        cur.execute("UPDATE invoices SET org_id = %s WHERE id = %s AND org_id = %s", (new, 1, g.org_id))
        cur.execute("UPDATE invoices i SET i.org_id = %(n)s WHERE org_id = %(o)s", {"n": new, "o": g.org_id})
        cur.execute("UPDATE invoices SET org_id = %s WHERE id = %s AND org_id = %s", (g.org_id, new, g.x))
        cur.execute("UPDATE invoices SET status = %s WHERE org_id = %s", (new, g.org_id))
    """
    toml = 'handler_decorators = ["route"]\ntrusted_sources = ["g.*"]\n'
    found = codes(tmp_path, body, monkeypatch, toml)
    assert {line for line, code in found if code == "TNT103"} == {4, 5}


def test_params_held_in_a_local_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    body = """\
    @app.route("/x")
    def view():
        p1 = {"org_id": request.args["org_id"], "limit": 5}
        cur.execute("SELECT id FROM invoices WHERE org_id = %(org_id)s LIMIT %(limit)s", p1)
        p2 = [request.args["status"], request.args["org"]]
        cur.execute("SELECT id FROM invoices WHERE status = %s AND org_id = %s", p2)
        p3 = (g.org_id, request.args["status"])
        cur.execute("SELECT id FROM invoices WHERE org_id = %s AND status = %s", p3)
        cur.execute("SELECT id FROM invoices WHERE org_id = %(org_id)s", request.args)
        p4 = {"o": g.org_id}
        p4["s"] = request.args["status"]
        cur.execute("SELECT id FROM invoices WHERE org_id = %(o)s AND status = %(s)s", p4)
        rows = [(request.args["o"], 1), (g.org_id, 2)]
        cur.executemany("INSERT INTO invoices (org_id, id) VALUES (%s, %s)", rows)
        rows2 = [(g.org_id, request.args["n"])]
        cur.executemany("INSERT INTO invoices (org_id, number) VALUES (%s, %s)", rows2)
    """
    toml = 'handler_decorators = ["route"]\ntrusted_sources = ["g.*"]\n'
    found = codes(tmp_path, body, monkeypatch, toml)
    assert {line for line, code in found if code == "TNT103"} == {4, 6, 9, 14}


def test_psycopg2_execute_values_and_batch_are_sinks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    body = """\
    import psycopg2.extras
    from psycopg2.extras import execute_values, execute_batch
    @app.route("/x")
    def view():
        rows = request.json["rows"]
        org = request.json["org_id"]
        execute_values(cur, "INSERT INTO invoices (number) VALUES %s", [(r,) for r in rows])
        execute_values(cur, "INSERT INTO invoices (org_id, number) VALUES %s", [(g.org_id, r) for r in rows])
        execute_values(cur, "INSERT INTO invoices (number, org_id) VALUES %s", [(r, org) for r in rows])
        execute_values(cur, "INSERT INTO invoices (number, org_id) VALUES %s", [(r, g.org_id) for r in rows])
        psycopg2.extras.execute_batch(cur, "UPDATE invoices SET status = %s WHERE id = %s", [(1, 2)])
        execute_batch(cur, sql="DELETE FROM invoices WHERE org_id = %s AND id = %s", argslist=[(org, 1)])
    """
    toml = 'handler_decorators = ["route"]\ntrusted_sources = ["g.*"]\n'
    found = codes(tmp_path, body, monkeypatch, toml)
    assert found == {(6, "TNT201"), (7, "TNT104"), (9, "TNT103"), (11, "TNT102"), (12, "TNT103")}
