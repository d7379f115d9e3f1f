"""SQLAlchemy declarative classes (incl. Flask-SQLAlchemy, mixins) and SQLModel table classes."""

from __future__ import annotations

import ast

from tenantlint.index.ast_util import (
    ClassItem,
    base_names,
    call_name,
    class_items,
    class_keyword,
    dotted,
    is_false,
    is_true,
    keyword,
    last_part,
    positional,
    snake_case,
    string_value,
)
from tenantlint.index.orm_context import ModelFile
from tenantlint.index.records import FieldInfo, ModelInfo
from tenantlint.index.tokens import token_kinds

COLUMN_FUNCS = frozenset({"Column", "mapped_column"})
RELATIONSHIP_FUNCS = frozenset({"relationship", "Relationship", "relation"})
PROXY_FUNCS = frozenset({"association_proxy"})
_WRAPPERS = frozenset(
    {
        "Mapped",
        "Optional",
        "List",
        "list",
        "Set",
        "set",
        "ClassVar",
        "WriteOnlyMapped",
        "DynamicMapped",
    }
)


def fk_reference(node: ast.expr) -> str | None:
    """``ForeignKey("orgs.id")`` -> ``orgs``; ``ForeignKey(Org.id)`` -> ``Org``."""
    text = string_value(node)
    if text is not None:
        parts = text.split(".")
        return parts[-2] if len(parts) >= 2 else parts[0]
    name = dotted(node)
    if name:
        parts = name.split(".")
        return parts[-2] if len(parts) >= 2 else parts[0]
    return None


def column_field(call: ast.Call, attr: str | None, default_required: bool) -> FieldInfo | None:
    """A ``Column(...)``/``mapped_column(...)``/``sa.Column("org_id", ...)`` call as a field."""
    args = positional(call)
    column = attr
    target: str | None = None
    for i, arg in enumerate(args):
        text = string_value(arg)
        if i == 0 and text is not None:
            column = text
        elif isinstance(arg, ast.Call) and last_part(call_name(arg) or "") == "ForeignKey":
            fk_args = positional(arg)
            ref = fk_args[0] if fk_args else keyword(arg, "column")
            target = fk_reference(ref) if ref is not None else None
    name_kw = string_value(keyword(call, "name"))
    column = name_kw or column
    if column is None:
        return None
    nullable = keyword(call, "nullable")
    if is_true(nullable):
        required = False
    elif is_false(nullable) or is_true(keyword(call, "primary_key")):
        required = True
    else:
        required = default_required
    primary = is_true(keyword(call, "primary_key"))
    unique = is_true(keyword(call, "unique")) or primary
    token, secret = token_kinds(attr or column, keyword(call, "default"), unique, primary)
    return FieldInfo(name=attr or column, column=column, fk_target=target, required=required,
                     unique=unique, token=token, secret=secret)


