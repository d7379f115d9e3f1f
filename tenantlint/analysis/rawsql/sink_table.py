"""Every database call that executes raw SQL, declared once (no libcst: the prefilter reads it too).

``sinks.py`` matches calls against :data:`SINKS`; the prefilter's sink words are derived from the same
rows (:func:`sink_words`), so a sink added here can never be skipped by the prefilter. Each row
carries a case (``imports`` + ``case``) that ``tests/test_sink_table.py`` runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

SQL_KEYWORDS = ("sql", "query", "statement", "operation")  # keyword arguments that hold the SQL
PARAM_KEYWORDS = ("params", "parameters", "vars", "args", "param")  # ... and the parameters


@dataclass(frozen=True, slots=True)
class SqlSink:
    name: str  # the method name; for ``kind="function"``, the qualified function name
    library: str  # who provides it
    case: str  # one call that executes SQL on a tenant table, in a function ``f(cur, rows, n)``
    expect: str = "TNT101"  # what the case is reported as
    imports: str = ""  # what the case needs imported
    kind: Literal["method", "function", "extra"] = "method"
    # ``kind="function"``: also any function of this name under this module (``django...RawSQL``).
    module: str | None = None
    sql_position: int = 0  # the SQL: the first argument (0), or the n-th positional one
    sql_keywords: tuple[str, ...] = SQL_KEYWORDS
    params_position: int = 1  # the parameters: the n-th positional argument besides the SQL
    param_keywords: tuple[str, ...] = ()  # keywords naming the parameters besides PARAM_KEYWORDS
    many: bool = False  # the parameters are a sequence of rows
    spread: bool = False  # the parameters are the remaining positional arguments (``$1``, ``$2``)
    spread_on_dollar: bool = False  # ... when the SQL uses ``$n`` placeholders
    keyword_params: bool = False  # other keyword arguments are named parameters (``org=...``)
    evaluates_receiver: bool = True  # False: the receiver is a queryset (``Model.objects.raw``)
    rows_values: bool = False  # one ``VALUES %s`` stands for whole rows (``execute_values``)

    @property
    def last_name(self) -> str:
        return self.name.rsplit(".", 1)[-1]

    def matches_function(self, qualified: str) -> bool:
        if qualified == self.name:
            return True
        return self.module is not None and qualified.startswith(self.module) \
            and qualified.rsplit(".", 1)[-1] == self.name


_SELECT = '"SELECT id FROM billing_invoice"'

SINKS: tuple[SqlSink, ...] = (
    SqlSink("execute", "DB-API cursors, SQLAlchemy sessions and connections, asyncpg",
            f"cur.execute({_SELECT})", spread_on_dollar=True, keyword_params=True),
    SqlSink("executemany", "DB-API cursors, asyncpg", f"cur.executemany({_SELECT}, rows)", many=True),
    SqlSink("executescript", "sqlite3", f"cur.executescript({_SELECT})"),
    SqlSink("fetch", "asyncpg", f"cur.fetch({_SELECT})", spread=True),
    SqlSink("fetchrow", "asyncpg", f"cur.fetchrow({_SELECT})", spread=True),
    SqlSink("fetchval", "asyncpg", f"cur.fetchval({_SELECT})", spread=True),
    SqlSink("exec_driver_sql", "SQLAlchemy connections", f"cur.exec_driver_sql({_SELECT})"),
    SqlSink("raw", "Django managers (``Model.objects.raw``)", f"Invoice.objects.raw({_SELECT})",
            imports="from billing.models import Invoice", evaluates_receiver=False),
    SqlSink("read_sql", "pandas", f"pd.read_sql({_SELECT}, cur)", imports="import pandas as pd",
            params_position=2),
    SqlSink("read_sql_query", "pandas", f"pd.read_sql_query({_SELECT}, cur)",
            imports="import pandas as pd", params_position=2),
    SqlSink("execute_sql", "Peewee databases", f"cur.execute_sql({_SELECT})"),
    SqlSink("execute_query", "Tortoise connections", f"cur.execute_query({_SELECT})",
            param_keywords=("values",)),
    SqlSink("execute_query_dict", "Tortoise connections", f"cur.execute_query_dict({_SELECT})",
            param_keywords=("values",)),
    SqlSink("execute_insert", "Tortoise connections",
            'cur.execute_insert("INSERT INTO billing_invoice (number) VALUES (%s)", [n])',
            expect="TNT104", param_keywords=("values",)),
    SqlSink("execute_script", "Tortoise connections", f"cur.execute_script({_SELECT})"),
    SqlSink("psycopg2.extras.execute_values", "psycopg2",
            'execute_values(cur, "INSERT INTO billing_invoice (number) VALUES %s", rows)',
            expect="TNT104", imports="from psycopg2.extras import execute_values", kind="function",
            sql_position=1, sql_keywords=("sql",), params_position=2, param_keywords=("argslist",),
            many=True, rows_values=True),
    SqlSink("psycopg2.extras.execute_batch", "psycopg2",
            'execute_batch(cur, "INSERT INTO billing_invoice (number) VALUES (%s)", rows)',
            expect="TNT104", imports="from psycopg2.extras import execute_batch", kind="function",
            sql_position=1, sql_keywords=("sql",), params_position=2, param_keywords=("argslist",),
            many=True),
    SqlSink("RawSQL", "Django expressions",
            f"Invoice.objects.filter(org_id=n).annotate(x=RawSQL({_SELECT}, ()))",
            imports="from billing.models import Invoice\nfrom django.db.models.expressions import RawSQL",
            kind="function", module="django"),
    SqlSink("extra", "Django querysets (``extra(where=[...])``)",
            'Invoice.objects.extra(where=[f"number = {n}"])', expect="TNT301",
            imports="from billing.models import Invoice", kind="extra"),
)

METHOD_SINKS: dict[str, SqlSink] = {s.name: s for s in SINKS if s.kind == "method"}
FUNCTION_SINKS: tuple[SqlSink, ...] = tuple(s for s in SINKS if s.kind == "function")
EXTRA_SINKS = frozenset(s.name for s in SINKS if s.kind == "extra")


def sink_words() -> tuple[str, ...]:
    """The fewest lower-case words one of which every sink's name contains (the prefilter's test
    that a file may call a sink)."""
    names = sorted({s.last_name.lower() for s in SINKS})
    return tuple(n for n in names if not any(m != n and m in n for m in names))
