"""Django models: fields, foreign keys, ``Meta.db_table``/``abstract``, default table names."""

from __future__ import annotations

import ast

from tenantlint.index.ast_util import (
    base_names,
    call_name,
    class_items,
    dotted,
    is_true,
    keyword,
    last_part,
    meta_options,
    positional,
    string_value,
)
from tenantlint.index.class_members import managers, scoped_managers
from tenantlint.index.orm_context import ModelFile
from tenantlint.index.records import FieldInfo, ModelInfo
from tenantlint.index.tokens import token_kinds

FK_KINDS = frozenset({"ForeignKey", "OneToOneField", "ParentalKey"})
_NO_COLUMN = frozenset(
    {"ManyToManyField", "ParentalManyToManyField", "GenericForeignKey", "GenericRelation"}
)
_NOT_MODELS = frozenset(
    {"QuerySet", "Manager", "BaseManager", "TextChoices", "IntegerChoices", "Choices"}
)


def is_django_field_call(
    node: ast.expr | None, imported: frozenset[str] = frozenset()
) -> bool:
    """``models.CharField(...)``, or a field class imported from django.db.models / modelcluster."""
    name = call_name(node)
    if not name:
        return False
    short = last_part(name)
    if not (short.endswith("Field") or short in FK_KINDS or short in _NO_COLUMN):
        return False
    return name.startswith("models.") or name in imported


def fk_target_name(node: ast.expr | None, own: str) -> str | None:
    """``Org``, ``"billing.Org"``, ``"Org"``, ``"self"`` -> a model class name."""
    text = string_value(node)
    if text is not None:
        target = text.rsplit(".", 1)[-1]
        return own if target == "self" else target
    name = dotted(node) if node is not None else None
    return last_part(name) if name else None


def django_field(name: str, call: ast.Call, model: str,
                 random_functions: frozenset[str] = frozenset(),
                 secret_functions: frozenset[str] = frozenset()) -> FieldInfo | None:
    short = last_part(call_name(call) or "")
    if short in _NO_COLUMN:
        return None
    db_column = string_value(keyword(call, "db_column"))
    required = not is_true(keyword(call, "null"))
    if short in FK_KINDS:
        args = positional(call)
        target = fk_target_name(keyword(call, "to") or (args[0] if args else None), model)
        related = keyword(call, "related_name")
        related_name = string_value(related) if related is not None else f"{model.lower()}_set"
        if related_name is not None and (related_name == "+" or related_name.endswith("+")):
            related_name = None
        return FieldInfo(
            name=name,
            column=db_column or f"{name}_id",
            fk_target=target,
            required=required,
            related_name=related_name,
        )
    primary = is_true(keyword(call, "primary_key"))
    unique = is_true(keyword(call, "unique")) or primary
    token, secret = token_kinds(name, keyword(call, "default"), unique, primary, random_functions,
                                secret_functions)
    return FieldInfo(name=name, column=db_column or name, required=required, unique=unique, token=token,
                     secret=secret)


def extract_django(cls: ast.ClassDef, ctx: ModelFile) -> ModelInfo | None:
    name = cls.name
    bases = base_names(cls)
    shorts = tuple(last_part(b) for b in bases)
    if any(s in _NOT_MODELS for s in shorts):
        return None
    fields = tuple(
        f
        for item in class_items(cls, ctx.src)
        if isinstance(item.value, ast.Call) and is_django_field_call(item.value, ctx.django_names)
        for f in (django_field(item.target, item.value, name, ctx.random_functions,
                                      ctx.secret_functions),)
        if f is not None
    )
    meta = meta_options(cls, ctx.src)
    direct = "Model" in shorts
    inherited = any(s in ctx.django_models for s in shorts)
    if not (direct or inherited or fields or "db_table" in meta or "abstract" in meta or "proxy" in meta):
        return None
    ctx.django_models.add(name)
    app_label = string_value(meta.get("app_label")) or ctx.app_label
    abstract = is_true(meta.get("abstract")) or not bases or bases == ("object",)
    db_table = string_value(meta.get("db_table"))
    if db_table:
        table = db_table
    elif is_true(meta.get("proxy")):
        table = ""  # a proxy model shares its parent's table
    else:
        table = f"{app_label}_{name.lower()}" if app_label else name.lower()
    return ModelInfo(
        name=name,
        table=table,
        family="django",
        path=ctx.relpath,
        line=ctx.lines.class_line(name),
        fields=fields,
        abstract=abstract,
        bases=shorts,
        app_label=app_label,
        managers=managers(cls, ctx.src),
        scoped_managers=scoped_managers(cls, ctx.src),
        generic=tuple(
            generic_pair(item.value)
            for item in class_items(cls, ctx.src)
            if isinstance(item.value, ast.Call)
            and last_part(call_name(item.value) or "") == "GenericForeignKey"
        ),
    )


def generic_pair(call: ast.Call) -> tuple[str, str]:
    """``GenericForeignKey("content_type", "object_id")`` (the defaults): its two fields."""
    args = positional(call)
    ct = string_value(keyword(call, "ct_field") or (args[0] if args else None)) or "content_type"
    fk = string_value(keyword(call, "fk_field") or (args[1] if len(args) > 1 else None)) or "object_id"
    return ct, fk
