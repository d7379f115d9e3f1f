"""The whole-project pre-pass: one read and at most one parse per file, in parallel when asked.

Every file yields a picklable :class:`FileScan`; the parent merges them in sorted path order, so the
result does not depend on the number of worker processes.
"""

from __future__ import annotations

import ast
import os
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

import libcst as cst

from tenantlint.analysis.class_bases import HINT as CLASS_HINT
from tenantlint.analysis.class_bases import module_class_bases
from tenantlint.analysis.frameworks.param_aliases import HINT as ALIAS_HINT
from tenantlint.analysis.frameworks.param_aliases import module_aliases
from tenantlint.analysis.frameworks.route_index import HINT as ROUTE_HINT
from tenantlint.analysis.frameworks.route_index import module_routes
from tenantlint.analysis.nesting import nesting_headroom
from tenantlint.analysis.source import SourceError, decode, guarded_ast, parse
from tenantlint.analysis.sql_consts import module_file_constants, module_name
from tenantlint.cache import INDEX_KIND, Cache, code_fingerprint, config_fingerprint, digest, key_of
from tenantlint.config.model import Config
from tenantlint.files import walk_rel
from tenantlint.index.ddl import extract_sql_file
from tenantlint.index.extract import extract_models, may_define_models
from tenantlint.index.model import ModelInfo
from tenantlint.index.readers import scoped_view_bases, serializer_models
from tenantlint.manifest import (
    FACTS_KIND,
    Book,
    Record,
    book_key,
    facts_key,
    load_book,
    stamp,
    store_book,
    trusted_stamp,
)
from tenantlint.parallel import ordered_map

