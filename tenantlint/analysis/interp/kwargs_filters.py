"""Keyword filter pass-throughs: a query whose filter is the function's own ``**kwargs``
(docs/concepts.md, "Across functions").

A generic helper often hands its keyword arguments straight to the ORM as the query's filter::

    class CommonService:
        @classmethod
        def get_or_none(cls, **kwargs):
            try:
                return cls.model.get(**kwargs)
            except peewee.DoesNotExist:
                return None

Django's ``Invoice.objects.get(**kwargs)`` and SQLAlchemy's ``query.filter_by(**kwargs)`` are the same
idiom. The helper chooses no rows itself: each call's keyword arguments are the filter. Such a query
is keyed by ``**`` + the parameter's name (``**kwargs``, ``crossfn/spread_keys.py``), and
``crossfn/combine.py`` judges it at each call with the call's keyword arguments as that key: a
keyword naming a tenant column of the query's model with a trusted value confines it there, request
input in a keyword is reported at that call, a parameter of the caller is followed to its callers.

The parameter must reach the query unchanged: every use of its name in the function is a ``**name``
spread of a call (no ``kwargs["tenant_id"] = ...``, ``kwargs.pop(...)``, rebinding or other read),
and the spread is given to a method that filters by keywords (:data:`FILTER_METHODS`) in the query's
own chain.
"""

from __future__ import annotations

import libcst as cst

from tenantlint.analysis.source.visit import visit
from tenantlint.crossfn.spread_keys import SPREAD

FILTER_METHODS = frozenset({"get", "get_or_none", "filter", "filter_by"})


class _Uses(cst.CSTVisitor):
    """Whether a name is used only as the value of ``**name`` arguments (and never bound)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.clean = True
        self._spread: set[int] = set()

    def visit_Arg(self, node: cst.Arg) -> None:
        if node.star == "**" and isinstance(node.value, cst.Name) and node.value.value == self.name:
            self._spread.add(id(node.value))

    def visit_Name(self, node: cst.Name) -> None:
        if node.value == self.name and id(node) not in self._spread:
            self.clean = False

    def visit_Param(self, node: cst.Param) -> bool:
        if node.name.value == self.name:  # a nested function's own parameter of that name
            self.clean = False
        return False


def spread_param(fn: cst.FunctionDef) -> str:
    """The name of ``fn``'s ``**kwargs`` parameter when its body uses it only as ``**kwargs`` spreads
    of calls (what the caller gave reaches them unchanged), else ""."""
    star = fn.params.star_kwarg
    if not isinstance(star, cst.Param):
        return ""
    uses = _Uses(star.name.value)
    visit(fn.body, uses)  # read only: libcst's node.visit would copy the tree
    return star.name.value if uses.clean else ""


def spread_filter(node: cst.CSTNode, name: str) -> str | None:
    """``**name`` (the query's key) when the query chain ``node`` gives ``**name`` to a method that
    filters by keywords (``cls.model.get(**kwargs)``, ``Invoice.objects.filter(**kwargs).first()``)."""
    if not name:
        return None
    while True:
        if isinstance(node, cst.Call):
            func = node.func
            if isinstance(func, cst.Attribute) and func.attr.value in FILTER_METHODS and any(
                    a.star == "**" and isinstance(a.value, cst.Name) and a.value.value == name
                    for a in node.args):
                return SPREAD + name
            node = func
        elif isinstance(node, cst.Attribute):
            node = node.value
        else:
            return None
