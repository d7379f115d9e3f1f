"""The resolved configuration: one frozen record, built by ``tenantlint.config.load``."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_TENANT_COLUMNS = ("tenant_id", "org_id", "organization_id")
DEFAULT_TRUSTED_SOURCES = (
    "request.user.*",
    "self.request.user.*",
    "request.tenant",
    "request.tenant_id",
    "request.org",
    "request.organization",
    "request.state.*",
    "g.*",
    "flask.g.*",
    "current_user.*",
)
DEFAULT_TRUSTED_DEPENDENCIES = ("get_current_user", "get_current_tenant", "get_current_org")
DEFAULT_SCOPING_METHODS = ("for_tenant",)
DEFAULT_SYSTEM_SCOPE = ("system_scope",)
DEFAULT_SYSTEM_PATHS = ("**/management/commands/**",)
DEFAULT_EXCLUDE = (
    "**/migrations/**",
    "**/tests/**",
    "**/test_*.py",
    "**/*_test.py",
    "**/conftest.py",
    "**/.venv/**",
    "**/venv/**",
    "**/env/**",
    "**/.tox/**",
    "**/.nox/**",
    "**/site-packages/**",
    "**/build/**",
    "**/dist/**",
    "**/.git/**",
    "**/node_modules/**",
    "**/__pycache__/**",
    "**/.tenantlint_cache/**",
)
DEFAULT_SQL_DIALECT = "postgres"
DEFAULT_MAX_FILE_BYTES = 5 * 1024 * 1024  # larger files are not read (TNT999 "file too large")
DEFAULT_CHUNK_FILE_BYTES = 1024 * 1024  # larger files are analysed a chunk of statements at a time


def camel_case(name: str) -> str:
    """``org_id`` -> ``orgId``."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def default_tenant_keys(tenant_columns: tuple[str, ...]) -> tuple[str, ...]:
    keys: list[str] = []
    for col in tenant_columns:
        for k in (col, camel_case(col)):
            if k not in keys:
                keys.append(k)
    for k in ("tenant", "org", "organization"):
        if k not in keys:
            keys.append(k)
    return tuple(keys)


@dataclass(frozen=True, slots=True)
class Config:
    tenant_columns: tuple[str, ...] = DEFAULT_TENANT_COLUMNS
    tenant_models: tuple[str, ...] = ()
    tenant_tables: tuple[str, ...] = ()
    global_tables: tuple[str, ...] = ()
    # ``Model.field`` (a nullable foreign key) or ``Model.column -> Parent`` (a plain id column).
    tenant_parents: tuple[str, ...] = ()
    discover: bool = True
    tenant_keys: tuple[str, ...] = default_tenant_keys(DEFAULT_TENANT_COLUMNS)
    trusted_sources: tuple[str, ...] = DEFAULT_TRUSTED_SOURCES
    untrusted_sources: tuple[str, ...] = ()
    trusted_dependencies: tuple[str, ...] = DEFAULT_TRUSTED_DEPENDENCIES
    membership_checks: tuple[str, ...] = ()
    tenant_lookup_fields: tuple[str, ...] = ()
    secret_token_columns: tuple[str, ...] = ()  # ``Model.field``: a lookup by it is a capability
    trusted_parameters: tuple[str, ...] = ()  # ``decorator:param``
    scoping_methods: tuple[str, ...] = DEFAULT_SCOPING_METHODS
    auto_scoped_managers: tuple[str, ...] = ()
    system_scope: tuple[str, ...] = DEFAULT_SYSTEM_SCOPE
    operator_checks: tuple[str, ...] = ()  # checks admitting only the instance's operators
    handler_decorators: tuple[str, ...] = ()
    system_paths: tuple[str, ...] = DEFAULT_SYSTEM_PATHS
    # the tree is a whole application: functions no product code reaches are system code
    whole_application: bool = False
    sql_dialect: str = DEFAULT_SQL_DIALECT
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    chunk_file_bytes: int = DEFAULT_CHUNK_FILE_BYTES
    select: tuple[str, ...] = ()  # empty = all
    ignore: tuple[str, ...] = ()
    # Where the config came from (None: defaults) and the project root it implies.
    source: Path | None = field(default=None, compare=False)
    root: Path = field(default_factory=Path.cwd, compare=False)

    def fingerprint(self) -> str:
        """A stable hash of every behaviour-relevant key, for cache keys."""
        import hashlib

        parts = [
            repr(getattr(self, name))
            for name in self.__dataclass_fields__
            if name not in ("source", "root")
        ]
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]
