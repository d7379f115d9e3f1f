"""On-disk content cache: per-file index extraction and per-file analysis results.

Layout: ``<dir>/v2/<kind>/<key[:2]>/<key>.json`` under ``.tenantlint_cache/`` in the project root
(or ``--cache-dir``). Keys are sha256 digests of everything a value depends on (file bytes, tenantlint
version and the bytes of its own source, config fingerprint, and for analysis results the project
index hash), so an entry is never stale: a change produces a new key, and old entries are simply
never read again. Two installs of the same tenantlint code share their entries (a fresh ``pip
install`` in CI hits the cache that an earlier job saved).

The cache folder may be attacker-writable (committed in a pull request, a shared ``--cache-dir``, a
CI cache restored from another branch), so it holds plain data only: each entry is a JSON object
``{"magic", "kind", "key", "value"}`` whose value is rebuilt field by field into the record type the
caller asks for (:mod:`tenantlint.cache_codec`); an entry that cannot be read, is not a regular file,
is too large, or does not have exactly the expected shape is a miss and is rewritten. Nothing read
from the cache is ever executed. A cache folder that is a symlink, is not owned by the user running
tenantlint, or is writable by every user is refused: the run goes on without the cache, with a
warning.

Writes go to a temporary file in the same folder and are published with :func:`os.replace`, so
concurrent processes (``--jobs``, flake8 workers, parallel CI jobs) only ever see whole entries. A
cache that cannot be written (read-only tree, full disk) is silently a no-op. The folder is kept
under :data:`MAX_CACHE_BYTES` by :meth:`Cache.trim`, which removes the oldest entries.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

from tenantlint import __version__
from tenantlint.cache_codec import Malformed, decoder, encode
from tenantlint.config.options import Config
from tenantlint.safeio import read_regular

CACHE_DIRNAME = ".tenantlint_cache"
LAYOUT = "v2"
MAGIC = "tenantlint-cache-2"
INDEX_KIND = "index"
RESULT_KIND = "result"
SUFFIX = ".json"
MAX_ENTRY_BYTES = 256 * 1024 * 1024  # a larger entry is a miss (never read)
MAX_CACHE_BYTES = 512 * 1024 * 1024  # trim() removes the oldest entries above this
TRIM_TO = 0.8  # ... down to this share of the cap
STALE_TMP_SECONDS = 3600  # a temporary file older than this was left by a killed process
_README = "Created by tenantlint; safe to delete at any time.\n"
_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by tenantlint.\n"
)

T = TypeVar("T")


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def key_of(*parts: str) -> str:
    """A cache key from string parts (length-prefixed, so parts cannot run into each other)."""
    h = hashlib.sha256()
    for part in parts:
        raw = part.encode("utf-8", "surrogatepass")
        h.update(len(raw).to_bytes(8, "little"))
        h.update(raw)
    return h.hexdigest()


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """The tenantlint version plus a hash of the bytes of every module of the package.

    Not their mtimes: two installs of the same code (a fresh ``pip install`` in each CI job) share
    the cache, while someone editing tenantlint itself never gets results of the old code.
    """
    package = Path(__file__).resolve().parent
    h = hashlib.sha256(__version__.encode())
    for path in sorted(package.rglob("*.py")):
        try:
            data = path.read_bytes()
        except OSError:
            continue
        name = path.relative_to(package).as_posix().encode("utf-8", "surrogateescape")
        h.update(len(name).to_bytes(8, "little") + name)
        h.update(len(data).to_bytes(8, "little") + data)
    return h.hexdigest()[:16]


def config_fingerprint(config: Config) -> str:
    """The config's fingerprint minus ``select``/``ignore``, which apply after the cached results."""
    return replace(config, select=(), ignore=()).fingerprint()


_WARNED: set[str] = set()


def refusal(directory: Path) -> str | None:
    """Why ``directory`` must not be used as a cache folder, or None when it may (also when it does
    not exist yet: it is then created by tenantlint)."""
    try:
        st = os.lstat(directory)
    except FileNotFoundError:
        return None
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})"
    if stat.S_ISLNK(st.st_mode):
        return "is a symlink"
    if not stat.S_ISDIR(st.st_mode):
        return "is not a directory"
    getuid = getattr(os, "geteuid", None)
    if getuid is not None and st.st_uid != getuid():
        return "is owned by another user"
    if st.st_mode & stat.S_IWOTH and not st.st_mode & stat.S_ISVTX:
        return "is writable by every user"
    return None


def _warn(directory: Path, reason: str) -> None:
    text = f"{directory}"
    if text not in _WARNED:
        _WARNED.add(text)
        shown = text.encode("utf-8", "backslashreplace").decode("utf-8")
        print(f"tenantlint: warning: cache folder {shown} {reason}; running without the cache",
              file=sys.stderr)


