"""Which files a run reads: path expansion, exclude globs, deterministic order."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

PY_SUFFIXES = (".py", ".pyi")


@lru_cache(maxsize=256)
def _glob_regex(pattern: str) -> re.Pattern[str]:
    out = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out) + r"\Z")


@lru_cache(maxsize=64)
def _matchers(patterns: tuple[str, ...]) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
    """All exclude globs as one regex for the path, and one for the file name (globs without "/")."""
    full = [_glob_regex(p.rstrip("/") if not p.endswith("/**") else p).pattern for p in patterns]
    base = [_glob_regex(p).pattern for p in patterns if "/" not in p]
    return (re.compile("|".join(f"(?:{x})" for x in full)) if full else None,
            re.compile("|".join(f"(?:{x})" for x in base)) if base else None)


def excluded(relpath: str, patterns: Iterable[str], is_dir: bool = False) -> bool:
    """``relpath`` (posix, relative to the project root) matches an exclude glob."""
    full, base = _matchers(tuple(patterns))
    if full is not None and (full.match(relpath + "/x" if is_dir else relpath) or full.match(relpath)):
        return True
    return base is not None and base.match(relpath.rsplit("/", 1)[-1]) is not None


def relpath(path: Path, base: Path) -> str:
    """``path`` relative to ``base``, with "/"; the file's own symlinks are not followed (a link is
    reported under its own name, and a dangling or looping link does not fail)."""
    target = Path(os.path.normpath(path.absolute()))
    try:
        return target.relative_to(os.path.normpath(base.absolute())).as_posix()
    except ValueError:
        pass
    try:  # the base may be reached through a symlink (e.g. /tmp -> /private/tmp)
        return (Path(os.path.realpath(target.parent)) / target.name).relative_to(
            os.path.realpath(base)).as_posix()
    except ValueError:
        return Path(os.path.relpath(target, base.absolute())).as_posix()


def walk(root: Path, patterns: Iterable[str], suffixes: tuple[str, ...] = PY_SUFFIXES) -> list[Path]:
    """Files under ``root`` with one of ``suffixes``, minus excludes, sorted; no symlink loops."""
    return [Path(path) for _, path in walk_rel(root, patterns, suffixes)]


def walk_rel(root: Path, patterns: Iterable[str], suffixes: tuple[str, ...] = PY_SUFFIXES,
             prefix: str = "") -> list[tuple[str, str]]:
    """:func:`walk` as ``(path relative to root with "/", path)`` string pairs, without building a
    ``Path`` per file (the warm project pass walks every file of the project). ``prefix`` (``a/b``)
    is where ``root`` lies below the folder the exclude globs are relative to."""
    patterns = tuple(patterns)
    out: list[tuple[str, str]] = []
    seen_dirs: set[tuple[int, int]] = set()
    top = os.fspath(root)
    skip = len(os.path.join(top, ""))  # os.walk names every folder below ``top`` as top + sep + ...
    for dirpath, dirnames, filenames in os.walk(top, followlinks=True, onerror=None):
        try:
            st = os.stat(dirpath)
        except OSError:
            dirnames[:] = []
            continue
        key = (st.st_dev, st.st_ino)
        if key in seen_dirs:
            dirnames[:] = []
            continue
        seen_dirs.add(key)
        rel_dir = dirpath[skip:].replace(os.sep, "/") if dirpath != top else ""
        if prefix:
            rel_dir = f"{prefix}/{rel_dir}" if rel_dir else prefix
        keep = []
        for d in sorted(dirnames):
            rel = f"{rel_dir}/{d}" if rel_dir else d
            if not excluded(rel, patterns, is_dir=True):
                keep.append(d)
        dirnames[:] = keep
        for name in sorted(filenames):
            if not name.endswith(suffixes):
                continue
            rel = f"{rel_dir}/{name}" if rel_dir else name
            if not excluded(rel, patterns):
                out.append((rel, os.path.join(dirpath, name)))
    return sorted(out, key=lambda p: Path(p[1]).as_posix() if os.sep != "/" else p[1])


def under(path: Path, root: Path) -> str | None:
    """``path`` relative to ``root`` with "/" when it lies below it (symlinks not followed), else None."""
    rel = relpath(path, root)
    return None if rel == ".." or rel.startswith("../") or Path(rel).is_absolute() else rel


def expand(paths: Iterable[Path], root: Path, patterns: Iterable[str],
           force_exclude: bool = False) -> list[Path]:
    """Targets of a check: directories walked (with excludes, matched relative to ``root`` when
    the directory lies below it), files taken as given, unless ``force_exclude`` applies the
    excludes to the given paths as well (pre-commit and flake8 name every file)."""
    patterns = tuple(patterns)
    out: list[Path] = []
    seen: set[str] = set()
    for p in paths:
        rel = under(p, root)
        is_dir = p.is_dir()
        if force_exclude and rel not in (None, ".") and excluded(rel, patterns, is_dir=is_dir):
            continue
        if is_dir:
            prefix = "" if rel in (None, ".") else rel
            found = [Path(path) for _, path in walk_rel(p, patterns, PY_SUFFIXES, prefix)]
        else:
            found = [p]
        for f in found:
            key = os.path.normpath(f.absolute())
            if key not in seen:
                seen.add(key)
                out.append(f)
    return out
