"""Per-file model extraction: one plain libcst visit, no metadata providers; picklable results."""

from __future__ import annotations

import libcst as cst

from tenantlint.config.model import Config
from tenantlint.index.context import FileContext, file_context
from tenantlint.index.cst_util import base_names, call_name, class_items, class_keyword, last_part
from tenantlint.index.ddl import extract_table_call
from tenantlint.index.django_models import extract_django, is_django_field_call
from tenantlint.index.model import ModelInfo
from tenantlint.index.peewee_tortoise import extract_peewee, extract_tortoise
from tenantlint.index.sqla_models import (
    COLUMN_FUNCS,
    RELATIONSHIP_FUNCS,
    extract_sqlalchemy,
    extract_sqlmodel,
)

_CLASS_HINTS = (
    "Model",
    "Base",
    "Mixin",
    "Column",
    "column",
    "Field",
    "ForeignKey",
    "ParentalKey",
    "Mapped",
    "__tablename__",
    "__table__",
    "db_table",
    "table_name",
    "table=",
    "declared_attr",
)
_CALL_HINTS = ("Table(", "create_table", "add_column")


def may_define_models(text: str) -> bool:
    """Cheap and conservative: False only when the text cannot define a model or a table."""
    if any(hint in text for hint in _CALL_HINTS):
        return True
    return "class " in text and any(hint in text for hint in _CLASS_HINTS)


def _family(cls: cst.ClassDef, ctx: FileContext) -> str | None:
    """Which ORM a class belongs to, from its bases, body and the file's imports."""
    bases = base_names(cls)
    shorts = {last_part(b) for b in bases}
    families = ctx.families
    if class_keyword(cls, "table") is not None or "SQLModel" in shorts:
        return "sqlmodel"
    funcs = {last_part(call_name(i.value) or "") for i in class_items(cls) if i.value is not None}
    targets = {i.target for i in class_items(cls)}
    sqla_evidence = bool(funcs & (COLUMN_FUNCS | RELATIONSHIP_FUNCS)) or bool(
        targets & {"__tablename__", "__table__", "__abstract__"}
    )
    if "sqlmodel" in families and "Field" in funcs and not funcs & COLUMN_FUNCS:
        return "sqlmodel"
    if "db.Model" in bases or any(b in ctx.declarative_roots for b in bases):
        return "sqlalchemy"
    if sqla_evidence and ("sqlalchemy" in families or "sqlmodel" in families or not families):
        return "sqlalchemy"
    for family in ("tortoise", "peewee", "django", "sqlalchemy", "sqlmodel"):
        if family in families:
            return family
    if any(is_django_field_call(i.value) for i in class_items(cls) if i.value is not None):
        return "django"
    return None


_EXTRACTORS = {
    "django": extract_django,
    "sqlalchemy": extract_sqlalchemy,
    "sqlmodel": extract_sqlmodel,
    "peewee": extract_peewee,
    "tortoise": extract_tortoise,
}


class _ModelVisitor(cst.CSTVisitor):
    def __init__(self, ctx: FileContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.found: list[ModelInfo] = []
        self._done: set[int] = set()

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        family = _family(node, self.ctx)
        if family is not None:
            info = _EXTRACTORS[family](node, self.ctx)
            if info is not None:
                self.found.append(info)
        return False  # nested classes (Meta) are read by the extractors

    def visit_Assign(self, node: cst.Assign) -> None:
        if isinstance(node.value, cst.Call) and len(node.targets) == 1:
            target = node.targets[0].target
            var = target.value if isinstance(target, cst.Name) else None
            info = extract_table_call(node.value, self.ctx, var)
            if info is not None:
                self.found.append(info)
                self._done.add(id(node.value))

    def visit_Call(self, node: cst.Call) -> None:
        if id(node) in self._done:
            return
        info = extract_table_call(node, self.ctx, None)
        if info is not None:
            self.found.append(info)


def extract_models(
    relpath: str, module: cst.Module, config: Config, text: str | None = None
) -> tuple[ModelInfo, ...]:
    """Every model class, ``Table(...)`` and Alembic table op defined in one parsed file.

    ``text`` is the file's source when the caller has it (saves regenerating it for line numbers).
    Cross-file facts (inherited fields, tables of single-table inheritance) are left to
    ``decide_tenancy``.
    """
    del config  # extraction does not depend on the config; tenancy does
    ctx = file_context(relpath, module, text if text is not None else module.code)
    visitor = _ModelVisitor(ctx)
    module.visit(visitor)
    return tuple(visitor.found)
