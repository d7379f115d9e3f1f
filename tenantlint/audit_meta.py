"""What an audit report says about itself: when it was made, of which commit and branch, how its
paths read (relative to the project root, never absolute) and where they link to.

Git facts are read from the ``.git`` folder directly (a worktree's ``.git`` file and packed refs
included), else from ``git rev-parse`` with a short timeout; a project outside git simply has none.
"""

from __future__ import annotations

import datetime
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

_GIT_TIMEOUT = 3.0
PLACEHOLDERS = ("{commit}", "{branch}", "{path}", "{line}")


class SourceUrlError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class GitInfo:
    top: Path  # the work tree's top folder
    commit: str | None
    branch: str | None  # None when HEAD is detached


@dataclass(frozen=True, slots=True)
class AuditMeta:
    """The report's header facts and its path and link rules (all optional: a bare report works)."""

    generated: str = ""  # "2026-12-06 10:32 UTC"
    project: str = ""  # display name: the repository-relative root ("plane/apps/api"), or its folder
    commit: str | None = None
    branch: str | None = None
    source_url: str | None = None  # "https://host/org/repo/blob/{commit}/{path}#L{line}"
    # Absolute folders used to rebase paths; never shown in a report.
    cwd: str = ""  # where reported paths are relative to
    root: str = ""  # the project root: shown paths are relative to it
    repo: str = ""  # the repository top: linked paths are relative to it

    @property
    def short_commit(self) -> str:
        return (self.commit or "")[:12]

    def display(self, path: str) -> str:
        """A reported path (relative to the current directory) relative to the project root."""
        return _rebase(path, self.cwd, self.root)

    def link(self, path: str, line: int = 0, from_root: bool = False) -> str | None:
        """The source URL of ``path`` (as reported, or relative to the root with ``from_root``) at
        ``line``, or None without a template."""
        if not self.source_url:
            return None
        repo_path = _rebase(path, self.root if from_root else self.cwd, self.repo or self.root)
        url = self.source_url
        url = url.replace("{commit}", quote(self.commit or self.branch or "HEAD", safe=""))
        url = url.replace("{branch}", quote(self.branch or self.commit or "HEAD", safe=""))
        url = url.replace("{path}", quote(repo_path, safe="/"))
        if line:
            url = url.replace("{line}", str(line))
        else:
            url = url.replace("#L{line}", "").replace("{line}", "1")
        return url


def _rebase(path: str, cwd: str, base: str) -> str:
    if not cwd or not base or cwd == base:
        return path
    return os.path.relpath(os.path.join(cwd, path), base).replace(os.sep, "/")


def check_source_url(template: str) -> str:
    """``template`` if it is an http(s) URL naming ``{path}``; raises SourceUrlError otherwise."""
    if not template.startswith(("https://", "http://")):
        raise SourceUrlError(f"--source-url {template!r}: must start with https:// or http://")
    if "{path}" not in template:
        raise SourceUrlError(f"--source-url {template!r}: must contain {{path}} "
                             "(and usually {commit} and {line})")
    return template


def _gitdir(top: Path) -> Path | None:
    dotgit = top / ".git"
    if dotgit.is_dir():
        return dotgit
    if dotgit.is_file():
        text = dotgit.read_text(encoding="utf-8", errors="replace").strip()
        if text.startswith("gitdir:"):
            target = Path(text[len("gitdir:"):].strip())
            return target if target.is_absolute() else (top / target).resolve()
    return None


def _ref(gitdir: Path, ref: str) -> str | None:
    common = gitdir
    commondir = gitdir / "commondir"
    if commondir.is_file():
        common = (gitdir / commondir.read_text(encoding="utf-8").strip()).resolve()
    for base in (gitdir, common):
        loose = base / ref
        if loose.is_file():
            value = loose.read_text(encoding="utf-8", errors="replace").strip()
            return value or None
    packed = common / "packed-refs"
    if packed.is_file():
        for line in packed.read_text(encoding="utf-8", errors="replace").splitlines():
            parts = line.split()
            if len(parts) == 2 and parts[1] == ref and not line.startswith(("#", "^")):
                return parts[0]
    return None


def _read_git(top: Path) -> GitInfo | None:
    gitdir = _gitdir(top)
    if gitdir is None:
        return None
    head = (gitdir / "HEAD").read_text(encoding="utf-8", errors="replace").strip()
    if head.startswith("ref:"):
        ref = head[4:].strip()
        branch = ref.removeprefix("refs/heads/")
        return GitInfo(top, _ref(gitdir, ref), branch)
    return GitInfo(top, head or None, None)


def _run_git(start: Path) -> GitInfo | None:
    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(["git", "-C", str(start), *args], capture_output=True, text=True,
                                  timeout=_GIT_TIMEOUT, check=False)
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout.strip() if done.returncode == 0 and done.stdout.strip() else None

    top = git("rev-parse", "--show-toplevel")
    if top is None:
        return None
    branch = git("symbolic-ref", "--quiet", "--short", "HEAD")
    return GitInfo(Path(top), git("rev-parse", "HEAD"), branch)


def git_info(start: Path) -> GitInfo | None:
    """The git work tree holding ``start``, its HEAD commit and branch; None outside git. Never
    raises: an unreadable repository counts as none."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            try:
                found = _read_git(folder)
            except OSError:
                found = None
            if found is not None and found.commit:
                return found
            return _run_git(start) or found
    return None


def _relative(path: Path, base: Path) -> str:
    rel = os.path.relpath(path, base).replace(os.sep, "/")
    return "" if rel == "." else rel


def make_meta(root: Path, cwd: Path, source_url: str | None = None,
              now: datetime.datetime | None = None) -> AuditMeta:
    """The header facts of an audit of the project at ``root`` run from ``cwd``."""
    root, cwd = root.resolve(), cwd.resolve()
    stamp = (now or datetime.datetime.now(datetime.timezone.utc)).strftime("%Y-%m-%d %H:%M UTC")
    info = git_info(root)
    project = root.name
    if info is not None:
        inside = _relative(root, info.top)
        project = info.top.name + (f"/{inside}" if inside else "")
    return AuditMeta(
        generated=stamp,
        project=project,
        commit=info.commit if info else None,
        branch=info.branch if info else None,
        source_url=source_url,
        cwd=str(cwd),
        root=str(root),
        repo=str(info.top) if info is not None else "",
    )
