"""Module- and class-level string constants, so SQL kept in another module can be resolved.

The runner's pre-pass calls :func:`file_constants` for every project file and keeps the result in
``Settings.facts.sql_constants`` (full dotted name -> text); :func:`resolve_import` turns what a file's
import table says (``.queries.OPEN_INVOICES``) into such a name, relative to the importing file.
"""

from __future__ import annotations

from collections.abc import Mapping

import libcst as cst
from libcst.helpers import get_full_name_for_node

from tenantlint.analysis.interp.imports import collect_imports
from tenantlint.analysis.rawsql.text import static_text
from tenantlint.analysis.source.ast_imports import resolve_import as resolve_import  # re-exported
from tenantlint.analysis.source.nesting import with_headroom
from tenantlint.analysis.source.parse import SourceError, parse
from tenantlint.files import module_name as module_name  # re-exported: its readers import it here


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


def _returned(fn: cst.FunctionDef) -> cst.BaseExpression | None:
    """The expression of a function whose body is one ``return`` (after a docstring)."""
    if not isinstance(fn.body, cst.IndentedBlock):
        return None
    body = list(fn.body.body)
    if body and isinstance(body[0], cst.SimpleStatementLine) and len(body[0].body) == 1:
        first = body[0].body[0]
        if isinstance(first, cst.Expr) and isinstance(first.value, cst.SimpleString | cst.ConcatenatedString):
            body = body[1:]
    if len(body) != 1 or not isinstance(body[0], cst.SimpleStatementLine) or len(body[0].body) != 1:
        return None
    ret = body[0].body[0]
    return ret.value if isinstance(ret, cst.Return) else None


def module_constants(module: cst.Module) -> dict[str, str]:
    """Local dotted names (``NAME``, ``Class.NAME``) of constant strings defined in ``module``, and
    of functions that return one whatever their arguments (``Class.where_unread()``, with ``()``).
    A class also holds the constants of its bases defined in the module."""
    imports = collect_imports(module)
    out: dict[str, str] = {}
    bases: dict[str, list[str]] = {}

    def scan(body: object, prefix: str) -> None:
        for stmt in body:  # type: ignore[attr-defined]
            if isinstance(stmt, cst.ClassDef) and not prefix and isinstance(stmt.body, cst.IndentedBlock):
                bases[stmt.name.value] = [b for a in stmt.bases if (b := get_full_name_for_node(a.value))]
                scan(stmt.body.body, f"{stmt.name.value}.")
                continue
            if isinstance(stmt, cst.FunctionDef):
                name, value = f"{stmt.name.value}()", _returned(stmt)
            else:
                found = _assigned(stmt)
                name, value = found if found is not None else ("", None)
            if value is None:
                continue

            def lookup(n: str, _prefix: str = prefix) -> str | None:
                for key in (f"{_prefix}{n}" if _prefix else n, n, _own(n, _prefix)):
                    if key in out:
                        return out[key]
                return None

            text = static_text(value, lookup, imports.qualify)
            if text is not None:
                out[f"{prefix}{name}"] = text

    for _ in range(2):  # a second pass resolves helpers defined below their callers
        scan(module.body, "")
    for cls in bases:
        for base in _ancestors(cls, bases):
            for key in [k for k in out if k.startswith(f"{base}.")]:
                out.setdefault(f"{cls}.{key[len(base) + 1:]}", out[key])
    return out


def _own(name: str, prefix: str) -> str:
    """``cls.X``/``self.X`` inside a class body's method refers to the class's own ``X``."""
    head, dot, rest = name.partition(".")
    return f"{prefix}{rest}" if dot and prefix and head in ("cls", "self") else name


def _ancestors(cls: str, bases: dict[str, list[str]]) -> list[str]:
    out: list[str] = []
    todo = list(bases.get(cls, ()))
    while todo:
        b = todo.pop(0)
        if b in bases and b not in out and b != cls:
            out.append(b)
            todo.extend(bases[b])
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


_SUFFIX_INDEX: dict[int, tuple[Mapping[str, str], dict[str, list[str]]]] = {}


def by_last_part(table: Mapping[str, str]) -> dict[str, list[str]]:
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
    for key in by_last_part(table).get(name.rsplit(".", 1)[-1], ()):
        text = table[key]
        if name.endswith("." + key) or key.endswith("." + name):
            if found is not None and found != text:
                return None
            found = text
    return found


def lookup_member(table: Mapping[str, str], name: str) -> str | None:
    """``pkg.Class.attr`` re-exported by ``pkg/__init__.py`` from ``pkg/sub.py``: the one entry
    ``pkg.<...>.Class.attr`` (after :func:`lookup_constant` found none)."""
    module, _, member = name.rpartition(".")
    package, _, cls = module.rpartition(".")
    if not package or not cls:
        return None
    found: str | None = None
    for key in by_last_part(table).get(member, ()):
        if key.startswith(f"{package}.") and key.endswith(f".{cls}.{member}"):
            if found is not None and found != table[key]:
                return None
            found = table[key]
    return found
