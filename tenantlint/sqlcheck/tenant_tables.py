"""Which tables are tenant-scoped, as the SQL verifier needs to know it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from tenantlint.index.records import ModelInfo, ProjectIndex, TenantTable


def normalize_table(name: str) -> str:
    """``public."Invoices"`` -> ``invoices``: last dotted part, unquoted, lower-case."""
    last = name.strip().rsplit(".", 1)[-1].strip()
    if len(last) >= 2 and last[0] == last[-1] and last[0] in "\"`'":
        last = last[1:-1]
    elif len(last) >= 2 and last[0] == "[" and last[-1] == "]":
        last = last[1:-1]
    return last.lower()


@dataclass(frozen=True, slots=True)
class SqlTenancy:
    """Tenant columns by table; via-scoped tables by (fk column, parent table). Keys lower-case."""

    columns: Mapping[str, str] = field(default_factory=dict)
    vias: Mapping[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    # other accepted tenant columns of a table (listed in tenant_tables, column unknown)
    alternatives: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # of a table with no tenant column of its own (scoped through a parent), every other foreign key
    # to a tenant table, as (fk column, parent table): a row of one tenant points at no row of
    # another, so holding ids of scoped rows confines it. A table with a tenant column of its own
    # must pin that column (it could disagree with a parent's).
    parents: Mapping[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)

    @staticmethod
    def of(
        columns: Mapping[str, str] | None = None,
        vias: Mapping[str, Iterable[tuple[str, str]]] | None = None,
        parents: Mapping[str, Iterable[tuple[str, str]]] | None = None,
    ) -> SqlTenancy:
        """Plain constructor (tests): names are normalised."""
        cols = {normalize_table(t): c.lower() for t, c in (columns or {}).items()}
        via, others = (
            {
                normalize_table(t): tuple((fk.lower(), normalize_table(p)) for fk, p in pairs)
                for t, pairs in (given or {}).items()
            }
            for given in (vias, parents)
        )
        return SqlTenancy(cols, via, {}, others)

    @staticmethod
    def from_index(index: ProjectIndex) -> SqlTenancy:
        cols: dict[str, str] = {}
        vias: dict[str, tuple[tuple[str, str], ...]] = {}
        alts: dict[str, tuple[str, ...]] = {}
        by_table = models_by_table(index)  # one pass over the models, not one per via table
        for key, tt in index.tables.items():
            name = normalize_table(key)
            if name in index.global_tables:
                continue
            if tt.tenant_column:
                cols[name] = tt.tenant_column.lower()
            if tt.alt_columns:
                alts[name] = tuple(c.lower() for c in tt.alt_columns)
            if tt.via and tt.via_columns:
                parent = via_parent(index, tt, by_table)
                if parent is not None:
                    vias[name] = ((tt.via_columns[0].lower(), parent),)
        return SqlTenancy(cols, vias, alts, _parents(index, by_table, cols, vias))

    def tenant_columns_of(self, table: str) -> tuple[str, ...]:
        """Every column that pins the tenant of ``table`` directly (empty when via-only)."""
        name = normalize_table(table)
        col = self.columns.get(name)
        return ((col,) if col else ()) + tuple(self.alternatives.get(name, ()))

    def tenant_column_of(self, table: str) -> str | None:
        return self.columns.get(normalize_table(table))

    def via(self, table: str) -> tuple[tuple[str, str], ...] | None:
        return self.vias.get(normalize_table(table))

    def links(self, table: str) -> tuple[tuple[str, str], ...]:
        """Every foreign key of ``table`` that confines it once it holds ids of scoped rows of its
        target: the via hop and any other foreign key to a tenant table."""
        name = normalize_table(table)
        return (self.vias.get(name) or ()) + self.parents.get(name, ())

    def is_tenant(self, table: str) -> bool:
        name = normalize_table(table)
        return name in self.columns or name in self.vias


def models_by_table(index: ProjectIndex) -> dict[str, list[ModelInfo]]:
    """Every model of the index by normalised table name, in index order."""
    out: dict[str, list[ModelInfo]] = {}
    for defs in index.models.values():
        for model in defs:
            out.setdefault(normalize_table(model.table), []).append(model)
    return out


def via_parent(index: ProjectIndex, tt: TenantTable,
               by_table: Mapping[str, Sequence[ModelInfo]] | None = None) -> str | None:
    """The table the first hop of ``tt.via`` points to (``by_table``: :func:`models_by_table`)."""
    fk_column = tt.via_columns[0]
    name = normalize_table(tt.table)
    if by_table is None:
        candidates: Iterable[ModelInfo] = (m for defs in index.models.values() for m in defs
                                           if normalize_table(m.table) == name)
    else:
        candidates = by_table.get(name, ())
    for model in candidates:
        for f in model.fields:
            if f.column == fk_column and f.fk_target:
                target = index.table_of_model(f.fk_target) or f.fk_target
                return normalize_table(target)
    hop = tt.via[0].lower()
    for candidate in (hop, hop + "s", hop + "es"):
        if candidate in index.tables:
            return candidate
    return None


def _parents(index: ProjectIndex, by_table: Mapping[str, Sequence[ModelInfo]],
             cols: Mapping[str, str], vias: Mapping[str, tuple[tuple[str, str], ...]],
             ) -> dict[str, tuple[tuple[str, str], ...]]:
    """Foreign keys of each via-only tenant table to a tenant table, other than its via hop."""
    tenant_tables = frozenset(cols) | frozenset(vias)
    out: dict[str, tuple[tuple[str, str], ...]] = {}
    for name in sorted(set(vias) - set(cols)):
        known = {fk for fk, _ in vias.get(name, ())}
        found: list[tuple[str, str]] = []
        for model in by_table.get(name, ()):
            for f in model.fields:
                if not f.fk_target or f.proxy or f.column.lower() in known:
                    continue
                target = normalize_table(index.table_of_model(f.fk_target) or f.fk_target)
                if target in tenant_tables:
                    known.add(f.column.lower())
                    found.append((f.column.lower(), target))
        if found:
            out[name] = tuple(found)
    return out
