"""Reading and writing files of a tree that may be hostile (a pull request's checkout).

Reads: only regular files, checked with ``stat`` before they are opened (so a FIFO, a device or a
socket is never opened), opened with ``O_NONBLOCK`` and checked again on the open descriptor, and
never more than a byte cap (a file that grows past it while read is refused as well).

Writes: the whole text goes to a temporary file in the target's folder, then :func:`os.replace`
publishes it, so a reader (or a failed run) never sees a partial file; a target that is a symlink is
refused rather than followed.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from tenantlint.config.options import DEFAULT_MAX_FILE_BYTES

MAX_NESTING = 64  # a config or baseline nested deeper than this is refused
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_BINARY = getattr(os, "O_BINARY", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


class UnsafeFileError(OSError):
    """A file that is not read or written: its ``reason`` is a short human sentence."""

    def __init__(self, path: str | os.PathLike[str], reason: str) -> None:
        super().__init__(reason)
        self.path = os.fspath(path)
        self.reason = reason

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _refuse_mode(path: str | os.PathLike[str], mode: int) -> None:
    if not stat.S_ISREG(mode):
        kind = _kind(mode)
        raise UnsafeFileError(path, kind if kind.startswith("not") else f"not a regular file ({kind})")


def too_large(size: int, limit: int) -> str:
    return f"file too large ({size} bytes; max_file_bytes is {limit})"


def read_regular(path: str | os.PathLike[str], max_bytes: int = DEFAULT_MAX_FILE_BYTES,
                 follow: bool = True) -> bytes:
    """The bytes of the regular file ``path`` (at most ``max_bytes``).

    Raises :class:`UnsafeFileError` for anything else (FIFO, device, directory, too large; a symlink
    when ``follow`` is false) and ``OSError`` when the file cannot be read.
    """
    st = os.stat(path) if follow else os.lstat(path)
    if not follow and stat.S_ISLNK(st.st_mode):
        raise UnsafeFileError(path, "is a symlink")
    _refuse_mode(path, st.st_mode)
    if st.st_size > max_bytes:
        raise UnsafeFileError(path, too_large(st.st_size, max_bytes))
    flags = os.O_RDONLY | _NONBLOCK | _CLOEXEC | _BINARY | (0 if follow else _NOFOLLOW)
    fd = os.open(path, flags)
    try:
        st = os.fstat(fd)
        _refuse_mode(path, st.st_mode)  # replaced between the stat and the open
        if st.st_size > max_bytes:
            raise UnsafeFileError(path, too_large(st.st_size, max_bytes))
        chunks: list[bytes] = []
        left = max_bytes + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > max_bytes:
        raise UnsafeFileError(path, too_large(len(data), max_bytes))
    return data


def nesting_depth(value: object, limit: int = MAX_NESTING) -> int:
    """How deeply lists and dicts nest in ``value`` (iteratively; stops counting past ``limit``)."""
    deepest = 0
    stack: list[tuple[object, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: list[object] = list(item.values())
        elif isinstance(item, list | tuple):
            children = list(item)
        else:
            continue
        deepest = max(deepest, depth + 1)
        if deepest > limit:
            return deepest
        stack.extend((child, depth + 1) for child in children)
    return deepest


def check_writable_target(path: Path) -> None:
    """Refuse an output path that is a symlink (planted to redirect the write) or not a file, and a
    relative path inside the current folder whose folder a symlink leads out of it (a planted
    ``reports -> /somewhere`` for ``--output reports/out.json``)."""
    relative = os.path.normpath(path)
    if not os.path.isabs(relative) and not relative.startswith(os.pardir):
        here = os.path.realpath(os.curdir)
        folder = os.path.realpath(os.path.dirname(relative) or os.curdir)
        if folder != here and not folder.startswith(here.rstrip(os.sep) + os.sep):
            raise UnsafeFileError(path, "its folder is a symlink out of the current folder; "
                                        "refusing to write through it")
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return
    if stat.S_ISLNK(st.st_mode):
        raise UnsafeFileError(path, "is a symlink; refusing to write through it")
    if not stat.S_ISREG(st.st_mode):
        raise UnsafeFileError(path, f"is {_kind(st.st_mode)}; refusing to replace it")


def atomic_write(path: Path, data: bytes | str) -> None:
    """Write ``data`` (text as UTF-8) to ``path`` through a temporary file in the same folder and an
    atomic rename; refuse a ``path`` that is a symlink or not a regular file."""
    path = Path(path)
    check_writable_target(path)
    folder = path.parent
    folder.mkdir(parents=True, exist_ok=True)
    raw = data.encode("utf-8", "backslashreplace") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name[:40]}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
        try:
            mode = os.stat(path).st_mode & 0o777
        except FileNotFoundError:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(tmp, mode)
        check_writable_target(path)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