@dataclass(frozen=True, slots=True)
class Cache:
    """A content-addressed store of plain data; ``directory=None`` disables it. Picklable (crosses
    worker processes)."""

    directory: Path | None

    @classmethod
    def for_config(cls, config: Config, enabled: bool = True, directory: Path | None = None) -> Cache:
        if not enabled:
            return cls(None)
        folder = (directory or config.root / CACHE_DIRNAME).absolute()
        reason = refusal(folder)
        if reason is not None:
            _warn(folder, reason)
            return cls(None)
        return cls(folder)

    @property
    def enabled(self) -> bool:
        return self.directory is not None

    def _path(self, kind: str, key: str) -> Path:
        assert self.directory is not None
        return self.directory / LAYOUT / kind / key[:2] / f"{key}{SUFFIX}"

    def get(self, kind: str, key: str, tp: type[T], anything: object = None) -> T | None:
        """The ``tp`` stored under ``key``, or None (missing, unreadable, malformed, foreign).
        ``anything``: the type of fields of ``tp`` annotated ``object``."""
        if self.directory is None:
            return None
        try:
            data = read_regular(self._path(kind, key), MAX_ENTRY_BYTES, follow=False)
        except (OSError, ValueError):
            return None
        try:
            entry = json.loads(data)
            if not (type(entry) is dict and entry.get("magic") == MAGIC and entry.get("kind") == kind
                    and entry.get("key") == key and "value" in entry):
                return None
            value: T = decoder(tp, anything)(entry["value"])
        except (Malformed, ValueError, TypeError, RecursionError, MemoryError):
            return None  # corrupt, crafted or written by another version: a miss, rewritten by put()
        return value

    def put(self, kind: str, key: str, value: object) -> bool:
        """Store ``value`` atomically; False when the cache cannot be written."""
        if self.directory is None:
            return False
        target = self._path(kind, key)
        try:
            entry = {"magic": MAGIC, "kind": kind, "key": key, "value": encode(value)}
            data = json.dumps(entry, separators=(",", ":"), allow_nan=True).encode("ascii")
        except (TypeError, ValueError, RecursionError):
            return False
        try:
            self._prepare()
            target.parent.mkdir(parents=True, exist_ok=True)
            if not _within(target.parent, self.directory):
                return False  # a planted symlink inside the cache folder
            fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=target.parent)
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(data)
                os.replace(tmp, target)
            except BaseException:
                _unlink(tmp)
                raise
        except OSError:
            return False
        return True

    def _prepare(self) -> None:
        """Mark a new cache folder so that git and backup tools skip it."""
        assert self.directory is not None
        if os.path.lexists(self.directory / ".gitignore"):
            return
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o755)
        if refusal(self.directory) is not None:
            raise PermissionError("cache folder refused")
        for name, text in ((".gitignore", "*\n"), ("CACHEDIR.TAG", _TAG), ("README", _README)):
            path = self.directory / name
            if not os.path.lexists(path):
                fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=self.directory)
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    fh.write(text)
                os.replace(tmp, path)

    def trim(self, max_bytes: int = MAX_CACHE_BYTES) -> int:
        """Remove the oldest entries (by modification time) while the entries take more than
        ``max_bytes``, down to :data:`TRIM_TO` of it, and temporary files left by killed runs.
        Returns the number of files removed."""
        if self.directory is None:
            return 0
        base = self.directory / LAYOUT
        files: list[tuple[int, int, str]] = []
        total = 0
        removed = 0
        now = time.time()
        stack = [str(base)]
        while stack:
            folder = stack.pop()
            try:
                with os.scandir(folder) as it:
                    entries = list(it)
            except OSError:
                continue
            for entry in entries:
                try:
                    st = entry.stat(follow_symlinks=False)
                except OSError:
                    continue
                if stat.S_ISDIR(st.st_mode):
                    stack.append(entry.path)
                elif entry.name.startswith(".tmp-"):
                    if now - st.st_mtime > STALE_TMP_SECONDS:
                        removed += _unlink(entry.path)
                else:
                    files.append((st.st_mtime_ns, st.st_size, entry.path))
                    total += st.st_size
        if total <= max_bytes:
            return removed
        files.sort()
        goal = int(max_bytes * TRIM_TO)
        for _, size, path in files:
            if total <= goal:
                break
            if _unlink(path):
                total -= size
                removed += 1
        return removed


def _within(folder: Path, directory: Path) -> bool:
    real, top = os.path.realpath(folder), os.path.realpath(directory)
    return real == top or real.startswith(top.rstrip(os.sep) + os.sep)


def _unlink(path: str) -> int:
    try:
        os.unlink(path)
    except OSError:
        return 0
    return 1
