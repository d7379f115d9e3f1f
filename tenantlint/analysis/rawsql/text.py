"""SQL text as the evaluator sees it: static parts plus run-time "holes".

A ``SqlText`` is a ``Value`` (so provenance flows as for any string) holding the text with every
run-time interpolation replaced by an identifier ``__tl_hole_<n>__``; the raw-SQL verifier decides
whether a hole can change tenancy. Python ``%``/``.format``/f-strings/``+``/``join``, ``textwrap.dedent``,
SQLAlchemy ``text()`` (and ``.bindparams``) and psycopg ``sql.SQL``/``Identifier``/``Placeholder``
are interpreted here.

psycopg's composition (``sql.SQL(...).format(...)``, ``.join``, ``sql.Composed``) builds SQL whose
parts are known even when its values are not: ``sql.Literal(v)`` is a value the driver quotes, never
SQL, so it stands as a named placeholder ``%(__tl_lit_<n>__)s`` bound to ``v`` (``lits`` of them,
numbered like holes), not as a hole; ``sql.Identifier("name")`` with a literal name is that quoted
name. Only an identifier or SQL fragment whose text is not known is a hole.
"""

from __future__ import annotations

import re
import string
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from itertools import islice, product

import libcst as cst
from libcst.helpers import get_full_name_for_node

from tenantlint.analysis.interp.literals import string_literal
from tenantlint.analysis.interp.values import Value

HOLE_PREFIX = "__tl_hole_"
_HOLE_RE = re.compile(r"__tl_hole_(\d+)__")
LITERAL_PREFIX = "__tl_lit_"
_LITERAL_RE = re.compile(r"__tl_lit_(\d+)__")

DEDENT = frozenset({"textwrap.dedent", "inspect.cleandoc"})
TEXT_CLAUSES = frozenset(
    {"sqlalchemy.text", "sqlalchemy.sql.text", "sqlalchemy.sql.expression.text", "sqlmodel.text"}
)
PSYCOPG_SQL = frozenset({"psycopg.sql.SQL", "psycopg2.sql.SQL"})
PSYCOPG_HOLES = frozenset(
    {"psycopg.sql.Identifier", "psycopg2.sql.Identifier", "psycopg.sql.Literal",
     "psycopg2.sql.Literal"}
)
PSYCOPG_PLACEHOLDER = frozenset({"psycopg.sql.Placeholder", "psycopg2.sql.Placeholder"})
PSYCOPG_LITERAL = frozenset({"psycopg.sql.Literal", "psycopg2.sql.Literal"})
PSYCOPG_IDENTIFIER = frozenset({"psycopg.sql.Identifier", "psycopg2.sql.Identifier"})
PSYCOPG_COMPOSED = frozenset({"psycopg.sql.Composed", "psycopg2.sql.Composed"})


def hole_name(i: int) -> str:
    return f"{HOLE_PREFIX}{i}__"


@dataclass(frozen=True, slots=True)
class SqlText(Value):
    """A string that may be SQL: ``text`` with ``holes`` markers numbered 0..holes-1."""

    text: str = ""
    holes: int = 0
    bound: tuple[tuple[str, Value], ...] = ()  # SQLAlchemy ``.bindparams(name=value)``
    lits: int = 0  # psycopg ``sql.Literal`` placeholders ``%(__tl_lit_<n>__)s``, bound in ``bound``
    # The other texts the value may hold, built on other branches (``if creating: sql = "INSERT
    # ..." else: sql = "UPDATE ..."``), none with alternatives of its own: the call that executes
    # the value verifies each (``variants``).
    alternatives: tuple[SqlText, ...] = ()
    overflow: bool = False  # more than ``MAX_ALTERNATIVES`` texts: those beyond are not known

    @property
    def static(self) -> bool:
        return self.holes == 0

    def hole_names(self) -> frozenset[str]:
        return frozenset(hole_name(i) for i in range(self.holes))


