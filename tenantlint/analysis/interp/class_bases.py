"""Project-wide pre-pass: class qualified name -> qualified base names, across modules.

``class IssueViewSet(BaseViewSet)`` in ``issues/views.py`` with ``BaseViewSet(ModelViewSet)`` in
``core/views.py``: the analysis of ``issues/views.py`` follows this table to learn that the class is a
DRF view. Built from CPython's ``ast`` (cheap); names are resolved through the module's imports.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping

from tenantlint.analysis.rawsql.constants import by_last_part, lookup_constant, module_name, resolve_import
from tenantlint.index.ast_util import dotted

HINT = re.compile(r"^class\s+\w+\s*\(", re.MULTILINE)
MAX_DEPTH = 8


def _imports(tree: ast.Module) -> dict[str, str]:
    names: dict[str, str] = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.Import):
            for alias in stmt.names:
                if alias.asname:
                    names[alias.asname] = alias.name
                else:
                    head = alias.name.split(".", 1)[0]
                    names.setdefault(head, head)
        elif isinstance(stmt, ast.ImportFrom):
            base = "." * stmt.level + (stmt.module or "")
            for alias in stmt.names:
                if alias.name == "*":
                    continue
                sep = "" if base.endswith(".") else "."
                names[alias.asname or alias.name] = f"{base}{sep}{alias.name}"
    return names


def module_class_bases(rel: str, tree: ast.Module) -> dict[str, str]:
    """Top-level classes of one module: ``pkg.mod.Class`` -> comma-joined qualified base names."""
    mod = module_name(rel)
    names = _imports(tree)
    classes = {s.name for s in tree.body if isinstance(s, ast.ClassDef)}
    out: dict[str, str] = {}
    for stmt in tree.body:
        if not isinstance(stmt, ast.ClassDef):
            continue
        bases: list[str] = []
        for b in stmt.bases:
            if isinstance(b, ast.Subscript):  # ``RepositoryGeneric[Schema, Model]``: the generic class
                b = b.value
            text = dotted(b, calls="reject")
            if text is None or text == "object":
                continue
            head, _, rest = text.partition(".")
            if head in names:
                target = names[head]
                text = f"{target}.{rest}" if rest else target
                text = resolve_import(text, rel)
            elif head in classes and mod:
                text = f"{mod}.{text}"
            bases.append(text)
        if bases:
            out[f"{mod}.{stmt.name}" if mod else stmt.name] = ",".join(bases)
    return out


def project_bases(table: Mapping[str, str], qualified: str, path: str) -> tuple[str, ...]:
    """Every base, transitively (bounded), of the project class ``qualified`` as imported by ``path``."""
    out: list[str] = []
    seen: set[str] = set()
    todo = [(resolve_import(qualified, path), 0)]
    while todo:
        name, depth = todo.pop()
        if name in seen or depth >= MAX_DEPTH:
            continue
        seen.add(name)
        found = lookup_constant(table, name) or _reexported(table, name)
        if not found:
            continue
        for base in found.split(","):
            out.append(base)
            todo.append((base, depth + 1))
    return tuple(out)


def _reexported(table: Mapping[str, str], name: str) -> str | None:
    """``pkg.BaseViewSet`` that ``pkg/__init__.py`` re-exports (``from .base import BaseViewSet``):
    the one class of that name defined in a module under ``pkg``. Looked up among the classes of
    that name only (the table's last-part index): this is asked for every base of every class."""
    package, _, cls = name.rpartition(".")
    if not package or not cls:
        return None
    depth = name.count(".") + 1
    found = {table[key] for key in by_last_part(table).get(cls, ())
             if key.startswith(f"{package}.") and key.count(".") == depth}
    return found.pop() if len(found) == 1 else None
