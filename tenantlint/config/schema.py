"""The one table of config keys: type, default and description, for validation and for the docs.

``KEYS`` lists every config key in documentation order. :func:`validate_table` checks a raw
TOML table against it; :func:`render_config_table` renders it as the Markdown table that
``docs/configuration.md`` contains verbatim (a test keeps the two identical).
"""

from __future__ import annotations

import difflib
import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from tenantlint.config.errors import ConfigError
from tenantlint.config.options import (
    DEFAULT_CHUNK_FILE_BYTES,
    DEFAULT_EXCLUDE,
    DEFAULT_MAX_FILE_BYTES,
    DEFAULT_SCOPING_METHODS,
    DEFAULT_SQL_DIALECT,
    DEFAULT_SYSTEM_PATHS,
    DEFAULT_SYSTEM_SCOPE,
    DEFAULT_TENANT_COLUMNS,
    DEFAULT_TRUSTED_DEPENDENCIES,
    DEFAULT_TRUSTED_SOURCES,
    default_tenant_keys,
)
from tenantlint.config.patterns import PatternError, check_pattern

Value = tuple[str, ...] | bool | int | str


class Kind(enum.Enum):
    """What a key holds; the value is the type as the docs show it."""

    STRINGS = "list of str"
    PATTERNS = "list of patterns"
    GLOBS = "list of globs"
    CODES = "list of codes or prefixes"
    DECORATOR_PARAMS = "list of `decorator:param`"
    PARENTS = "list of `Model.field` or `Model.column -> Parent`"
    MODEL_FIELDS = "list of `Model.field`"
    BOOL = "bool"
    DIALECT = "str"
    INT = "int"


@dataclass(frozen=True, slots=True)
class KeySpec:
    name: str
    kind: Kind
    default: Value
    description: str
    # How the default reads in the docs when its literal value would not say enough.
    default_doc: str | None = None