def static_string(value: Value) -> str | None:
    """The text of a string known in full (a literal, a constant, a name bound to one)."""
    if not isinstance(value, SqlText) or not value.static or value.bound or value.alternatives:
        return None
    return value.text


# ----- texts built on different branches ---------------------------------------------------------
MAX_ALTERNATIVES = 16  # texts one value may hold; beyond, the SQL cannot be verified (TNT301)


def variants(t: SqlText) -> tuple[SqlText, ...]:
    """Every text ``t`` may hold, ``t``'s own first; none has alternatives."""
    if not t.alternatives:
        return (t,)
    return (replace(t, alternatives=(), overflow=False), *t.alternatives)


def _same(t: SqlText) -> tuple[object, ...]:
    return (t.text, t.holes, t.lits, tuple((name, v.prov) for name, v in t.bound))


def either(options: Sequence[SqlText], prov: Value, overflow: bool = False) -> SqlText:
    """One value for the texts ``options`` may hold (a merge of branches): the distinct ones, at
    most ``MAX_ALTERNATIVES`` (``overflow`` says some were left out)."""
    found: dict[tuple[object, ...], SqlText] = {}
    for option in options:
        overflow = overflow or option.overflow
        for v in variants(option):
            found.setdefault(_same(v), v)
    texts = list(found.values())
    if len(texts) > MAX_ALTERNATIVES:
        texts, overflow = texts[:MAX_ALTERNATIVES], True
    return replace(texts[0], prov=prov.prov, alternatives=tuple(texts[1:]), overflow=overflow)


def each(t: SqlText, make: Callable[[SqlText], SqlText]) -> SqlText:
    """``make`` applied to every text ``t`` may hold."""
    if not t.alternatives:
        return make(t)
    return either([make(v) for v in variants(t)], t, t.overflow)


def merged(a: Value, b: Value) -> SqlText | None:
    """Two branches' SQL texts as one value holding both (None unless both are SQL text); request
    input in either makes the whole untrusted, as for any merge."""
    if not isinstance(a, SqlText) or not isinstance(b, SqlText):
        return None
    if a is b or (not a.alternatives and not b.alternatives and _same(a) == _same(b)):
        return a if not b.untrusted else b
    return either([a, b], b if b.untrusted and not a.untrusted else a)


def literal(text: str, prov: Value | None = None) -> SqlText:
    return SqlText(prov.prov if prov else Value().prov, text=text)


def hole(value: Value) -> SqlText:
    return SqlText(value.prov, text=hole_name(0), holes=1)


def literal_name(i: int) -> str:
    return f"{LITERAL_PREFIX}{i}__"


def quoted_value(value: Value) -> SqlText:
    """psycopg ``sql.Literal(value)``: a placeholder bound to ``value`` (the driver quotes it)."""
    name = literal_name(0)
    return SqlText(text=f"%({name})s", bound=((name, value),), lits=1)


def quoted_identifier(names: Sequence[str]) -> SqlText:
    """psycopg ``sql.Identifier("schema", "table")`` -> ``"schema"."table"``."""
    return SqlText(text=".".join('"' + n.replace('"', '""') + '"' for n in names))


def _shift(text: str, by: int) -> str:
    if not by:
        return text
    return _HOLE_RE.sub(lambda m: hole_name(int(m.group(1)) + by), text)


def _shift_literals(text: str, by: int) -> str:
    if not by:
        return text
    return _LITERAL_RE.sub(lambda m: literal_name(int(m.group(1)) + by), text)


def concat(parts: Sequence[SqlText], prov: Value) -> SqlText:
    if any(p.alternatives for p in parts):  # each combination of the parts' texts
        combos = list(islice(product(*(variants(p) for p in parts)), MAX_ALTERNATIVES + 1))
        over = len(combos) > MAX_ALTERNATIVES or any(p.overflow for p in parts)
        return either([_concat(c, prov) for c in combos[:MAX_ALTERNATIVES]], prov, over)
    return _concat(parts, prov)


