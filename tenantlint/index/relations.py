"""Django lookups that reach the tenant through its relation (docs/concepts.md, "Tenant filter").

* ``workspace__slug=v``: a path through the tenant relation to a unique field of the tenant model
  (``unique=True``/primary key, or listed in ``tenant_lookup_fields``) pins the tenant to ``v``;
* ``project__project_projectmember__member=request.user``: a *membership join*, a path through a
  table that links the user model to the tenant (or to a tenant-scoped parent), pinned to the caller.

No libcst: the index alone answers, and the answers are memoised per run in ``Settings.memo``.
"""

from __future__ import annotations

from tenantlint.index.records import FieldInfo, ModelInfo, ProjectIndex, TenantTable

USER_BASES = frozenset({"AbstractUser", "AbstractBaseUser", "BaseUser", "AbstractEmailUser"})
USER_NAMES = frozenset({"AUTH_USER_MODEL", "User", "get_user_model"})


def model_of(index: ProjectIndex, name: str | None) -> ModelInfo | None:
    """A model by class name; Django references are case-insensitive (``"db.WorkSpace"``)."""
    if not name:
        return None
    found = index.model(name)
    if found is not None:
        return found
    lower = name.lower()
    return next((defs[0] for key, defs in index.models.items() if key.lower() == lower and defs), None)


def fields_with_bases(index: ProjectIndex, model: str) -> tuple[FieldInfo, ...]:
    """The fields of ``model`` and those of its project bases (mixins, abstract models) that it does
    not redefine, own fields first, then each base's depth first; a base seen once is read once."""
    out: list[FieldInfo] = []
    names: set[str] = set()
    seen: set[str] = set()

    def read(name: str) -> None:
        info = index.model(name) if name not in seen else None
        seen.add(name)
        if info is None:
            return
        for f in info.fields:
            if f.name not in names:
                names.add(f.name)
                out.append(f)
        for base in info.bases:
            if base in index.models:
                read(base)

    read(model)
    return tuple(out)


def is_user_model(index: ProjectIndex, name: str | None) -> bool:
    """The user model: ``settings.AUTH_USER_MODEL``, a model called ``User`` or one deriving from
    Django's abstract users."""
    if not name:
        return False
    if name in USER_NAMES:
        return True
    model = model_of(index, name)
    return model is not None and bool(USER_BASES & set(model.bases))


def unique_fields(index: ProjectIndex, model: str | None, extra: frozenset[str]) -> frozenset[str]:
    """Fields of ``model`` that identify one row: unique ones and ``tenant_lookup_fields``."""
    info = model_of(index, model)
    if info is None:
        return frozenset()
    names = {f.name for f in info.fields if f.unique and not f.fk_target}
    names.update(f.name for f in info.fields if f.name in extra)
    return frozenset(names)


def lookup_paths(index: ProjectIndex, tenant: TenantTable, extra: frozenset[str],
                 depth: int = 0) -> frozenset[str]:
    """``workspace__slug`` (direct) or ``issue__workspace__slug`` (via ``issue``) for the table."""
    if depth > 6:
        return frozenset()
    model = index.model(tenant.models[0]) if tenant.models else None
    if model is None:
        return frozenset()
    if tenant.via:
        fk = _field(model, tenant.via[0])
        target = model_of(index, fk.fk_target) if fk and fk.fk_target else None
        parent = index.tenant_table_of_model(target.name) if target else None
        if fk is None or parent is None or parent.table == tenant.table:
            return frozenset()
        return frozenset(f"{fk.name}__{p}" for p in lookup_paths(index, parent, extra, depth + 1))
    out: set[str] = set()
    for f in model.fields:
        if f.fk_target and f.name in tenant.tenant_names():
            out.update(f"{f.name}__{u}" for u in unique_fields(index, f.fk_target, extra))
    return frozenset(out)


def _field(model: ModelInfo, name: str) -> FieldInfo | None:
    return next((f for f in model.fields if f.name == name or f.column == name), None)


def _reverse(index: ProjectIndex, model: str, part: str) -> tuple[str, FieldInfo] | None:
    """``project_projectmember`` on Project -> (ProjectMember, its ``project`` FK)."""
    lower = model.lower()
    for name, defs in index.models.items():
        for m in defs:
            for f in m.fields:
                if (f.fk_target or "").lower() != lower:
                    continue
                default = f.related_name is None or f.related_name == f"{name.lower()}_set"
                if part == f.related_name or (default and part == name.lower()):
                    return name, f
    return None


def _many_to_many(index: ProjectIndex, info: ModelInfo, part: str) -> str | None:
    """The model a many-to-many field ``part`` of ``info`` links to, through its link table (the one
    Django creates, or ``through=``): the link's foreign key to a model other than ``info``'s."""
    link = dict(info.links).get(part)
    link_info = model_of(index, link) if link else None
    if link_info is None:
        return None
    own = info.name.lower()
    others = [f.fk_target for f in link_info.fields if f.fk_target and f.fk_target.lower() != own
              and index.tenant_table_of_model(f.fk_target) is not None]  # not the link's own tenant
    return others[0] if len(set(others)) == 1 else None


