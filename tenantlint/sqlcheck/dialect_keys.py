"""sqlglot child-argument keys, kept in one place (sqlglot 30 spells them ``from_``, ``with_``)."""

from __future__ import annotations

from sqlglot import exp

FROM = "from_"
WITH = "with_"
JOINS = "joins"
WHERE = "where"
HAVING = "having"
QUALIFY = "qualify"
USING = "using"
ON = "on"
GROUP = "group"
ORDER = "order"
LIMIT = "limit"
OFFSET = "offset"
EXPRESSIONS = "expressions"
EXPRESSION = "expression"
THIS = "this"
QUERY = "query"
FIELD = "field"
CONFLICT = "conflict"


def arg(node: exp.Expr, key: str) -> object:
    """The child stored under ``key`` (None when absent)."""
    return node.args.get(key)


def expr_arg(node: exp.Expr, key: str) -> exp.Expr | None:
    value = node.args.get(key)
    return value if isinstance(value, exp.Expr) else None


def list_arg(node: exp.Expr, key: str) -> list[exp.Expr]:
    value = node.args.get(key)
    if isinstance(value, list):
        return [v for v in value if isinstance(v, exp.Expr)]
    return []
