"""Which tables are tenant-scoped, and why (docs/concepts.md, "Tenant tables")."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from tenantlint.config.options import Config
from tenantlint.index.parents import apply_parents
from tenantlint.index.records import FieldInfo, ModelInfo, ProjectIndex, TenantTable
from tenantlint.index.resolve import CLASS_FAMILIES, InheritanceResolver, Origin, Resolved, sort_key

_FAMILY_RANK = {"ddl": 2, "alembic": 1}


@dataclass(frozen=True, slots=True)
class _Names:
    """Model-class and table names, for config entries and foreign-key targets."""

    model_tables: dict[str, str]  # class name -> table (lower)
    folded: dict[str, str]  # lower-case class name -> table (lower), first definition wins

    def table(self, name: str) -> str:
        if name in self.model_tables:
            return self.model_tables[name]
        return self.folded.get(name.lower(), name.lower())


def _entry_key(r: Resolved) -> tuple[int, str, int, str, str, str]:
    return (_FAMILY_RANK.get(r.model.family, 0), *sort_key(r.model))


class _Decider:
    def __init__(self, resolved: list[Resolved], config: Config) -> None:
        self.config = config
        self.groups: dict[str, list[Resolved]] = {}
        model_tables: dict[str, str] = {}
        folded: dict[str, str] = {}
        for r in sorted(resolved, key=_entry_key):
            m = r.model
            if m.abstract or not m.table:
                continue
            self.groups.setdefault(m.table.lower(), []).append(r)
            if m.family in CLASS_FAMILIES:
                model_tables.setdefault(m.name, m.table.lower())
                folded.setdefault(m.name.lower(), m.table.lower())
        self.names = _Names(model_tables, folded)
        self.columns = frozenset(c.lower() for c in config.tenant_columns)
        self.listed = frozenset(self.names.table(n) for n in config.tenant_tables)
        self.global_tables = frozenset(self.names.table(n) for n in config.global_tables)
        self.tenant_model_names = frozenset(n.lower() for n in config.tenant_models)
        self.tenant_model_tables = frozenset(self.names.table(n) for n in config.tenant_models)

    def models_of(self, key: str) -> tuple[str, ...]:
        return tuple(sorted(n for n, t in self.names.model_tables.items() if t == key))

    def _is_tenant_model(self, target: str) -> bool:
        return (
            target.lower() in self.tenant_model_names
            or self.names.table(target) in self.tenant_model_tables
        )

    def _fields(self, key: str) -> list[tuple[Resolved, FieldInfo, Origin]]:
        return [
            (r, f, o)
            for r in self.groups.get(key, ())
            for f, o in zip(r.model.fields, r.origins, strict=True)
        ]

    def direct(self, key: str) -> TenantTable | None:
        t = self._direct(key)
        if t is None:
            return None
        set_by = self.set_by(key, t)
        return replace(t, set_by=set_by) if set_by else t

    def set_by(self, key: str, t: TenantTable) -> tuple[str, ...]:
        """Fields whose value the model copies into the tenant column on insert (``save()``,
        insert events), and ``"*"`` when a trusted default sets it (docs/concepts.md)."""
        targets = {n for n in (t.tenant_field, t.tenant_column, *t.alt_columns) if n}
        out: dict[str, None] = {}
        for r in self.groups.get(key, ()):
            columns = {f.name: f.column for f in r.model.fields}
            for assigned, source in r.model.derived:
                if assigned not in targets and columns.get(assigned) not in targets:
                    continue
                if not source:
                    out["*"] = None
                elif source in columns:
                    out[source] = None
                    out[columns[source] or source] = None
        return tuple(out)

    def _direct(self, key: str) -> TenantTable | None:
        entries = self.groups.get(key, [])
        table = entries[0].model.table if entries else key
        where = (entries[0].model.path, entries[0].model.line) if entries else ("", 0)
        fields = self._fields(key)
        by_column = next(
            (
                (r, f, o)
                for r, f, o in fields
                if f.column and not f.proxy
                and (f.column.lower() in self.columns or f.name.lower() in self.columns)
            ),
            None,
        )
        by_fk = next(
            (
                (r, f, o)
                for r, f, o in fields
                if f.column and not f.proxy and f.fk_target and self._is_tenant_model(f.fk_target)
            ),
            None,
        )
        found = by_column or by_fk
        others = self._other_tenant_names(fields, found)
        if key in self.listed:
            alt: tuple[str, ...] = ()
            if found is not None:
                field, column = found[1].name, found[1].column
                alt = others
            else:
                # no model/DDL says which tenant column it has: accept any configured one
                names = tuple(dict.fromkeys(c.lower() for c in self.config.tenant_columns))
                column = names[0] if names else "tenant_id"
                field, alt = column, names[1:]
            return TenantTable(
                table,
                self.models_of(key),
                field,
                column,
                alt_columns=alt,
                reason="listed in tenant_tables",
                path=where[0],
                line=where[1],
            )
        if not self.config.discover or found is None:
            return None
        r, f, o = found
        inherited = f", inherited from {o.model}" if o.model != r.model.name else ""
        if found is by_column:
            reason = f"column {f.column} ({o.path}:{o.line}{inherited})"
        else:
            reason = f"foreign key {f.name} → {f.fk_target} (tenant_models{inherited})"
        return TenantTable(
            table,
            self.models_of(key),
            f.name,
            f.column,
            alt_columns=others,
            reason=reason,
            path=where[0],
            line=where[1],
        )

    def _other_tenant_names(
        self, fields: list[tuple[Resolved, FieldInfo, Origin]],
        found: tuple[Resolved, FieldInfo, Origin] | None,
    ) -> tuple[str, ...]:
        """Field and column names of the table's other tenant columns (``project_id`` beside
        ``workspace_id``): a filter or insert on any of them pins the tenant."""
        if found is None:
            return ()
        taken = {found[1].name.lower(), (found[1].column or "").lower()}
        out: dict[str, None] = {}
        for _, f, _ in fields:
            if not f.column:
                continue
            tenant_col = f.column.lower() in self.columns or f.name.lower() in self.columns
            if not (tenant_col or (f.fk_target and self._is_tenant_model(f.fk_target))):
                continue
            if f.proxy:  # filters through its relation: its own name, when it proxies a tenant column
                if f.column.lower() in self.columns and f.name.lower() not in taken:
                    out.setdefault(f.name, None)
                continue
            for n in (f.name, f.column):
                if n.lower() not in taken:
                    out.setdefault(n, None)
        return tuple(out)

    def tenant_roots(self, tenant: dict[str, TenantTable]) -> frozenset[str]:
        """Tables that tenant columns point at (the organizations): never scoped via a relation."""
        roots = set(self.tenant_model_tables)
        for key, t in tenant.items():
            for _, f, _ in self._fields(key):
                if f.name == t.tenant_field and f.fk_target:
                    roots.add(self.names.table(f.fk_target))
        return frozenset(roots)

    def _via_name(self, r: Resolved, f: FieldInfo, parent: str) -> str:
        """The ORM attribute of a foreign key: the relationship to the same table, if any."""
        if r.model.family in ("sqlalchemy", "sqlmodel"):
            for rel in r.model.fields:
                if not rel.column and rel.fk_target and self.names.table(rel.fk_target) == parent:
                    return rel.name
        return f.name

    def via(self, key: str, tenant: dict[str, TenantTable]) -> TenantTable | None:
        best: tuple[int, TenantTable] | None = None
        entries = self.groups.get(key, [])
        for r, f, _ in self._fields(key):
            if not (f.column and f.fk_target and f.required):
                continue
            parent_key = self.names.table(f.fk_target)
            parent = tenant.get(parent_key)
            if parent is None or parent_key == key:
                continue
            if best is not None and best[0] <= len(parent.via):
                continue
            candidate = TenantTable(
                entries[0].model.table,
                self.models_of(key),
                None,
                None,
                via=(self._via_name(r, f, parent_key),) + parent.via,
                via_columns=(f.column,) + parent.via_columns,
                reason=f"required foreign key {f.name} → {parent.table} (tenant table)",
                path=entries[0].model.path,
                line=entries[0].model.line,
            )
            best = (len(parent.via), candidate)
        return best[1] if best else None


def decide_tenancy(models: Iterable[ModelInfo], config: Config) -> ProjectIndex:
    """Resolve inheritance, then decide each tenant table: direct first, then via relations."""
    ordered = sorted(models, key=sort_key)
    resolver = InheritanceResolver(ordered)
    resolved = apply_parents([resolver.resolve(m) for m in ordered], config.tenant_parents)
    d = _Decider(resolved, config)
    tenant: dict[str, TenantTable] = {}
    for key in sorted(set(d.groups) | d.listed):
        if key in d.global_tables:
            continue
        t = d.direct(key)
        if t is not None:
            tenant[key] = t
    if config.discover:
        roots = d.tenant_roots(tenant)
        while True:
            added: dict[str, TenantTable] = {}
            for key in sorted(d.groups):
                if key in tenant or key in d.global_tables or key in roots:
                    continue
                t = d.via(key, tenant)
                if t is not None:
                    added[key] = t
            if not added:
                break
            tenant.update(added)
    all_models: dict[str, list[ModelInfo]] = {}
    for r in resolved:
        all_models.setdefault(r.model.name, []).append(r.model)
    by_model = {
        r.model.name: r.model.table
        for r in reversed(sorted(resolved, key=_entry_key))
        if r.model.family in CLASS_FAMILIES and not r.model.abstract and r.model.table
    }
    return ProjectIndex(
        models={name: tuple(defs) for name, defs in sorted(all_models.items())},
        tables=dict(sorted(tenant.items())),
        global_tables=d.global_tables,
        by_model=dict(sorted(by_model.items())),
    )
