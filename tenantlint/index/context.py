"""What one file tells about its ORM: imported families, declarative roots, app label."""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from tenantlint.index.cst_util import LineFinder, call_name, dotted, last_part

# import prefix -> family
_FAMILY_IMPORTS = (
    ("django", "django"),
    ("modelcluster", "django"),
    ("sqlmodel", "sqlmodel"),
    ("flask_sqlalchemy", "sqlalchemy"),
    ("sqlalchemy", "sqlalchemy"),
    ("peewee", "peewee"),
    ("playhouse", "peewee"),
    ("tortoise", "tortoise"),
)

# Functions whose result is a declarative base class (``Base = declarative_base()``).
_BASE_FACTORIES = frozenset({"declarative_base", "generate_base", "as_declarative_base"})


@dataclass(frozen=True, slots=True)
class FileContext:
    relpath: str
    families: frozenset[str]  # ORM families imported by the file
    flask: bool  # Flask-SQLAlchemy (``db.Model``) in use
    declarative_roots: frozenset[str]  # local names bound to a declarative base
    lines: LineFinder
    django_names: frozenset[str] = frozenset()  # names imported from django.db / modelcluster

    @property
    def app_label(self) -> str | None:
        """Django app label: the folder of ``models.py``, or the ``models/`` package's parent."""
        parts = self.relpath.split("/")[:-1]
        if parts and parts[-1] == "models":
            parts = parts[:-1]
        return parts[-1] if parts else None


def _import_modules(stmt: cst.CSTNode) -> list[str]:
    out: list[str] = []
    if isinstance(stmt, cst.SimpleStatementLine):
        for small in stmt.body:
            if isinstance(small, cst.Import):
                for alias in small.names:
                    name = dotted(alias.name)
                    if name:
                        out.append(name)
            elif (
                isinstance(small, cst.ImportFrom)
                and small.module is not None
                and not small.relative
            ):
                name = dotted(small.module)
                if name:
                    out.append(name)
    elif isinstance(stmt, (cst.If, cst.Try)):
        for inner in stmt.body.body:
            out.extend(_import_modules(inner))
    return out


def _django_names(module: cst.Module) -> set[str]:
    out: set[str] = set()
    for stmt in module.body:
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                if (
                    isinstance(small, cst.ImportFrom)
                    and small.module is not None
                    and not small.relative
                ):
                    mod = dotted(small.module) or ""
                    if (
                        mod.startswith("django.db") or mod.startswith("modelcluster")
                    ) and not isinstance(small.names, cst.ImportStar):
                        for alias in small.names:
                            asname = alias.asname.name if alias.asname is not None else alias.name
                            if isinstance(asname, cst.Name):
                                out.add(asname.value)
    return out


def _declarative_roots(module: cst.Module) -> set[str]:
    roots: set[str] = set()
    for stmt in module.body:
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                if isinstance(small, cst.Assign) and len(small.targets) == 1:
                    func = call_name(small.value)
                    target = small.targets[0].target
                    if func and last_part(func) in _BASE_FACTORIES and isinstance(target, cst.Name):
                        roots.add(target.value)
        elif isinstance(stmt, cst.ClassDef):
            for arg in stmt.bases:
                name = dotted(arg.value)
                if name and last_part(name) in ("DeclarativeBase", "DeclarativeBaseNoMeta"):
                    roots.add(stmt.name.value)
            for deco in stmt.decorators:
                name = dotted(deco.decorator)
                if name and last_part(name) in ("as_declarative", "as_declarative_base"):
                    roots.add(stmt.name.value)
    return roots


def file_context(relpath: str, module: cst.Module, text: str) -> FileContext:
    families: set[str] = set()
    flask = "db.Model" in text
    for stmt in module.body:
        for name in _import_modules(stmt):
            for prefix, family in _FAMILY_IMPORTS:
                if name == prefix or name.startswith(prefix + "."):
                    families.add(family)
                    if prefix == "flask_sqlalchemy":
                        flask = True
    if flask:
        families.add("sqlalchemy")
    return FileContext(
        relpath=relpath,
        families=frozenset(families),
        flask=flask,
        declarative_roots=frozenset(_declarative_roots(module)),
        lines=LineFinder(text),
        django_names=frozenset(_django_names(module)),
    )
