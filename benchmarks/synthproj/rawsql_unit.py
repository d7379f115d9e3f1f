"""A raw-SQL data layer: DDL in schema.sql, SQL constants, cursor-based repositories, Flask routes."""
# ruff: noqa: E501  (lines of generated source are kept whole so they read as they will be written)

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .common import (
    ORG_FROM_REQUEST,
    UNSCOPED_READ,
    UNSCOPED_WRITE,
    Dice,
    GeneratedFile,
    Names,
    Writer,
    plural,
    snake,
)


@dataclass(frozen=True, slots=True)
class Store:
    name: str
    tables: tuple[str, ...]  # tenant tables (org_id); the first is the parent of the others
    lookup: str  # a global table


def plan_store(names: Names, dice: Dice) -> Store:
    name = names.app() + "_store"
    prefix = name.replace("_store", "")
    tables = tuple(
        f"{prefix}_{plural(snake(names.model(name)))}" for _ in range(dice.between(3, 4))
    )
    return Store(name, tables, f"{prefix}_categories")


def schema_sql(s: Store) -> str:
    out = [f"-- Schema of {s.name}", ""]
    out += [
        f"CREATE TABLE {s.lookup} (",
        "    id SERIAL PRIMARY KEY,",
        "    name TEXT NOT NULL",
        ");",
        "",
    ]
    for i, t in enumerate(s.tables):
        out += [
            f"CREATE TABLE {t} (",
            "    id BIGSERIAL PRIMARY KEY,",
            "    org_id BIGINT NOT NULL REFERENCES organizations(id),",
        ]
        if i:
            out.append(f"    parent_id BIGINT NOT NULL REFERENCES {s.tables[0]}(id),")
        out += [
            f"    category_id INT REFERENCES {s.lookup}(id),",
            "    title TEXT NOT NULL,",
            "    status TEXT NOT NULL DEFAULT 'open',",
            "    amount NUMERIC(12, 2) NOT NULL DEFAULT 0,",
            "    created_at TIMESTAMPTZ NOT NULL DEFAULT now()",
            ");",
            f"CREATE INDEX {t}_org_idx ON {t} (org_id, created_at);",
            "",
        ]
    return "\n".join(out)


def queries_py(s: Store, dice: Dice) -> Writer:
    w = Writer()
    w.add(f'"""SQL statements of {s.name} (executed by the repositories)."""', "")
    for t in s.tables:
        up = t.upper()
        w.add(
            f'{up}_BY_ID = """',
            "SELECT t.id, t.title, t.status, t.amount, t.created_at",
            f"FROM {t} t",
            "WHERE t.org_id = %(org_id)s AND t.id = %(id)s",
            '"""',
            "",
            f'{up}_RECENT = """',
            "SELECT t.id, t.title, c.name AS category",
            f"FROM {t} t",
            f"LEFT JOIN {s.lookup} c ON c.id = t.category_id",
            "WHERE t.org_id = %(org_id)s",
            "ORDER BY t.created_at DESC",
            "LIMIT %(limit)s",
            '"""',
            "",
        )
    return w


def _repo_methods(w: Writer, dice: Dice, s: Store, t: str) -> None:
    up = t.upper()
    single = t.split("_", 1)[1]
    w.add(
        f"    def {single}_by_id(self, org_id: int, row_id: int):",
        "        with self._conn.cursor() as cur:",
    )
    w.query([f'            cur.execute({up}_BY_ID, {{"org_id": org_id, "id": row_id}})'], None)
    w.add("            return cur.fetchone()", "")
    w.add(
        f"    def recent_{single}(self, org_id: int, limit: int = 50):",
        "        with self._conn.cursor() as cur:",
    )
    w.query([f'            cur.execute({up}_RECENT, {{"org_id": org_id, "limit": limit}})'], None)
    w.add("            return cur.fetchall()", "")
    bug = dice.bug((UNSCOPED_READ,))
    where = "WHERE t.status = %s" if bug else "WHERE t.org_id = %s AND t.status = %s"
    params = "(status,)" if bug else "(org_id, status)"
    w.add(
        f'    def count_{single}(self, org_id: int, status: str = "open") -> int:',
        "        with self._conn.cursor() as cur:",
    )
    w.query(
        [
            "            cur.execute(",
            '                """',
            "                SELECT count(*)",
            f"                FROM {t} t",
            f"                {where}",
            '                """',
            f"                {params},",
            "            )",
        ],
        bug,
    )
    w.add("            return cur.fetchone()[0]", "")
    bug = dice.bug((UNSCOPED_WRITE,))
    cond = "id = %s" if bug else "id = %s AND org_id = %s"
    params = "(status, row_id)" if bug else "(status, row_id, org_id)"
    w.add(
        f"    def set_{single}_status(self, org_id: int, row_id: int, status: str) -> int:",
        "        with self._conn.cursor() as cur:",
    )
    w.query([f'            cur.execute("UPDATE {t} SET status = %s WHERE {cond}", {params})'], bug)
    w.add("            return cur.rowcount", "")
    w.add(
        f"    def create_{single}(self, org_id: int, title: str, amount: float) -> int:",
        "        with self._conn.cursor() as cur:",
    )
    w.query(
        [
            "            cur.execute(",
            f'                "INSERT INTO {t} (org_id, title, amount) VALUES (%s, %s, %s) RETURNING id",',
            "                (org_id, title, amount),",
            "            )",
        ],
        None,
    )
    w.add("            return cur.fetchone()[0]", "")


