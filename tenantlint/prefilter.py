"""Decide cheaply whether a file can produce any finding at all.

Conservative by construction: a file is analysed when any rule could fire on it —

* an ORM query, insert or view of a tenant table (TNT101-105, TNT202) needs an identifier in the
  code naming a tenant model, table, reverse accessor (``org.invoices``, ``task_set``) or a
  serializer of a tenant model, since that is how the analysis recognises one — and a tenant
  table: in a project where none was found (no configuration, nothing discovered) no identifier
  counts;
* raw SQL (TNT101-105, TNT301/302) needs a database sink (an identifier containing one of the sink
  words derived from ``analysis/rawsql/sink_table.py``: ``execute``, ``raw``, ``fetch``, ...) plus
  SQL text: an SQL verb or the name of a project SQL constant;
* a tenant key read from request input (TNT201) needs a tenant key where the analysis reads keys: an
  attribute (``payload.org_id``), a parameter (``def h(org_id: int)``), a subscript
  (``request.POST["org_id"]``), the first argument of a call (``.get("org_id")``) or an ``alias=``;
  or a parameter typed with an ``Annotated`` alias of another module;
* suppression comments (TNT901/902) need ``tenantlint``, or ``noqa`` with one of our codes
  (``TNT...``): a bare ``# noqa`` and other tools' codes (``# noqa: E501``) are never reported, and
  suppress nothing in a file where no rule can fire;
* an event put on a named queue (a call site of its consumer) needs the queue's name, quoted.

Two stages: substring and identifier tests on the text (cheap, a superset), then, for files that
pass, the same tests on CPython's ``ast`` of the file (identifiers in code only, so a model named in
a migration's strings or a key in an admin tuple does not count). Skipped files are still compiled
with ``ast``, so syntax errors are reported (TNT999).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tenantlint.analysis.interp.exprs import header_key
from tenantlint.analysis.rawsql.sink_table import sink_words
from tenantlint.config.options import Config
from tenantlint.crossfile import EMPTY, CrossFileFacts
from tenantlint.index.ast_util import walk
from tenantlint.index.records import ProjectIndex
from tenantlint.sqlcheck.keywords import SQL_VERBS

if TYPE_CHECKING:
    from tenantlint.analysis.settings import Settings

SQL_WORDS = SQL_VERBS
SINK_WORDS = sink_words()  # a substring of every sink's name (``analysis/rawsql/sink_table.py``)
IDENTIFIER = re.compile(r"\w+")
# No leading word boundary: in source the keyword may follow an escape (``"\\nSELECT"``).
SQL_KEYWORD = re.compile(r"(?:" + "|".join(SQL_WORDS) + r")(?![a-z0-9_])")  # on lower-cased text


def _model_tokens(index: ProjectIndex) -> set[str]:
    words: set[str] = set(index.tokens())
    for name, table in index.by_model.items():
        if index.tenant_table(table) is not None:
            words.add(name)
    for t in index.tables.values():
        words.add(t.table)
    for word in list(words):
        words.add(word.lower())
        words.add(f"{word.lower()}_set")  # Django's default reverse accessor
    return words


class CodeShape:
    """What the analysis could key on in one module's ``ast``: identifiers, and the names that it
    reads as request keys."""

    __slots__ = ("identifiers", "keys")

    def __init__(self, tree: ast.Module) -> None:
        identifiers: set[str] = set()
        keys: set[str] = set()
        add_identifier, add_key = identifiers.add, keys.add
        for node in walk(tree):  # exact classes: most nodes are none of these (ctx nodes skipped)
            kind = node.__class__
            if kind is ast.Name:
                add_identifier(node.id)  # type: ignore[attr-defined]
            elif kind is ast.Attribute:
                add_identifier(node.attr)  # type: ignore[attr-defined]
                add_key(node.attr)  # type: ignore[attr-defined]
            elif kind is ast.Call:
                if node.args:  # type: ignore[attr-defined]
                    _add_string(keys, node.args[0])  # type: ignore[attr-defined]
                for kw in node.keywords:  # type: ignore[attr-defined]
                    if kw.arg is not None:
                        add_identifier(kw.arg)
                        if kw.arg == "alias":
                            _add_string(keys, kw.value)
            elif kind is ast.Subscript:
                index = node.slice  # type: ignore[attr-defined]
                for part in index.elts if isinstance(index, ast.Tuple) else (index,):
                    _add_string(keys, part)
            elif kind is ast.arg:
                add_identifier(node.arg)  # type: ignore[attr-defined]
                add_key(node.arg)  # type: ignore[attr-defined]
            elif kind in _DEFINITIONS:
                add_identifier(node.name)  # type: ignore[attr-defined]
            elif kind is ast.alias:
                identifiers.update(node.name.split("."))  # type: ignore[attr-defined]
                if node.asname:  # type: ignore[attr-defined]
                    add_identifier(node.asname)  # type: ignore[attr-defined]
        self.identifiers = frozenset(identifiers)
        self.keys = frozenset(keys)


_DEFINITIONS = frozenset({ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef})


def _add_string(into: set[str], node: ast.expr) -> None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        into.add(node.value)


@dataclass(frozen=True, slots=True)
class Prefilter:
    tokens: frozenset[str]  # identifiers naming a tenant model, table, accessor, serializer or alias
    constants: frozenset[str]  # last parts of project SQL constants (``OPEN_INVOICES``)
    tenant_keys: tuple[str, ...]  # lower case, ``_`` and ``-`` spellings
    # quoted names of the project's named queues (``index/named_queues.py``): a file spelling one may
    # put an event on it, a call site of its consumer
    queues: tuple[str, ...] = ()
    # the content digests of the project's Python files that the pre-pass parsed without error
    # (``scan.ProjectFiles.parsed``): such a file that the first stage skips needs no parse to be
    # skipped (its syntax errors, TNT999, would have shown in the pre-pass)
    parsed: frozenset[str] = frozenset()

    @classmethod
    def build(
        cls,
        index: ProjectIndex,
        config: Config,
        related: Iterable[str] = (),
        facts: CrossFileFacts = EMPTY,
        model_holders: Iterable[str] = (),
    ) -> Prefilter:
        """``related``: reverse accessor names; ``facts``: what the project's files tell of each
        other — serializers of tenant models, names of project SQL constants, and ``Annotated``/
        ``Depends`` aliases defined in project modules (their ``alias=`` may name a tenant key the
        importing file never spells); ``model_holders``: service/repository classes whose methods
        reach a model through an attribute (``cls.model``) set elsewhere."""
        words: set[str] = set()
        if index.tables:  # with no tenant table at all, no identifier can lead to one
            words = _model_tokens(index)
            words.update(related)
            for serializer, model in facts.serializer_models.items():
                if model in words:
                    words.add(serializer)
            words.update(model_holders)
        words.update(name.rsplit(".", 1)[-1] for name in facts.param_aliases)  # tenant keys (TNT201)
        keys: set[str] = set()
        for key in (*config.tenant_keys, *config.tenant_columns):
            low = key.lower()
            keys.update((low, low.replace("_", "-")))
        constants = frozenset(name.rsplit(".", 1)[-1] for name in facts.sql_constants)
        queues = tuple(sorted(f"{quote}{name}{quote}" for name in facts.named_queues for quote in "\"'"))
        return cls(frozenset(w for w in words if w), constants, tuple(sorted(k for k in keys if k)), queues)

    @classmethod
    def of(cls, settings: Settings) -> Prefilter:
        """The prefilter of a run's analysis settings (``check``, ``check -`` and the flake8 plugin)."""
        return cls.build(settings.index, settings.config, settings.related, settings.facts,
                         settings.class_models.base_names(settings.index.by_model))

    def may_matter(self, text: str, tree: ast.Module | None = None, shape: CodeShape | None = None) -> bool:
        """``tree``: CPython's ``ast`` of ``text``, for the sharper second stage (or ``shape``, its
        :class:`CodeShape`, when already read)."""
        low = text.lower()
        if "tenantlint" in low or ("noqa" in low and "tnt" in low):
            return True  # a suppression comment of ours: TNT901/TNT902 (``suppress.py``)
        if any(queue in text for queue in self.queues):
            return True
        if not self._text_may_matter(text, low):
            return False
        if shape is None and tree is not None:
            shape = CodeShape(tree)
        return shape is None or self._code_may_matter(shape, low)

    def _text_may_matter(self, text: str, low: str) -> bool:
        if any(key in low for key in self.tenant_keys):
            return True
        identifiers = set(IDENTIFIER.findall(text))
        if not identifiers.isdisjoint(self.tokens):
            return True
        if any(word in low for word in SINK_WORDS):
            return SQL_KEYWORD.search(low) is not None or not identifiers.isdisjoint(self.constants)
        return False

    def _code_may_matter(self, shape: CodeShape, low: str) -> bool:
        if not shape.identifiers.isdisjoint(self.tokens):
            return True
        keys = self.tenant_keys
        if any(k.lower() in keys or header_key(k) in keys for k in shape.keys):
            return True
        if any(word in name.lower() for name in shape.identifiers for word in SINK_WORDS):
            return SQL_KEYWORD.search(low) is not None or not shape.identifiers.isdisjoint(self.constants)
        return False
