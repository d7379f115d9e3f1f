"""Small, metadata-free helpers for reading libcst nodes in model definitions."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import libcst as cst
from libcst.helpers import get_full_name_for_node


def dotted(node: cst.CSTNode | None) -> str | None:
    """``models.ForeignKey`` -> ``"models.ForeignKey"``; None for anything that is not a name."""
    if node is None:
        return None
    if isinstance(node, cst.Call):
        node = node.func
    if not isinstance(node, (cst.Name, cst.Attribute)):
        return None
    return get_full_name_for_node(node)


def last_part(name: str) -> str:
    return name.rsplit(".", 1)[-1]


def call_name(node: cst.BaseExpression | None) -> str | None:
    """The dotted name of the called function, or None when ``node`` is not a simple call."""
    if isinstance(node, cst.Call):
        return dotted(node.func)
    return None


def string_value(node: cst.BaseExpression | None) -> str | None:
    """The value of a plain (non-f) string literal."""
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def positional(call: cst.Call) -> list[cst.BaseExpression]:
    return [a.value for a in call.args if a.keyword is None and not a.star]


def keyword(call: cst.Call, name: str) -> cst.BaseExpression | None:
    for a in call.args:
        if a.keyword is not None and a.keyword.value == name:
            return a.value
    return None


def is_true(node: cst.BaseExpression | None) -> bool:
    return isinstance(node, cst.Name) and node.value == "True"


def is_false(node: cst.BaseExpression | None) -> bool:
    return isinstance(node, cst.Name) and node.value == "False"


def snake_case(name: str) -> str:
    """Flask-SQLAlchemy's default table name: ``InvoiceLine`` -> ``invoice_line``."""
    s = re.sub(r"((?<=[a-z0-9])[A-Z]|(?!^)[A-Z](?=[a-z]))", r"_\1", name)
    return s.lower().lstrip("_")


@dataclass(frozen=True, slots=True)
class ClassItem:
    """One statement of a class body, reduced to what model extraction needs."""

    target: str  # attribute name
    value: cst.BaseExpression | None  # assigned value (None for a bare annotation)
    annotation: cst.BaseExpression | None = None
    decorated: tuple[str, ...] = ()  # decorator names, for ``@declared_attr def org_id(cls)``


def class_items(cls: cst.ClassDef) -> Iterator[ClassItem]:
    """Assignments, annotated assignments and ``@declared_attr`` methods of a class body."""
    body = cls.body
    if not isinstance(body, cst.IndentedBlock):
        return
    for stmt in body.body:
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                if isinstance(small, cst.Assign) and len(small.targets) == 1:
                    tgt = small.targets[0].target
                    if isinstance(tgt, cst.Name):
                        yield ClassItem(tgt.value, small.value)
                elif isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
                    yield ClassItem(small.target.value, small.value, small.annotation.annotation)
        elif isinstance(stmt, cst.FunctionDef) and stmt.decorators:
            names = tuple(last_part(dotted(d.decorator) or "") for d in stmt.decorators)
            if "declared_attr" in names:
                ret = _returned(stmt)
                if ret is not None:
                    yield ClassItem(stmt.name.value, ret, decorated=names)


def _returned(fn: cst.FunctionDef) -> cst.BaseExpression | None:
    body = fn.body
    if not isinstance(body, cst.IndentedBlock):
        return None
    for stmt in body.body:
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                if isinstance(small, cst.Return) and small.value is not None:
                    return small.value
    return None


def inner_class(cls: cst.ClassDef, name: str) -> cst.ClassDef | None:
    body = cls.body
    if isinstance(body, cst.IndentedBlock):
        for stmt in body.body:
            if isinstance(stmt, cst.ClassDef) and stmt.name.value == name:
                return stmt
    return None


def meta_options(cls: cst.ClassDef) -> dict[str, cst.BaseExpression]:
    """``class Meta: db_table = "x"`` -> ``{"db_table": <node>}``."""
    meta = inner_class(cls, "Meta")
    if meta is None:
        return {}
    return {item.target: item.value for item in class_items(meta) if item.value is not None}


def base_names(cls: cst.ClassDef) -> tuple[str, ...]:
    """Base classes as written (full dotted text); keyword arguments (``table=True``) excluded."""
    out: list[str] = []
    for arg in cls.bases:
        if arg.keyword is None:
            name = dotted(arg.value)
            if name:
                out.append(name)
    return tuple(out)


def class_keyword(cls: cst.ClassDef, name: str) -> cst.BaseExpression | None:
    for arg in cls.keywords:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg.value
    return None


class LineFinder:
    """Cheap line numbers from the source text, without PositionProvider."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._seen: dict[str, int] = {}

    def _nth(self, key: str, pattern: str, flags: int = 0) -> int:
        n = self._seen.get(key, 0)
        self._seen[key] = n + 1
        matches = list(re.finditer(pattern, self._text, re.MULTILINE | flags))
        if not matches:
            return 1
        m = matches[min(n, len(matches) - 1)]
        return self._text.count("\n", 0, m.start()) + 1

    def class_line(self, name: str) -> int:
        return self._nth("class " + name, rf"^[ \t]*class[ \t]+{re.escape(name)}\b")

    def call_line(self, func: str, first_arg: str) -> int:
        pattern = rf"\b{re.escape(func)}\(\s*['\"]{re.escape(first_arg)}['\"]"
        return self._nth(f"{func}({first_arg}", pattern)

    def create_table_line(self, table: str) -> int:
        """Line of ``CREATE TABLE [IF NOT EXISTS] [schema.]table`` in SQL text."""
        pattern = (
            r"\bcreate\s+(?:\w+\s+)*?table\s+(?:if\s+not\s+exists\s+)?"
            rf"(?:[\"`\[]?\w+[\"`\]]?\.)?[\"`\[]?{re.escape(table)}\b"
        )
        return self._nth("create table " + table, pattern, re.IGNORECASE)
