"""Names imported under another name, for the project's name counts (``prepass.name_counts``).

``from app.services import get_report as fetch_report`` binds ``fetch_report``; a call
``fetch_report(pk)`` resolves to ``get_report``, and the cross-function join compares the resolved
calls of ``get_report`` with how often the project spells ``get_report`` (``crossfn/combine.py``).
A read of the alias is a spelling of the imported name: it is counted under that name, not under
the alias (else ``get_report`` looks spelled fewer times than resolved calls use it, and its caller
set never closes). A class imported under another name (``from m import Report as R``) likewise.
A file that also defines a function or class of the alias's name keeps its spellings as they are
(which one a read names is not known).
"""

from __future__ import annotations

import ast

from tenantlint.crossfn.records import CLASS_NAME


def _kind(name: str) -> str:
    """``lower`` for a function's (or any lower-case) name, ``class`` for a capitalised one."""
    if name[:1].islower() or name[:1] == "_":
        return "lower"
    return "class" if name[:1].isupper() else ""


def import_aliases(node: ast.ImportFrom) -> dict[str, str]:
    """The aliases ``node`` binds -> the names they import (``as`` with another name of the same
    kind: a function's, or a class's)."""
    out: dict[str, str] = {}
    for alias in node.names:
        bound = alias.asname
        if bound and bound != alias.name and _kind(bound) and _kind(bound) == _kind(alias.name):
            out[bound] = alias.name
    return out


def unalias(counts: dict[str, int], aliased: dict[str, str], reads: dict[str, int],
            defs: set[str]) -> None:
    """Move ``reads`` (of each alias, as counted by ``name_counts``) in ``counts`` from the alias to
    the name it imports; ``defs``: the functions and classes the file defines."""
    for bound, n in reads.items():
        if bound in defs or not n:
            continue
        name = aliased[bound]
        if _kind(bound) == "class":
            bound, name = CLASS_NAME + bound, CLASS_NAME + name
        left = counts.get(bound, 0) - n
        if left > 0:
            counts[bound] = left
        else:
            counts.pop(bound, None)
        counts[name] = counts.get(name, 0) + n
