"""Raw SQL reaching the database: string building, sinks, and verdicts turned into facts.

``Evaluator._eval`` asks :func:`evaluate` first for strings, ``+``/``%`` on strings and calls. It
answers (and then owns the evaluation of every sub-expression, exactly once) for:

- strings and their composition -> ``SqlText`` values (``rawsql/text.py``), so SQL kept in locals, module
  constants (through the walker's environment), class constants and constants imported from another
  project module (``Settings.facts.sql_constants``) is known at the call that executes it;
- sinks whose SQL argument is such a text: every database call of ``sink_table.SINKS`` (DB-API and
  asyncpg cursors, SQLAlchemy, Django ``raw``/``RawSQL``, pandas, psycopg2 batches, Peewee,
  Tortoise); Django ``extra(where=[...])`` becomes a pin of its queryset.

An argument that is not string-like (an ORM select, an opaque variable) is left to the core.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

import libcst as cst

from tenantlint.analysis.facts import Provenance, Scoping
from tenantlint.analysis.interp.exprs import full_name
from tenantlint.analysis.interp.literals import string_literal
from tenantlint.analysis.interp.values import Pin, QueryValue, Value
from tenantlint.analysis.rawsql import text as st
from tenantlint.analysis.rawsql.batch import expand_values
from tenantlint.analysis.rawsql.bindings import ParamBinding, bind_container
from tenantlint.analysis.rawsql.constants import (
    lookup_constant,
    lookup_member,
    module_constants,
    resolve_import,
)
from tenantlint.analysis.rawsql.model_tables import model_of_table_name, table_name_text
from tenantlint.analysis.rawsql.sink_table import (
    EXTRA_SINKS,
    FUNCTION_SINKS,
    METHOD_SINKS,
    PARAM_KEYWORDS,
    SqlSink,
)
from tenantlint.analysis.rawsql.text import SqlText
from tenantlint.analysis.rawsql.verify import analyze, memo, table_use_of, verify
from tenantlint.sqlcheck.tenant_tables import normalize_table

if TYPE_CHECKING:
    from tenantlint.analysis.plugins import ClassInfo, Evaluation

NODE_TYPES = (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString, cst.BinaryOperation,
              cst.Call)
# the same as a set of exact classes (libcst's have no subclasses): ``isinstance`` against a tuple
# of them runs ``ABCMeta.__instancecheck__`` in Python for each class an expression is not
NODE_CLASSES: frozenset[type] = frozenset(NODE_TYPES)
NOT_PARAMS = frozenset({"con", "index_col", "coerce_float", "parse_dates", "columns", "chunksize",
                        "dtype", "dtype_backend", "translations", "using", "timeout",
                        "execution_options", "bind_arguments", "record_class", "prepare"})
_DOLLAR = re.compile(r"\$\d")
_STR_METHODS = frozenset({"format", "join", "bindparams", "strip", "lstrip", "rstrip"})


# ----- helpers -----------------------------------------------------------------------------------
def _merge(values: list[Value]) -> Value:
    for v in values:
        if v.untrusted:
            return Value(v.prov)
    if values and all(v.trusted for v in values):
        return Value(values[0].prov)
    return Value()


def _qualified(ev: Evaluation, node: cst.BaseExpression) -> str:
    name = full_name(node)
    return ev.ctx.imports.qualify(name) if name else ""


def _local_constants(ev: Evaluation) -> dict[str, str]:
    # Per file, not per run: a run-wide entry per file would keep every file's table alive.
    memo = ev.ctx.plugin_memo
    if "sql-constants" not in memo:
        memo["sql-constants"] = module_constants(ev.ctx.module)
    table = memo["sql-constants"]
    assert isinstance(table, dict)
    return table


def constant(ev: Evaluation, node: cst.BaseExpression, suffix: str = "") -> str | None:
    """A class constant of this file (``InvoiceSQL.BY_ID``) or a constant imported from a project
    module (``OPEN_INVOICES``, ``queries.OPEN_INVOICES``, ``PipelineSQL.WIN_RATE``). With ``suffix``
    ``"()"``: the constant text a function of this file or of a project module returns."""
    name = full_name(node)
    if not name or (isinstance(node, cst.Name) and name in ev.fn.env):
        return None
    head = name.split(".", 1)[0]
    if head in ev.fn.env:
        return None
    if head in ("self", "cls") and "." in name:
        owner = ev.fn.owner
        return _class_constant(ev, owner, name.split(".", 1)[1] + suffix) if owner is not None else None
    if suffix and f"{name}{suffix}" in _local_constants(ev):  # a helper of this module
        return _local_constants(ev)[f"{name}{suffix}"]
    if "." in name and head in ev.ctx.local_classes:
        return _local_constants(ev).get(f"{name}{suffix}")
    if head not in ev.ctx.imports.names:
        return None
    target = resolve_import(ev.ctx.imports.qualify(name), ev.ctx.path) + suffix
    table = ev.ctx.settings.facts.sql_constants
    if not table:
        return None
    found = memo(ev, ("sql-constant", target),
                 lambda: lookup_constant(table, target) or lookup_member(table, target) or "")
    return found if isinstance(found, str) and found else None


def _class_constant(ev: Evaluation, owner: ClassInfo, attr: str) -> str | None:
    """``self.ATTR`` in a method of ``owner``: a constant of the class or of a base class defined in
    this file (nearest first) or imported from a project module."""
    local = _local_constants(ev)
    todo, seen = [owner.name], set()
    while todo:
        cls = todo.pop(0)
        if cls in seen:
            continue
        seen.add(cls)
        info = ev.ctx.local_classes.get(cls)
        if info is not None:
            if f"{cls}.{attr}" in local:
                return local[f"{cls}.{attr}"]
            todo.extend(b for b in info.bases if b not in seen)
        elif "." in cls and ev.ctx.settings.facts.sql_constants:  # imported: ``.base.BaseRepo``
            target = resolve_import(f"{cls}.{attr}", ev.ctx.path)
            found = lookup_constant(ev.ctx.settings.facts.sql_constants, target)
            if found is not None:
                return found
    return None


_MEMO: list[object] = [None, {}]  # (the evaluator of the statement being walked, its answers)


def maybe_text(ev: Evaluation, node: cst.BaseExpression) -> bool:
    """Side-effect free: does ``node`` evaluate to SQL-ish text this module interprets?

    Operations are answered once per node and evaluator (one statement, one environment): the
    evaluator asks again at every level of a long ``a + b + c + ...``, which would otherwise walk
    the whole left operand each time (quadratic)."""
    if not isinstance(node, cst.BinaryOperation | cst.Call):
        return _maybe_text(ev, node)
    if _MEMO[0] is not ev:  # a new statement: a new environment
        _MEMO[:] = [ev, {}]
    memo: dict[int, bool] = _MEMO[1]  # type: ignore[assignment]
    found = memo.get(id(node))
    if found is None:
        found = memo[id(node)] = _maybe_text(ev, node)
    return found


def _maybe_text(ev: Evaluation, node: cst.BaseExpression) -> bool:
    if isinstance(node, cst.SimpleString | cst.ConcatenatedString):
        return isinstance(string_literal(node), str)
    if isinstance(node, cst.FormattedString):
        return True
    if isinstance(node, cst.Name):
        return isinstance(ev.fn.env.get(node.value), SqlText) or constant(ev, node) is not None
    if isinstance(node, cst.Attribute):
        return constant(ev, node) is not None or model_of_table_name(node) is not None
    if isinstance(node, cst.BinaryOperation):
        if isinstance(node.operator, cst.Modulo):
            return maybe_text(ev, node.left)
        if isinstance(node.operator, cst.Add):
            return maybe_text(ev, node.left) or maybe_text(ev, node.right)
        return False
    if isinstance(node, cst.Call):
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value in _STR_METHODS:
            return maybe_text(ev, func.value)
        q = _qualified(ev, func)
        return q in st.DEDENT or q in st.TEXT_CLAUSES or q in st.PSYCOPG_SQL or \
            q in st.PSYCOPG_HOLES or q in st.PSYCOPG_PLACEHOLDER or q in st.PSYCOPG_COMPOSED
    return False


def text_of(ev: Evaluation, node: cst.BaseExpression) -> Value:
    """Evaluate ``node`` (once); constants outside the environment come back as SqlText, and so does
    a call of a project function that returns constant text (``UserMessage.where_unread()``)."""
    if isinstance(node, cst.Name | cst.Attribute):
        text = constant(ev, node)
        if text is None and isinstance(node, cst.Attribute):
            text = table_name_text(ev, node)
        if text is not None:
            return SqlText(text=text)
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Name | cst.Attribute):
        text = constant(ev, node.func, "()")
        if text is not None:
            ev.eval_args(node)
            return SqlText(text=text)
    return ev.eval(node)


# ----- the hook ---------------------------------------------------------------------------------
def evaluate(ev: Evaluation, node: cst.BaseExpression) -> Value | None:
    # exact classes (libcst's node classes have no subclasses): asked of every expression the walk
    # evaluates, and an ``isinstance`` that fails on one runs ``ABCMeta.__instancecheck__``
    kind = type(node)
    if kind is cst.Call:
        return _call(ev, node)  # type: ignore[arg-type]
    if kind is cst.SimpleString or kind is cst.ConcatenatedString:
        value = string_literal(node)  # type: ignore[arg-type]
        return SqlText(text=value) if isinstance(value, str) else None
    if kind is cst.FormattedString:
        return _fstring(ev, node)  # type: ignore[arg-type]
    if kind is cst.BinaryOperation:
        assert isinstance(node, cst.BinaryOperation)
        if maybe_text(ev, node) and isinstance(node.operator, cst.Add | cst.Modulo):
            return _binary(ev, node)
        return None
    return None


def _fstring(ev: Evaluation, node: cst.FormattedString) -> SqlText:
    parts: list[SqlText] = []
    values: list[Value] = []
    for part in node.parts:
        if isinstance(part, cst.FormattedStringText):
            parts.append(SqlText(text=part.value.replace("{{", "{").replace("}}", "}")))
        elif isinstance(part, cst.FormattedStringExpression):
            value = text_of(ev, part.expression)
            values.append(value)
            plain = part.format_spec is None and part.conversion is None
            parts.append(st.as_text(value) if plain else st.hole(value))
    return st.concat(parts, _merge(values))


def _binary(ev: Evaluation, node: cst.BinaryOperation) -> SqlText:
    left = text_of(ev, node.left)
    if isinstance(node.operator, cst.Modulo) and isinstance(left, SqlText):
        right_node = node.right
        if isinstance(right_node, cst.Tuple):
            args = [text_of(ev, el.value) for el in right_node.elements]
            return st.percent_format(left, args, None, _merge([left, *args]))
        if isinstance(right_node, cst.Dict):
            named: dict[str, Value] = {}
            for el in right_node.elements:
                if isinstance(el, cst.DictElement):
                    ev.eval(el.key)
                    v = text_of(ev, el.value)
                    key = string_literal(el.key) if isinstance(el.key, cst.SimpleString) else None
                    if isinstance(key, str):
                        named[key] = v
                else:
                    ev.eval(el.value)
            return st.percent_format(left, [], named, _merge([left, *named.values()]))
        right = text_of(ev, right_node)
        return st.percent_format(left, [right], None, _merge([left, right]))
    right = text_of(ev, node.right)
    return st.concat([st.as_text(left), st.as_text(right)], _merge([left, right]))


def _args(ev: Evaluation, call: cst.Call) -> tuple[list[Value], dict[str, Value]]:
    pos: list[Value] = []
    named: dict[str, Value] = {}
    for arg in call.args:
        value = text_of(ev, arg.value)
        if arg.keyword is not None:
            named[arg.keyword.value] = value
        elif arg.star:
            pos.append(st.hole(value))
        else:
            pos.append(value)
    return pos, named


def _call(ev: Evaluation, node: cst.Call) -> Value | None:
    func = node.func
    if isinstance(func, cst.Attribute):
        method = func.attr.value
        if method in _STR_METHODS and maybe_text(ev, func.value):
            return _str_method(ev, node, func, method)
        sink = METHOD_SINKS.get(method)
        if sink is not None:
            sql_node = _sql_arg(node, sink)
            if sql_node is not None and maybe_text(ev, sql_node):
                if sink.evaluates_receiver:
                    ev.eval(func.value, use=False)
                return _sink(ev, node, sink, sql_node)
            return None
        if method in EXTRA_SINKS and any(a.keyword and a.keyword.value == "where" for a in node.args):
            return _extra(ev, node, func)
    q = _qualified(ev, func)
    if q in st.DEDENT or q in st.TEXT_CLAUSES or q in st.PSYCOPG_SQL:
        pos, named = _args(ev, node)
        first = pos[0] if pos else Value()
        if not isinstance(first, SqlText):
            return st.hole(first)
        return st.dedent(first) if q in st.DEDENT else first
    if q in st.PSYCOPG_LITERAL and len(node.args) == 1 and not node.args[0].star:
        return st.quoted_value(ev.eval(node.args[0].value))  # a value the driver quotes
    if q in st.PSYCOPG_IDENTIFIER:
        pos, named = _args(ev, node)
        names = [v.text for v in pos if isinstance(v, SqlText) and st.static_string(v) is not None]
        if pos and not named and len(names) == len(pos):
            return st.quoted_identifier(names)
        return st.hole(_merge([*pos, *named.values()]))
    if q in st.PSYCOPG_COMPOSED:
        seq = node.args[0].value if len(node.args) == 1 else None
        if isinstance(seq, cst.List | cst.Tuple) and not any(
                isinstance(el, cst.StarredElement) for el in seq.elements):
            items = [st.as_text(text_of(ev, el.value)) for el in seq.elements]
            return st.concat(items, _merge(list(items)))
        pos, named = _args(ev, node)
        return st.hole(_merge([*pos, *named.values()]))
    if q in st.PSYCOPG_HOLES:
        pos, named = _args(ev, node)
        return st.hole(_merge([*pos, *named.values()]))
    if q in st.PSYCOPG_PLACEHOLDER:
        pos, named = _args(ev, node)
        name = pos[0] if pos else named.get("name")
        if isinstance(name, SqlText) and name.static and not name.alternatives:
            return SqlText(text=f"%({name.text})s")
        return SqlText(text="%s")
    for sink in FUNCTION_SINKS:
        if sink.matches_function(q):
            sql_node = _sql_arg(node, sink)
            if sql_node is not None and maybe_text(ev, sql_node):
                return _sink(ev, node, sink, sql_node)
    return None


def _str_method(ev: Evaluation, node: cst.Call, func: cst.Attribute, method: str) -> Value:
    recv = text_of(ev, func.value)
    base = st.as_text(recv)
    if method == "format":
        pos, named = _args(ev, node)
        return st.brace_format(base, pos, named, _merge([recv, *pos, *named.values()]))
    if method == "join":
        seq = node.args[0].value if node.args else None
        if isinstance(seq, cst.List | cst.Tuple):
            items = [text_of(ev, el.value) for el in seq.elements]
            if any(isinstance(el, cst.StarredElement) for el in seq.elements):
                return st.hole(_merge([recv, *items]))
            return st.join(base, items, _merge([recv, *items]))
        if isinstance(seq, cst.ListComp | cst.GeneratorExp) and _literal_call(ev, seq.elt):
            # ``sql.SQL(", ").join([sql.Literal(u.id) for u in users])``: a list of quoted values.
            elt = seq.elt
            assert isinstance(elt, cst.Call)
            value = ev.in_comprehension(seq, lambda: ev.eval(elt.args[0].value))
            return st.quoted_value(value)
        pos, named = _args(ev, node)
        return st.join(base, None, _merge([recv, *pos]))
    if method == "bindparams":
        bound: list[tuple[str, Value]] = []
        for arg in node.args:
            if arg.keyword is not None:
                bound.append((arg.keyword.value, ev.eval(arg.value)))
            elif isinstance(arg.value, cst.Call) and _qualified(ev, arg.value.func).endswith("bindparam"):
                bound.extend(_bindparam(ev, arg.value))
            else:
                ev.eval(arg.value)
        return st.with_bound(base, after=tuple(bound))
    ev.eval_args(node)
    return base  # strip(): whitespace does not matter to SQL


def _literal_call(ev: Evaluation, node: cst.BaseExpression) -> bool:
    """``sql.Literal(v)`` (psycopg) with one plain argument."""
    return (isinstance(node, cst.Call) and len(node.args) == 1 and not node.args[0].star
            and node.args[0].keyword is None and _qualified(ev, node.func) in st.PSYCOPG_LITERAL)


def _bindparam(ev: Evaluation, call: cst.Call) -> list[tuple[str, Value]]:
    key: str | None = None
    value = Value()
    for i, arg in enumerate(call.args):
        v = ev.eval(arg.value)
        kw = arg.keyword.value if arg.keyword else None
        if (kw == "key" or (kw is None and i == 0)) and isinstance(v, SqlText) and v.static \
                and not v.alternatives:
            key = v.text
        elif kw == "value" or (kw is None and i == 1):
            value = v
    return [(key, value)] if key else []


def _sql_arg(node: cst.Call, sink: SqlSink) -> cst.BaseExpression | None:
    for arg in node.args:
        if arg.keyword is not None and arg.keyword.value in sink.sql_keywords:
            return arg.value
    if sink.sql_position == 0:
        if node.args and node.args[0].keyword is None and not node.args[0].star:
            return node.args[0].value
        return None
    positional = [a for a in node.args if a.keyword is None and not a.star]
    return positional[sink.sql_position].value if len(positional) > sink.sql_position else None


# ----- sinks ------------------------------------------------------------------------------------
def _sink(ev: Evaluation, node: cst.Call, sink: SqlSink, sql_node: cst.BaseExpression) -> Value:
    value = text_of(ev, sql_node)
    text = value if isinstance(value, SqlText) else st.hole(value)
    texts = st.variants(text)  # each text built on a branch of its own, verified alike
    binding = ParamBinding()
    if len(texts) == 1:
        binding.add_named(dict(text.bound))
    many = sink.many
    dollar = any(_DOLLAR.search(t.text) is not None for t in texts)
    spread = not many and (sink.spread or (sink.spread_on_dollar and dollar))
    params_index = sink.params_position
    positional = 0
    for arg in node.args:
        if arg.value is sql_node:
            continue
        kw = arg.keyword.value if arg.keyword is not None else None
        if kw is None:
            positional += 1
            if spread:
                v = ev.eval(arg.value)
                if arg.star:
                    binding.open_ended = True
                elif not binding.open_ended:
                    binding.positional.append(v)
            elif positional == params_index:
                bind_container(arg.value, ev.eval, binding, many=many, in_comp=ev.in_comprehension)
            else:
                ev.eval(arg.value)
        elif kw in PARAM_KEYWORDS or kw in sink.param_keywords:
            bind_container(arg.value, ev.eval, binding, many=many, in_comp=ev.in_comprehension)
        elif kw not in NOT_PARAMS and sink.keyword_params:
            binding.named.setdefault(kw, ev.eval(arg.value))  # legacy engine.execute(sql, org=...)
        else:
            ev.eval(arg.value)
    seen: set[object] = set()  # each fact once, whichever texts share it
    for one in texts:
        if sink.rows_values:
            one = expand_values(one, node)
        verify(ev, node, one, binding if len(texts) == 1 else binding.with_named(one.bound), seen)
    if text.overflow:
        ev.report_sql_problem(node, "dynamic", "SQL built at run time cannot be verified: more than "
                              f"{st.MAX_ALTERNATIVES} different texts built on different branches")
    return Value()


# ----- Django extra(where=[...]) ----------------------------------------------------------------
def _extra(ev: Evaluation, node: cst.Call, func: cst.Attribute) -> Value:
    recv = ev.eval(func.value, use=False)
    binding = ParamBinding()
    fragments: list[SqlText] = []
    for arg in node.args:
        kw = arg.keyword.value if arg.keyword else None
        if kw == "where" and isinstance(arg.value, cst.List | cst.Tuple):
            for el in arg.value.elements:
                fragments.append(st.as_text(text_of(ev, el.value)))
        elif kw == "where":
            fragments.append(st.hole(ev.eval(arg.value)))
        elif kw == "params":
            bind_container(arg.value, ev.eval, binding)
        else:
            ev.eval(arg.value)
    if not isinstance(recv, QueryValue) or recv.origin is None or not fragments:
        return recv if isinstance(recv, QueryValue) else Value()
    q = recv
    origin = recv.origin
    assert origin is not None
    parts: list[SqlText] = [SqlText(text=f"SELECT * FROM {origin.table} WHERE ")]
    for i, frag in enumerate(fragments):
        parts.append(SqlText(text=" AND (" if i else "("))
        parts.append(frag)
        parts.append(SqlText(text=")"))
    text = st.concat(parts, Value())
    result = analyze(ev, text)
    if result.error is not None and text.static:
        ev.report_sql_problem(node, "unparsable", f"extra(where=...) does not parse: {result.error}")
        return ev.derive(q, node)
    if result.unverifiable is not None:
        ev.report_sql_problem(node, "dynamic", f"extra(where=...) built at run time: {result.unverifiable}")
        origin.internal = True
        return ev.derive(q, node)
    mine = normalize_table(origin.table)
    for use in result.uses:
        if normalize_table(use.table) != mine:
            continue
        table_use = table_use_of(ev, use.scoping, use.table, use.detail, use.params, binding)
        if use.scoping is Scoping.TRUSTED_FILTER:
            prov = table_use.untrusted or Provenance.trusted("extra(where=...)")
            return ev.derive(q, node, q.state.add_pin(Pin(prov, Scoping.TRUSTED_FILTER, "extra(where=...)")))
        if use.scoping is Scoping.WEAKENED:
            return ev.derive(q, node, replace(q.state, weakened=q.state.weakened or use.detail or "OR"))
    return ev.derive(q, node)
