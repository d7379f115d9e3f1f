"""CPython's tree of a large file, read once for the project pre-pass and the analysis.

The pre-pass parses every file with CPython's ``ast``; the analysis of the same text used to parse
it again (the depth guard, the prefilter's second stage, the statements positions read). For a
large text (at least :data:`MIN_CHARS`) the pre-pass keeps what the analysis reads of its tree —
the prefilter's :class:`~tenantlint.prefilter.CodeShape` and the statement skeleton
(``positions.statement_skeleton``), a few percent of the tree's memory — and the analysis of an
equal text in the same process takes it instead of parsing (a 2.6 MB function: one parse of ~2 s
less). At most :data:`MAX_ENTRIES` texts are held; each is handed over once. Nothing here depends
on the configuration: the tree is a function of the text (both sides guard at the same recursion
limit, ``parse.guarded_ast``).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tenantlint.prefilter import CodeShape

MIN_CHARS = 64 * 1024  # a smaller text is parsed again (cheaper than holding its skeleton)
MAX_ENTRIES = 4


@dataclass(frozen=True, slots=True)
class Parsed:
    """What the analysis reads of CPython's tree of a text that the depth guard accepted."""

    shape: CodeShape
    skeleton: ast.Module


_KEPT: dict[str, Parsed] = {}  # keyed by the text itself: equal, not merely the same hash


def keep(text: str, tree: ast.Module, calls: bool = True) -> None:
    """Hold what the analysis will read of ``tree`` (CPython's guarded tree of ``text``).
    ``calls``: the skeleton keeps the spans of each simple statement's calls too (a walk of every
    statement's expressions, ~5 µs each, that spares parsing again each statement holding a
    finding, ~15 µs): worth it for a text analysed whole, not for one too large to be cut."""
    if len(text) < MIN_CHARS:
        return
    from tenantlint.analysis.source.positions import statement_skeleton
    from tenantlint.prefilter import CodeShape

    while len(_KEPT) >= MAX_ENTRIES:
        del _KEPT[next(iter(_KEPT))]  # the oldest
    _KEPT[text] = Parsed(CodeShape(tree), statement_skeleton(tree, calls=calls))


def take(text: str) -> Parsed | None:
    """What :func:`keep` held for an equal text, once; None when nothing was."""
    if len(text) < MIN_CHARS or not _KEPT:
        return None
    return _KEPT.pop(text, None)
