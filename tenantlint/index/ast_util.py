"""Small helpers for reading CPython ``ast`` nodes in model definitions.

Model extraction runs on ``ast`` (about 10x cheaper to build than a libcst tree). The helpers keep
the results of the former libcst readers: ``dotted`` spells names like libcst's
``get_full_name_for_node``, and a body written on its header's line (``class Meta: abstract =
True``) is not read as a block, as before.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice
from typing import Literal

CallSpelling = Literal["through", "mark", "reject"]


def dotted(node: object, *, calls: CallSpelling = "through") -> str | None:
    """The dotted name of a name/attribute chain (the one ``ast`` helper for this; libcst's is
    :func:`tenantlint.analysis.interp.exprs.dotted`). How a call in the chain is spelled:

    * ``"through"`` (model extraction): like libcst's ``get_full_name_for_node``: a call or subscript
      is looked through (``models.ForeignKey(...)`` and ``sa.orm.relationship()[0].x`` read
      ``models.ForeignKey`` / ``sa.orm.relationship.x``), and the node itself must be a name, an
      attribute or a call;
    * ``"mark"`` (trusted-value text): ``get_current_org().id`` is ``"get_current_org().id"``, an
      ``await`` is looked through, as the analysis spells values;
    * ``"reject"``: names and attributes only.
    """
    if calls == "through":
        if isinstance(node, ast.Call):
            node = node.func
        if not isinstance(node, (ast.Name, ast.Attribute)):
            return None
    return _dotted(node, calls)


def _dotted(node: object, calls: CallSpelling) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value, calls)
        if calls == "through":  # libcst's spelling keeps an unnamed base as "None"
            return f"{base}.{node.attr}"
        return f"{base}.{node.attr}" if base else None
    if calls == "through" and isinstance(node, (ast.Call, ast.Subscript)):
        return _dotted(node.func if isinstance(node, ast.Call) else node.value, calls)
    if calls == "mark" and isinstance(node, ast.Call):
        base = _dotted(node.func, calls)
        return f"{base}()" if base else None
    if calls == "mark" and isinstance(node, ast.Await):
        return _dotted(node.value, calls)
    return None


def last_part(name: str) -> str:
    return name.rsplit(".", 1)[-1]


def call_name(node: ast.expr | None) -> str | None:
    """The dotted name of the called function, or None when ``node`` is not a simple call."""
    if isinstance(node, ast.Call):
        return dotted(node.func)
    return None


def string_value(node: ast.expr | None) -> str | None:
    """The value of a plain (non-f) string literal."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def positional(call: ast.Call) -> list[ast.expr]:
    return [a for a in call.args if not isinstance(a, ast.Starred)]


def keyword(call: ast.Call, name: str) -> ast.expr | None:
    for k in call.keywords:
        if k.arg == name:
            return k.value
    return None


