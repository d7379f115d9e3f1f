"""The one exception of the config package: it names the file, the key and the problem."""

from __future__ import annotations

from pathlib import Path


def display_path(path: Path) -> str:
    """``path`` relative to the current directory when it lies below it, with ``/``."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except (ValueError, OSError):
        return path.as_posix()


class ConfigError(Exception):
    """A config file that cannot be used; the CLI prints ``str(err)`` and exits with status 2.

    ``str(err)`` is one line: ``tenantlint.toml: key 'tenant_colums': unknown key (did you mean
    'tenant_columns'?)``. ``key`` is the config key (without ``tool.tenantlint.``) or None when the
    problem is the file itself; ``line`` is set for TOML syntax errors.
    """

    def __init__(
        self,
        path: Path,
        key: str | None,
        problem: str,
        *,
        table: str | None = None,
        line: int | None = None,
    ) -> None:
        self.path = path
        self.key = key
        self.problem = problem
        self.line = line
        where = display_path(path)
        if key is None:
            text = f"{where}: {problem}"
        else:
            shown = f"{table}.{key}" if table else key
            text = f"{where}: key {shown!r}: {problem}"
        super().__init__(" ".join(text.split()))
