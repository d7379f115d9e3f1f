"""The whole-project pre-pass: one read and at most one parse per file, in parallel when asked.

Every file yields a picklable :class:`FileScan`; the parent merges them in sorted path order, so the
result does not depend on the number of worker processes.
"""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from tenantlint.cache import INDEX_KIND, Cache, code_fingerprint, config_fingerprint, digest, key_of
from tenantlint.config.options import Config
from tenantlint.crossfile import EMPTY, CrossFileFacts
from tenantlint.crossfn.shapes import SHAPE
from tenantlint.files import walk_rel
from tenantlint.index.records import ModelInfo
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
from tenantlint.safeio import read_regular


@dataclass(frozen=True, slots=True)
class FileScan:
    """What the pre-pass learns from one file (picklable; cached by the file's content)."""

    models: tuple[ModelInfo, ...] = ()
    facts: CrossFileFacts = EMPTY  # what the file tells the analysis of other files
    # How often each lower-case identifier is referenced (a name or an attribute; not a ``def`` or
    # an import): the cross-function pass compares it with the calls it resolved. Empty for a file
    # under ``system_paths``: its calls pass no request input, resolved or not.
    names: tuple[tuple[str, int], ...] = ()
    # The names of the functions it defines (``def`` at any depth), sorted; None when CPython could
    # not read it: the analysis then keeps every call site (``Settings.defined``).
    defs: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class Merged:
    models: tuple[ModelInfo, ...]
    facts: CrossFileFacts
    name_counts: dict[str, int] = field(default_factory=dict)
    defs: frozenset[str] | None = None  # every file's ``FileScan.defs``; None if one has none


def merge(scans: Iterable[FileScan]) -> Merged:
    """Fold per-file records in path order (later files win on equal keys, as a serial pass did)."""
    done = list(scans)
    models = tuple(m for s in done for m in s.models)
    counts: dict[str, int] = {}
    defs: set[str] | None = set()
    for s in done:
        for name, n in s.names:
            counts[name] = counts.get(name, 0) + n
        if defs is not None:
            if s.defs is None:
                defs = None
            else:
                defs.update(s.defs)
    if defs is not None:  # the shapes of calls of names no function of the project has: no use
        for key in [k for k in counts if SHAPE in k and k.partition(SHAPE)[0] not in defs]:
            del counts[key]
    return Merged(models, CrossFileFacts.merge(s.facts for s in done), counts,
                  None if defs is None else frozenset(defs))


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
    # the digests of the Python files CPython read without error under the depth guard (a
    # ``FileScan.defs`` that is not None): the analysis need not parse such bytes again to skip them
    parsed: frozenset[str] = frozenset()

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


def _earlier(cache: Cache, book: Book | None, derived: type | None) -> Facts | None:
    if book is None or derived is None:
        return None
    found = cache.get(FACTS_KIND, book.facts_key, Facts, anything=derived)
    if isinstance(found, Facts) and len(found.rels) == len(found.scans):
        return found
    return None


def _record(rel: str, path: str, book: Book | None, max_bytes: int) -> Record | None:
    """``(stamp, digest)`` of one file: from the book when its stamp is unchanged, else read.
    None for a file that is not read (not a regular file, too large, unreadable)."""
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):
            return None
        known = book.known_digest(rel, st) if book is not None else None
        if known is not None:
            return (stamp(st), known)
        return (trusted_stamp(st, time.time_ns()), digest(read_regular(path, max_bytes)))
    except (OSError, ValueError):
        return None


def _scan_missing(missing: list[tuple[str, str]], where: list[int], scans: list[FileScan | None],
                  config: Config, jobs: int, min_parallel: int) -> None:
    """Read and scan the files not found in the cache (``scans[where[k]]`` for ``missing[k]``)."""
    from tenantlint.prepass import init_worker, scan_file, scan_item  # libcst: only when reading

    def local(item: tuple[str, str]) -> FileScan:
        return scan_file(item[0], Path(item[1]), config)

    workers = jobs if len(missing) >= min_parallel else 1
    for i, scan in zip(where, ordered_map(local, scan_item, missing, workers, init_worker, (config,)),
                       strict=True):
        scans[i] = scan