def _concat(parts: Sequence[SqlText], prov: Value) -> SqlText:
    out: list[str] = []
    n = 0
    lits = 0
    bound: tuple[tuple[str, Value], ...] = ()
    for p in parts:
        out.append(_shift_literals(_shift(p.text, n), lits))
        n += p.holes
        bound += tuple((_shift_literals(name, lits), v) for name, v in p.bound)
        lits += p.lits
    return SqlText(prov.prov, text="".join(out), holes=n, bound=bound, lits=lits)


def as_text(value: Value) -> SqlText:
    """A value spliced into SQL: its text when known, a hole otherwise."""
    return value if isinstance(value, SqlText) else hole(value)


def percent_format(fmt: SqlText, args: Sequence[Value], named: dict[str, Value] | None,
                   prov: Value) -> SqlText:
    """``fmt % args``: ``%s``/``%d``/``%(name)s`` take the argument's text or a hole; ``%%`` -> ``%``."""
    return each(fmt, lambda f: _percent_format(f, args, named, prov))


def _percent_format(fmt: SqlText, args: Sequence[Value], named: dict[str, Value] | None,
                    prov: Value) -> SqlText:
    parts: list[SqlText] = []
    pos = 0
    i = 0
    text = fmt.text
    buf: list[str] = []
    spec = re.compile(r"%(\((\w+)\))?[-#0 +]*\d*(\.\d+)?[sdifrxXeEgGcaou%]")
    while i < len(text):
        m = spec.match(text, i) if text[i] == "%" else None
        if m is None:
            buf.append(text[i])
            i += 1
            continue
        i = m.end()
        if m.group(0) == "%%":
            buf.append("%")
            continue
        parts.append(SqlText(text="".join(buf), holes=0))
        buf = []
        if m.group(2) is not None:
            value = (named or {}).get(m.group(2), Value())
        else:
            value = args[pos] if pos < len(args) else Value()
            pos += 1
        parts.append(as_text(value))
    parts.append(SqlText(text="".join(buf)))
    out = _rebase(fmt, parts, prov)
    return out


def _rebase(fmt: SqlText, parts: list[SqlText], prov: Value) -> SqlText:
    # Holes inside ``fmt``'s own text keep their numbers only if fmt is static; renumber via concat.
    if fmt.holes or fmt.lits:
        return concat([hole(prov)], prov)  # a dynamic format string: structure unknown
    return with_bound(concat(parts, prov), fmt.bound)


def with_bound(t: SqlText, before: tuple[tuple[str, Value], ...] = (),
               after: tuple[tuple[str, Value], ...] = ()) -> SqlText:
    """``t`` (each text it may hold) with these values bound too, around its own."""
    if not before and not after:
        return t
    return each(t, lambda v: replace(v, bound=before + v.bound + after))


def brace_format(fmt: SqlText, args: Sequence[Value], named: dict[str, Value], prov: Value) -> SqlText:
    """``fmt.format(*args, **named)`` (also psycopg ``sql.SQL(...).format``)."""
    return each(fmt, lambda f: _brace_format(f, args, named, prov))


def _brace_format(fmt: SqlText, args: Sequence[Value], named: dict[str, Value], prov: Value) -> SqlText:
    if fmt.holes or fmt.lits:
        return hole(prov)
    parts: list[SqlText] = []
    auto = 0
    try:
        parsed = list(string.Formatter().parse(fmt.text))
    except ValueError:
        return hole(prov)
    for lit, field_name, _spec, _conv in parsed:
        parts.append(SqlText(text=lit))
        if field_name is None:
            continue
        key = field_name.split(".", 1)[0].split("[", 1)[0]
        if key == "":
            value = args[auto] if auto < len(args) else Value()
            auto += 1
        elif key.isdigit():
            idx = int(key)
            value = args[idx] if idx < len(args) else Value()
        else:
            value = named.get(key, Value())
        parts.append(as_text(value) if key == field_name else hole(value))
    return with_bound(concat(parts, prov), fmt.bound)


