"""psycopg2 ``execute_values``/``execute_batch``: the SQL is the second argument, the rows the third."""

from __future__ import annotations

import re
from dataclasses import replace

import libcst as cst

from tenantlint.analysis.rawsql.text import SqlText, each

_VALUES_ONE = re.compile(r"\bVALUES\s+%s", re.IGNORECASE)


def expand_values(text: SqlText, node: cst.Call) -> SqlText:
    """``execute_values``' single ``VALUES %s`` stands for whole rows: spell it out as one placeholder
    per element when the rows are tuples/lists of a length we can see (a literal or a comprehension)."""
    return each(text, lambda one: _expand(one, node))


def _expand(text: SqlText, node: cst.Call) -> SqlText:
    positional = [a for a in node.args if a.keyword is None and not a.star]
    rows = next((a.value for a in node.args if a.keyword and a.keyword.value == "argslist"), None)
    if rows is None and len(positional) > 2:
        rows = positional[2].value
    row: cst.BaseExpression | None = None
    if isinstance(rows, cst.ListComp | cst.GeneratorExp):
        row = rows.elt
    elif isinstance(rows, cst.List | cst.Tuple) and rows.elements:
        row = rows.elements[0].value
    if not isinstance(row, cst.List | cst.Tuple) or len(_VALUES_ONE.findall(text.text)) != 1:
        return text
    if any(isinstance(el, cst.StarredElement) for el in row.elements):
        return text
    spelled = "(" + ", ".join(["%s"] * len(row.elements)) + ")"
    return replace(text, text=_VALUES_ONE.sub(lambda _: f"VALUES {spelled}", text.text))
