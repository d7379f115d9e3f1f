"""Django many-to-many link tables: the one Django creates for a ``ManyToManyField`` and the ``through=``
model a field names.

``Food.inherit_fields = models.ManyToManyField(Food)`` makes the table ``recipes_food_inherit_fields``
(``<model table>_<field>``), model ``Food_inherit_fields``, with a required foreign key to each side
(``from_food``/``to_food`` when both sides are one model). Discovery then makes it tenant-scoped through
a side that is a tenant table. ``Food.inherit_fields.through`` names that model in queries (and, for
``through=Membership``, the model ``Membership``): :attr:`ModelInfo.links` records field -> model.
"""

from __future__ import annotations

import ast
from dataclasses import replace

from tenantlint.index.ast_util import (
    call_name,
    class_items,
    dotted,
    keyword,
    last_part,
    positional,
    string_value,
)
from tenantlint.index.orm_context import ModelFile
from tenantlint.index.records import FieldInfo, ModelInfo

M2M_KINDS = frozenset({"ManyToManyField", "ParentalManyToManyField"})


def _target(call: ast.Call, own: str) -> str | None:
    args = positional(call)
    node = keyword(call, "to") or (args[0] if args else None)
    if node is None:
        return None
    text = string_value(node)
    if text is None:
        text = dotted(node)
    if not text:
        return None
    short = last_part(text)
    return own if short == "self" else short


def link_tables(cls: ast.ClassDef, info: ModelInfo, ctx: ModelFile) -> tuple[ModelInfo, list[ModelInfo]]:
    """``info`` with its ``links``, and the auto-created link models of its many-to-many fields."""
    if info.family != "django" or info.abstract or not info.table:
        return info, []
    links: list[tuple[str, str]] = []
    created: list[ModelInfo] = []
    for item in class_items(cls, ctx.src):
        call = item.value
        if not isinstance(call, ast.Call) or last_part(call_name(call) or "") not in M2M_KINDS:
            continue
        through = keyword(call, "through")
        if through is not None:
            text = string_value(through) or dotted(through)
            if text:
                links.append((item.target, last_part(text)))
            continue
        target = _target(call, info.name)
        if target is None:
            continue
        own, other = info.name.lower(), target.lower()
        if own == other:
            own, other = f"from_{own}", f"to_{other}"
        name = f"{info.name}_{item.target}"
        links.append((item.target, name))
        created.append(ModelInfo(
            name=name,
            table=f"{info.table}_{item.target}",
            family="django",
            path=info.path,
            line=_line(call, info.line),
            fields=(
                FieldInfo(own, f"{own}_id", fk_target=info.name, related_name=None),
                FieldInfo(other, f"{other}_id", fk_target=target, related_name=None),
            ),
            app_label=info.app_label,
        ))
    if not links:
        return info, []
    return replace(info, links=tuple(links)), created


def _line(node: ast.AST, default: int) -> int:
    return getattr(node, "lineno", default) or default