def is_membership_join(index: ProjectIndex, model: str, key: str) -> str | None:
    """The membership table a lookup path goes through to the user, or None.

    The path starts at ``model`` with forward foreign keys (or many-to-many fields, through their
    link table to the model on the other side), takes a reverse relation into a table
    whose foreign key points at the tenant model or a tenant table (the link), and ends on that
    table's foreign key to the user model.
    """
    parts = key.split("__")
    if len(parts) < 2:
        return None
    current = model
    for i, part in enumerate(parts[:-1]):
        info = model_of(index, current)
        if info is None:
            return None
        current = info.name
        fk = _field(info, part)
        if fk is not None and fk.fk_target:
            current = fk.fk_target
            continue
        across = _many_to_many(index, info, part)
        if across is not None and i != len(parts) - 2:
            current = across  # ``projects`` of a page: each project the page is linked to
            continue
        back = _reverse(index, current, part)
        if back is None:
            return None
        link, link_fk = back
        if i != len(parts) - 2:
            return None  # the membership table's user FK must end the path
        to_tenant = is_tenant_link(index, link_fk.fk_target or "")
        link_info = model_of(index, link)
        user_fk = _field(link_info, parts[-1]) if link_info else None
        if to_tenant and user_fk is not None and is_user_model(index, user_fk.fk_target) \
                and is_membership_table(index, link):
            return link
        return None
    return None


def is_tenant_link(index: ProjectIndex, model: str) -> bool:
    """The tenant model itself or a tenant-scoped table: what a membership table links users to."""
    info = model_of(index, model)
    name = info.name if info else model
    return index.tenant_table_of_model(name) is not None or is_tenant_root(index, name)


def is_tenant_root(index: ProjectIndex, model: str) -> bool:
    """A model tenant columns point at (``Workspace``)."""
    for t in index.tables.values():
        info = index.model(t.models[0]) if t.models else None
        if info is None or not t.tenant_field:
            continue
        fk = _field(info, t.tenant_field)
        if fk is not None and (fk.fk_target or "").lower() == model.lower():
            return True
    return False


# Columns that hold the id of the user a row belongs to when no foreign key is declared (Peewee
# ``created_by = CharField()``, a Django ``IntegerField``): named for the owner and nothing else.
OWNER_COLUMNS = frozenset({"user_id", "owner_id", "creator_id", "author_id", "created_by",
                           "created_by_id"})
MEMBERSHIP_WORDS = ("member", "role", "access", "permission", "team", "collaborator", "invite",
                    "grant", "share", "subscription", "seat")
AUDIT_FIELDS = frozenset({"id", "created_at", "updated_at", "deleted_at", "created_by", "updated_by"})


def is_membership_table(index: ProjectIndex, model: str) -> bool:
    """A table linking the user model to the tenant or a tenant-scoped parent: foreign keys to both,
    and either a name that says so (``WorkspaceMember``, ``ProjectRole``) or little else besides
    (an ``Issue`` with an assignee is content, not membership)."""
    info = model_of(index, model)
    if info is None:
        return False
    fks = [f for f in info.fields if f.fk_target]
    if not any(is_user_model(index, f.fk_target) for f in fks):
        return False
    if not any(is_tenant_link(index, f.fk_target or "") for f in fks
               if not is_user_model(index, f.fk_target)):
        return False
    if any(word in info.name.lower() for word in MEMBERSHIP_WORDS):
        return True
    own = [f for f in info.fields if not f.fk_target and f.name not in AUDIT_FIELDS]
    return len(own) <= 4


def relation_to_tenant_row(index: ProjectIndex, model: str, key: str) -> str | None:
    """The model a lookup path ends on when its last part is a foreign key to a tenant-scoped table
    or to the tenant model, walked through forward foreign keys and reverse relations
    (``issue_module__module_id`` on Issue -> ``Module``). Pinned to a row that carries its tenant
    (a scoped row, ``OuterRef`` of a scoped outer query), such a path confines the rows to it."""
    parts = key.split("__")
    if len(parts) < 2:
        return None
    current = model
    for i, part in enumerate(parts):
        info = model_of(index, current)
        if info is None:
            return None
        fk = _field(info, part)
        if fk is None and i < len(parts) - 1:
            back = _reverse(index, info.name, part)
            if back is None:
                return None
            current = back[0]
            continue
        if fk is None or not fk.fk_target:
            return None
        if i == len(parts) - 1:
            return fk.fk_target if is_tenant_link(index, fk.fk_target) else None
        current = fk.fk_target
    return None
