"""``tenantlint init``: rank the models that could be the tenant, with the evidence for each.

Pure: works on the project index's models (the pre-pass read them without importing anything) and
re-runs the tenancy decision once per candidate to count the tables it would scope.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from tenantlint.config.options import Config
from tenantlint.index.records import ModelInfo, ProjectIndex
from tenantlint.index.resolve import InheritanceResolver, sort_key
from tenantlint.index.tenancy import decide_tenancy

# Words a tenant model is usually named after (the last word of its class name).
TENANT_WORDS = frozenset(
    {"org", "organization", "organisation", "tenant", "workspace", "team", "project", "realm",
     "space", "account", "company", "customer", "group", "household", "club", "school", "site",
     "store", "shop", "domain", "namespace", "firm", "agency", "instance", "community"}
)
_USER_BASES = frozenset(
    {"AbstractUser", "AbstractBaseUser", "UserMixin", "SQLAlchemyBaseUserTable",
     "SQLAlchemyBaseUserTableUUID", "BaseUser", "PermissionsMixin"}
)
_USER_NAMES = frozenset({"user", "userprofile", "users", "customuser", "appuser", "auth_user"})
_AUTH_USER = ("AUTH_USER_MODEL", "settings.AUTH_USER_MODEL", "get_user_model()")
MAX_CANDIDATES = 12  # candidates whose scoped tables are counted (one tenancy decision each)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A model that could be the tenant, and why."""

    name: str  # model class name (table name for DDL-only tables)
    table: str
    path: str
    line: int
    column: str  # the tenant column its rows would carry (``workspace_id``)
    field: str  # the foreign-key attribute name most used for it (``workspace``)
    referenced_by: int  # tables with a foreign key (or a ``<name>_id`` column) to it
    scopes: int  # tables it would scope (directly or through a parent)
    direct: int  # of which through their own tenant column
    name_match: bool  # named like a tenant (org, workspace, realm, …)
    user_link: str | None  # "User.org": the user model's foreign key to it
    memberships: tuple[str, ...]  # membership tables linking users to it (``WorkspaceMember``)
    score: float

    @property
    def via(self) -> int:
        return self.scopes - self.direct


@dataclass(frozen=True, slots=True)
class Ranking:
    candidates: tuple[Candidate, ...]  # best first
    user_models: tuple[str, ...]
    models: int  # concrete models/tables read
    tables_now: int  # tenant tables found with the current (default) config
    secondary: tuple[Candidate, ...] = ()  # nested tenants the user model also belongs to

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None


