"""Decide from a file's text, cheaply, whether it can produce any finding at all.

Conservative by construction: a file is skipped only when it names no tenant model, table or related
manager, holds no SQL keyword, no tenant key and no suppression comment — nothing any rule reads.
Skipped files are still compiled with ``ast`` so syntax errors are reported (TNT999).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tenantlint.config.model import Config
from tenantlint.index.model import ProjectIndex

SQL_WORDS = ("select", "insert", "update", "delete", "with")


@dataclass(frozen=True)
class Prefilter:
    words: frozenset[str]
    pattern: re.Pattern[str] = field(init=False)

    def __post_init__(self) -> None:
        alternatives = sorted(self.words, key=len, reverse=True)
        object.__setattr__(self, "pattern", re.compile("|".join(map(re.escape, alternatives)) or r"(?!)"))

    @classmethod
    def build(cls, index: ProjectIndex, config: Config) -> Prefilter:
        words: set[str] = set(index.tokens())
        for name in list(words):
            words.add(name.lower())
        words.update(config.tenant_keys)
        words.update(config.tenant_columns)
        words.update(("noqa", "NOQA", "tenantlint", "queryset", "get_queryset"))
        for w in SQL_WORDS:
            words.update((w, w.upper(), w.capitalize()))
        return cls(frozenset(w for w in words if w))

    def may_matter(self, text: str) -> bool:
        return self.pattern.search(text) is not None
