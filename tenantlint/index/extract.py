"""Per-file model extraction: one walk over CPython's ``ast`` (no libcst tree); picklable results."""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import replace
from typing import cast

from tenantlint.config.options import Config
from tenantlint.config.patterns import PatternSet
from tenantlint.families import ORM_FAMILIES, load
from tenantlint.index.ast_util import base_names, call_name, class_items, class_keyword, last_part
from tenantlint.index.derivations import default_pairs, event_pairs, save_pairs
from tenantlint.index.django_models import is_django_field_call
from tenantlint.index.link_tables import link_tables
from tenantlint.index.orm_context import ModelFile, model_file
from tenantlint.index.records import ModelInfo
from tenantlint.index.sqla_models import COLUMN_FUNCS, RELATIONSHIP_FUNCS
from tenantlint.index.table_calls import extract_table_call

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


def _family(cls: ast.ClassDef, ctx: ModelFile) -> str | None:
    """Which ORM a class belongs to, from its bases, body and the file's imports."""
    bases = base_names(cls)
    shorts = {last_part(b) for b in bases}
    families = ctx.families
    if class_keyword(cls, "table") is not None or "SQLModel" in shorts:
        return "sqlmodel"
    funcs = {last_part(call_name(i.value) or "") for i in class_items(cls, ctx.src) if i.value is not None}
    targets = {i.target for i in class_items(cls, ctx.src)}
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
    if any(is_django_field_call(i.value) for i in class_items(cls, ctx.src) if i.value is not None):
        return "django"
    return None


Extractor = Callable[[ast.ClassDef, ModelFile], "ModelInfo | None"]
# ORM family -> the function reading one of its model classes (``tenantlint/families.py``)
_EXTRACTORS: dict[str, Extractor] = {
    f.name: cast(Extractor, load(f.extractor)) for f in ORM_FAMILIES if f.extractor is not None
}


def _position(node: ast.AST) -> tuple[int, int]:
    return (getattr(node, "lineno", 0), getattr(node, "col_offset", 0))


def _walk(module: ast.Module, ctx: ModelFile, trusted: PatternSet) -> list[ModelInfo]:
    """Model classes (not nested in another class) and table calls, in source order."""
    found: list[tuple[tuple[int, int], int, ModelInfo]] = []
    done: set[int] = set()

    def add(node: ast.AST, info: ModelInfo) -> None:
        found.append((_position(node), len(found), info))

    stack: list[ast.AST] = [module]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.ClassDef):
            family = _family(node, ctx)
            if family is not None:
                info = _EXTRACTORS[family](node, ctx)
                if info is not None:
                    derived = save_pairs(node) + default_pairs(node, trusted)
                    info, created = link_tables(node, info, ctx)
                    methods = tuple(s.name for s in node.body
                                    if isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef))
                    add(node, replace(info, derived=derived or info.derived, methods=methods))
                    for link in created:
                        add(node, link)
            continue  # nested classes (Meta) are read by the extractors
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            if len(node.targets) == 1:
                target = node.targets[0]
                var = target.id if isinstance(target, ast.Name) else None
                info = extract_table_call(node.value, ctx, var)
                if info is not None:
                    add(node.value, info)
                    done.add(id(node.value))
        elif isinstance(node, ast.Call) and id(node) not in done:
            info = extract_table_call(node, ctx, None)
            if info is not None:
                add(node, info)
        children = list(ast.iter_child_nodes(node))
        children.reverse()
        stack.extend(children)
    found.sort(key=lambda t: (t[0], t[1]))
    events = event_pairs(module, trusted)
    return [
        replace(info, derived=info.derived + events[info.name]) if info.name in events else info
        for _, _, info in found
    ]


def extract_models(
    relpath: str, module: ast.Module, config: Config, text: str
) -> tuple[ModelInfo, ...]:
    """Every model class, ``Table(...)`` and Alembic table op defined in one ``ast``-parsed file.

    ``text`` is the file's source (line numbers, and bodies written on their header's line).
    Cross-file facts (inherited fields, tables of single-table inheritance) are left to
    ``decide_tenancy``.
    """
    ctx = model_file(relpath, module, text)
    # The config's trusted sources decide which column defaults set the tenant; the rest is tenancy's.
    return tuple(_walk(module, ctx, PatternSet.compile(config.trusted_sources)))