def _is_none(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def _elements(sub: ast.Subscript) -> list[ast.expr]:
    """The index expressions of ``X[a, b]`` (slices ``a:b`` left out)."""
    items = sub.slice.elts if isinstance(sub.slice, ast.Tuple) else [sub.slice]
    return [i for i in items if not isinstance(i, ast.Slice)]


def annotation_optional(ann: ast.expr | None) -> bool:
    """``Optional[int]``, ``int | None``, ``Mapped[Optional[X]]``, ``"X | None"``."""
    if ann is None:
        return False
    text = string_value(ann)
    if text is not None:
        return "Optional[" in text or "None" in text.replace(" ", "").split("|")
    if isinstance(ann, ast.BinOp) and isinstance(ann.op, ast.BitOr):
        return any(_is_none(side) for side in (ann.left, ann.right)) or (
            annotation_optional(ann.left) or annotation_optional(ann.right)
        )
    if isinstance(ann, ast.Subscript):
        head = last_part(dotted(ann.value) or "")
        if head == "Optional":
            return True
        if head in ("Mapped", "Union"):
            for value in _elements(ann):
                if head == "Union" and _is_none(value):
                    return True
                if head == "Mapped" and annotation_optional(value):
                    return True
    return False


def annotation_target(ann: ast.expr | None) -> str | None:
    """The class named by an annotation, unwrapping ``Mapped``/``Optional``/``list``/strings."""
    if ann is None:
        return None
    text = string_value(ann)
    if text is not None:
        for token in text.replace("[", " ").replace("]", " ").replace("|", " ").split():
            if token not in _WRAPPERS and token != "None":
                return last_part(token.strip("'\""))
        return None
    if isinstance(ann, ast.Subscript):
        for value in _elements(ann):
            found = annotation_target(value)
            if found:
                return found
        return None
    if isinstance(ann, ast.BinOp):
        return annotation_target(ann.left) or annotation_target(ann.right)
    name = dotted(ann)
    return last_part(name) if name and name != "None" else None


def _backref_name(node: ast.expr | None) -> str | None:
    if node is None:
        return None
    text = string_value(node)
    if text is not None:
        return text
    if isinstance(node, ast.Call):
        args = positional(node)
        return string_value(args[0]) if args else None
    return None


def relationship_field(item: ClassItem, call: ast.Call) -> FieldInfo:
    args = positional(call)
    target = None
    if args:
        target = string_value(args[0]) or dotted(args[0])
        target = last_part(target) if target else None
    target = target or annotation_target(item.annotation)
    related = _backref_name(keyword(call, "back_populates")) or _backref_name(
        keyword(call, "backref")
    )
    return FieldInfo(
        name=item.target, column="", fk_target=target, required=False, related_name=related
    )


def _sqla_item(item: ClassItem) -> FieldInfo | None:
    value = item.value
    func = last_part(call_name(value) or "") if value is not None else ""
    mapped = item.annotation is not None and "Mapped" in (
        dotted(getattr(item.annotation, "value", None)) or ""
    )
    if isinstance(value, ast.Call) and func in COLUMN_FUNCS:
        default = (
            (not annotation_optional(item.annotation))
            if mapped and func == "mapped_column"
            else False
        )
        return column_field(value, item.target, default)
    if isinstance(value, ast.Call) and func in RELATIONSHIP_FUNCS:
        return relationship_field(item, value)
    if isinstance(value, ast.Call) and func in PROXY_FUNCS:
        args = positional(value)
        proxied = string_value(args[1]) if len(args) > 1 else None
        return FieldInfo(name=item.target, column=proxied, required=False, proxy=True) if proxied else None
    if value is None and mapped:
        return FieldInfo(
            name=item.target, column=item.target, required=not annotation_optional(item.annotation)
        )
    return None


def _sqlmodel_item(item: ClassItem) -> FieldInfo | None:
    value = item.value
    func = last_part(call_name(value) or "") if value is not None else ""
    if item.target.startswith("__") or item.annotation is None and func not in RELATIONSHIP_FUNCS:
        return None
    if (
        item.annotation is not None
        and last_part(dotted(getattr(item.annotation, "value", None)) or "") == "ClassVar"
    ):
        return None
    optional = annotation_optional(item.annotation)
    if isinstance(value, ast.Call) and func in RELATIONSHIP_FUNCS:
        return relationship_field(item, value)
    if isinstance(value, ast.Call) and func == "Field":
        sa_column = keyword(value, "sa_column")
        if isinstance(sa_column, ast.Call):
            return column_field(sa_column, item.target, not optional)
        fk = keyword(value, "foreign_key")
        nullable = keyword(value, "nullable")
        required = False if is_true(nullable) else (True if is_false(nullable) else not optional)
        return FieldInfo(
            name=item.target,
            column=item.target,
            fk_target=fk_reference(fk) if fk is not None else None,
            required=required,
        )
    return FieldInfo(name=item.target, column=item.target, required=not optional)


def _tablename(items: list[ClassItem]) -> str | None:
    for item in items:
        if item.target == "__tablename__" and not item.decorated:
            return string_value(item.value)
    return None


def _flag(items: list[ClassItem], name: str) -> bool:
    return any(item.target == name and is_true(item.value) for item in items)


def extract_sqlalchemy(cls: ast.ClassDef, ctx: ModelFile) -> ModelInfo | None:
    name = cls.name
    bases = base_names(cls)
    shorts = tuple(last_part(b) for b in bases)
    if name in ctx.declarative_roots:
        return None  # the declarative base itself maps no table
    items = list(class_items(cls, ctx.src))
    fields = tuple(f for item in items for f in (_sqla_item(item),) if f is not None)
    tablename = _tablename(items)
    has_dunder = any(i.target in ("__tablename__", "__table__", "__abstract__") for i in items)
    direct = "db.Model" in bases or any(b in ctx.declarative_roots for b in bases)
    if not (fields or has_dunder or direct):
        return None
    abstract = _flag(items, "__abstract__") or not bases or bases == ("object",)
    if tablename:
        table = tablename
    elif ctx.flask and not abstract and ("db.Model" in bases or any(f.column for f in fields)):
        table = snake_case(name)
    else:
        table = ""  # single-table inheritance, or a mixin: decided when bases are resolved
    return ModelInfo(
        name=name,
        table=table,
        family="sqlalchemy",
        path=ctx.relpath,
        line=ctx.lines.class_line(name),
        fields=fields,
        abstract=abstract,
        bases=shorts,
    )


def extract_sqlmodel(cls: ast.ClassDef, ctx: ModelFile) -> ModelInfo | None:
    name = cls.name
    shorts = tuple(last_part(b) for b in base_names(cls))
    items = list(class_items(cls, ctx.src))
    fields = tuple(f for item in items for f in (_sqlmodel_item(item),) if f is not None)
    is_table = is_true(class_keyword(cls, "table"))
    tablename = _tablename(items)
    return ModelInfo(
        name=name,
        table=tablename or name.lower(),
        family="sqlmodel",
        path=ctx.relpath,
        line=ctx.lines.class_line(name),
        fields=fields,
        abstract=not is_table,
        bases=shorts,
    )
