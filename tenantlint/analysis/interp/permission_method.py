"""The permission classes a DRF view's ``get_permissions`` returns (docs/concepts.md, "Membership checks").

DRF asks a view's ``get_permissions()`` for the permission objects to run before every action; a view
that overrides it instead of setting ``permission_classes`` lists its checks there::

    class ProviderViewSet(viewsets.ModelViewSet):
        def get_permissions(self):
            return [ProjectAccessPermission()]

A class is applied to every action when each ``return`` of the method lists it (a list or tuple of
classes or instances of them). ``return super().get_permissions()`` gives the view's
``permission_classes``. A method that returns anything else (a comprehension, a name, a call of
another method), or sets ``self.permission_classes`` itself, applies nothing tenantlint can read;
neither does one that returns per action different classes (only those every ``return`` lists count).
"""

from __future__ import annotations

from collections.abc import Callable

import libcst as cst

from tenantlint.analysis.interp.exprs import dotted
from tenantlint.analysis.interp.flag_answers import own_returns
from tenantlint.analysis.plugins import ClassInfo, FileView, local_lineage
from tenantlint.analysis.source.visit import visit

METHOD = "get_permissions"


def returned_permissions(ctx: FileView, cls: ClassInfo,
                         declared: Callable[[], list[str]]) -> list[str]:
    """Last dotted parts of the classes every ``return`` of the nearest ``get_permissions`` (on
    ``cls`` or a base of the same file) lists; ``declared()`` gives the view's ``permission_classes``
    for ``return super().get_permissions()``. Empty without such a method or when one is unreadable."""
    method = next((m for c in local_lineage(ctx, cls) if (m := _method(c)) is not None), None)
    if method is None or _sets_classes(method):
        return []
    common: list[str] | None = None
    for ret in own_returns([method.body]):
        names = _listed(ret.value, declared)
        if names is None:
            return []
        common = names if common is None else [n for n in common if n in names]
    return common or []


def _method(cls: ClassInfo) -> cst.FunctionDef | None:
    body = cls.node.body.body if isinstance(cls.node.body, cst.IndentedBlock) else ()
    return next((s for s in body if isinstance(s, cst.FunctionDef) and s.name.value == METHOD), None)


def _listed(value: cst.BaseExpression | None, declared: Callable[[], list[str]]) -> list[str] | None:
    """The classes one ``return`` lists; None when tenantlint cannot read it."""
    if isinstance(value, cst.List | cst.Tuple):
        out: list[str] = []
        for el in value.elements:
            if isinstance(el, cst.StarredElement):
                return None
            item = el.value
            text = dotted(item.func if isinstance(item, cst.Call) else item, calls=False)
            if not text:
                return None
            out.append(text.rsplit(".", 1)[-1])
        return out
    if isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute) \
            and value.func.attr.value == METHOD and isinstance(value.func.value, cst.Call) \
            and dotted(value.func.value.func) == "super":
        return declared()
    return None


def _sets_classes(fn: cst.FunctionDef) -> bool:
    """The method assigns ``self.permission_classes`` (then ``super().get_permissions()`` returns
    what it assigned, which depends on the path taken)."""
    found = False

    class Finder(cst.CSTVisitor):
        def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
            nonlocal found
            t = node.target
            if isinstance(t, cst.Attribute) and t.attr.value == "permission_classes":
                found = True

    visit(fn.body, Finder())
    return found
