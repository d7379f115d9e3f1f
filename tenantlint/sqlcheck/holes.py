"""Run-time interpolations ("holes") in SQL text: where they are, and whether they matter.

A hole matters when it can change which rows of which tables are touched: in a table name or alias,
anywhere under WHERE / ON / HAVING, in an INSERT column list, or anywhere not known to be harmless.
Harmless places: the select list, GROUP BY, ORDER BY, LIMIT/OFFSET, UPDATE SET values, VALUES rows.
"""

from __future__ import annotations

from sqlglot import exp

from tenantlint.sqlcheck import dialect_keys as k

_HARMFUL_KEYS: dict[type[exp.Expr], frozenset[str]] = {
    exp.Select: frozenset({k.WHERE, k.HAVING, k.QUALIFY, k.JOINS, k.FROM}),
    exp.Join: frozenset({k.ON, k.USING, k.THIS}),
    exp.Update: frozenset({k.WHERE, k.THIS, k.FROM}),
    exp.Delete: frozenset({k.WHERE, k.THIS, k.USING, "tables"}),
    exp.Insert: frozenset({k.THIS}),
    exp.Merge: frozenset({k.ON, k.THIS, k.USING}),
}
_HARMLESS_KEYS: dict[type[exp.Expr], frozenset[str]] = {
    exp.Select: frozenset({k.EXPRESSIONS, k.GROUP, k.ORDER, k.LIMIT, k.OFFSET, "distinct"}),
    exp.Update: frozenset({k.ORDER, k.LIMIT, "returning"}),
    exp.Delete: frozenset({k.ORDER, k.LIMIT, "returning"}),
    exp.Insert: frozenset({"returning"}),
    exp.SetOperation: frozenset({k.ORDER, k.LIMIT, k.OFFSET}),
    exp.Values: frozenset({k.EXPRESSIONS}),
}
_ALWAYS_HARMFUL = (exp.Table, exp.TableAlias, exp.Schema, exp.Where, exp.Having)


def _text_of(node: exp.Expr) -> str | None:
    value = node.args.get("this")
    return value if isinstance(value, str) else None


def hole_nodes(stmt: exp.Expr, holes: frozenset[str]) -> list[tuple[str, exp.Expr]]:
    """Every leaf node whose text contains a hole name."""
    found: list[tuple[str, exp.Expr]] = []
    for node in stmt.walk():
        text = _text_of(node)
        if text is None:
            continue
        for hole in holes:
            if hole in text:
                found.append((hole, node))
    return found


def _is_set_value(child: exp.Expr, parent: exp.Update) -> bool:
    """``child`` is a SET pair of ``parent``; harmless only on its value side."""
    return isinstance(child, exp.EQ) and child.args.get(k.EXPRESSION) is not None


def harmful_reason(node: exp.Expr) -> str | None:
    """Why a hole at ``node`` can change tenancy, or None when it is confined to harmless parts."""
    harmless_seen = False
    child = node
    parent = node.parent
    while parent is not None:
        key = child.arg_key
        if isinstance(parent, _ALWAYS_HARMFUL) or isinstance(child, _ALWAYS_HARMFUL):
            kind = type(parent if isinstance(parent, _ALWAYS_HARMFUL) else child).__name__
            return f"interpolated into a {kind.lower()} clause or name"
        for typ, keys in _HARMFUL_KEYS.items():
            if isinstance(parent, typ) and key in keys:
                return f"interpolated into {type(parent).__name__.upper()} {key.rstrip('_')}"
        if isinstance(parent, exp.Update) and key == k.EXPRESSIONS:
            if (
                not _is_set_value(child, parent)
                or node is child.args.get(k.THIS)
                or _under(node, child.args.get(k.THIS))
            ):
                return "interpolated into an UPDATE SET column"
            harmless_seen = True
        for typ, keys in _HARMLESS_KEYS.items():
            if isinstance(parent, typ) and key in keys:
                harmless_seen = True
        child = parent
        parent = parent.parent
    return None if harmless_seen else "interpolated where the statement's structure depends on it"


def _under(node: exp.Expr, ancestor: object) -> bool:
    if not isinstance(ancestor, exp.Expr):
        return False
    cur: exp.Expr | None = node
    while cur is not None:
        if cur is ancestor:
            return True
        cur = cur.parent
    return False
