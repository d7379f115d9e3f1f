"""The warning every command prints when the project has no tenant table."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from tenantlint.config.options import Config
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


def warn_if_no_tenant_tables(index: ProjectIndex, config: Config, stream: TextIO | None = None) -> None:
    message = no_tenant_tables_message(index, config)
    if message is not None:
        print(message, file=stream or sys.stderr)
