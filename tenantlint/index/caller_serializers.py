"""Pre-pass reader: serializers the project builds only for the authenticated user
(``docs/concepts.md``, "Caller-owned rows").

``UserMeSerializer(request.user).data``: a serializer of the user model whose every use in the
project is a construction with the authenticated user as its instance represents the caller, so
``obj`` in its ``get_<field>(self, obj)`` methods is the caller (``analysis/frameworks/drf.py``), and
``Invite.objects.filter(email=obj.email)`` there reads the caller's own rows. Per file, each
serializer class name (a name ending in ``Serializer``) it spells is recorded as ``caller`` when every
spelling is such a construction, else ``other``: any other use (``serializer_class = ...``, a nested
field, a construction with another instance or with ``many=True``, a subclass, a ``Meta`` or schema
reference, a string naming it in a setting) is one DRF or the project may build with another
object. The values are joined with ``|`` across files; the class represents the caller only when
every part is ``caller``.
"""

from __future__ import annotations

import ast

from tenantlint.config.patterns import PatternSet
from tenantlint.index.ast_util import dotted, keyword, positional, walk

CALLER = "caller"
OTHER = "other"
SUFFIX = "Serializer"
# The last part of an expression that is the authenticated user (``request.user``, ``current_user``)
CALLER_NAMES = frozenset({"user", "current_user", "user_profile", "auth_user", "authenticated_user"})


def _serializer(name: str | None) -> bool:
    last = (name or "").rsplit(".", 1)[-1]
    return last.endswith(SUFFIX) and last[:1].isupper()


def _caller(node: ast.expr | None, trusted: PatternSet) -> bool:
    """``request.user``, ``self.request.user``: a trusted source that names the user itself."""
    text = dotted(node, calls="reject") if node is not None else None
    return text is not None and text.rsplit(".", 1)[-1] in CALLER_NAMES and trusted.match(text) is not None


def _for_caller(call: ast.Call, trusted: PatternSet) -> bool:
    """``XSerializer(request.user)`` or ``XSerializer(instance=request.user)``, one object."""
    args = positional(call)
    instance = args[0] if args else keyword(call, "instance")
    many = keyword(call, "many")
    if any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
        return False
    return _caller(instance, trusted) and (many is None or
                                           (isinstance(many, ast.Constant) and many.value is False))


def caller_serializers(tree: ast.Module, trusted: PatternSet) -> dict[str, str]:
    """Serializer class name -> ``caller`` when every spelling of it in ``tree`` constructs it with
    the authenticated user as the instance, ``other`` when any spelling does something else."""
    builds: set[int] = set()  # the ``func`` of constructions for the caller
    for node in walk(tree):
        if isinstance(node, ast.Call) and _serializer(dotted(node.func)) and _for_caller(node, trusted):
            builds.add(id(node.func))
    out: dict[str, str] = {}
    for node in walk(tree):  # a class base is a use too: a subclass runs the methods on its own objects
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            name = node.id
        elif isinstance(node, ast.Attribute):
            name = node.attr
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and " " not in node.value:
            name = node.value.rsplit(".", 1)[-1]  # named in a setting (``"app.serializers.MeSerializer"``)
        else:
            continue
        if not _serializer(name):
            continue
        if id(node) in builds:
            out.setdefault(name, CALLER)
        else:
            out[name] = OTHER
    return out


def represents_caller(joined: str | None) -> bool:
    """The joined value of a class's parts: every use in the project builds it for the caller."""
    return bool(joined) and all(part == CALLER for part in (joined or "").split("|"))
