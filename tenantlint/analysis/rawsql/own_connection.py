"""SQL a module sends to a database it connects to itself, not the application's.

A query runner or an import tool opens its own DB-API connection (``sqlite3.connect(":memory:")``
for a scratch database, ``nzpy.connect(host=...)`` for a customer's warehouse) and runs SQL there
that the tool cannot verify against the project's tables, and need not: they are not in that
database. A module is such a module (:func:`own_connection`) when

* it calls a database driver's ``connect()`` (a module that is neither the project's own nor an ORM
  or database layer: ``sqlite3``, ``psycopg2``, ``pymysql``, ``nzpy``, ...),
* it defines no model and imports no ORM or database layer (``sqlalchemy``, ``django.db``, ...),
* and the project's own tables are ORM models: the application reaches its database through the ORM
  (a raw-SQL-only project, whose every connection may be the application's, never has such modules).

Its SQL is still verified; only SQL that cannot be verified (TNT301, TNT302) and whose text names
no tenant table is not reported: SQL naming a tenant table is judged as anywhere else.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import libcst as cst

from tenantlint.analysis.interp.exprs import dotted
from tenantlint.sqlcheck.tenant_tables import SqlTenancy

if TYPE_CHECKING:
    from tenantlint.analysis.plugins import Evaluation
    from tenantlint.analysis.rawsql.text import SqlText

# ORMs and database layers through which an application reaches its own database.
DB_LAYERS = frozenset({"sqlalchemy", "sqlmodel", "flask_sqlalchemy", "django", "peewee", "playhouse",
                       "tortoise", "databases", "pony", "ormar", "piccolo", "gino", "edgedb"})
ORM_FAMILIES = frozenset({"django", "sqlalchemy", "sqlmodel", "peewee", "tortoise"})
CONNECTS = frozenset({"connect", "Connect", "Connection"})
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*")


class _Connects(cst.CSTVisitor):
    def __init__(self) -> None:
        self.calls: list[str] = []

    def visit_Call(self, node: cst.Call) -> None:
        name = dotted(node.func)
        if name is not None and "." in name and name.rsplit(".", 1)[-1] in CONNECTS:
            self.calls.append(name)


def own_connection(ev: Evaluation) -> str | None:
    """The driver call through which this module connects to a database of its own, if it is such a
    module (once per file)."""
    memo = ev.ctx.plugin_memo
    key = "rawsql.own-connection"
    if key not in memo:
        memo[key] = _find(ev)
    found = memo[key]
    return found if isinstance(found, str) else None


def _heads(ev: Evaluation) -> frozenset[str]:
    """Top-level packages of the project (first path part of every file the index read)."""
    store = ev.ctx.settings.memo
    key = ("rawsql.project-heads", "")
    if key not in store:
        heads = {ev.ctx.path.split("/", 1)[0].removesuffix(".py")}
        for defs in ev.ctx.index.models.values():
            heads.update(m.path.split("/", 1)[0].removesuffix(".py") for m in defs)
        store[key] = frozenset(heads)
    found = store[key]
    assert isinstance(found, frozenset)
    return found


def _orm_project(ev: Evaluation) -> bool:
    return any(m.family in ORM_FAMILIES for defs in ev.ctx.index.models.values() for m in defs)


def _find(ev: Evaluation) -> str | None:
    imports = ev.ctx.imports
    roots = {q.lstrip(".").split(".", 1)[0] for q in imports.names.values() if not q.startswith(".")}
    if roots & DB_LAYERS or not _orm_project(ev):
        return None
    if any(m.path == ev.ctx.path for defs in ev.ctx.index.models.values() for m in defs):
        return None
    finder = _Connects()
    ev.ctx.module.visit(finder)
    heads = _heads(ev)
    for name in finder.calls:
        qualified = imports.qualify(name)
        root = qualified.split(".", 1)[0]
        if qualified.startswith(".") or root in heads or root in DB_LAYERS:
            continue
        if name.split(".", 1)[0] not in imports.names:
            continue  # a connect() of a local object, not of an imported driver
        return f"{qualified}()"
    return None


def names_tenant_table(tenancy: SqlTenancy, text: SqlText) -> bool:
    """Whether a word of the SQL's static text is the name of a tenant table."""
    words = {w.lower() for w in _WORD.findall(text.text)}
    return any(tenancy.is_tenant(w) for w in words)
