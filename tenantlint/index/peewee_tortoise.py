"""Peewee and Tortoise ORM models."""

from __future__ import annotations

import ast

from tenantlint.index.ast_util import (
    base_names,
    call_name,
    class_items,
    is_true,
    keyword,
    last_part,
    meta_options,
    positional,
    string_value,
)
from tenantlint.index.class_members import managers
from tenantlint.index.django_models import fk_target_name
from tenantlint.index.orm_context import ModelFile
from tenantlint.index.records import FieldInfo, ModelInfo
from tenantlint.index.tokens import token_kinds

_PEEWEE_FK = frozenset({"ForeignKeyField", "DeferredForeignKey"})
_TORTOISE_FK = frozenset({"ForeignKeyField", "OneToOneField", "ForeignKeyRelation"})
_NO_COLUMN = frozenset(
    {"ManyToManyField", "BackrefAccessor", "ReverseRelation", "ManyToManyRelation"}
)


def _peewee_field(name: str, call: ast.Call, model: str, ctx: ModelFile) -> FieldInfo | None:
    short = last_part(call_name(call) or "")
    if not short.endswith("Field") and short not in _PEEWEE_FK or short in _NO_COLUMN:
        return None
    required = not is_true(keyword(call, "null"))
    column = string_value(keyword(call, "column_name"))
    if short in _PEEWEE_FK:
        args = positional(call)
        target = fk_target_name(keyword(call, "model") or (args[0] if args else None), model)
        backref = keyword(call, "backref")
        related = string_value(backref) if backref is not None else f"{model.lower()}_set"
        if related is not None and related.startswith("+"):
            related = None
        return FieldInfo(name, column or f"{name}_id", target, required, related)
    primary = is_true(keyword(call, "primary_key"))
    unique = is_true(keyword(call, "unique")) or primary
    token, secret = token_kinds(name, keyword(call, "default"), unique, primary, ctx.random_functions,
                                ctx.secret_functions)
    return FieldInfo(name, column or name, required=required, unique=unique, token=token, secret=secret)


def _tortoise_field(name: str, call: ast.Call, model: str, ctx: ModelFile) -> FieldInfo | None:
    func = call_name(call) or ""
    short = last_part(func)
    if not short.endswith("Field") or short in _NO_COLUMN:
        return None
    required = not is_true(keyword(call, "null"))
    source = string_value(keyword(call, "source_field"))
    if short in _TORTOISE_FK:
        args = positional(call)
        target = fk_target_name(keyword(call, "model_name") or (args[0] if args else None), model)
        related_kw = keyword(call, "related_name")
        related = string_value(related_kw) if related_kw is not None else f"{model.lower()}s"
        if related_kw is not None and string_value(related_kw) is None:
            related = None  # related_name=False: no reverse accessor
        return FieldInfo(name, source or f"{name}_id", target, required, related)
    primary = is_true(keyword(call, "pk"))
    unique = is_true(keyword(call, "unique")) or primary
    token, secret = token_kinds(name, keyword(call, "default"), unique, primary, ctx.random_functions,
                                ctx.secret_functions)
    return FieldInfo(name, source or name, required=required, unique=unique, token=token, secret=secret)


def _extract(cls: ast.ClassDef, ctx: ModelFile, family: str) -> ModelInfo | None:
    name = cls.name
    shorts = tuple(last_part(b) for b in base_names(cls))
    make = _peewee_field if family == "peewee" else _tortoise_field
    fields = tuple(
        f
        for item in class_items(cls, ctx.src)
        if isinstance(item.value, ast.Call)
        for f in (make(item.target, item.value, name, ctx),)
        if f is not None
    )
    meta = meta_options(cls, ctx.src)
    # Peewee 3 names the table `table_name`; `db_table` is Peewee 2's name, which Peewee 3 still reads.
    table_keys = ("table_name", "db_table") if family == "peewee" else ("table",)
    if not ("Model" in shorts or fields or any(k in meta for k in table_keys)):
        return None
    table = next((t for k in table_keys if (t := string_value(meta.get(k)))), None) or name.lower()
    abstract = is_true(meta.get("abstract")) or not shorts or shorts == ("object",)
    return ModelInfo(
        name=name,
        table=table,
        family=family,
        path=ctx.relpath,
        line=ctx.lines.class_line(name),
        fields=fields,
        abstract=abstract,
        bases=shorts,
        managers=managers(cls, ctx.src) if family == "tortoise" else (),
    )


def extract_peewee(cls: ast.ClassDef, ctx: ModelFile) -> ModelInfo | None:
    return _extract(cls, ctx, "peewee")


def extract_tortoise(cls: ast.ClassDef, ctx: ModelFile) -> ModelInfo | None:
    return _extract(cls, ctx, "tortoise")
