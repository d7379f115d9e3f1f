"""What the whole-project pass knows: models, their tables, and which tables are tenant-scoped."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class FieldInfo:
    """One field/column of a model or DDL table."""

    name: str  # attribute name in the ORM (Django ``org``), or the column name for DDL
    column: str  # database column (Django FK ``org`` -> ``org_id``)
    fk_target: str | None = None  # model class name or table name the FK points to
    required: bool = True  # False when nullable (``null=True``, ``Optional[...]``, ``nullable=True``)
    related_name: str | None = None  # reverse accessor on the target (Django related_name, backref)
    unique: bool = False  # ``unique=True`` or the primary key: the field identifies one row
    # SQLAlchemy ``association_proxy("user", "household_id")``: ``column`` is the proxied attribute;
    # comparing the proxy filters rows through the relation. Never the table's own tenant column.
    proxy: bool = False
    # Unique, not the primary key, and filled by a random generator by default (``index/tokens.py``):
    # a secret token (a share link's anchor), not an identifier.
    token: bool = False
    # A token column that is plainly a secret (a secret generator's default, or a name such as
    # ``api_key``/``email_token``): a lookup by it is a capability wherever it is written.
    secret: bool = False


@dataclass(frozen=True, slots=True)
class ModelInfo:
    name: str  # class name (``Invoice``); for DDL, the table name
    table: str  # database table name
    family: str  # "django" | "sqlalchemy" | "sqlmodel" | "peewee" | "tortoise" | "ddl" | "alembic"
    path: str  # relative path with "/"
    line: int
    fields: tuple[FieldInfo, ...] = ()
    abstract: bool = False
    bases: tuple[str, ...] = ()  # base class names as written (last dotted part)
    app_label: str | None = None  # Django app label (folder name)
    managers: tuple[str, ...] = ()  # Django/Tortoise managers declared in the class body (or bases)
    # Fields the model sets by itself on insert: (assigned field, source field) from its ``save()``,
    # an insert event or a trusted column default (source ``""``); see ``index/derivations.py``.
    derived: tuple[tuple[str, str], ...] = ()
    # Many-to-many fields -> the model of their link table (``("tags", "Recipe_tags")`` for the table
    # Django creates, ``("members", "Membership")`` for ``through=``): ``Recipe.tags.through``.
    links: tuple[tuple[str, str], ...] = ()
    # Managers that scope themselves (django-scopes ``ScopedManager``), declared here or on a base.
    scoped_managers: tuple[str, ...] = ()
    # Generic relations (Django ``GenericForeignKey("content_type", "object_id")``): (content-type
    # field, object-id field) pairs.
    generic: tuple[tuple[str, str], ...] = ()
    # Methods the class body defines itself (``get_by_id_and_org``): a model that overrides a
    # method of a mixin of models is not walked with the mixin's version (``held_models``).
    methods: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class TenantTable:
    """A tenant-scoped table and why it is one."""

    table: str
    models: tuple[str, ...]  # model class names mapped to this table
    tenant_field: str | None  # ORM attribute that pins the tenant (``org``), None for via-only
    tenant_column: str | None  # database column (``org_id``), None for via-only
    via: tuple[str, ...] = ()  # relation path to a directly-scoped table (``("invoice",)``)
    via_columns: tuple[str, ...] = ()  # FK columns along ``via`` (``("invoice_id",)``)
    alt_columns: tuple[str, ...] = ()  # listed table, column unknown: other accepted tenant columns
    reason: str = ""  # human text: "column org_id (billing/models.py:12)"
    path: str = ""
    line: int = 0
    # Fields (and columns) whose value the model's own ``save()``/insert event copies into the tenant
    # column (``project`` when ``save()`` does ``self.workspace = self.project.workspace``); ``"*"``
    # when a trusted default always sets it. Setting one on insert sets the tenant.
    set_by: tuple[str, ...] = ()

    def tenant_names(self) -> frozenset[str]:
        """Attribute/column names that pin the tenant directly (not through ``via``)."""
        return frozenset(n for n in (self.tenant_field, self.tenant_column, *self.alt_columns) if n)

    def insert_names(self) -> frozenset[str]:
        """Keywords that set the tenant of a new row: the tenant column, the first FK of ``via``,
        and the fields the model's own ``save()`` copies the tenant from."""
        names: set[str | None] = set(self.tenant_names())
        if self.via:
            names.add(self.via[0])
            names.add(self.via_columns[0] if self.via_columns else f"{self.via[0]}_id")
        names.update(self.set_by)
        return frozenset(n for n in names if n and n != "*")

    @property
    def always_set(self) -> bool:
        """A trusted default (or insert event) sets the tenant of every new row."""
        return "*" in self.set_by


@dataclass(frozen=True)
class ProjectIndex:
    models: dict[str, tuple[ModelInfo, ...]] = field(default_factory=dict)  # class name -> definitions
    tables: dict[str, TenantTable] = field(default_factory=dict)  # tenant tables, by lower-case name
    global_tables: frozenset[str] = frozenset()  # lower-case names, never scoped
    by_model: dict[str, str] = field(default_factory=dict)  # model class name -> table name (all models)

    def tenant_table(self, table: str) -> TenantTable | None:
        return self.tables.get(table.lower())

    def table_of_model(self, model_name: str) -> str | None:
        return self.by_model.get(model_name)

    def tenant_table_of_model(self, model_name: str) -> TenantTable | None:
        table = self.by_model.get(model_name)
        return self.tables.get(table.lower()) if table else None

    def model(self, name: str) -> ModelInfo | None:
        defs = self.models.get(name)
        return defs[0] if defs else None

    def tokens(self) -> frozenset[str]:
        """Words whose presence in a file's text may make it touch a tenant table (prefilter)."""
        words: set[str] = set()
        for t in self.tables.values():
            words.add(t.table)
            words.update(t.models)
        for defs in self.models.values():
            for m in defs:
                for f in m.fields:
                    if f.related_name:
                        words.add(f.related_name)
        return frozenset(w for w in words if w)