KEYS: tuple[KeySpec, ...] = (
    KeySpec(
        "tenant_columns", Kind.STRINGS, DEFAULT_TENANT_COLUMNS,
        "Column or field names that hold the tenant id. A model or DDL table with one of them is "
        "tenant-scoped (with `discover`), and a filter on one of them is a tenant filter.",
    ),
    KeySpec(
        "tenant_models", Kind.STRINGS, (),
        "Model class or table names of the tenant itself (`Organization`); a foreign key to one "
        "of them is a tenant column.",
    ),
    KeySpec(
        "tenant_tables", Kind.STRINGS, (),
        "Table or model class names that are tenant-scoped whatever discovery finds.",
    ),
    KeySpec(
        "global_tables", Kind.STRINGS, (),
        "Table or model class names that are never tenant-scoped (lookup tables, the tenant "
        "table itself).",
    ),
    KeySpec(
        "tenant_parents", Kind.PARENTS, (),
        "Relations to a tenant-scoped parent that discovery cannot see: `Widget.dashboard` makes a "
        "nullable foreign key count like a required one, `Document.kb_id -> Knowledgebase` makes a "
        "plain id column a foreign key to `Knowledgebase`. The table is then tenant-scoped through "
        "that parent (when the parent is), and a filter on the relation scopes it.",
        default_doc="`[]` (e.g. `[\"Widget.dashboard\", \"Document.kb_id -> Knowledgebase\"]`)",
    ),
    KeySpec(
        "discover", Kind.BOOL, True,
        "Find tenant tables from the models and DDL in the scanned tree; when false only "
        "`tenant_tables` are tenant-scoped.",
    ),
    KeySpec(
        "tenant_keys", Kind.STRINGS, default_tenant_keys(DEFAULT_TENANT_COLUMNS),
        "Request keys that carry a tenant id (TNT201). Given values are added to the names "
        "derived from the final `tenant_columns`.",
        default_doc="each of `tenant_columns` and its camelCase form, then `tenant`, `org`, "
        "`organization`: "
        + ", ".join(f"`{k}`" for k in default_tenant_keys(DEFAULT_TENANT_COLUMNS)),
    ),
    KeySpec(
        "trusted_sources", Kind.PATTERNS, DEFAULT_TRUSTED_SOURCES,
        "Expressions whose value is the caller's own tenant context (see Patterns).",
    ),
    KeySpec(
        "untrusted_sources", Kind.PATTERNS, (),
        "Extra expressions that carry client input, besides each framework's request data.",
    ),
    KeySpec(
        "trusted_dependencies", Kind.STRINGS, DEFAULT_TRUSTED_DEPENDENCIES,
        "FastAPI dependency functions: a parameter injected by `Depends(f)` with `f` listed "
        "here is trusted.",
    ),
    KeySpec(
        "membership_checks", Kind.STRINGS, (),
        "Calls, decorators or DRF permission classes that verify the caller belongs to a tenant "
        "given in the URL path; after one, that path parameter is trusted (a listed check "
        "tenantlint also recognises verifies the parameters it looks the caller up by; one it "
        "cannot read, every path parameter). A row fetched without a tenant filter and passed to a "
        "listed check whose \"no\" leaves (or called as a statement) is checked after the fetch. "
        "Checks that look the caller up in a membership table "
        "are recognised without being listed (`tenantlint tables` shows them).",
    ),
    KeySpec(
        "tenant_lookup_fields", Kind.STRINGS, (),
        "Fields of the tenant model that identify it, besides its unique ones: a filter through "
        "the tenant relation to one of them (`workspace__slug=v`) is a tenant filter on `v`.",
    ),
    KeySpec(
        "secret_token_columns", Kind.MODEL_FIELDS, (),
        "Columns holding a secret the client presents (an API key, an invitation or share token), "
        "besides those recognised (unique, not the primary key, filled by a secret generator by "
        "default): a lookup pinning one to a value (`APIToken.objects.get(token=v)`), or a row "
        "whose column is compared with the client's value and refused on mismatch, is a capability "
        "lookup, not TNT101/TNT103 (listed as `capability` in the audit). `Model` is a model class "
        "or table name; `field` a field or column name.",
        default_doc="`[]` (e.g. `[\"Invite.token\", \"api_token.token\"]`)",
    ),
    KeySpec(
        "trusted_parameters", Kind.DECORATOR_PARAMS, (),
        "Parameters that a decorator injects from trusted context: `require_realm_admin:user_profile` "
        "makes the `user_profile` parameter of every function decorated with `@require_realm_admin` "
        "trusted (and the authenticated user, for caller-owned rows).",
        default_doc="`[]` (e.g. `[\"require_realm_admin:user_profile\", "
        "\"add_tenant_id_to_kwargs:tenant_id\"]`)",
    ),
    KeySpec(
        "scoping_methods", Kind.STRINGS, DEFAULT_SCOPING_METHODS,
        "Query methods that apply a tenant filter themselves (`.for_tenant(v)`), or methods that "
        "build one to spread into a query (`filter_by(**self._filter_builder())`).",
    ),
    KeySpec(
        "auto_scoped_managers", Kind.STRINGS, (),
        "Managers that scope themselves (`Invoice.scoped.all()`); listed in the audit report.",
    ),
    KeySpec(
        "system_scope", Kind.STRINGS, DEFAULT_SYSTEM_SCOPE,
        "Context managers, decorators, chain methods, managers and FastAPI dependencies inside "
        "which queries are deliberately cross-tenant; listed in the audit report.",
    ),
    KeySpec(
        "operator_checks", Kind.STRINGS, (),
        "Decorators, DRF permission classes and FastAPI dependencies that admit only the "
        "instance's operators (super admins): a request handler under one is walked in system "
        "scope, and so are the helpers only such code calls; the audit lists their queries as "
        "operator-only bypasses.",
        default_doc="`[]` (e.g. `[\"require_super_admin\", \"InstanceAdminPermission\"]`)",
    ),
    KeySpec(
        "handler_decorators", Kind.STRINGS, (),
        "Extra decorators that make a function a request handler.",
    ),
    KeySpec(
        "system_paths", Kind.GLOBS, DEFAULT_SYSTEM_PATHS,
        "Glob patterns of files whose queries are deliberately cross-tenant (management commands, "
        "cron jobs, data fixes): they are not reported, and the audit lists them as system scope. "
        "A function only these files, migrations or other such functions call is system code too; "
        "their calls are read even when `exclude` leaves them out of checking.",
    ),
    KeySpec(
        "whole_application", Kind.BOOL, False,
        "The scanned project is a whole application (tests aside), not a library other code calls: "
        "a function no product code calls or names (only tests, migrations or `system_paths` files, "
        "if anything) is reached by no request. Its queries are not reported, and the audit lists "
        "them as system scope (`unreached: ...`); so are those of functions only such functions call. "
        "A function something may still reach without naming it (a decorator, a framework hook, "
        "a `getattr` by a computed name, a module nothing imports) stays judged: the exact "
        "conditions are in docs/concepts.md, \"Functions no request can reach\".",
    ),
    KeySpec(
        "sql_dialect", Kind.DIALECT, DEFAULT_SQL_DIALECT,
        "The sqlglot dialect used to parse raw SQL (`postgres`, `mysql`, `sqlite`, ...).",
    ),
    KeySpec(
        "exclude", Kind.GLOBS, DEFAULT_EXCLUDE,
        "Glob patterns of paths left out of the scan and of the project index "
        "(migrations, tests: `tests/`, `test_*.py`, `*_test.py`, `conftest.py`, virtualenvs, "
        "build output, `.git`, ...).",
    ),
    KeySpec(
        "max_file_bytes", Kind.INT, DEFAULT_MAX_FILE_BYTES,
        "Files larger than this many bytes are not read: each is reported as TNT999 "
        "(file too large). Also the most a `--config` or `--baseline` file may hold.",
        default_doc="`5242880` (5 MiB)",
    ),
    KeySpec(
        "chunk_file_bytes", Kind.INT, DEFAULT_CHUNK_FILE_BYTES,
        "Files larger than this many bytes are analysed one chunk of top-level statements (about "
        "256 KiB) at a time, so memory stays bounded (a whole file's trees cost ~600 bytes per "
        "source byte); each chunk also sees the imports, module values and small classes above "
        "it, not the functions of other chunks. `0`: every file whole. See Hostile trees below.",
        default_doc="`1048576` (1 MiB)",
    ),
    KeySpec(
        "select", Kind.CODES, (),
        "Rule codes or prefixes to report (`TNT1`, `TNT201`); empty means every rule. "
        "`--select` replaces it.",
        default_doc="`[]` (all rules)",
    ),
    KeySpec(
        "ignore", Kind.CODES, (),
        "Rule codes or prefixes not to report; the longest matching prefix of `select` and "
        "`ignore` wins. `--ignore` replaces it.",
        default_doc="`[]` (none)",
    ),
)

