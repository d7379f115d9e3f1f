"""Function names a string literal may give: counted with the project's name counts
(``prepass.name_counts``, keys ``records.STRING`` and ``records.PREFIX``).

A function nothing spells may still be called by name: ``getattr(service, "refresh")``, a Celery task
or a view named by its dotted path (``"app.tasks.refresh"``, ``"app.views:refresh"``), a handler
looked up by a name built at run time (``getattr(self, f"handle_{kind}")``). The reachability
reader (``crossfn/reach.py``) takes a function named so as reached. CPython ``ast`` only.
"""

from __future__ import annotations

import ast

from tenantlint.crossfn.records import PREFIX, STRING

_MAX = 200  # longer literals are prose or data, not a name
_PLACEHOLDERS = ("%", "{")


def count_literal(text: str, counts: dict[str, int]) -> None:
    """Count what one string literal names: the whole literal when it is an identifier or a dotted
    or colon path of identifiers (its last part), else the identifier before a ``%``/``{``
    placeholder (``"handle_%s"``, ``"handle_{}".format(kind)``) as a prefix."""
    if not text or len(text) > _MAX:
        return
    if text.isidentifier():
        _add(counts, STRING + text)
        return
    last = text.replace(":", ".").rsplit(".", 1)[-1]
    if last.isidentifier() and all(p.isidentifier() for p in text.replace(":", ".").split(".")):
        _add(counts, STRING + last)
        return
    cut = min((i for i in (text.find(p) for p in _PLACEHOLDERS) if i > 0), default=-1)
    if cut > 0:
        count_prefix(text[:cut], counts)


def count_prefix(text: str, counts: dict[str, int]) -> None:
    """A literal a name is built from (``f"handle_{kind}"``, ``"handle_" + kind``): the identifier
    it ends with (after a dot or a colon: ``f"app.jobs.handle_{kind}"``) is a name's start. A head
    ending in a dot (``f"app.jobs.{name}"``) is not counted: such a name is any function of a
    module, which no rule can keep apart from the text of a message or a URL."""
    if not text or len(text) > _MAX:
        return
    last = text.replace(":", ".").rsplit(".", 1)[-1]
    if last.isidentifier():
        _add(counts, PREFIX + last)


def joined_prefix(node: ast.JoinedStr, counts: dict[str, int]) -> None:
    """``f"handle_{kind}"``: its literal head is a name's start."""
    head = node.values[0] if node.values else None
    if isinstance(head, ast.Constant) and isinstance(head.value, str) and len(node.values) > 1:
        count_prefix(head.value, counts)


def added_prefix(node: ast.BinOp, counts: dict[str, int]) -> None:
    """``"handle_" + kind``: the literal on the left is a name's start."""
    left = node.left
    if isinstance(node.op, ast.Add) and isinstance(left, ast.Constant) and isinstance(left.value, str):
        count_prefix(left.value, counts)


def _add(counts: dict[str, int], key: str) -> None:
    counts[key] = counts.get(key, 0) + 1