def join(sep: SqlText, items: Sequence[Value] | None, prov: Value) -> SqlText:
    """``sep.join(items)``: known items are joined; an unknown iterable is one hole."""
    if items is None:
        return hole(prov)
    parts: list[SqlText] = []
    for i, item in enumerate(items):
        if i:
            parts.append(sep)
        parts.append(as_text(item))
    return concat(parts, prov)


def dedent(t: SqlText) -> SqlText:
    return each(t, lambda v: replace(v, text=textwrap.dedent(v.text)))


# ----- static resolution (pre-pass and class constants) ---------------------------------------

Lookup = Callable[[str], "str | None"]


def qualified(node: cst.BaseExpression, qualify: Callable[[str], str]) -> str:
    name = get_full_name_for_node(node)
    return qualify(name) if name else ""


_ARITHMETIC = (cst.LeftShift, cst.RightShift, cst.Multiply, cst.Add, cst.Subtract, cst.BitOr, cst.BitAnd,
               cst.FloorDivide, cst.Power)


def numeric(node: cst.BaseExpression) -> bool:
    """An expression whose value is a number whatever its names hold (``1 << flag.number``,
    ``n * 2``): integer arithmetic with an integer literal raises on text instead of making it.
    Interpolated into SQL it cannot change the statement's shape."""
    if isinstance(node, cst.Integer):
        return True
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus):
        return numeric(node.expression)
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, _ARITHMETIC):
        return isinstance(node.left, cst.Integer) or isinstance(node.right, cst.Integer) or (
            numeric(node.left) and numeric(node.right))
    return False


def static_text(node: cst.BaseExpression, lookup: Lookup, qualify: Callable[[str], str]) -> str | None:
    """The text of a constant string expression, or None when any part is not constant. A number
    interpolated into an f-string (``numeric``) stands as ``0``; a call of a project function that
    returns constant text is that text (``lookup("Class.where_unread()")``)."""
    if isinstance(node, cst.SimpleString | cst.ConcatenatedString):
        value = string_literal(node)
        return value if isinstance(value, str) else None
    if isinstance(node, cst.FormattedString):
        out: list[str] = []
        for part in node.parts:
            if isinstance(part, cst.FormattedStringText):
                out.append(part.value.replace("{{", "{").replace("}}", "}"))
            elif isinstance(part, cst.FormattedStringExpression):
                if numeric(part.expression):
                    out.append("0")
                    continue
                if part.format_spec or part.conversion:
                    return None
                inner = static_text(part.expression, lookup, qualify)
                if inner is None:
                    return None
                out.append(inner)
        return "".join(out)
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
        left = static_text(node.left, lookup, qualify)
        right = static_text(node.right, lookup, qualify) if left is not None else None
        return left + right if left is not None and right is not None else None
    if isinstance(node, cst.Name | cst.Attribute):
        name = get_full_name_for_node(node)
        return lookup(name) if name else None
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Name | cst.Attribute):
        name = get_full_name_for_node(node.func)
        returned = lookup(f"{name}()") if name else None
        if returned is not None:
            return returned
    if isinstance(node, cst.Call) and len(node.args) == 1 and node.args[0].keyword is None:
        func = qualified(node.func, qualify)
        inner = static_text(node.args[0].value, lookup, qualify)
        if inner is None:
            return None
        if func in DEDENT:
            return textwrap.dedent(inner)
        if func in TEXT_CLAUSES or func in PSYCOPG_SQL:
            return inner
    return None


def augmented(old: Value, operator: cst.BaseAugOp, value: Value) -> SqlText | None:
    """``sql += part`` on SQL text; None when ``old`` is not SqlText (the core merges as usual)."""
    if not isinstance(old, SqlText) or not isinstance(operator, cst.AddAssign):
        return None
    prov = value if value.untrusted else old
    return concat([old, as_text(value)], Value(prov.prov))
