"""Decide from a file's text, cheaply, whether it can produce any finding at all.

Conservative by construction: a file is analysed when any rule could fire on it —

* an ORM query, insert or view of a tenant table (TNT101-105, TNT202) needs an identifier naming a
  tenant model, table, reverse accessor (``org.invoices``, ``task_set``) or a serializer of a tenant
  model, since that is how the analysis recognises one;
* raw SQL (TNT101-105, TNT301/302) needs a database sink (``execute``, ``raw``, ``fetch``,
  ``read_sql``, ``extra``, ``exec_driver_sql``) plus SQL text: an SQL keyword or the name of a
  project SQL constant;
* a tenant key read from request input (TNT201) needs a tenant key in the text;
* suppression comments (TNT901/902) need ``noqa`` or ``tenantlint``.

Identifiers are found by one compiled regex and intersected with sets; everything else is a
substring test. Skipped files are still compiled with ``ast`` so syntax errors are reported (TNT999).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from tenantlint.config.model import Config
from tenantlint.index.model import ProjectIndex

SQL_WORDS = ("select", "insert", "update", "delete", "with", "merge")  # sql/parse.py::_KEYWORDS
SINK_WORDS = ("execute", "fetch", "raw", "read_sql", "extra", "exec_driver_sql")
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


@dataclass(frozen=True, slots=True)
class Prefilter:
    tokens: frozenset[str]  # identifiers naming a tenant model, table, accessor or serializer
    constants: frozenset[str]  # last parts of project SQL constants (``OPEN_INVOICES``)
    tenant_keys: tuple[str, ...]  # lower case, ``_`` and ``-`` spellings

    @classmethod
    def build(
        cls,
        index: ProjectIndex,
        config: Config,
        related: Iterable[str] = (),
        serializer_models: Mapping[str, str] | None = None,
        sql_constants: Iterable[str] = (),
    ) -> Prefilter:
        """``related``: reverse accessor names; ``serializer_models``: serializer -> model;
        ``sql_constants``: dotted names of project string constants."""
        words = _model_tokens(index)
        words.update(related)
        for serializer, model in (serializer_models or {}).items():
            if model in words:
                words.add(serializer)
        keys: set[str] = set()
        for key in (*config.tenant_keys, *config.tenant_columns):
            low = key.lower()
            keys.update((low, low.replace("_", "-")))
        constants = frozenset(name.rsplit(".", 1)[-1] for name in sql_constants)
        return cls(frozenset(w for w in words if w), constants, tuple(sorted(k for k in keys if k)))

    def may_matter(self, text: str) -> bool:
        low = text.lower()
        if "noqa" in low or "tenantlint" in low:
            return True
        if any(key in low for key in self.tenant_keys):
            return True
        identifiers = set(IDENTIFIER.findall(text))
        if not identifiers.isdisjoint(self.tokens):
            return True
        if any(word in low for word in SINK_WORDS):
            return SQL_KEYWORD.search(low) is not None or not identifiers.isdisjoint(self.constants)
        return False
