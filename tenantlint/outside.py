"""The project's files outside the checked paths: read for call sites and summaries only.

``tenantlint check api`` (a folder below the one holding the config) checks the files under ``api``,
but the callers of a helper there may live anywhere in the project (``rag/``, ``common/``). The
pre-pass counts the spellings of every name in the whole project, so a helper whose callers sit in
another folder had more spellings than resolved calls: its caller set stayed open and its id-keyed
query stayed reported where it is, although ``tenantlint check .`` finds every caller confined.

So the project's other files (the config's folder minus ``exclude``, as the pre-pass walks it) take
part in the join as files the prefilter skipped: one is analysed only when the call-site pass finds
it calling a helper worth it (``runner._call_site_files``: the helper's name called, and its module
or class spelled), through the same result cache as any target. What they give the join are their
call sites and their functions' summaries; their own findings are never reported. A finding the
join would move to a call site in such a file (request input passed into an id-keyed helper there)
is not shown by this run, so the query it was moved from stays reported where it is (:func:`kept`).
"""

from __future__ import annotations

import os
from collections.abc import Collection, Iterable, Mapping
from dataclasses import replace
from pathlib import Path

from tenantlint.crossfn.combine import Outcome
from tenantlint.files import PY_SUFFIXES, relpath
from tenantlint.results import FileResult

Item = tuple[str, str, str | None]  # as ``runner.Item``: (display path, file path, content digest)
MOVED_CODES = frozenset({"TNT101", "TNT102"})  # what the join moves from a query to its call sites


def outside_items(digests: Mapping[str, str], targets: Iterable[Path], cwd: Path) -> list[Item]:
    """The project's Python files (``digests``: absolute path -> content digest, from the pre-pass)
    that are not ``targets``, in path order, each with its path as reported and its digest."""
    checked = {os.path.normpath(p.absolute()) for p in targets}
    return [(relpath(Path(path), cwd), path, digests[path]) for path in sorted(digests)
            if path.endswith(PY_SUFFIXES) and path not in checked]


def placeholder(display: str) -> FileResult:
    """An outside file not analysed (yet): as a file the prefilter skipped, so the call-site pass
    reads it when it calls a helper worth it."""
    return FileResult(display, skipped=True)


def kept(outcome: Outcome, outside: Collection[str]) -> Outcome:
    """``outcome`` without the findings it adds in ``outside`` files, and with the queries they were
    moved from kept where they are: request input a caller outside the checked paths passes into an
    id-keyed helper is reported at the helper by this run (``check`` of that caller's file reports
    it at the call)."""
    if not outside:
        return outcome
    away = [f for f in outcome.added if f.path in outside]
    if not away:
        return outcome
    back = {(f.trace[-1].path, f.trace[-1].line, f.code) for f in away if f.code in MOVED_CODES and f.trace}
    return replace(outcome, added=tuple(f for f in outcome.added if f.path not in outside),
                   removed=outcome.removed - back)


def analysed(results: Iterable[FileResult], outside: Collection[str]) -> list[FileResult]:
    """``results`` without the outside files the call-site pass did not analyse (they hold nothing)."""
    return [r for r in results if not (r.skipped and r.path in outside)]