def repository_py(s: Store, dice: Dice, tables: tuple[str, ...], title: str) -> Writer:
    w = Writer()
    consts = ", ".join(f"{t.upper()}_BY_ID, {t.upper()}_RECENT" for t in tables)
    w.add(
        f'"""{title} of {s.name}: parametrised SQL through a DB-API connection."""',
        "",
        f"from .queries import {consts}",
        "",
        "",
        f"class {''.join(p.capitalize() for p in s.name.split('_'))}{title.split()[0]}Repository:",
        "    def __init__(self, connection):",
        "        self._conn = connection",
        "",
    )
    for t in tables:
        _repo_methods(w, dice, s, t)
    if len(s.tables) > 1 and tables[0] == s.tables[0]:
        child = s.tables[1]
        w.add(
            "    def totals_by_parent(self, org_id: int):",
            "        with self._conn.cursor() as cur:",
        )
        w.query(
            [
                "            cur.execute(",
                '                """',
                "                SELECT p.id, p.title, coalesce(sum(c.amount), 0) AS total",
                f"                FROM {s.tables[0]} p",
                f"                JOIN {child} c ON c.parent_id = p.id AND c.org_id = p.org_id",
                "                WHERE p.org_id = %s",
                "                GROUP BY p.id, p.title",
                "                ORDER BY total DESC",
                '                """',
                "                (org_id,),",
                "            )",
            ],
            None,
        )
        w.add("            return cur.fetchall()", "")
    w.add("    def categories(self):", "        with self._conn.cursor() as cur:")
    w.query([f'            cur.execute("SELECT id, name FROM {s.lookup} ORDER BY name")'], None)
    w.add("            return cur.fetchall()")
    return w


def main_repo_py(s: Store, dice: Dice) -> Writer:
    return repository_py(s, dice, s.tables[:2], "Main data")


def detail_repo_py(s: Store, dice: Dice) -> Writer:
    return repository_py(s, dice, s.tables[2:] or s.tables[:1], "Detail data")


def handlers_py(s: Store, dice: Dice) -> Writer:
    w = Writer()
    cls = "".join(p.capitalize() for p in s.name.split("_"))
    single = s.tables[0].split("_", 1)[1]
    w.add(
        f'"""Flask endpoints of {s.name}."""',
        "",
        "from flask import Blueprint, abort, g, jsonify, request",
        "",
        "from core.sqldb import get_connection",
        "",
        f"from .repository import {cls}MainRepository",
        "",
        f'bp = Blueprint("{s.name}", __name__, url_prefix="/{s.name}")',
        "",
        "",
        "def _repo():",
        f"    return {cls}MainRepository(get_connection())",
        "",
        "",
    )
    w.add(
        f'@bp.get("/{single}")',
        f"def list_{single}():",
        '    limit = min(int(request.args.get("limit", 50)), 500)',
    )
    if dice.chance(dice.bug_rate * 4):
        w.mark(ORG_FROM_REQUEST)
        w.add('    org_id = int(request.args["org_id"])')
    else:
        w.add("    org_id = g.org_id")
    w.add(f"    rows = _repo().recent_{single}(org_id, limit=limit)")
    w.add("    return jsonify([dict(row) for row in rows])", "", "")
    w.add(f'@bp.get("/{single}/<int:row_id>")', f"def get_{single}(row_id: int):")
    w.add(f"    row = _repo().{single}_by_id(g.org_id, row_id)")
    w.add("    if row is None:", "        abort(404)", "    return jsonify(dict(row))", "", "")
    w.add(
        f'@bp.post("/{single}")',
        f"def create_{single}():",
        "    payload = request.get_json(force=True)",
    )
    w.add(
        f'    new_id = _repo().create_{single}(g.org_id, payload["title"], payload.get("amount", 0))'
    )
    w.add('    return jsonify({"id": new_id}), 201', "")
    return w


StoreFile = tuple[str, str, Callable[[Store, Dice], Writer]]


def store_files(s: Store) -> list[StoreFile]:
    return [
        (f"stores/{s.name}/queries.py", "sql-constants", queries_py),
        (f"stores/{s.name}/repository.py", "repository", main_repo_py),
        (f"stores/{s.name}/detail_repository.py", "repository", detail_repo_py),
        (f"stores/{s.name}/handlers.py", "handlers", handlers_py),
    ]


def build_store(s: Store, dice: Dice, limit: int) -> list[GeneratedFile]:
    files = [b(s, dice).build(p, "rawsql", r) for p, r, b in store_files(s)[:limit]]
    text = schema_sql(s)
    files.append(GeneratedFile(f"stores/{s.name}/schema.sql", "data", "ddl", text, 0, ()))
    return files