MAX_INT_VALUE = 1 << 40

KEYS_BY_NAME: Mapping[str, KeySpec] = {spec.name: spec for spec in KEYS}

_CODE_RE = re.compile(r"TNT\d{0,3}")
_MODEL_FIELD_RE = re.compile(r"[A-Za-z_]\w*\.[A-Za-z_]\w*")
_PARENT_RE = re.compile(r"\s*[A-Za-z_]\w*\.[A-Za-z_]\w*\s*(?:->\s*[A-Za-z_][\w.]*\s*)?")

# TOML type names, as a user who wrote the file knows them.
_TOML_TYPES: tuple[tuple[type, str], ...] = (
    (bool, "a boolean"),
    (str, "a string"),
    (int, "an integer"),
    (float, "a float"),
    (list, "an array"),
    (dict, "a table"),
)


def toml_type(value: object) -> str:
    """``a string ('yes')``: the TOML type of ``value``, with the value when it is short."""
    name = f"a {type(value).__name__}"
    for typ, toml_name in _TOML_TYPES:
        if isinstance(value, typ):
            name = toml_name
            break
    if isinstance(value, (bool, str, int, float)):
        shown = str(value).lower() if isinstance(value, bool) else repr(value)
        if len(shown) <= 40:
            name = f"{name} ({shown})"
    return name


