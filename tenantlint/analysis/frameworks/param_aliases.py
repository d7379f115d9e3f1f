"""Project-wide FastAPI parameter aliases: ``CurrentUser = Annotated[User, Depends(get_user)]``.

A handler in ``routers/items.py`` declares ``user: CurrentUser`` with the alias imported from
``deps.py``. The runner's pre-pass calls :func:`file_aliases` for every project file that has a
module-level ``X = Annotated[...]`` / ``X = Depends(...)`` / ``X = Security(...)`` assignment and
keeps ``module.NAME -> expression source`` in ``Settings.facts.param_aliases``; :func:`imported_alias`
resolves a name the importing file imported (absolute or relative) back to that expression.

Import aliases of the defining module are undone in the stored text (``Depends(gcu)`` with
``from .auth import get_current_user as gcu`` is stored as ``Depends(get_current_user)``), and an
alias of an earlier alias of the same module is stored expanded, so the text stands on its own.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import libcst as cst

from tenantlint.analysis.interp.imports import ImportTable, collect_imports
from tenantlint.analysis.rawsql.constants import lookup_constant, module_name, resolve_import
from tenantlint.analysis.source.parse import SourceError, parse

# A module-level assignment whose value starts like an alias (cheap gate before parsing a file).
HINT = re.compile(
    r"^\w+\s*(?::[^=\n]*)?=\s*(?:[\w.]+\.)?(?:Annotated\s*\[|Depends\s*\(|Security\s*\()", re.M
)
INJECTED = frozenset({"Depends", "Security"})


def _last(node: cst.BaseExpression) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return node.attr.value
    return ""


def is_alias_value(value: cst.BaseExpression) -> bool:
    """``Annotated[...]``, ``Depends(...)`` or ``Security(...)``."""
    if isinstance(value, cst.Subscript):
        return _last(value.value) == "Annotated"
    if isinstance(value, cst.Call):
        return _last(value.func) in INJECTED
    return False


class _Originals(cst.CSTTransformer):
    """Rename ``as``-imported names to the imported object's own name."""

    def __init__(self, imports: ImportTable) -> None:
        self.imports = imports

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.Name:
        own = self.imports.original_name(updated_node.value)
        if own != updated_node.value and own.isidentifier():
            return updated_node.with_changes(value=own)
        return updated_node


def _assignment(stmt: cst.BaseStatement) -> tuple[str, cst.BaseExpression] | None:
    if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1:
        small = stmt.body[0]
        if isinstance(small, cst.Assign) and len(small.targets) == 1:
            target, value = small.targets[0].target, small.value
        elif isinstance(small, cst.AnnAssign) and small.value is not None:
            target, value = small.target, small.value
        elif isinstance(small, cst.TypeAlias):
            target, value = small.name, small.value
        else:
            return None
        if isinstance(target, cst.Name):
            return target.value, value
    return None


def module_aliases(module: cst.Module) -> dict[str, str]:
    """``NAME -> expression source`` of the module-level parameter aliases of ``module``."""
    imports = collect_imports(module)
    renamer = _Originals(imports)
    out: dict[str, str] = {}
    for stmt in module.body:
        found = _assignment(stmt)
        if found is None:
            continue
        name, value = found
        if isinstance(value, cst.Name) and value.value in out:
            out.setdefault(name, out[value.value])
        elif is_alias_value(value):
            renamed = value.visit(renamer)
            if isinstance(renamed, cst.BaseExpression):
                out.setdefault(name, module.code_for_node(renamed))
    return out


def file_aliases(rel_path: str, text: str) -> dict[str, str]:
    """Pre-pass: ``module.NAME -> expression source`` for one project file."""
    if not HINT.search(text):
        return {}
    try:
        module = parse(text)
    except SourceError:
        return {}
    mod = module_name(rel_path)
    return {f"{mod}.{k}" if mod else k: v for k, v in module_aliases(module).items()}


def _reexported(table: Mapping[str, str], target: str) -> str | None:
    """``pkg.CurrentUser`` re-exported by ``pkg/__init__.py`` from ``pkg/deps.py`` (one text)."""
    module, _, name = target.rpartition(".")
    package = module.rsplit(".", 1)[-1]
    if not package:
        return None
    found: str | None = None
    for key, text in table.items():
        key_module, _, key_name = key.rpartition(".")
        if key_name == name and package in key_module.split(".")[:-1]:
            if found is not None and found != text:
                return None
            found = text
    return found


def imported_alias(
    table: Mapping[str, str], imports: ImportTable, importing_path: str, dotted: str
) -> str | None:
    """The alias text behind ``dotted`` (``CurrentUser``, ``deps.CurrentUser``) as imported."""
    if not table:
        return None
    head = dotted.split(".", 1)[0]
    if head not in imports.names:
        return None
    target = resolve_import(imports.qualify(dotted), importing_path)
    return lookup_constant(table, target) or _reexported(table, target)


def parse_alias(text: str) -> cst.BaseExpression | None:
    try:
        return cst.parse_expression(text)
    except cst.ParserSyntaxError:
        return None
