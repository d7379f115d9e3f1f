"""Find, read and validate the config file, and resolve it into one :class:`Config`.

Discovery (docs/configuration.md): the explicit ``--config`` file if given, else the nearest of
``tenantlint.toml``, ``.tenantlint.toml`` or a ``pyproject.toml`` with a ``[tool.tenantlint]``
table, searching upward from the start directory (in that order within one directory). A
``pyproject.toml`` without the table is skipped and the search goes on upward.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

from tenantlint.config.errors import ConfigError
from tenantlint.config.options import DEFAULT_MAX_FILE_BYTES, Config, default_tenant_keys
from tenantlint.config.schema import KEYS, Value, validate_table
from tenantlint.safeio import MAX_NESTING, UnsafeFileError, nesting_depth, read_regular

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib  # type: ignore[import-not-found,no-redef,unused-ignore]

__all__ = ["CONFIG_FILE_NAMES", "ConfigError", "find_config_file", "load_config"]

CONFIG_FILE_NAMES = ("tenantlint.toml", ".tenantlint.toml", "pyproject.toml")
PYPROJECT = "pyproject.toml"
PYPROJECT_TABLE = "tool.tenantlint"
COMMAND_LINE = Path("<command line>")

_TOO_DEEP = f"invalid config: nested more than {MAX_NESTING} levels deep"
_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")


def _read_toml(path: Path) -> dict[str, object]:
    try:
        data = read_regular(path, DEFAULT_MAX_FILE_BYTES)
    except IsADirectoryError:
        raise ConfigError(path, None, "is a directory, not a config file") from None
    except FileNotFoundError:
        raise ConfigError(path, None, "config file not found") from None
    except UnsafeFileError as err:
        if err.reason.startswith("not a regular file (a directory)"):
            raise ConfigError(path, None, "is a directory, not a config file") from None
        raise ConfigError(path, None, f"cannot use config file: {err.reason}") from None
    except OSError as err:
        raise ConfigError(path, None, f"cannot read config file: {err.strerror}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise ConfigError(path, None, f"invalid TOML: not UTF-8 ({err.reason})") from None
    try:
        document: dict[str, object] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        message = str(err)
        found = _TOML_POSITION.search(message)
        if found is not None:
            line = int(found.group(1))
            where = f"line {line}, column {found.group(2)}"
            message = message[: found.start()]
        else:  # "... (at end of document)"
            line = max(1, len(text.splitlines()))
            where = f"line {line} (end of file)"
            message = re.sub(r"\s*\(at end of document\)\s*$", "", message)
        problem = f"invalid TOML at {where}: {message}"
        raise ConfigError(path, None, problem, line=line) from None
    except RecursionError:
        raise ConfigError(path, None, _TOO_DEEP) from None
    if nesting_depth(document) > MAX_NESTING:
        raise ConfigError(path, None, _TOO_DEEP)
    return document


def _tool_table(path: Path, document: Mapping[str, object]) -> dict[str, object] | None:
    """``[tool.tenantlint]`` of a pyproject document, or None when it has none."""
    tool = document.get("tool")
    if not isinstance(tool, dict):
        return None
    table = tool.get("tenantlint")
    if table is None:
        return None
    if not isinstance(table, dict):
        raise ConfigError(path, None, f"'{PYPROJECT_TABLE}' must be a table")
    return table


def _refuse_tool_table(path: Path, document: Mapping[str, object]) -> None:
    """A ``[tool.tenantlint]`` table belongs in pyproject.toml; in tenantlint.toml keys are top level."""
    tool = document.get("tool")
    if isinstance(tool, dict) and "tenantlint" in tool:
        raise ConfigError(path, None, f"[{PYPROJECT_TABLE}] is for pyproject.toml; in {path.name} write "
                          f"the keys at top level (delete the '[{PYPROJECT_TABLE}]' line) or move the "
                          f"table to pyproject.toml")


def _candidates(start: Path) -> Iterable[Path]:
    for folder in (start, *start.parents):
        for name in CONFIG_FILE_NAMES:
            candidate = folder / name
            if candidate.is_file():
                yield candidate


def _read_keys(path: Path) -> tuple[dict[str, object], str | None] | None:
    """The raw keys of a config file and the table they sit in (None: pyproject without one)."""
    document = _read_toml(path)
    if path.name != PYPROJECT:
        _refuse_tool_table(path, document)
        return document, None
    table = _tool_table(path, document)
    return None if table is None else (table, PYPROJECT_TABLE)


def _discover(start: Path | None) -> tuple[Path, dict[str, object], str | None] | None:
    folder = (start or Path.cwd()).resolve()
    if folder.is_file():
        folder = folder.parent
    for candidate in _candidates(folder):
        keys = _read_keys(candidate)
        if keys is not None:
            return candidate, *keys
    return None


def find_config_file(start: Path | None = None) -> Path | None:
    """The config file that applies to ``start`` (default: the current directory), or None."""
    found = _discover(start)
    return None if found is None else found[0]


def _extend(defaults: tuple[str, ...], given: tuple[str, ...]) -> tuple[str, ...]:
    """``defaults`` followed by the new items of ``given``, each once."""
    return tuple(dict.fromkeys((*defaults, *given)))


def _resolve(values: Mapping[str, Value], source: Path | None, root: Path) -> Config:
    kwargs: dict[str, Value] = {}
    for spec in KEYS:
        if spec.name == "tenant_keys":
            continue
        value = values.get(spec.name)
        if value is None:
            kwargs[spec.name] = spec.default
        elif isinstance(value, tuple) and isinstance(spec.default, tuple):
            kwargs[spec.name] = _extend(spec.default, value)
        else:
            kwargs[spec.name] = value
    columns = kwargs["tenant_columns"]
    assert isinstance(columns, tuple)
    given_keys = values.get("tenant_keys", ())
    assert isinstance(given_keys, tuple)
    kwargs["tenant_keys"] = _extend(default_tenant_keys(columns), given_keys)
    return Config(**kwargs, source=source, root=root)  # type: ignore[arg-type]


def load_config(
    start: Path | None = None,
    explicit: Path | None = None,
    overrides: Mapping[str, object] | None = None,
    root: Path | None = None,
) -> Config:
    """Discover, read and validate the config; raise :class:`ConfigError` on any problem.

    ``explicit`` (``--config``) wins and must exist; a file named ``pyproject.toml`` is read from
    its ``[tool.tenantlint]`` table (none means defaults), any other file at top level. Otherwise
    the search runs upward from ``start`` (default: the current directory).

    List keys extend their defaults (de-duplicated, defaults first); ``tenant_keys`` extends the
    names derived from the final ``tenant_columns``. ``overrides`` (``--select``/``--ignore``)
    replace the file's value of those keys before that resolution; None values are ignored.

    ``Config.source`` is the file used (None without one). ``Config.root``, the project root, is
    ``root`` (``--root``; discovery then starts there unless ``start`` is given), else the folder of
    a *discovered* config file, else the current directory: an ``explicit`` config does not move it.
    """
    raw: dict[str, object] = {}
    table: str | None = None
    source: Path | None = None
    if explicit is not None:
        source = explicit.resolve()
        keys = _read_keys(source)
        if keys is not None:
            raw, table = keys
    else:
        found = _discover(start if start is not None or root is None else root)
        if found is not None:
            source, raw, table = found
    values = validate_table(raw, source or COMMAND_LINE, table)
    if overrides:
        given = {key: value for key, value in overrides.items() if value is not None}
        values.update(validate_table(given, COMMAND_LINE))
    if root is not None:
        root = root.resolve()
    elif source is not None and explicit is None:
        root = source.parent
    else:
        root = Path.cwd().resolve()
    return _resolve(values, source, root)
