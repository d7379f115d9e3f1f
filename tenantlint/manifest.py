"""The project's file book: each project file's stat stamp and content digest, one cache entry.

A warm run stats every project file instead of reading and hashing it: a file whose size, mtime,
ctime and inode equal the stamp recorded with its digest is taken to still hold those bytes (the
check ruff and git use). A stamp is only recorded when the file was last changed well before it was
read (:data:`RACY_NS`), so a file rewritten within the same timestamp tick as its recording is
re-hashed, never trusted ("racy git"). Anything else (new file, other stamp, no stamp) falls back to
reading the file and comparing its digest.

The book also names the facts entry (the merged per-file scans and what was built from them) that
was computed from the recorded contents; see :mod:`tenantlint.scan`. Both entries live in the
ordinary :class:`~tenantlint.cache.Cache`: written atomically, a corrupt or foreign entry is a miss,
and concurrent processes at worst overwrite each other's (equally valid) book.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from tenantlint.cache import Cache, key_of

BOOK_KIND = "book"
FACTS_KIND = "facts"
RACY_NS = 2_000_000_000  # a file changed less than this before it was read gets no stamp

Stamp = tuple[int, int, int, int]  # (size, mtime_ns, ctime_ns, inode)
Record = tuple[Stamp | None, str]  # (stamp when trusted, sha256 of the bytes)


def stamp(st: os.stat_result) -> Stamp:
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def trusted_stamp(st: os.stat_result, read_at_ns: int) -> Stamp | None:
    """The stamp to record for bytes read at ``read_at_ns`` (wall clock), or None when the file
    changed too recently for its timestamps to tell a later same-size rewrite apart."""
    if max(st.st_mtime_ns, st.st_ctime_ns) > read_at_ns - RACY_NS:
        return None
    return stamp(st)


@dataclass(frozen=True, slots=True)
class Book:
    """``rel -> (stamp, digest)`` of every project file, and the key of the facts built from them."""

    records: dict[str, Record]
    facts_key: str

    def known_digest(self, rel: str, st: os.stat_result) -> str | None:
        """The recorded digest of ``rel`` when its stamp is trusted and unchanged, else None."""
        record = self.records.get(rel)
        if record is None or record[0] is None or record[0] != stamp(st):
            return None
        return record[1]

    def digest_of(self, rel: str) -> str | None:
        record = self.records.get(rel)
        return None if record is None else record[1]


def book_key(prefix: str, root: str) -> str:
    """One book per project root, tenantlint code and config (``prefix`` holds the last two)."""
    return key_of(prefix, "book", root)


def facts_key(prefix: str, root: str, records: dict[str, Record]) -> str:
    """The facts entry of exactly these files with exactly these contents."""
    parts = [f"{rel}\0{record[1]}" for rel, record in sorted(records.items())]
    return key_of(prefix, "facts", root, *parts)


def load_book(cache: Cache, key: str) -> Book | None:
    return cache.get(BOOK_KIND, key, Book) if cache.enabled else None


def store_book(cache: Cache, key: str, book: Book) -> bool:
    return cache.put(BOOK_KIND, key, book)
