"""Which files a run reads: path expansion, exclude globs, deterministic order.

The tree may be hostile (a pull request's checkout): the walk never follows a symlink that leads out
of the folder being walked, never loops, and exclude globs match in time linear in the path length
(a glob with many wildcards, such as repeated ``**/``, is matched by a set-of-states automaton
instead of a backtracking regex).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

PY_SUFFIXES = (".py", ".pyi")
MAX_REGEX_WILDCARDS = 2  # more wildcards in one glob: matched by the automaton (no backtracking)

# Glob tokens: ("lit", c), ("one",) any char but "/", ("star",) [^/]*, ("any",) .*,
# ("dirs",) (?:.*/)? - zero or more whole folders.
Token = tuple[str, str]


def _tokens(pattern: str) -> list[Token]:
    out: list[Token] = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            if not (out and out[-1][0] in ("dirs", "any")):  # "**/**/" is "**/": never a chain
                out.append(("dirs", ""))
            i += 3
        elif pattern.startswith("**", i):
            while out and out[-1][0] in ("star", "dirs"):
                out.pop()
            if not (out and out[-1][0] == "any"):
                out.append(("any", ""))
            i += 2
        elif pattern[i] == "*":
            if not (out and out[-1][0] in ("star", "any")):
                out.append(("star", ""))
            i += 1
        elif pattern[i] == "?":
            out.append(("one", ""))
            i += 1
        else:
            out.append(("lit", pattern[i]))
            i += 1
    return out


_REGEX = {"one": "[^/]", "star": "[^/]*", "any": ".*", "dirs": "(?:.*/)?"}


def _wildcards(tokens: list[Token]) -> int:
    return sum(1 for kind, _ in tokens if kind in ("star", "any", "dirs"))


@lru_cache(maxsize=256)
def _glob_regex(pattern: str) -> re.Pattern[str]:
    return re.compile("".join(re.escape(c) if k == "lit" else _REGEX[k] for k, c in _tokens(pattern))
                      + r"\Z", re.DOTALL)


class _Automaton:
    """A glob as a set-of-states automaton: ``match`` costs O(len(path) x len(glob)), whatever the
    glob. State ``2*i`` is "before token i"; ``2*i+1`` is "inside token i" (a ``**/`` that has
    consumed characters and may only end right after a "/")."""

    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens

    def _close(self, states: set[int]) -> set[int]:
        todo = list(states)
        while todo:
            s = todo.pop()
            if s % 2 == 0 and s // 2 < len(self.tokens) and self.tokens[s // 2][0] != "lit" \
                    and self.tokens[s // 2][0] != "one":
                nxt = s + 2  # a wildcard may match nothing
                if nxt not in states:
                    states.add(nxt)
                    todo.append(nxt)
        return states

    def match(self, text: str) -> bool:
        end = 2 * len(self.tokens)
        states = self._close({0})
        for ch in text:
            nxt: set[int] = set()
            for s in states:
                i = s // 2
                if i >= len(self.tokens):
                    continue
                kind, lit = self.tokens[i]
                if kind == "lit":
                    if ch == lit:
                        nxt.add(2 * i + 2)
                elif kind == "one":
                    if ch != "/":
                        nxt.add(2 * i + 2)
                elif kind == "star":
                    if ch != "/":
                        nxt.add(2 * i)
                elif kind == "any":
                    nxt.add(2 * i)
                else:  # dirs: any characters, left only after a "/"
                    nxt.add(2 * i + 1)
                    if ch == "/":
                        nxt.add(2 * i + 2)
            if not nxt:
                return False
            states = self._close(nxt)
        return end in states


class _Matcher:
    """Several globs: the simple ones as one regex, the rest as automata."""

    def __init__(self, patterns: list[str]) -> None:
        simple: list[str] = []
        self.automata: list[_Automaton] = []
        for p in patterns:
            tokens = _tokens(p)
            if _wildcards(tokens) <= MAX_REGEX_WILDCARDS:
                simple.append(_glob_regex(p).pattern[: -len(r"\Z")])
            else:
                self.automata.append(_Automaton(tokens))
        self.regex = (re.compile("|".join(f"(?:{x})" for x in simple) + r"\Z", re.DOTALL)
                      if simple else None)
        self.empty = not simple and not self.automata

    def match(self, text: str) -> bool:
        if self.regex is not None and self.regex.match(text):
            return True
        return any(a.match(text) for a in self.automata)


@lru_cache(maxsize=64)
def _matchers(patterns: tuple[str, ...]) -> tuple[_Matcher, _Matcher]:
    """All exclude globs, compiled once: one matcher for the path, one for the file name (globs
    without "/")."""
    full = [p.rstrip("/") if not p.endswith("/**") else p for p in patterns]
    base = [p for p in patterns if "/" not in p]
    return _Matcher(full), _Matcher(base)


def excluded(relpath: str, patterns: Iterable[str], is_dir: bool = False) -> bool:
    """``relpath`` (posix, relative to the project root) matches an exclude glob."""
    full, base = _matchers(tuple(patterns))
    if not full.empty and (full.match(relpath + "/x" if is_dir else relpath) or full.match(relpath)):
        return True
    return not base.empty and base.match(relpath.rsplit("/", 1)[-1])


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


def _inside(real: str, boundary: str) -> bool:
    return real == boundary or real.startswith(boundary.rstrip(os.sep) + os.sep)


def walk_rel(root: Path, patterns: Iterable[str], suffixes: tuple[str, ...] = PY_SUFFIXES,
             prefix: str = "", skipped: list[str] | None = None) -> list[tuple[str, str]]:
    """:func:`walk` as ``(path relative to root with "/", path)`` string pairs, without building a
    ``Path`` per file (the warm project pass walks every file of the project). ``prefix`` (``a/b``)
    is where ``root`` lies below the folder the exclude globs are relative to.

    A symlink (to a folder or to a file) is followed only when its target lies inside ``root``;
    one pointing elsewhere (``x.py -> /dev/zero``, ``lib -> /``) is skipped, and its relative path
    added to ``skipped`` (so the user can be told). Each folder is walked once, however many links
    lead to it.
    """
    patterns = tuple(patterns)
    out: list[tuple[str, str]] = []
    top = os.fspath(root)
    try:
        boundary = os.path.realpath(top)
        st = os.stat(top)
    except (OSError, ValueError):
        return out
    seen_dirs: set[tuple[int, int]] = {(st.st_dev, st.st_ino)}
    stack: list[tuple[str, str]] = [(top, prefix)]
    while stack:
        dirpath, rel_dir = stack.pop()
        try:
            with os.scandir(dirpath) as it:
                entries = sorted(it, key=lambda e: e.name)
        except (OSError, ValueError):
            continue
        subdirs: list[tuple[str, str]] = []
        for entry in entries:
            name = entry.name
            rel = f"{rel_dir}/{name}" if rel_dir else name
            try:
                link = entry.is_symlink()
                is_dir = entry.is_dir(follow_symlinks=True)
            except OSError:  # a looping link: reported (TNT999) when read, like a dangling one
                link, is_dir = False, False
            if link:
                try:
                    real = os.path.realpath(entry.path)
                except (OSError, ValueError):
                    continue
                if not _inside(real, boundary):
                    if skipped is not None and (is_dir or name.endswith(suffixes)) and not excluded(
                            rel, patterns, is_dir=is_dir):
                        skipped.append(rel)
                    continue  # never followed out of the tree
            if is_dir:
                if excluded(rel, patterns, is_dir=True):
                    continue
                try:
                    dst = os.stat(entry.path)
                except OSError:
                    continue
                key = (dst.st_dev, dst.st_ino)
                if key in seen_dirs:
                    continue
                seen_dirs.add(key)
                subdirs.append((entry.path, rel))
            elif name.endswith(suffixes) and not excluded(rel, patterns):
                out.append((rel, entry.path))
        subdirs.sort(reverse=True)  # depth first, in name order (as os.walk did)
        stack.extend(subdirs)
    return sorted(out, key=lambda p: Path(p[1]).as_posix() if os.sep != "/" else p[1])


def under(path: Path, root: Path) -> str | None:
    """``path`` relative to ``root`` with "/" when it lies below it (symlinks not followed), else None."""
    rel = relpath(path, root)
    return None if rel == ".." or rel.startswith("../") or Path(rel).is_absolute() else rel


def expand(paths: Iterable[Path], root: Path, patterns: Iterable[str],
           force_exclude: bool = False, skipped: list[str] | None = None) -> list[Path]:
    """Targets of a check: directories walked (with excludes, matched relative to ``root`` when
    the directory lies below it), files taken as given, unless ``force_exclude`` applies the
    excludes to the given paths as well (pre-commit and flake8 name every file). ``skipped``
    collects the symlinks found in the walked folders that lead out of them (not followed)."""
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
            found = [Path(path) for _, path in walk_rel(p, patterns, PY_SUFFIXES, prefix, skipped)]
        else:
            found = [p]
        for f in found:
            key = os.path.normpath(f.absolute())
            if key not in seen:
                seen.add(key)
                out.append(f)
    return out


def module_name(rel_path: str) -> str:
    """``billing/queries.py`` -> ``billing.queries``; ``pkg/__init__.py`` -> ``pkg``."""
    path = rel_path.replace("\\", "/").lstrip("./")
    if path.endswith(".py"):
        path = path[:-3]
    parts = [p for p in path.split("/") if p]
    if parts and parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)