def words(name: str) -> list[str]:
    """``WorkspaceMember`` -> ``["workspace", "member"]``; ``org_units`` -> ``["org", "units"]``."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name)
    return [w.lower() for w in re.split(r"[_\W]+", spaced) if w]


def snake(name: str) -> str:
    return "_".join(words(name))


def singular(word: str) -> str:
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def tenant_named(name: str) -> bool:
    parts = words(name)
    return bool(parts) and singular(parts[-1]) in TENANT_WORDS


class _Models:
    """Concrete models by table, foreign-key targets resolved to tables."""

    def __init__(self, index: ProjectIndex) -> None:
        self.index = index
        self.by_table: dict[str, ModelInfo] = {}
        ordered = sorted((m for defs in index.models.values() for m in defs), key=sort_key)
        resolver = InheritanceResolver(ordered)
        for raw in ordered:
            if raw.abstract or not raw.table:
                continue
            m = resolver.resolve(raw).model
            key = m.table.lower()
            kept = self.by_table.get(key)
            if kept is None or _preference(m) > _preference(kept):
                self.by_table[key] = m
        self.class_tables = {k: v.lower() for k, v in index.by_model.items()}
        self.folded = {k.lower(): v for k, v in self.class_tables.items()}
        self.users = frozenset(k for k, m in self.by_table.items() if _is_user(m))

    def target(self, fk_target: str) -> str | None:
        if fk_target in _AUTH_USER or fk_target.endswith("AUTH_USER_MODEL"):
            return next(iter(sorted(self.users)), None)
        name = fk_target.rsplit(".", 1)[-1]
        if name in self.class_tables:
            return self.class_tables[name]
        low = name.lower()
        if low in self.by_table:
            return low
        return self.folded.get(low)

    def links(self, key: str) -> list[tuple[str, str, str, bool]]:
        """(target table, field name, column, required) for each foreign key of a table."""
        m = self.by_table[key]
        out = []
        for f in m.fields:
            if f.fk_target and f.column:
                target = self.target(f.fk_target)
                if target is not None and target != key:
                    out.append((target, f.name, f.column, f.required))
        return out


def _preference(m: ModelInfo) -> tuple[bool, int]:
    """The definition that describes a table best: a class over DDL, then the one with most fields."""
    return (m.family not in ("ddl", "alembic"), len(m.fields))


def _is_user(m: ModelInfo) -> bool:
    if m.family in ("ddl", "alembic"):
        return m.table.lower() in _USER_NAMES
    return m.name.lower() in _USER_NAMES or bool(_USER_BASES & set(m.bases))


def _scoped(models: Iterable[ModelInfo], config: Config, name: str, column: str,
            users: tuple[str, ...]) -> tuple[int, int]:
    """Tables the candidate would scope alone (user tables kept global: they are not its rows)."""
    index = decide_tenancy(models, replace(config, tenant_models=(name,), tenant_columns=(column,),
                                           tenant_tables=(), global_tables=(name, *users)))
    direct = sum(1 for t in index.tables.values() if not t.via)
    return len(index.tables), direct


def rank(index: ProjectIndex, config: Config) -> Ranking:
    """Candidates for the tenant model, best first, each with the tables it would scope."""
    models = _Models(index)
    everything = [m for defs in index.models.values() for m in defs]
    inbound: dict[str, set[str]] = {}
    field_names: dict[str, dict[tuple[str, str], int]] = {}
    for key in models.by_table:
        for target, name, column, _ in models.links(key):
            inbound.setdefault(target, set()).add(key)
            names = field_names.setdefault(target, {})
            names[(name, column)] = names.get((name, column), 0) + 1
    # tables holding a plain ``<tenant>_id`` column without a declared foreign key (Peewee CharField)
    columns: dict[str, set[str]] = {}
    for key, m in models.by_table.items():
        for f in m.fields:
            if f.column and f.column.lower().endswith("_id") and not f.fk_target:
                columns.setdefault(f.column.lower()[:-3], set()).add(key)
    prelim: list[tuple[float, str, str, str, int]] = []
    for key, m in models.by_table.items():
        if key in models.users:
            continue
        stem = snake(m.name) if m.family not in ("ddl", "alembic") else singular(m.table.lower())
        plain = columns.get(stem, set())
        refs = inbound.get(key, set()) | plain
        if not refs:
            continue
        names = field_names.get(key, {})
        if names:
            (field, column), _ = max(names.items(), key=lambda kv: (kv[1], kv[0]))
        else:
            field = column = f"{stem}_id"
        if plain and (not names or len(plain) > max(names.values())):
            field = column = f"{stem}_id"
        bonus = 1.5 if tenant_named(m.name) else 1.0
        prelim.append((len(refs) * bonus, key, field, column, len(refs)))
    prelim.sort(key=lambda p: (-p[0], p[1]))
    user_fks = {target: f"{models.by_table[u].name}.{name}"
                for u in sorted(models.users) for target, name, _, _ in models.links(u)}
    users = tuple(models.by_table[u].name for u in sorted(models.users))
    out: list[Candidate] = []
    seen: set[str] = set()
    for _, key, field, column, count in prelim[:MAX_CANDIDATES]:
        m = models.by_table[key]
        if m.name in seen:
            continue
        seen.add(m.name)
        scopes, direct = _scoped(everything, config, m.name, column, users)
        members = tuple(sorted(
            models.by_table[k].name for k in inbound.get(key, ())
            if any(t in models.users for t, *_ in models.links(k)) and _is_membership(models.by_table[k].name)
        ))
        named = tenant_named(m.name)
        user_link = user_fks.get(key)
        # tables it scopes by their own column weigh more than tables reached through a parent
        weight = direct + 0.25 * (scopes - direct)
        score = weight * (1.5 if named else 1.0) + (weight * 0.5 if user_link or members else 0.0)
        out.append(Candidate(m.name, m.table, m.path, m.line, column, field, count, scopes, direct,
                             named, user_link, members, round(score, 1)))
    out = [c for c in out if c.scopes]
    out.sort(key=lambda c: (-c.score, -c.scopes, c.name))
    secondary: tuple[Candidate, ...] = ()
    if out:
        top = out[0]
        secondary = tuple(
            c for c in out[1:]
            if c.name_match and c.user_link and top.user_link
            and any(t == top.table.lower() for t, *_ in models.links(c.table.lower()))
        )
    return Ranking(tuple(out), tuple(sorted(models.by_table[u].name for u in models.users)),
                   len(models.by_table), len(index.tables), secondary)


def _is_membership(name: str) -> bool:
    last = singular(words(name)[-1]) if words(name) else ""
    return last in {"member", "membership", "role", "access", "permission", "seat"}
