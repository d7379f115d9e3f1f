"""On-disk content cache: per-file index extraction and per-file analysis results.

Layout: ``<dir>/v1/<kind>/<key[:2]>/<key>.pickle`` under ``.tenantlint_cache/`` in the project root
(or ``--cache-dir``). Keys are sha256 digests of everything a value depends on (file bytes, tenantlint
version and code, config fingerprint, and for analysis results the project index hash), so an entry is
never stale: a change produces a new key, and old entries are simply never read again.

Each entry is a pickled ``(MAGIC, kind, key, value)`` tuple; an entry that cannot be read, unpickled,
or does not carry the expected header is treated as a miss and rewritten. Writes go to a temporary
file in the same folder and are published with :func:`os.replace`, which is atomic on POSIX and
Windows, so concurrent processes (``--jobs``, flake8 workers, parallel CI jobs) only ever see whole
entries. A cache that cannot be written (read-only tree, full disk) is silently a no-op.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import os
import pickle
import tempfile
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from tenantlint import __version__
from tenantlint.config.options import Config

CACHE_DIRNAME = ".tenantlint_cache"
LAYOUT = "v1"
MAGIC = "tenantlint-cache-1"
INDEX_KIND = "index"
RESULT_KIND = "result"
_README = "Created by tenantlint; safe to delete at any time.\n"
_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by tenantlint.\n"
)


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
    """The tenantlint version plus the size and mtime of every module of the installed package.

    The version alone would serve stale results to someone editing tenantlint itself.
    """
    package = Path(__file__).resolve().parent
    h = hashlib.sha256(__version__.encode())
    for path in sorted(package.rglob("*.py")):
        try:
            st = path.stat()
        except OSError:
            continue
        h.update(f"{path.relative_to(package).as_posix()}:{st.st_size}:{st.st_mtime_ns}\n".encode())
    return h.hexdigest()[:16]


def config_fingerprint(config: Config) -> str:
    """The config's fingerprint minus ``select``/``ignore``, which apply after the cached results."""
    return replace(config, select=(), ignore=()).fingerprint()


@dataclass(frozen=True, slots=True)
class Cache:
    """A content-addressed pickle store; ``directory=None`` disables it. Picklable (crosses workers)."""

    directory: Path | None

    @classmethod
    def for_config(cls, config: Config, enabled: bool = True, directory: Path | None = None) -> Cache:
        if not enabled:
            return cls(None)
        return cls((directory or config.root / CACHE_DIRNAME).absolute())

    @property
    def enabled(self) -> bool:
        return self.directory is not None

    def _path(self, kind: str, key: str) -> Path:
        assert self.directory is not None
        return self.directory / LAYOUT / kind / key[:2] / f"{key}.pickle"

    def get(self, kind: str, key: str) -> object | None:
        """The value stored under ``key``, or None (missing, unreadable, corrupt, foreign)."""
        if self.directory is None:
            return None
        try:
            with self._path(kind, key).open("rb") as fh:
                entry = pickle.load(fh)
        except FileNotFoundError:
            return None
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, IndexError,
                TypeError, ValueError, MemoryError, RecursionError):
            return None  # corrupt or written by another version: a miss, rewritten by put()
        if not (isinstance(entry, tuple) and len(entry) == 4 and entry[:3] == (MAGIC, kind, key)):
            return None
        value: object = entry[3]
        return value

    def put(self, kind: str, key: str, value: object) -> bool:
        """Store ``value`` atomically; False when the cache cannot be written."""
        if self.directory is None:
            return False
        target = self._path(kind, key)
        try:
            data = dumps((MAGIC, kind, key, value))
        except (pickle.PicklingError, TypeError, AttributeError, RecursionError):
            return False
        try:
            self._prepare()
            target.parent.mkdir(parents=True, exist_ok=True)
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
        if (self.directory / ".gitignore").exists():
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        for name, text in ((".gitignore", "*\n"), ("CACHEDIR.TAG", _TAG), ("README", _README)):
            path = self.directory / name
            if not path.exists():
                fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=self.directory)
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    fh.write(text)
                os.replace(tmp, path)


@lru_cache(maxsize=256)
def _init_fields(cls: Any) -> tuple[str, ...] | None:
    """Field names when ``cls(*values)`` rebuilds an instance exactly: a slotted dataclass whose
    fields all go through ``__init__``, without ``__post_init__`` or its own pickling."""
    if not (dataclasses.is_dataclass(cls) and "__slots__" in cls.__dict__):
        return None
    if hasattr(cls, "__post_init__") or "__reduce__" in cls.__dict__ or "__reduce_ex__" in cls.__dict__:
        return None
    fields = dataclasses.fields(cls)
    if not all(f.init for f in fields):
        return None
    return tuple(f.name for f in fields)


class _Pickler(pickle.Pickler):
    """Slotted dataclasses pickled as constructor calls: loading them costs one generated
    ``__init__`` instead of the per-field ``__setstate__`` loop of ``dataclasses`` (several times
    faster for the thousands of small records of a project's facts)."""

    def reducer_override(self, obj: object) -> Any:
        cls: Any = type(obj)
        names = _init_fields(cls)
        if names is None:
            return NotImplemented
        return type(obj), tuple(getattr(obj, n) for n in names)


def dumps(value: object) -> bytes:
    buffer = io.BytesIO()
    _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(value)
    return buffer.getvalue()


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        return
