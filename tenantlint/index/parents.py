"""``tenant_parents``: relations to a tenant-scoped parent that discovery cannot see.

``"Widget.dashboard"`` makes the nullable foreign key ``dashboard`` count as a required one;
``"Document.kb_id -> Knowledgebase"`` makes the plain id column ``kb_id`` a foreign key to
``Knowledgebase`` (added as a field when the model does not declare it). Applied to the resolved models
before tenancy is decided, so the table becomes tenant-scoped through that parent (when the parent is).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from tenantlint.index.records import FieldInfo
from tenantlint.index.resolve import Origin, Resolved


@dataclass(frozen=True, slots=True)
class Parent:
    model: str  # class or table name
    field: str  # field or column name
    target: str | None  # the parent model or table; None: the field's own foreign key target


def parse_parent(entry: str) -> Parent:
    """``"Document.kb_id -> Knowledgebase"`` (the config loader has checked the form)."""
    left, _, target = entry.partition("->")
    model, _, field = left.strip().partition(".")
    return Parent(model.strip(), field.strip(), target.strip().rsplit(".", 1)[-1] or None)


def _matches(r: Resolved, name: str) -> bool:
    return r.model.name == name or (bool(r.model.table) and r.model.table.lower() == name.lower())


def apply_parents(resolved: list[Resolved], entries: tuple[str, ...]) -> list[Resolved]:
    """``resolved`` with each declared parent relation made a required foreign key."""
    if not entries:
        return resolved
    parents = [parse_parent(e) for e in entries]
    out: list[Resolved] = []
    for r in resolved:
        mine = [p for p in parents if _matches(r, p.model)]
        if mine:
            r = _apply(r, mine)
        out.append(r)
    return out


def _apply(r: Resolved, parents: list[Parent]) -> Resolved:
    fields = list(r.model.fields)
    origins = list(r.origins)
    for p in parents:
        at = next((i for i, f in enumerate(fields) if p.field in (f.name, f.column)), None)
        if at is None:
            if p.target is None:
                continue  # ``Model.field`` naming no foreign key of the model: nothing to make required
            fields.append(FieldInfo(p.field, p.field, fk_target=p.target))
            origins.append(Origin(r.model.name, r.model.path, r.model.line))
            continue
        f = fields[at]
        if not f.column:  # a SQLAlchemy relationship: its foreign key column, ``<name>_id``
            at = next((i for i, g in enumerate(fields) if g.column == f"{p.field}_id"), None)
            if at is None:
                continue
            f = replace(fields[at], fk_target=fields[at].fk_target or f.fk_target)
        target = p.target or f.fk_target
        if target is None:
            continue
        fields[at] = replace(f, fk_target=target, required=True)
    return Resolved(replace(r.model, fields=tuple(fields)), tuple(origins))