SQL_HINT = re.compile(r"\b(?:select|insert|update|delete|with)\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class FileScan:
    """What the pre-pass learns from one file (picklable; cached by the file's content)."""

    models: tuple[ModelInfo, ...] = ()
    view_bases: tuple[str, ...] = ()  # sorted: classes whose get_queryset is tenant-scoped
    serializers: tuple[tuple[str, str], ...] = ()  # DRF ModelSerializer -> model, in source order
    constants: tuple[tuple[str, str], ...] = ()  # ``pkg.module.NAME`` -> string, in source order
    aliases: tuple[tuple[str, str], ...] = ()  # ``pkg.module.X`` -> ``Annotated[...]`` source
    routes: tuple[tuple[str, str], ...] = ()  # route-registered ``pkg.module.fn`` -> URL rule
    class_bases: tuple[tuple[str, str], ...] = ()  # ``pkg.module.Class`` -> "base,base" (qualified)


@dataclass(frozen=True, slots=True)
class Merged:
    models: tuple[ModelInfo, ...]
    view_bases: frozenset[str]
    serializers: dict[str, str]
    constants: dict[str, str]
    aliases: dict[str, str]
    routes: dict[str, str]
    class_bases: dict[str, str]


# SQL verbs and clause words: a constant can only be SQL text (or misspelt SQL, TNT302) when some
# literal it is built from holds one; module constants are composed from this module's literals only.
SQL_WORD = re.compile(
    r"\b(?:select|insert|update|delete|with|merge|from|where|into|set|values|join|returning)\b",
    re.IGNORECASE,
)


def _has_sql_literal(node: ast.AST) -> bool:
    for n in ast.walk(node):
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and SQL_WORD.search(n.value):
            return True
    return False


def _string_assignment(stmt: ast.stmt) -> bool:
    if isinstance(stmt, ast.Assign | ast.AnnAssign) and stmt.value is not None:
        return _has_sql_literal(stmt.value)
    return False


def may_define_constants(tree: ast.Module) -> bool:
    """False only when no module- or top-level-class-level assignment holds a string literal with
    an SQL word (``module_file_constants`` would find no SQL text)."""
    for stmt in tree.body:
        if _string_assignment(stmt):
            return True
        if isinstance(stmt, ast.ClassDef) and any(_string_assignment(s) for s in stmt.body):
            return True
    return False


_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


def _top_class_members(tree: ast.Module, kind: tuple[type[ast.stmt], ...], name: str) -> bool:
    """A top-level class holds a ``kind`` statement called ``name`` directly in its body."""
    return any(isinstance(stmt, ast.ClassDef) and any(isinstance(item, kind) and
                                                      getattr(item, "name", None) == name
                                                      for item in stmt.body)
               for stmt in tree.body)


def scan_text(rel: str, text: str, config: Config) -> FileScan:
    """The pre-pass over one file's text; the file is parsed by libcst at most once, and only when
    CPython's (much cheaper) ``ast`` shows it can hold something the pre-pass collects."""
    if rel.endswith(".sql"):
        return FileScan(models=extract_sql_file(rel, text, config))
    try:
        tree = guarded_ast(text)  # None: syntax error; SourceError: nested too deeply (TNT999)
    except SourceError:
        return FileScan()
    with nesting_headroom():
        return _scan_python(rel, text, config, tree)


def _scan_python(rel: str, text: str, config: Config, tree: ast.Module | None) -> FileScan:
    """One ``ast`` parse gives the models and class bases, and says which libcst readers must run."""
    want_aliases = ALIAS_HINT.search(text) is not None
    want_models = may_define_models(text)
    want_bases = "get_queryset" in text
    want_serializers = "Serializer" in text
    want_constants = SQL_HINT.search(text) is not None
    want_routes = ROUTE_HINT.search(text) is not None
    want_classes = CLASS_HINT.search(text) is not None
    found = FileScan()
    if tree is not None:  # else (syntax CPython rejects) only libcst's readers below may run
        class_bases = tuple(module_class_bases(rel, tree).items()) if want_classes else ()
        view_bases: tuple[str, ...] = ()
        if want_bases and _top_class_members(tree, _FUNCTIONS, "get_queryset"):
            view_bases = tuple(sorted(scoped_view_bases(tree, config)))
        serializers: tuple[tuple[str, str], ...] = ()
        if want_serializers and _top_class_members(tree, (ast.ClassDef,), "Meta"):
            serializers = tuple(serializer_models(tree).items())
        want_constants = want_constants and may_define_constants(tree)
        models: tuple[ModelInfo, ...] = ()
        if want_models:
            try:
                models = extract_models(rel, tree, config, text)
            except RecursionError:
                models = ()
        found = FileScan(models=models, view_bases=view_bases, serializers=serializers,
                         class_bases=class_bases)
    if not (want_constants or want_aliases or want_routes):
        return found
    try:
        module = parse(text, accepted=tree is not None)  # guarded_ast ran in scan_text
    except SourceError:
        return found  # reported (TNT999) by the analysis when it is a target
    return replace(
        found,
        constants=tuple(module_file_constants(rel, module).items()) if want_constants else (),
        aliases=tuple(_aliases(rel, module).items()) if want_aliases else (),
        routes=tuple(module_routes(rel, module).items()) if want_routes else (),
    )


def _aliases(rel: str, module: cst.Module) -> dict[str, str]:
    mod = module_name(rel)
    return {f"{mod}.{k}" if mod else k: v for k, v in module_aliases(module).items()}


def scan_file(rel: str, path: Path, config: Config) -> FileScan:
    try:
        text = decode(path.read_bytes())
    except (OSError, SourceError):
        return FileScan()
    return scan_text(rel, text, config)


def merge(scans: Iterable[FileScan]) -> Merged:
    """Fold per-file records in path order (later files win on equal keys, as a serial pass did)."""
    models: list[ModelInfo] = []
    bases: set[str] = set()
    serializers: dict[str, str] = {}
    constants: dict[str, str] = {}
    aliases: dict[str, str] = {}
    routes: dict[str, str] = {}
    class_bases: dict[str, str] = {}
    for s in scans:
        models.extend(s.models)
        bases.update(s.view_bases)
        serializers.update(s.serializers)
        constants.update(s.constants)
        aliases.update(s.aliases)
        routes.update(s.routes)
        class_bases.update(s.class_bases)
    return Merged(tuple(models), frozenset(bases), serializers, constants, aliases, routes,
                  class_bases)


_CONFIG: list[Config] = []  # the worker process's config (set once by the pool initializer)


def _init(config: Config) -> None:
    _CONFIG[:] = [config]


def _scan_item(item: tuple[str, str]) -> FileScan:
    return scan_file(item[0], Path(item[1]), _CONFIG[0])


@dataclass(frozen=True, slots=True)
class Facts:
    """The scans of every project file (``rels`` order) and what the caller built from them."""

    rels: tuple[str, ...]
    scans: tuple[FileScan, ...]
    derived: object = None  # runner: the Project (without digests)


@dataclass(frozen=True)
class _Record:
    """What :meth:`ProjectFiles.remember` needs to store new facts and the book naming them."""

    cache: Cache
    prefix: str
    root: str
    records: dict[str, Record]
    rels: tuple[str, ...]
    scans: tuple[FileScan, ...]


@dataclass(frozen=True)
class ProjectFiles:
    """The pre-pass over the project: merged facts, each file's content digest (absolute path), and
    ``derived``: what :meth:`remember` was given for exactly these scans by an earlier run, if any."""

    merged: Merged
    digests: dict[str, str]
    derived: object = None
    pending: _Record | None = None

    def remember(self, derived: object) -> None:
        """Cache ``derived`` (built from these scans only) for later runs; a no-op when reused or
        when the cache is off."""
        p = self.pending
        if p is None or self.derived is not None or not p.cache.enabled:
            return
        key = facts_key(p.prefix, p.root, p.records)
        if p.cache.put(FACTS_KIND, key, Facts(p.rels, p.scans, derived)):
            store_book(p.cache, book_key(p.prefix, p.root), Book(p.records, key))


MIN_PARALLEL = 32  # fewer files to scan or analyse than this: no process pool (forking costs more)


def _earlier(cache: Cache, book: Book | None) -> Facts | None:
    found = cache.get(FACTS_KIND, book.facts_key) if book is not None else None
    if isinstance(found, Facts) and len(found.rels) == len(found.scans):
        return found
    return None


def _record(rel: str, path: str, book: Book | None) -> Record | None:
    """``(stamp, digest)`` of one file: from the book when its stamp is unchanged, else read."""
    try:
        st = os.stat(path)
        known = book.known_digest(rel, st) if book is not None else None
        if known is not None:
            return (stamp(st), known)
        return (trusted_stamp(st, time.time_ns()), digest(Path(path).read_bytes()))
    except OSError:
        return None


def scan_files(config: Config, jobs: int = 1, cache: Cache | None = None,
               min_parallel: int = MIN_PARALLEL) -> ProjectFiles:
    """Scan every project file (the config's folder, minus excludes) with ``jobs`` processes.

    A file whose stat stamp matches the book (:mod:`tenantlint.manifest`) is not read; any other is
    read once for its digest. A file with the recorded digest takes its scan from the facts entry,
    else from its per-file cache entry (same bytes, tenantlint code and config); the rest are scanned
    (in parallel when at least ``min_parallel``) and cached.
    """
    cache = cache or Cache(None)
    prefix = key_of("scan-entry", code_fingerprint(), config_fingerprint(config))
    root = os.path.normpath(config.root.absolute())
    book = load_book(cache, book_key(prefix, root))
    facts = _earlier(cache, book)
    before = dict(zip(facts.rels, facts.scans, strict=True)) if facts is not None else {}
    records: dict[str, Record] = {}
    rels: list[str] = []
    scans: list[FileScan | None] = []
    missing: list[tuple[str, str]] = []
    where: list[int] = []
    digests: dict[str, str] = {}
    for rel, path in walk_rel(config.root, config.exclude, suffixes=(".py", ".sql")):
        record = _record(rel, path, book)
        if record is None:
            continue
        records[rel] = record
        digests[os.path.abspath(path)] = record[1]
        rels.append(rel)
        hit: object = None
        if book is not None and book.digest_of(rel) == record[1]:
            hit = before.get(rel)
        if not isinstance(hit, FileScan) and cache.enabled:
            hit = cache.get(INDEX_KIND, key_of(prefix, rel, record[1]))
        scans.append(hit if isinstance(hit, FileScan) else None)
        if not isinstance(hit, FileScan):
            missing.append((rel, path))
            where.append(len(scans) - 1)

    def local(item: tuple[str, str]) -> FileScan:
        return scan_file(item[0], Path(item[1]), config)

    workers = jobs if len(missing) >= min_parallel else 1
    for i, scan in zip(where, ordered_map(local, _scan_item, missing, workers, _init, (config,)),
                       strict=True):
        scans[i] = scan
        cache.put(INDEX_KIND, key_of(prefix, rels[i], records[rels[i]][1]), scan)
    done = [s for s in scans if s is not None]
    merged = merge(done)
    if book is not None and facts is not None and facts.rels == tuple(rels) and list(facts.scans) == done:
        if records != book.records:
            store_book(cache, book_key(prefix, root), Book(records, book.facts_key))
        return ProjectFiles(merged, digests, facts.derived)
    pending = _Record(cache, prefix, root, records, tuple(rels), tuple(done))
    return ProjectFiles(merged, digests, None, pending)