def is_true(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is True


def is_false(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is False


def walk(node: ast.AST) -> Iterator[ast.AST]:
    """``ast.walk``: ``node`` and every node below it, in the same (breadth-first) order, about
    three times cheaper (no generator per node, no ``iter_fields``/``iter_child_nodes``), without
    the expression contexts (``Load()``, ``Store()``: read them as ``node.ctx``). Every
    whole-tree reader of the project pass goes through it: a file of 50,000 statements is walked
    by several readers. Inside :func:`shared_walks`, the walk of a module or of one of its
    top-level statements is listed once and read again from the list by the next reader."""
    if _SHARED:
        listed = _shared(node)
        if listed is not None:
            return iter(listed)
    return walk_until(node, _NoStop)


# id(root) -> (root, its walk once listed): the roots :func:`shared_walks` registered
_SHARED: dict[int, tuple[ast.AST, list[ast.AST] | None]] = {}


def _shared(node: ast.AST) -> list[ast.AST] | None:
    entry = _SHARED.get(id(node))
    if entry is None or entry[0] is not node:
        return None
    listed = entry[1]
    if listed is None:
        listed = list(walk_until(node, _NoStop))
        _SHARED[id(node)] = (node, listed)
    return listed


@contextmanager
def shared_walks(tree: ast.Module) -> Iterator[None]:
    """While the block runs, :func:`walk` of ``tree`` or of one of its top-level statements is
    listed the first time and read from that list afterwards (the same nodes in the same order):
    the project pass's readers (the prefilter's identifiers, the constructor calls, the method
    references, the membership candidates, a function's bound names) each walked the whole tree,
    ~0.2 s apiece for a function of 50,000 statements. ``walk_until(tree, stop)`` reads the list
    too when no node of class ``stop`` is in it. The lists are dropped when the block ends (the
    tree must not change inside it)."""
    saved = dict(_SHARED)
    _SHARED.clear()
    for root in (tree, *tree.body):
        _SHARED[id(root)] = (root, None)
    try:
        yield
    finally:
        _SHARED.clear()
        _SHARED.update(saved)


class _NoStop(ast.AST):
    """A class no node of a parsed tree has: :func:`walk` stops nowhere."""


def walk_until(node: ast.AST, stop: type) -> Iterator[ast.AST]:
    """:func:`walk` that yields the nodes of class ``stop`` below ``node`` without walking into
    them (a reader that starts a walk of its own there: a class body read with its own context)."""
    if _SHARED and stop is not _NoStop:
        listed = _shared(node)
        if listed is not None and not any(n.__class__ is stop for n in islice(listed, 1, None)):
            yield from listed  # no ``stop`` node below: the whole walk
            return
    todo = [node]
    push = todo.append
    fields_of = _CHILD_FIELDS
    node_class = ast.AST
    for current in todo:  # the list grows while it is read: a queue without popping
        cls = current.__class__
        yield current
        if cls is stop and current is not node:
            continue
        for name in fields_of.get(cls) or _child_fields(cls):
            value = getattr(current, name, None)
            if value.__class__ is list:
                for item in value:
                    if isinstance(item, node_class):
                        push(item)
            elif isinstance(value, node_class):
                push(value)


def children(node: ast.AST) -> list[ast.AST]:
    """``ast.iter_child_nodes`` as a list, in the same order (a few times cheaper), without the
    expression context (``ctx``)."""
    out: list[ast.AST] = []
    push = out.append
    for name in _CHILD_FIELDS.get(node.__class__) or _child_fields(node.__class__):
        value = getattr(node, name, None)
        if value.__class__ is list:
            for item in value:
                if isinstance(item, ast.AST):
                    push(item)
        elif isinstance(value, ast.AST):
            push(value)
    return out


# Per node class, the fields that can hold child nodes: not ``ctx`` (``Load()``/``Store()``, read
# through ``node.ctx`` by whoever needs it, never walked to: two nodes in five of a typical body),
# nor the fields of plain values (names, numbers, strings).
_PLAIN_FIELDS = frozenset({"ctx", "id", "attr", "arg", "name", "module", "level", "kind",
                           "conversion", "is_async", "simple", "type_comment", "tag", "lineno"})
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}


def _child_fields(cls: type) -> tuple[str, ...]:
    fields = _CHILD_FIELDS.get(cls)
    if fields is None:
        own: tuple[str, ...] = getattr(cls, "_fields", ())
        fields = _CHILD_FIELDS[cls] = tuple(f for f in own if f not in _PLAIN_FIELDS)
    return fields


# For a reader that inlines :func:`children` in its own loop (``prepass.name_counts``): the map
# (``CHILD_FIELDS.get(cls) or child_fields(cls)``) and what fills it.
CHILD_FIELDS = _CHILD_FIELDS
child_fields = _child_fields


def _push_children(node: ast.AST, push: Callable[[ast.AST], None]) -> None:
    """Hand each direct child of ``node`` to ``push``, in ``ast.iter_child_nodes`` order, but for
    expression contexts (``ctx``), which are skipped."""
    fields = _CHILD_FIELDS.get(node.__class__) or _child_fields(node.__class__)
    for name in fields:
        value = getattr(node, name, None)
        if value.__class__ is list:
            for item in value:
                if isinstance(item, ast.AST):
                    push(item)
        elif isinstance(value, ast.AST):
            push(value)


def refuses(fn: ast.AST, refusal: Callable[[ast.expr], bool]) -> bool:
    """``fn`` raises somewhere, returns ``False``, or returns a value ``refusal`` accepts (what counts
    as a refusing value is the caller's: a 403 response, the lookup's result, ...)."""
    for node in walk(fn):
        if isinstance(node, ast.Raise):
            return True
        if isinstance(node, ast.Return) and node.value is not None:
            if is_false(node.value) or refusal(node.value):
                return True
    return False


def named_assignments(cls: ast.ClassDef) -> Iterator[tuple[str, ast.expr]]:
    """``name = value`` and ``name: T = value`` statements of a class body, as (name, value)."""
    for item in cls.body:
        if isinstance(item, ast.Assign) and len(item.targets) == 1:
            target, value = item.targets[0], item.value
        elif isinstance(item, ast.AnnAssign) and item.value is not None:
            target, value = item.target, item.value
        else:
            continue
        if isinstance(target, ast.Name):
            yield target.id, value


def snake_case(name: str) -> str:
    """Flask-SQLAlchemy's default table name: ``InvoiceLine`` -> ``invoice_line``."""
    s = re.sub(r"((?<=[a-z0-9])[A-Z]|(?!^)[A-Z](?=[a-z]))", r"_\1", name)
    return s.lower().lstrip("_")


class Source:
    """The file's lines, to tell an indented block from a body written on its header's line."""

    def __init__(self, text: str) -> None:
        self._lines = re.split(r"\r\n|\r|\n", text)  # as the tokenizer counts lines

    def is_block(self, body: Sequence[ast.stmt]) -> bool:
        """True when the first statement of ``body`` starts its own line (an indented block)."""
        if not body:
            return False
        first = body[0]
        if first.lineno - 1 >= len(self._lines):
            return True
        line = self._lines[first.lineno - 1]
        return first.col_offset == len(line) - len(line.lstrip())


@dataclass(frozen=True, slots=True)
class ClassItem:
    """One statement of a class body, reduced to what model extraction needs."""

    target: str  # attribute name
    value: ast.expr | None  # assigned value (None for a bare annotation)
    annotation: ast.expr | None = None
    decorated: tuple[str, ...] = ()  # decorator names, for ``@declared_attr def org_id(cls)``


_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


def class_items(cls: ast.ClassDef, src: Source) -> Iterator[ClassItem]:
    """Assignments, annotated assignments and ``@declared_attr`` methods of a class body."""
    if not src.is_block(cls.body):
        return
    for stmt in cls.body:
        if isinstance(stmt, ast.Assign):
            if len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
                yield ClassItem(stmt.targets[0].id, stmt.value)
        elif isinstance(stmt, ast.AnnAssign):
            if isinstance(stmt.target, ast.Name):
                yield ClassItem(stmt.target.id, stmt.value, stmt.annotation)
        elif isinstance(stmt, _FUNCTIONS) and stmt.decorator_list:
            names = tuple(last_part(dotted(d) or "") for d in stmt.decorator_list)
            if "declared_attr" in names:
                ret = _returned(stmt, src)
                if ret is not None:
                    yield ClassItem(stmt.name, ret, decorated=names)


def _returned(fn: ast.FunctionDef | ast.AsyncFunctionDef, src: Source) -> ast.expr | None:
    if not src.is_block(fn.body):
        return None
    for stmt in fn.body:
        if isinstance(stmt, ast.Return) and stmt.value is not None:
            return stmt.value
    return None


def inner_class(cls: ast.ClassDef, name: str, src: Source) -> ast.ClassDef | None:
    if src.is_block(cls.body):
        for stmt in cls.body:
            if isinstance(stmt, ast.ClassDef) and stmt.name == name:
                return stmt
    return None


def meta_options(cls: ast.ClassDef, src: Source) -> dict[str, ast.expr]:
    """``class Meta: db_table = "x"`` -> ``{"db_table": <node>}``."""
    meta = inner_class(cls, "Meta", src)
    if meta is None:
        return {}
    return {item.target: item.value for item in class_items(meta, src) if item.value is not None}


def _unstar(node: ast.expr) -> ast.expr:
    return node.value if isinstance(node, ast.Starred) else node


def base_names(cls: ast.ClassDef) -> tuple[str, ...]:
    """Base classes as written (full dotted text); keyword arguments (``table=True``) excluded."""
    out: list[str] = []
    for arg in cls.bases:
        name = dotted(_unstar(arg))
        if name:
            out.append(name)
    return tuple(out)


def class_keyword(cls: ast.ClassDef, name: str) -> ast.expr | None:
    for k in cls.keywords:
        if k.arg == name:
            return k.value
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


def spreads_only(args: list[ast.expr], keywords: list[ast.keyword], star: str, double: str,
                 exact: bool = False) -> bool:
    """The arguments of a call are nothing but ``*star`` (positional) and ``**double`` (keywords),
    at most once each; with ``exact``, exactly once each (``func(*args, **kwargs)``)."""
    if len(args) > 1 or len(keywords) > 1 or exact and (len(args) != 1 or len(keywords) != 1):
        return False
    if args and not (isinstance(args[0], ast.Starred) and isinstance(args[0].value, ast.Name)
                     and args[0].value.id == star):
        return False
    return not keywords or (keywords[0].arg is None and isinstance(keywords[0].value, ast.Name)
                            and keywords[0].value.id == double)
