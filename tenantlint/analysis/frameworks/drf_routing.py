"""Which methods of a DRF viewset the project routes requests to, when it routes it by hand.

``QuickLinkViewSet.as_view({"get": "list", "post": "create"})`` routes GET and POST to ``list`` and
``create`` and nothing else (``index.readers.viewset_actions``); a router (``router.register(...,
QuickLinkViewSet)``) routes every generic action. A viewset routed only by such mappings, to methods
it defines itself, none of which goes through the view's queryset (``self.get_queryset()``,
``self.get_object()``, ``self.queryset``, ``self.model``, ``filter_queryset``, ``paginate_queryset``,
a ``super()`` call), never serves ``model = X`` through DRF's generic actions: its handlers are
judged on their own queries, and the class is no TNT202. A routed method the class does not define
(``retrieve`` inherited from ``ModelViewSet``) serves the base's queryset, and the class stays TNT202.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from tenantlint.analysis.plugins import ClassInfo
from tenantlint.analysis.source.positions import preorder

if TYPE_CHECKING:
    from tenantlint.analysis.plugins import FileView

ALL_ACTIONS = "*"  # a router registration: every generic action is routed
QUERYSET_ATTRS = frozenset({"get_queryset", "get_object", "queryset", "model", "filter_queryset",
                            "paginate_queryset"})


def routes_only_own_methods(ctx: FileView, cls: ClassInfo) -> bool:
    """The viewset is routed only by ``as_view`` mappings, to methods it defines, and none of its
    methods reaches the view's queryset."""
    routed = ctx.settings.facts.viewset_actions.get(cls.name)
    if not routed:
        return False
    methods = {m for part in routed.split("|") for m in part.split(",") if m}
    if ALL_ACTIONS in methods:
        return False
    body = cls.node.body.body if isinstance(cls.node.body, cst.IndentedBlock) else ()
    own = {s.name.value for s in body if isinstance(s, cst.FunctionDef)}
    if not methods <= own:
        return False
    return not _reaches_queryset(cls.node)


def _reaches_queryset(node: cst.CSTNode) -> bool:
    for sub in preorder(node):
        if isinstance(sub, cst.Attribute) and sub.attr.value in QUERYSET_ATTRS \
                and isinstance(sub.value, cst.Name) and sub.value.value == "self":
            return True
        if isinstance(sub, cst.Call) and isinstance(sub.func, cst.Name) and sub.func.value == "super":
            return True
    return False
