"""Owner tests in tenant guards and predicates: the row is the caller's own.

An access helper often admits a row its caller owns before (or instead of) comparing tenants::

    def validate_upload_request(user_profile, path_id):
        upload = Upload.objects.get(path_id=path_id)
        if upload.owner == user_profile:          # the caller's own upload
            return True
        return upload.is_public and upload.realm == user_profile.realm

A "yes" after ``<row>.<owner> == <user>`` (``upload.owner``, ``upload.owner_id``, ``upload.owner.id``,
``created_by``, …; the row fetched by one of the function's parameters, an id) hands back a row whose
owner is that user: a row of the user's own, proved as the tenant comparison proves it
(``access_predicates.py`` reads both into the same guard on the id). The user is a parameter itself
(``user_profile``), its id (``user.id``), or a trusted caller the function reads itself
(``current_user``, ``current_user.id``) — never a parameter's tenant (``member.team_id`` names a
tenant, not an owner). Only rows fetched in the function count: for a row passed in, which column
of its table the comparison names is not known here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import libcst as cst

from tenantlint.analysis.interp.exprs import dotted
from tenantlint.crossfn.records import GUARD_TRUSTED
from tenantlint.index.relations import OWNER_COLUMNS

# ``owner_id`` and the relation ``owner`` it backs, ``created_by``, …
OWNER_ATTRS = frozenset(OWNER_COLUMNS | {c.removesuffix("_id") for c in OWNER_COLUMNS})
_IDS = ("id", "pk")


def owned_row(node: cst.BaseExpression, fetched: Mapping[str, str]) -> str | None:
    """``row.owner`` / ``row.owner_id`` / ``row.owner.id`` of a local row fetched by a parameter:
    that parameter (the id the row was fetched by)."""
    parts = (dotted(node, calls=False) or "").split(".")
    if len(parts) == 3 and parts[2] in _IDS and not parts[1].endswith("_id"):
        parts = parts[:2]
    if len(parts) != 2 or parts[1] not in OWNER_ATTRS:
        return None
    return fetched.get(parts[0])


def user_side(node: cst.BaseExpression, param: Callable[[cst.BaseExpression], str | None],
              trusted: Callable[[cst.BaseExpression], bool]) -> str | None:
    """A user as the other side of an owner test: a parameter (``user_profile``) or its id
    (``user.id``), as ``param`` names it; or a trusted caller the function reads itself
    (``current_user``, ``current_user.id``, ``request.user.id``: ``trusted`` says), GUARD_TRUSTED."""
    if isinstance(node, cst.Attribute) and node.attr.value in _IDS:
        node = node.value
    if isinstance(node, cst.Name) and param(node) is not None:
        return param(node)
    text = dotted(node, calls=False) or ""
    last = text.rsplit(".", 1)[-1]
    if text and (last == "user" or last.endswith("_user")) and trusted(node):
        return GUARD_TRUSTED
    return None
