"""Small pure helpers over libcst expressions and provenance, shared by the evaluator and plug-ins."""

from __future__ import annotations

import libcst as cst

from tenantlint.analysis.facts import Provenance
from tenantlint.analysis.interp.literals import string_literal
from tenantlint.analysis.interp.values import UNKNOWN, Value


def dotted(node: cst.BaseExpression, *, calls: bool = True) -> str | None:
    """``request.user.org`` / ``get_current_org().id`` (a call spelled ``f()``, an ``await`` looked
    through); with ``calls=False`` names and attributes only. None for anything else. The one libcst
    helper for dotted names (CPython ``ast``'s is :func:`tenantlint.index.ast_util.dotted`).
    Exact classes are compared (libcst's node classes have no subclasses): an ``isinstance`` that
    fails on one of them runs ``ABCMeta.__instancecheck__`` in Python, and this is the walk's most
    called helper."""
    kind = type(node)
    if kind is cst.Name:
        return node.value  # type: ignore[attr-defined,no-any-return]
    if kind is cst.Attribute:
        base = dotted(node.value, calls=calls)  # type: ignore[attr-defined]
        return f"{base}.{node.attr.value}" if base else None  # type: ignore[attr-defined]
    if calls and kind is cst.Call:
        base = dotted(node.func)  # type: ignore[attr-defined]
        return f"{base}()" if base else None
    if calls and kind is cst.Await:
        return dotted(node.expression)  # type: ignore[attr-defined]
    return None


def full_name(node: cst.CSTNode) -> str | None:
    """libcst's ``get_full_name_for_node`` (``a.b`` of a name or attribute chain, through calls
    and subscripts; ``None.b`` under anything else), comparing exact classes: its ``isinstance``
    chain fails through ``ABCMeta.__instancecheck__`` on most nodes, and the raw-SQL hook asks it
    of every call."""
    kind = type(node)
    if kind is cst.Name:
        return node.value  # type: ignore[attr-defined,no-any-return]
    if kind is cst.Attribute:
        return f"{full_name(node.value)}.{node.attr.value}"  # type: ignore[attr-defined]
    if kind is cst.Call:
        return full_name(node.func)  # type: ignore[attr-defined]
    if kind is cst.Subscript:
        return full_name(node.value)  # type: ignore[attr-defined]
    if kind is cst.FunctionDef or kind is cst.ClassDef:
        return full_name(node.name)  # type: ignore[attr-defined]
    if kind is cst.Decorator:
        return full_name(node.decorator)  # type: ignore[attr-defined]
    return None


def is_none(node: cst.BaseExpression | None) -> bool:
    """The literal ``None``."""
    return isinstance(node, cst.Name) and node.value == "None"


def dotted_name(node: cst.BaseExpression) -> str | None:
    """``a.b.c`` for names and attribute chains only: :func:`dotted` with ``calls=False``."""
    return dotted(node, calls=False)


def base_name(node: cst.BaseExpression) -> str | None:
    """A class's base as written: ``Base`` / ``pkg.Base``, and ``Generic[Schema, Model]`` as its
    generic class ``Generic``."""
    if isinstance(node, cst.Subscript):
        node = node.value
    return dotted(node)


def string_value(node: cst.BaseExpression) -> str | None:
    # exact types: libcst's node classes are ABCs (a slow isinstance)
    if type(node) is cst.SimpleString or type(node) is cst.ConcatenatedString:
        value = string_literal(node)
        return value if isinstance(value, str) else None
    return None


def _expression_children(node: cst.CSTNode) -> list[cst.BaseExpression]:
    """Sub-expressions of ``node``, looking through the wrappers that are not expressions themselves
    (list/tuple/set elements, starred elements, slices, arguments)."""
    out: list[cst.BaseExpression] = []
    for child in node.children:
        if isinstance(child, cst.BaseExpression):
            out.append(child)
        elif isinstance(child, cst.BaseElement | cst.Arg | cst.SubscriptElement | cst.BaseSlice):
            out.extend(_expression_children(child))
    return out


# Membership-checked expressions live in the function's env under keys no identifier can take;
# the bare prefix marks that a function has any (so most lookups cost one dict probe).
SCOPING_SOURCE = "scoping method "  # provenance of a filter built by a ``scoping_methods`` call
VERIFIED_PREFIX = "\x00verified"
# Loop-checked entries (``req["doc_ids"]`` after ``for i in req["doc_ids"]: if not check(i): return``,
# ``checked_loops.py``), under keys of the same kind.
EACH_PREFIX = "\x00each"
# Constant-key entries the function assigned (``req["id"] = get_uuid()``, ``stored_entries.py``).
STORED_PREFIX = "\x00stored"
_CODE = cst.Module(body=[])


# Env key prefix of a handler's URL parameter that a check called in its body verified (while the
# name still held that parameter): ``self.kwargs["project_id"]`` is then that verified value.
URL_VERIFIED = "\x00url-verified:"
# ``self.kwargs`` of a handler whose membership check verified every URL parameter: the source
# names the check (``verified URL parameters, by ProjectPermission``), and an entry read from it is
# that parameter verified by it (``calls.entry_prov``).
VERIFIED_KWARGS = "verified URL parameters"


def verified_key(code: str) -> str:
    return f"{VERIFIED_PREFIX} {code}"


def merge_prov(values: list[Value]) -> Provenance:
    """Untrusted if any part is, trusted if all are, unknown otherwise. Parts of one and the same
    origin keep it: ``list(ids)``, ``set(ids)`` of a parameter are still that parameter's values, so
    a query keyed by them is judged at the function's call sites (docs/concepts.md, "Across functions")."""
    if not values:
        return UNKNOWN
    first = values[0].prov
    if all(v.prov == first for v in values):
        return first
    for v in values:
        if v.untrusted:
            return v.prov
    if all(v.trusted for v in values):
        return values[0].prov
    return UNKNOWN


def header_key(name: str) -> str:
    key = name.lower().replace("-", "_")
    for prefix in ("http_x_", "http_", "x_"):
        if key.startswith(prefix):
            key = key[len(prefix):]
            break
    return key


def class_attribute(cls: cst.ClassDef, attr: str) -> cst.BaseExpression | None:
    """The value assigned to ``attr`` in the body of ``cls`` (``permission_classes = [...]``), if any."""
    if not isinstance(cls.body, cst.IndentedBlock):
        return None
    for stmt in cls.body.body:
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                if isinstance(small, cst.Assign) and any(
                    isinstance(t.target, cst.Name) and t.target.value == attr for t in small.targets
                ):
                    return small.value
    return None
