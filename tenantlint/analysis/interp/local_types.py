"""The project class a receiver holds, for calls through it: ``self.repos.ratings.get_by_user(pk)``.

Known statically: ``self``/``cls`` (the method's class), a parameter's annotation (``repos: Repos``,
``Annotated[Repos, Depends(...)]``, ``svc: Service = Depends()``) or FastAPI dependency class
(``svc = Depends(Service)``), a local bound to a constructor call (``repos = Repos(session)``) or to a
call of a project function or method whose return annotation or ``return Cls(...)`` names a class
(``repos = get_repositories(session)``), then attributes through the class tables of
``member_types.py`` (annotated attributes, properties, ``__init__`` assignments), through project bases.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from tenantlint.analysis.interp.exprs import dotted
from tenantlint.analysis.rawsql.constants import module_name, resolve_import

if TYPE_CHECKING:
    from tenantlint.analysis.interp.file_context import FileContext
    from tenantlint.analysis.interp.function_state import FunctionState

WRAPPERS = frozenset({"Optional", "Annotated", "Final", "ClassVar"})
INJECT = frozenset({"Depends", "Security"})


def _capitalised(text: str | None) -> bool:
    return bool(text) and text.rsplit(".", 1)[-1][:1].isupper()  # type: ignore[union-attr]


def annotation_text(node: cst.BaseExpression | None, depth: int = 0) -> str | None:
    """The class an annotation names, as written (``Repos | None`` -> ``Repos``)."""
    if node is None or depth > 4:
        return None
    if isinstance(node, cst.SimpleString):
        literal = node.evaluated_value
        try:
            inner = cst.parse_expression(literal if isinstance(literal, str) else "")
        except cst.ParserSyntaxError:
            return None
        return annotation_text(inner, depth + 1)
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.BitOr):
        found = [t for t in (annotation_text(node.left, depth + 1), annotation_text(node.right, depth + 1))
                 if t is not None]
        return found[0] if len(found) == 1 else None
    if isinstance(node, cst.Subscript):
        outer = dotted(node.value)
        if outer is not None and outer.rsplit(".", 1)[-1] in WRAPPERS and node.slice:
            first = node.slice[0].slice
            return annotation_text(first.value, depth + 1) if isinstance(first, cst.Index) else None
        return annotation_text(node.value, depth + 1)
    text = dotted(node)
    return text if _capitalised(text) and text != "None" else None


def _depends_text(node: cst.BaseExpression | None) -> str | None:
    if isinstance(node, cst.Call) and (dotted(node.func) or "").rsplit(".", 1)[-1] in INJECT and node.args:
        text = dotted(node.args[0].value)
        return text if _capitalised(text) else None
    return None


def qualify(ctx: FileContext, text: str) -> str:
    """A dotted name of this file as the project names it (``Repos`` -> ``app.repos.Repos``)."""
    head = text.partition(".")[0]
    if head in ctx.imports.names:
        return resolve_import(ctx.imports.qualify(text), ctx.path)
    module = module_name(ctx.path)
    return f"{module}.{text}" if module else text


def param_types(ctx: FileContext, fn: cst.FunctionDef, params: list[cst.Param]) -> dict[str, str]:
    """Parameters whose annotation or ``Depends(Class)`` default names a project class."""
    types = ctx.settings.member_types
    out: dict[str, str] = {}
    for p in params:
        text = _depends_text(p.default)
        if text is None:
            text = annotation_text(p.annotation.annotation if p.annotation is not None else None)
        if text is not None:
            found = types.canonical(qualify(ctx, text))
            if found is not None:
                out[p.name.value] = found
    return out


def receiver_type(ctx: FileContext, fn: FunctionState, parts: list[str]) -> str | None:
    """The class an instance reached by the dotted ``parts`` is (``self.repos.ratings``)."""
    types = ctx.settings.member_types
    head = parts[0]
    cls: str | None
    if head in ("self", "cls"):
        if fn.qualname is None or fn.owner is None:
            return None
        cls = types.canonical(fn.qualname.rsplit(".", 1)[0])
    else:
        cls = fn.types.get(head)
    for attr in parts[1:]:
        if cls is None:
            return None
        cls = types.attribute_type(cls, attr)
    return cls


def expr_type(ctx: FileContext, fn: FunctionState, node: cst.BaseExpression) -> str | None:
    """The project class ``node`` evaluates to: a constructor call, a call of a project function or
    method that returns a class, or a name or attribute chain of known type."""
    types = ctx.settings.member_types
    if isinstance(node, cst.Call):
        text = dotted(node.func, calls=False)
        if text is None:
            return None
        head, _, rest = text.partition(".")
        if head in ("self", "cls") or head in fn.types:
            if not rest:
                return None
            *chain, last = text.split(".")
            owner = receiver_type(ctx, fn, chain)
            method = types.method(owner, last) if owner is not None else None
            return types.returned_type(method) if method is not None else None
        if head in fn.env or head in fn.params:
            return None
        return types.returned_type(qualify(ctx, text))
    text = dotted(node, calls=False)
    if text is None:
        return None
    return receiver_type(ctx, fn, text.split("."))


def value_type(ctx: FileContext, fn: FunctionState, node: cst.BaseExpression, depth: int = 0) -> str | None:
    """``expr_type`` for receivers that mix calls and attributes (``get_repos(s).ratings``)."""
    if depth > 8:
        return None
    if isinstance(node, cst.Attribute) and dotted(node, calls=False) is None:
        inner = value_type(ctx, fn, node.value, depth + 1)
        return ctx.settings.member_types.attribute_type(inner, node.attr.value) if inner else None
    if (isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute)
            and dotted(node.func, calls=False) is None):
        inner = value_type(ctx, fn, node.func.value, depth + 1)
        types = ctx.settings.member_types
        method = types.method(inner, node.func.attr.value) if inner else None
        return types.returned_type(method) if method else None
    return expr_type(ctx, fn, node)
