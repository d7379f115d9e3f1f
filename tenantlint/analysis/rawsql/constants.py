"""Module- and class-level string constants, so SQL kept in another module can be resolved.

The runner's pre-pass calls :func:`file_constants` for every project file and keeps the result in
``Settings.sql_constants`` (full dotted name -> text); :func:`resolve_import` turns what a file's
import table says (``.queries.OPEN_INVOICES``) into such a name, relative to the importing file.
"""

from __future__ import annotations

from collections.abc import Mapping

import libcst as cst

from tenantlint.analysis.interp.imports import collect_imports
from tenantlint.analysis.rawsql.text import static_text
from tenantlint.analysis.source.nesting import with_headroom
from tenantlint.analysis.source.parse import SourceError, parse


def module_name(rel_path: str) -> str:
    """``billing/queries.py`` -> ``billing.queries``; ``pkg/__init__.py`` -> ``pkg``."""
    path = rel_path.replace("\\", "/").lstrip("./")
    if path.endswith(".py"):
        path = path[:-3]
    parts = [p for p in path.split("/") if p]
    if parts and parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _assigned(stmt: cst.BaseStatement) -> tuple[str, cst.BaseExpression] | None:
    if not isinstance(stmt, cst.SimpleStatementLine) or len(stmt.body) != 1:
        return None
    small = stmt.body[0]
    if isinstance(small, cst.Assign) and len(small.targets) == 1:
        target, value = small.targets[0].target, small.value
    elif isinstance(small, cst.AnnAssign) and small.value is not None:
        target, value = small.target, small.value
    else:
        return None
    return (target.value, value) if isinstance(target, cst.Name) else None


def module_constants(module: cst.Module) -> dict[str, str]:
    """Local dotted names (``NAME``, ``Class.NAME``) of constant strings defined in ``module``."""
    imports = collect_imports(module)
    out: dict[str, str] = {}

    def scan(body: object, prefix: str) -> None:
        for stmt in body:  # type: ignore[attr-defined]
            if isinstance(stmt, cst.ClassDef) and not prefix and isinstance(stmt.body, cst.IndentedBlock):
                scan(stmt.body.body, f"{stmt.name.value}.")
                continue
            found = _assigned(stmt)
            if found is None:
                continue
            name, value = found

            def lookup(n: str, _prefix: str = prefix) -> str | None:
                return out.get(f"{_prefix}{n}") if _prefix and f"{_prefix}{n}" in out else out.get(n)

            text = static_text(value, lookup, imports.qualify)
            if text is not None:
                out[f"{prefix}{name}"] = text

    scan(module.body, "")
    return out


@with_headroom
def file_constants(rel_path: str, text: str) -> dict[str, str]:
    """Pre-pass: ``module.NAME`` -> text for one project file (nothing when it does not parse)."""
    try:
        module = parse(text)
    except SourceError:
        return {}
    return module_file_constants(rel_path, module)


def module_file_constants(rel_path: str, module: cst.Module) -> dict[str, str]:
    """``file_constants`` of an already parsed module."""
    mod = module_name(rel_path)
    return {f"{mod}.{k}" if mod else k: v for k, v in module_constants(module).items()}


def resolve_import(qualified: str, importing_path: str) -> str:
    """``.queries.X`` imported by ``billing/api.py`` -> ``billing.queries.X``."""
    if not qualified.startswith("."):
        return qualified
    dots = len(qualified) - len(qualified.lstrip("."))
    package = module_name(importing_path).split(".")
    if not importing_path.replace("\\", "/").endswith("__init__.py"):
        package = package[:-1]
    if dots > 1:
        package = package[: len(package) - (dots - 1)] if dots - 1 <= len(package) else []
    rest = qualified[dots:]
    return ".".join([*package, rest]) if package else rest


_SUFFIX_INDEX: dict[int, tuple[Mapping[str, str], dict[str, list[str]]]] = {}


def _by_last_part(table: Mapping[str, str]) -> dict[str, list[str]]:
    """``table``'s keys grouped by their last dotted part (a dotted suffix match needs the same last
    part), built once per table. The entry keeps ``table`` alive, so its ``id`` is not reused."""
    entry = _SUFFIX_INDEX.get(id(table))
    if entry is not None and entry[0] is table:
        return entry[1]
    if len(_SUFFIX_INDEX) >= 16:
        _SUFFIX_INDEX.clear()
    index: dict[str, list[str]] = {}
    for key in table:
        index.setdefault(key.rsplit(".", 1)[-1], []).append(key)
    _SUFFIX_INDEX[id(table)] = (table, index)
    return index


def lookup_constant(table: Mapping[str, str], name: str) -> str | None:
    """Exact dotted name, else a unique entry whose name is a dotted suffix of ``name`` or vice versa
    (the scanned root and the import root may differ by a ``src``-like prefix)."""
    if name in table:
        return table[name]
    found: str | None = None
    for key in _by_last_part(table).get(name.rsplit(".", 1)[-1], ()):
        text = table[key]
        if name.endswith("." + key) or key.endswith("." + name):
            if found is not None and found != text:
                return None
            found = text
    return found
