"""What one file tells about its ORM: imported families, declarative roots, app label."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from tenantlint.families import orm_import_prefixes
from tenantlint.index.ast_util import LineFinder, Source, call_name, dotted, last_part
from tenantlint.index.tokens import SECRET_CALLS, random_functions

# import prefix -> family (``tenantlint/families.py``)
_FAMILY_IMPORTS = orm_import_prefixes()

# Functions whose result is a declarative base class (``Base = declarative_base()``).
_BASE_FACTORIES = frozenset({"declarative_base", "generate_base", "as_declarative_base"})


@dataclass(frozen=True, slots=True)
class ModelFile:
    """One file as the model extractors see it (the analysis has its own per-file state,
    :class:`tenantlint.analysis.interp.file_context.FileContext`)."""

    relpath: str
    families: frozenset[str]  # ORM families imported by the file
    flask: bool  # Flask-SQLAlchemy (``db.Model``) in use
    declarative_roots: frozenset[str]  # local names bound to a declarative base
    lines: LineFinder
    django_names: frozenset[str] = frozenset()  # names imported from django.db / modelcluster
    src: Source = field(default_factory=lambda: Source(""))  # block vs same-line bodies
    # Django model classes found so far in this file (filled by the extractor, in source order): a
    # subclass of one that adds no field of its own is a model too (``Message(AbstractMessage)``).
    django_models: set[str] = field(default_factory=set)
    # Top-level functions returning a random value (``index/tokens.py``): random column defaults.
    random_functions: frozenset[str] = frozenset()
    secret_functions: frozenset[str] = frozenset()  # those returning a secret (``token_hex``)

    @property
    def app_label(self) -> str | None:
        """Django app label: the folder of ``models.py``, or the ``models/`` package's parent."""
        parts = self.relpath.split("/")[:-1]
        if parts and parts[-1] == "models":
            parts = parts[:-1]
        return parts[-1] if parts else None


def _import_modules(stmt: ast.stmt, src: Source) -> list[str]:
    """Modules imported by a top-level statement, or in the block of a top-level ``if``/``try``."""
    out: list[str] = []
    if isinstance(stmt, ast.Import):
        out.extend(alias.name for alias in stmt.names)
    elif isinstance(stmt, ast.ImportFrom):
        if stmt.module is not None and not stmt.level:
            out.append(stmt.module)
    elif isinstance(stmt, (ast.If, ast.Try)) and src.is_block(stmt.body):
        for inner in stmt.body:
            out.extend(_import_modules(inner, src))
    return out


def _django_names(module: ast.Module) -> set[str]:
    out: set[str] = set()
    for stmt in module.body:
        if isinstance(stmt, ast.ImportFrom) and stmt.module is not None and not stmt.level:
            mod = stmt.module
            if mod.startswith("django.db") or mod.startswith("modelcluster"):
                for alias in stmt.names:
                    if alias.name != "*":
                        out.add(alias.asname if alias.asname is not None else alias.name)
    return out


def _declarative_roots(module: ast.Module) -> set[str]:
    roots: set[str] = set()
    for stmt in module.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            func = call_name(stmt.value)
            target = stmt.targets[0]
            if func and last_part(func) in _BASE_FACTORIES and isinstance(target, ast.Name):
                roots.add(target.id)
        elif isinstance(stmt, ast.ClassDef):
            for arg in stmt.bases:
                name = dotted(arg.value if isinstance(arg, ast.Starred) else arg)
                if name and last_part(name) in ("DeclarativeBase", "DeclarativeBaseNoMeta"):
                    roots.add(stmt.name)
            for deco in stmt.decorator_list:
                name = dotted(deco)
                if name and last_part(name) in ("as_declarative", "as_declarative_base"):
                    roots.add(stmt.name)
    return roots


def model_file(relpath: str, module: ast.Module, text: str) -> ModelFile:
    src = Source(text)
    families: set[str] = set()
    flask = "db.Model" in text
    for stmt in module.body:
        for name in _import_modules(stmt, src):
            for prefix, family in _FAMILY_IMPORTS:
                if name == prefix or name.startswith(prefix + "."):
                    families.add(family)
                    if prefix == "flask_sqlalchemy":
                        flask = True
    if flask:
        families.add("sqlalchemy")
    defaults = "def " in text and "default=" in text
    return ModelFile(
        relpath=relpath,
        families=frozenset(families),
        flask=flask,
        declarative_roots=frozenset(_declarative_roots(module)),
        lines=LineFinder(text),
        django_names=frozenset(_django_names(module)),
        src=src,
        random_functions=random_functions(module) if defaults else frozenset(),
        secret_functions=random_functions(module, SECRET_CALLS) if defaults else frozenset(),
    )