@dataclass
class _Listing:
    """The project's files in walk order, the scan known for each (None: still to scan), and the
    files still to scan with their places in ``scans``."""

    records: dict[str, Record] = field(default_factory=dict)
    rels: list[str] = field(default_factory=list)
    scans: list[FileScan | None] = field(default_factory=list)
    missing: list[tuple[str, str]] = field(default_factory=list)
    where: list[int] = field(default_factory=list)
    digests: dict[str, str] = field(default_factory=dict)  # absolute path -> content digest


def _list_files(config: Config, cache: Cache, prefix: str, book: Book | None,
                facts: Facts | None) -> _Listing:
    """Walk the project: each readable file's record and the scan known for it, if any."""
    before = dict(zip(facts.rels, facts.scans, strict=True)) if facts is not None else {}
    listing = _Listing()
    for rel, path in walk_rel(config.root, config.exclude, suffixes=(".py", ".sql")):
        record = _record(rel, path, book, config.max_file_bytes)
        if record is None:
            continue
        listing.records[rel] = record
        listing.digests[os.path.abspath(path)] = record[1]
        listing.rels.append(rel)
        hit = _known_scan(cache, prefix, book, before, rel, record[1])
        listing.scans.append(hit)
        if hit is None:
            listing.missing.append((rel, path))
            listing.where.append(len(listing.scans) - 1)
    return listing


def _known_scan(cache: Cache, prefix: str, book: Book | None, before: dict[str, FileScan], rel: str,
                file_digest: str) -> FileScan | None:
    """The scan of a file with these bytes: from the earlier facts when the book records the same
    digest, else from its per-file cache entry."""
    hit: object = None
    if book is not None and book.digest_of(rel) == file_digest:
        hit = before.get(rel)
    if not isinstance(hit, FileScan) and cache.enabled:
        hit = cache.get(INDEX_KIND, key_of(prefix, rel, file_digest), FileScan)
    return hit if isinstance(hit, FileScan) else None


def scan_files(config: Config, jobs: int = 1, cache: Cache | None = None,
               min_parallel: int = MIN_PARALLEL, derived: type | None = None) -> ProjectFiles:
    """Scan every project file (the config's folder, minus excludes) with ``jobs`` processes.

    A file whose stat stamp matches the book (:mod:`tenantlint.manifest`) is not read; any other is
    read once for its digest. A file with the recorded digest takes its scan from the facts entry,
    else from its per-file cache entry (same bytes, tenantlint code and config); the rest are scanned
    (in parallel when at least ``min_parallel``) and cached. ``derived``: the type of what the
    caller passes to :meth:`ProjectFiles.remember` (without it, no earlier facts are reused).
    """
    cache = cache or Cache(None)
    prefix = key_of("scan-entry", code_fingerprint(), config_fingerprint(config))
    root = os.path.normpath(config.root.absolute())
    book = load_book(cache, book_key(prefix, root))
    facts = _earlier(cache, book, derived)
    listing = _list_files(config, cache, prefix, book, facts)
    if listing.missing:
        _scan_missing(listing.missing, listing.where, listing.scans, config, jobs, min_parallel)
        for i in listing.where:
            rel = listing.rels[i]
            cache.put(INDEX_KIND, key_of(prefix, rel, listing.records[rel][1]), listing.scans[i])
    done = [s for s in listing.scans if s is not None]
    merged = merge(done)
    rels, records = tuple(listing.rels), listing.records
    parsed = frozenset(records[rel][1] for rel, scan in zip(rels, listing.scans, strict=True)
                       if scan is not None and scan.defs is not None and rel.endswith(".py"))
    if book is not None and facts is not None and facts.rels == rels and list(facts.scans) == done:
        if records != book.records:
            store_book(cache, book_key(prefix, root), Book(records, book.facts_key))
        return ProjectFiles(merged, listing.digests, facts.derived, parsed=parsed)
    pending = _Record(cache, prefix, root, records, rels, tuple(done))
    return ProjectFiles(merged, listing.digests, None, pending, parsed)
