"""The warnings every command prints about the config against the project: no tenant table at
all, and config entries naming a model or table that the project does not have."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from tenantlint.config.options import Config
from tenantlint.config.schema import did_you_mean
from tenantlint.files import relpath
from tenantlint.index.records import ProjectIndex


def no_tenant_tables_message(index: ProjectIndex, config: Config) -> str | None:
    """The stderr line when nothing is tenant-scoped (so nothing can be checked), else None."""
    if index.tables:
        return None
    models = len({m.table.lower() for defs in index.models.values() for m in defs if m.table})
    where = relpath(config.root, Path.cwd())
    source = f"config {config.source.name}" if config.source is not None else "no config file"
    return (f"tenantlint: warning: no tenant table found under {where or '.'} ({models} tables "
            f"read, {source}): nothing can be checked for tenant isolation. Run `tenantlint init` "
            "to propose tenant_models / tenant_columns from the models.")


NAMED_KEYS = ("tenant_models", "tenant_tables", "global_tables")


def unmatched_names_message(index: ProjectIndex, config: Config) -> str | None:
    """The stderr line naming entries of ``tenant_models``/``tenant_tables``/``global_tables``
    that match no model class or table of the project (a typo, or the wrong project root)."""
    known: dict[str, str] = {}
    for name, defs in index.models.items():
        known.setdefault(name.lower(), name)
        for m in defs:
            if m.table:
                known.setdefault(m.table.lower(), m.table)
    if not known:
        return None  # nothing read at all: the no-tenant-table warning says so
    choices = sorted(set(known.values()))
    missing: list[str] = []
    for key in NAMED_KEYS:
        for entry in getattr(config, key):
            if entry.lower() not in known:
                missing.append(f"{key} {entry!r}{did_you_mean(entry, choices)}")
    missing.extend(_unmatched_columns(index, config, known, choices))
    if not missing:
        return None
    source = f"config {config.source}" if config.source is not None else "no config file"
    return (f"tenantlint: warning: {'; '.join(missing)}: no such model or table under project root "
            f"{config.root} ({source})")


def _unmatched_columns(index: ProjectIndex, config: Config, known: dict[str, str],
                       choices: list[str]) -> list[str]:
    """``secret_token_columns`` entries (``Model.field``) naming no model or table, or no field of
    it."""
    out: list[str] = []
    for entry in config.secret_token_columns:
        model, _, field = entry.partition(".")
        if model.lower() not in known:
            out.append(f"secret_token_columns {entry!r}{did_you_mean(model, choices)}")
            continue
        fields = {name for defs in index.models.values() for m in defs
                  if model.lower() in (m.name.lower(), m.table.lower()) for f in m.fields
                  for name in (f.name, f.column)}
        if fields and field not in fields:
            out.append(f"secret_token_columns {entry!r} (no field {field!r} on {model})")
    return out


def warn_if_no_tenant_tables(index: ProjectIndex, config: Config, stream: TextIO | None = None) -> None:
    for message in (no_tenant_tables_message(index, config), unmatched_names_message(index, config)):
        if message is not None:
            print(message, file=stream or sys.stderr)
