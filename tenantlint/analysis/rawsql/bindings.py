"""The params argument of a SQL call, as Values by position and by name.

``%s``/``?``/``$1`` (``ParamRef.index``) index the positional values, ``%(name)s``/``:name`` the named
ones. Params the analysis cannot see into (an opaque variable, ``*args``) are unknown: never untrusted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import libcst as cst

from tenantlint.analysis.interp.literals import string_literal
from tenantlint.analysis.interp.values import DictValue, SeqValue, Value
from tenantlint.sqlcheck.verdict import ParamRef

Eval = Callable[[cst.BaseExpression], Value]
Comp = cst.ListComp | cst.GeneratorExp
# Runs the callback with a comprehension's loop variables bound (``Evaluator.in_comprehension``).
InComp = Callable[[Comp, Callable[[], None]], None]
_ROW = (cst.List, cst.Tuple, cst.Dict)


@dataclass
class ParamBinding:
    positional: list[Value] = field(default_factory=list)
    named: dict[str, Value] = field(default_factory=dict)
    open_ended: bool = False  # a ``*args`` cut the positional list short
    # The whole container is request input (``execute(sql, request.GET)``): every placeholder it
    # does not name is bound to it.
    fallback: Value | None = None

    def lookup(self, ref: ParamRef) -> Value | None:
        if ref.name is not None:
            return self.named.get(ref.name, self.fallback)
        if ref.index is not None and ref.index < len(self.positional):
            return self.positional[ref.index]
        return self.fallback

    def add_named(self, items: dict[str, Value]) -> None:
        for k, v in items.items():
            self.named.setdefault(k, v)

    def with_named(self, items: tuple[tuple[str, Value], ...]) -> ParamBinding:
        """A copy with the values one SQL text binds itself (``sql.Literal``, ``bindparams``), which
        win over the call's params of the same name."""
        return ParamBinding(list(self.positional), {**self.named, **dict(items)}, self.open_ended,
                            self.fallback)


def _elements(node: cst.List | cst.Tuple, ev: Eval, out: ParamBinding) -> None:
    for el in node.elements:
        value = ev(el.value)
        if isinstance(el, cst.StarredElement):
            out.open_ended = True
        if not out.open_ended:
            out.positional.append(value)


def bind_container(node: cst.BaseExpression, ev: Eval, out: ParamBinding, many: bool = False,
                   in_comp: InComp | None = None) -> None:
    """Evaluate a params container once, recording its element values.

    ``many``: ``executemany``'s sequence of rows; every literal row is bound (the worst value wins
    because each row is checked against the same placeholders), and so is the row of a comprehension
    (``[(org_id, e["x"]) for e in events]``) when ``in_comp`` can bind its loop variables.
    """
    if many and in_comp is not None and isinstance(node, Comp) and isinstance(node.elt, _ROW):
        sub = ParamBinding()
        elt = node.elt
        in_comp(node, lambda: bind_container(elt, ev, sub))
        _merge_rows(out, sub)
        return
    if many and isinstance(node, cst.List | cst.Tuple):
        for el in node.elements:
            row = el.value
            if isinstance(row, cst.List | cst.Tuple | cst.Dict) and not isinstance(el, cst.StarredElement):
                sub = ParamBinding()
                bind_container(row, ev, sub)
                _merge_rows(out, sub)
            else:
                ev(row)
        return
    if isinstance(node, cst.List | cst.Tuple):
        _elements(node, ev, out)
        return
    if isinstance(node, cst.Dict):
        for item in node.elements:
            if isinstance(item, cst.DictElement):
                ev(item.key)
                value = ev(item.value)
                key = item.key
                if isinstance(key, cst.SimpleString) and isinstance(name := string_literal(key), str):
                    out.named.setdefault(name, value)
            else:
                ev(item.value)
        return
    if (
        isinstance(node, cst.Call)
        and isinstance(node.func, cst.Name)
        and node.func.value == "dict"
        and all(a.keyword is not None for a in node.args)
    ):
        for arg in node.args:
            assert arg.keyword is not None
            out.named.setdefault(arg.keyword.value, ev(arg.value))
        return
    bind_value(ev(node), out, many)


def bind_value(value: Value, out: ParamBinding, many: bool = False) -> None:
    """Bind from an evaluated container: a local name holding a list/tuple/dict literal binds its
    elements; an untrusted opaque container binds every placeholder (not for ``executemany``, whose
    rows may mix a trusted tenant with request data)."""
    if many:
        if isinstance(value, SeqValue):
            for item in value.items:
                sub = ParamBinding()
                bind_value(item, sub)
                _merge_rows(out, sub)
        return
    if isinstance(value, DictValue):
        out.add_named(dict(value.items))
    elif isinstance(value, SeqValue):
        if not out.open_ended:
            out.positional.extend(value.items)
        out.open_ended = out.open_ended or value.open_ended
    elif value.untrusted and type(value) is Value:
        out.fallback = value


def _merge_rows(out: ParamBinding, row: ParamBinding) -> None:
    for i, v in enumerate(row.positional):
        if i >= len(out.positional):
            out.positional.append(v)
        elif v.untrusted and not out.positional[i].untrusted:
            out.positional[i] = v
    for k, v in row.named.items():
        if k not in out.named or (v.untrusted and not out.named[k].untrusted):
            out.named[k] = v
