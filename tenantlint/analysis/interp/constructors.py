"""Constructions as call sites: ``Executor(a, b)`` calls ``Executor.__init__(self, a, b)``.

The join (``crossfn/combine.py``) resolves a call of a project class to its ``__init__`` and knows
every caller of it when the project spells the class's name only in resolved constructions
(``records.CLASS_NAME`` counts). That holds only for a class nothing else builds: a class with a base
class (a base's classmethod may build it through ``cls(...)``, a framework may, as Django's
``Model.from_db`` does), a metaclass (its ``__call__`` may) or a decorator (it may register the class
somewhere that builds it: ``@register("name")``), or whose own body builds an instance
without naming it (``cls(...)``, ``type(self)(...)``, ``self.__class__(...)``), leaves the callers of its
``__init__`` open.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from tenantlint.analysis.source.visit import visit

if TYPE_CHECKING:
    from tenantlint.analysis.plugins import ClassInfo

_PLAIN_BASES = frozenset({"object"})


def init_of_built(fn: cst.FunctionDef, cls: ClassInfo | None) -> bool:
    """``fn`` is the ``__init__`` of a class something else than its constructions may build."""
    return cls is not None and fn.name.value == "__init__" and built_elsewhere(cls.node)


def built_elsewhere(cls: cst.ClassDef) -> bool:
    """Instances of ``cls`` may be built by something other than a call spelling its name."""
    for arg in cls.bases:
        if not (isinstance(arg.value, cst.Name) and arg.value.value in _PLAIN_BASES):
            return True
    if cls.keywords or cls.decorators:
        return True  # ``metaclass=...``; a decorator may register the class (built from a registry)
    finder = _SelfBuilt()
    visit(cls.body, finder)
    return finder.found


class _SelfBuilt(cst.CSTVisitor):
    """A call of ``cls``, of ``type(...)`` or of an attribute ``__class__``."""

    def __init__(self) -> None:
        self.found = False

    def visit_Call(self, node: cst.Call) -> bool:
        func = node.func
        by_cls = isinstance(func, cst.Name) and func.value == "cls"
        by_type = isinstance(func, cst.Call) and isinstance(func.func, cst.Name) and func.func.value == "type"
        by_class = isinstance(func, cst.Attribute) and func.attr.value == "__class__"
        if by_cls or by_type or by_class:
            self.found = True
        return not self.found
