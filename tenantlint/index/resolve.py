"""Cross-file resolution of model inheritance: fields from project-defined bases and mixins."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from tenantlint.index.records import FieldInfo, ModelInfo

CLASS_FAMILIES = frozenset({"django", "sqlalchemy", "sqlmodel", "peewee", "tortoise"})
_TEMPLATED_RELATED = ("django", "peewee")


@dataclass(frozen=True, slots=True)
class Origin:
    """Where an (inherited) field was declared."""

    model: str
    path: str
    line: int


@dataclass(frozen=True, slots=True)
class Resolved:
    model: ModelInfo  # fields include inherited ones; table resolved ("" only when abstract)
    origins: tuple[Origin, ...]  # parallel to model.fields


def sort_key(m: ModelInfo) -> tuple[str, int, str, str, str]:
    return (m.path, m.line, m.name, m.table, m.family)


def _retarget(f: FieldInfo, base: ModelInfo, child: ModelInfo) -> FieldInfo:
    """Re-derive an inherited field's related name for the child (``%(class)s``, ``x_set``)."""
    related = f.related_name
    if related is None or child.family not in _TEMPLATED_RELATED:
        return f
    if related == f"{base.name.lower()}_set":
        related = f"{child.name.lower()}_set"
    related = related.replace("%(class)s", child.name.lower())
    related = related.replace("%(app_label)s", (child.app_label or "").lower())
    return replace(f, related_name=related)


class InheritanceResolver:
    """Resolve each class model against the project-defined classes it names as bases."""

    def __init__(self, models: Iterable[ModelInfo]) -> None:
        self._by_name: dict[str, list[ModelInfo]] = {}
        for m in sorted(models, key=sort_key):
            if m.family in CLASS_FAMILIES:
                self._by_name.setdefault(m.name, []).append(m)
        self._memo: dict[tuple[str, int, str], Resolved] = {}

    def _base(self, name: str, child: ModelInfo) -> ModelInfo | None:
        defs = [d for d in self._by_name.get(name, ()) if d is not child]
        if not defs:
            return None
        for pick in (
            lambda d: d.path == child.path and d.line < child.line,
            lambda d: d.family == child.family,
            lambda d: True,
        ):
            for d in defs:
                if pick(d):
                    return d
        return None

    def resolve(self, m: ModelInfo, _stack: frozenset[str] = frozenset()) -> Resolved:
        key = (m.path, m.line, m.name)
        if key in self._memo:
            return self._memo[key]
        own = {f.name: f for f in m.fields}
        fields: dict[str, tuple[FieldInfo, Origin]] = {}
        managers: dict[str, None] = dict.fromkeys(m.managers)
        scoped: dict[str, None] = dict.fromkeys(m.scoped_managers)
        derived: list[tuple[str, str]] = []
        generic: dict[tuple[str, str], None] = dict.fromkeys(m.generic)
        table = m.table
        for base_name in reversed(m.bases):  # the first base wins, as in the MRO
            base = self._base(base_name, m)
            if base is None or base.name in _stack:
                continue
            rb = self.resolve(base, _stack | {m.name})
            managers.update(dict.fromkeys(rb.model.managers))
            scoped.update(dict.fromkeys(rb.model.scoped_managers))
            generic.update(dict.fromkeys(rb.model.generic))
            derived.extend(p for p in rb.model.derived if p not in derived)
            for f, origin in zip(rb.model.fields, rb.origins, strict=True):
                if f.name not in own:
                    fields[f.name] = (_retarget(f, base, m), origin)
        for base_name in m.bases:
            if table:
                break
            base = self._base(base_name, m)
            if base is not None and base.name not in _stack:
                rb = self.resolve(base, _stack | {m.name})
                if not rb.model.abstract and rb.model.table:
                    table = rb.model.table
        here = Origin(m.name, m.path, m.line)
        for f in m.fields:
            fields[f.name] = (f, here)
        ordered = [fields[name] for name in fields]
        model = replace(
            m,
            table=table,
            fields=tuple(f for f, _ in ordered),
            abstract=m.abstract or not table,
            managers=tuple(managers),
            scoped_managers=tuple(scoped),
            generic=tuple(generic),
            derived=tuple(derived) + tuple(p for p in m.derived if p not in derived),
        )
        result = Resolved(model, tuple(o for _, o in ordered))
        self._memo[key] = result
        return result
