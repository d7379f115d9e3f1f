"""Whether a class's bases outside the project are all framework view classes
(``crossfn/view_bases.py``): then the framework calls its methods only by the names it dispatches
to or hooks, and a method of another name only code naming it can call (``crossfn/reach.py``).

The bases are followed through the file's own classes and the project's class table
(``class_bases.py``, classes with bases, across modules). A base that is neither, nor a known view
class, is a project class only when its module is in one of the project's top packages (a class with
no base of its own: it brings no framework's method); anything else (a third-party mixin) may call
any method by its name, and the answer is no.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tenantlint.analysis.rawsql.constants import lookup_constant, resolve_import
from tenantlint.crossfn.reach import METHOD, VIEW
from tenantlint.crossfn.view_bases import VIEW_CLASSES

if TYPE_CHECKING:
    from tenantlint.analysis.interp.file_context import FileContext
    from tenantlint.analysis.plugins import ClassInfo

_NEUTRAL = frozenset({"object", "ABC", "abc.ABC", "Generic", "typing.Generic"})
MAX_STEPS = 32  # bases looked at, at most


def view_definition(ctx: FileContext, cls: ClassInfo | None, kind: str) -> str:
    """``Summary.definition`` ``kind`` of a function, made :data:`~tenantlint.crossfn.reach.VIEW` for
    a plain method of a class whose bases outside the project are all framework views."""
    return VIEW if kind == METHOD and cls is not None and views_only(ctx, cls) else kind


def views_only(ctx: FileContext, cls: ClassInfo) -> bool:
    """Every base of ``cls`` outside the project, transitively, is a known framework view class
    (and there is at least one: a class with none is no view)."""
    table = ctx.settings.facts.class_bases
    packages = _top_packages(ctx)
    todo = list(cls.bases)
    seen: set[str] = set()
    view = False
    while todo:
        base = todo.pop()
        if base in seen or base in _NEUTRAL:
            continue
        seen.add(base)
        if len(seen) > MAX_STEPS:
            return False
        local = ctx.local_classes.get(base)
        if local is not None:
            todo.extend(local.bases)
            continue
        qualified = resolve_import(base, ctx.path)
        if qualified in VIEW_CLASSES:
            view = True
            continue
        found = lookup_constant(table, qualified) if table else None
        if found:
            todo.extend(found.split(","))
        elif qualified.partition(".")[0] not in packages or "." not in qualified:
            return False  # a class from outside the project, or one not known
    return view


def _top_packages(ctx: FileContext) -> frozenset[str]:
    """The first parts of the project's module names (those of its classes with bases)."""
    memo = ctx.settings.memo
    key = ("view-methods", "packages")
    if key not in memo:
        memo[key] = frozenset(k.partition(".")[0] for k in ctx.settings.facts.class_bases if "." in k)
    found = memo[key]
    assert isinstance(found, frozenset)
    return found
