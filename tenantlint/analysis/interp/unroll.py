"""A loop over a literal list of names whose body looks an entry up by the loop variable.

``for name in ["recipes", "shopping_lists"]: table = metadata.tables[name]; ...``: the body is walked
once per name with the variable bound to it (as a generic base is walked once per concrete model),
so a lookup by that name resolves to what it names, and a finding in the body names each walk
(``as name = 'recipes' → recipes``). The list may be a literal, or a local or module constant
holding one; at most ``MAX_NAMES`` names. Any other loop is walked once, its variable unknown.
"""

from __future__ import annotations

import libcst as cst

from tenantlint.analysis.interp.values import SeqValue, Value
from tenantlint.analysis.rawsql.text import static_string
from tenantlint.analysis.source.visit import visit

MAX_NAMES = 8


class _KeyedBy(cst.CSTVisitor):
    """Does a subscript use ``name`` as its whole key?"""

    def __init__(self, name: str) -> None:
        self.name = name
        self.found = False

    def visit_Subscript(self, node: cst.Subscript) -> None:
        if len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
            key = node.slice[0].slice.value
            if isinstance(key, cst.Name) and key.value == self.name:
                self.found = True


def named_items(stmt: cst.For, iterable: Value) -> list[tuple[str, Value]]:
    """(name, value) per element when ``stmt`` is such a loop, else []."""
    if not isinstance(stmt.target, cst.Name) or not isinstance(iterable, SeqValue):
        return []
    if iterable.open_ended or not 0 < len(iterable.items) <= MAX_NAMES:
        return []
    names = [static_string(v) for v in iterable.items]
    if any(n is None for n in names):
        return []
    finder = _KeyedBy(stmt.target.value)
    visit(stmt.body, finder)
    if not finder.found:
        return []
    return [(f"{stmt.target.value} = {n!r}", v) for n, v in zip(names, iterable.items, strict=True)]