def did_you_mean(word: str, choices: list[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest choice, or ``""``."""
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


class ValueProblem(ValueError):
    """A value that does not fit its key; the loader adds the file and the key."""


def _check_code(code: str) -> None:
    from tenantlint.rules.registry import all_codes  # late: the rules are not needed otherwise

    codes = list(all_codes())
    if _CODE_RE.fullmatch(code) is None:
        hint = did_you_mean(code.upper(), codes) if len(code) == 6 else ""
        raise ValueProblem(
            f"{code!r} is not a rule code or prefix (expected 'TNT', 'TNT1', 'TNT10' or 'TNT101')"
            + hint
        )
    if not any(known.startswith(code) for known in codes):
        if len(code) == 6:
            hint = did_you_mean(code, codes)
        else:
            hint = f"; the rules are {', '.join(codes)}"
        raise ValueProblem(f"{code!r} matches no rule{hint}")


def _check_dialect(value: str) -> None:
    from sqlglot.dialects import DIALECT_MODULE_NAMES
    from sqlglot.dialects.dialect import Dialect

    if value and value == value.strip() and Dialect.get(value) is not None:
        return
    names = sorted(str(name) for name in DIALECT_MODULE_NAMES)
    hint = did_you_mean(value.strip().lower(), names) or f" (sqlglot knows: {', '.join(names)})"
    raise ValueProblem(f"unknown SQL dialect {value!r}{hint}")


def _check_string_item(spec: KeySpec, item: str) -> None:
    if not item.strip():
        raise ValueProblem("expected non-empty strings, got an empty string")
    if spec.kind is Kind.PATTERNS:
        try:
            check_pattern(item)
        except PatternError as err:
            raise ValueProblem(str(err)) from None
    elif spec.kind is Kind.CODES:
        _check_code(item)
    elif spec.kind is Kind.DECORATOR_PARAMS:
        decorator, colon, param = item.partition(":")
        if not colon or not decorator.strip() or not param.strip() or not param.strip().isidentifier():
            raise ValueProblem(f"{item!r} is not 'decorator:param' (e.g. 'require_realm_admin:user_profile')")
    elif spec.kind is Kind.PARENTS:
        if _PARENT_RE.fullmatch(item) is None:
            raise ValueProblem(f"{item!r} is not 'Model.field' or 'Model.column -> Parent' "
                               "(e.g. 'Widget.dashboard', 'Document.kb_id -> Knowledgebase')")
    elif spec.kind is Kind.MODEL_FIELDS:
        if _MODEL_FIELD_RE.fullmatch(item) is None:
            raise ValueProblem(f"{item!r} is not 'Model.field' (e.g. 'Invite.token')")
    elif item != item.strip():
        raise ValueProblem(f"{item!r} has leading or trailing whitespace")


def check_value(spec: KeySpec, value: object) -> Value:
    """``value`` converted to the key's Python type, or :class:`ValueProblem`."""
    if spec.kind is Kind.BOOL:
        if not isinstance(value, bool):
            raise ValueProblem(f"expected a boolean (true or false), got {toml_type(value)}")
        return value
    if spec.kind is Kind.INT:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueProblem(f"expected a positive integer, got {toml_type(value)}")
        if not 1 <= value <= MAX_INT_VALUE:
            raise ValueProblem(f"expected an integer from 1 to {MAX_INT_VALUE}, got {value}")
        return value
    if spec.kind is Kind.DIALECT:
        if not isinstance(value, str):
            raise ValueProblem(f"expected a string naming a SQL dialect, got {toml_type(value)}")
        _check_dialect(value)
        return value
    expected = f"expected a {spec.kind.value}"
    if isinstance(value, str):
        raise ValueProblem(f"{expected}, got a string; write [{_toml_string(value)}]")
    if not isinstance(value, (list, tuple)):
        raise ValueProblem(f"{expected}, got {toml_type(value)}")
    items: list[str] = []
    for index, item in enumerate(value):
        if not isinstance(item, str):
            raise ValueProblem(f"{expected}, got {toml_type(item)} at index {index}")
        _check_string_item(spec, item)
        if item not in items:
            items.append(item)
    return tuple(items)


def validate_table(
    raw: Mapping[str, object], path: Path, table: str | None = None
) -> dict[str, Value]:
    """Check every key of ``raw`` (unknown keys, types, values); raise :class:`ConfigError`.

    ``table`` is the TOML table the keys sit in (``tool.tenantlint`` for pyproject.toml), shown in
    messages. Returns the values converted to Python types (lists become de-duplicated tuples).
    """
    known = [spec.name for spec in KEYS]
    result: dict[str, Value] = {}
    for key, value in raw.items():
        spec = KEYS_BY_NAME.get(key)
        if spec is None:
            raise ConfigError(path, key, f"unknown key{did_you_mean(key, known)}", table=table)
        try:
            result[key] = check_value(spec, value)
        except ValueProblem as err:
            raise ConfigError(path, key, str(err), table=table) from None
    return result


def _toml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _toml_literal(value: Value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return _toml_string(value)
    return "[" + ", ".join(_toml_string(item) for item in value) + "]"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def render_config_table() -> str:
    """The Markdown table of every key, as ``docs/configuration.md`` holds it."""
    lines = ["| key | type | default | description |", "|---|---|---|---|"]
    for spec in KEYS:
        default = spec.default_doc or f"`{_toml_literal(spec.default)}`"
        lines.append(
            f"| `{spec.name}` | {spec.kind.value} | {_cell(default)} | {_cell(spec.description)} |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # pragma: no cover - regenerates the table in docs/configuration.md
    print(render_config_table(), end="")
