"""Names a module binds by ``import`` statements, read from CPython's ``ast`` (the cheap readers of
files the analysis does not walk with libcst: schedulers, system callers)."""

from __future__ import annotations

import ast
from collections.abc import Iterable

from tenantlint.files import module_name


def bound_names(tree: ast.Module, module: str, everywhere: bool = False,
                package_init: bool = False) -> dict[str, str]:
    """Local name -> the dotted name an import binds it to (``module``: the file's dotted module
    name, for relative imports; ``package_init``: the file is a package's ``__init__.py``, whose
    ``from . import x`` is relative to the package itself); ``everywhere``: imports inside functions
    and classes too, else only the module's top-level statements."""
    bound: dict[str, str] = {}
    package = module.split(".") if package_init else module.split(".")[:-1]
    nodes: Iterable[ast.AST] = ast.walk(tree) if everywhere else tree.body
    for node in nodes:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    bound[alias.asname] = alias.name
                else:
                    head = alias.name.split(".", 1)[0]
                    bound[head] = head
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package[:len(package) - (node.level - 1)]
                base = ".".join([*up, base] if base else up)
            for alias in node.names:
                if alias.name != "*":
                    bound[alias.asname or alias.name] = f"{base}.{alias.name}" if base else alias.name
    return bound


def is_package_init(path: str) -> bool:
    """``path`` is a package's ``__init__.py`` (its relative imports start at the package itself)."""
    return path.replace("\\", "/").rsplit("/", 1)[-1] == "__init__.py"


def resolve_import(qualified: str, importing_path: str) -> str:
    """``.queries.X`` imported by ``billing/api.py`` -> ``billing.queries.X``."""
    if not qualified.startswith("."):
        return qualified
    dots = len(qualified) - len(qualified.lstrip("."))
    package = module_name(importing_path).split(".")
    if not is_package_init(importing_path):
        package = package[:-1]
    if dots > 1:
        package = package[: len(package) - (dots - 1)] if dots - 1 <= len(package) else []
    rest = qualified[dots:]
    return ".".join([*package, rest]) if package else rest
