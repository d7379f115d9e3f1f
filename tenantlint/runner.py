"""Orchestration: project index once, then every target file (in parallel when asked)."""

from __future__ import annotations

import ast
import os
import re
import time
import traceback
from collections.abc import Callable, Collection, Container, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from tenantlint.analysis.interp.failure import SourceError, error_result
from tenantlint.analysis.interp.startup_hints import HINTS as STARTUP_HINTS
from tenantlint.cache import (
    RESULT_KIND,
    Cache,
    code_fingerprint,
    config_fingerprint,
    digest,
    key_of,
)
from tenantlint.config.options import Config
from tenantlint.crossfile import CrossFileFacts
from tenantlint.crossfn.enclosing import Enclosing
from tenantlint.crossfn.share import Sharing
from tenantlint.crossfn.switch import summaries_off
from tenantlint.files import expand, relpath
from tenantlint.index.records import ProjectIndex
from tenantlint.index.tenancy import decide_tenancy
from tenantlint.parallel import ordered_map
from tenantlint.results import (
    FileError,
    FileResult,
    Finding,
    QuerySite,
    RunResult,
    Stats,
    UnresolvedSite,
)
from tenantlint.safeio import UnsafeFileError, read_regular
from tenantlint.scan import MIN_PARALLEL, scan_files
from tenantlint.selection import Selection
from tenantlint.untrusted import inert_result, visible, with_bidi

if TYPE_CHECKING:  # the analysis (libcst, sqlglot) is imported only when a file must be analysed
    from tenantlint.analysis.settings import Settings
    from tenantlint.crossfn.combine import Outcome
    from tenantlint.prefilter import Prefilter


@dataclass(frozen=True)
class RunOptions:
    paths: tuple[Path, ...] = ()
    jobs: int = 1
    want_sites: bool = False
    use_prefilter: bool = True
    progress: Callable[[int], None] | None = None
    use_cache: bool = False
    cache_dir: Path | None = None
    min_parallel: int = MIN_PARALLEL  # fewer files to analyse: no process pool (0: pool whenever jobs > 1)
    force_exclude: bool = False  # apply ``exclude`` to the paths given as well (pre-commit, flake8)


@dataclass(frozen=True)
class Project:
    """The whole-project pass: index, cross-file facts, their hash, and each file's content digest."""

    index: ProjectIndex
    facts: CrossFileFacts
    digests: dict[str, str] = field(default_factory=dict)  # absolute path -> sha256 of the bytes read
    index_hash: str = ""
    # identifier -> references in the project (not in ``index_hash``: only the project-wide join reads it)
    name_counts: dict[str, int] = field(default_factory=dict)
    # the names of the functions the project defines (``Settings.defined``; not in ``index_hash``:
    # a cached result records the names it relied on, ``FileResult.dropped``)
    defined: frozenset[str] | None = None
    # the digests of the Python files the pre-pass parsed without error (``ProjectFiles.parsed``)
    parsed: frozenset[str] = frozenset()

    def settings(self, config: Config, scanned: bool = False) -> Settings:
        """``scanned``: every file to analyse is as the pre-pass read it, so ``Settings.defined``
        can leave out the call sites naming no function of the project (else a text the pre-pass
        did not read, from stdin or outside the project, may define one)."""
        from tenantlint.analysis.settings import Settings

        return Settings(config, self.index, self.facts, defined=self.defined if scanned else None)


def index_hash(settings: Settings) -> str:
    """Deterministic hash of what analysis results depend on beyond their own file."""
    parts = (repr(sorted(settings.index.models.items())), *settings.facts.hash_parts())
    return key_of("project-index", code_fingerprint(), config_fingerprint(settings.config), *parts)


def build_project(config: Config, cache: Cache | None = None, jobs: int = 1,
                  min_parallel: int = MIN_PARALLEL) -> Project:
    """Models, view mixins, serializers, SQL constants and dependency aliases of the whole project
    (the folder holding the config), one parallel pass with a per-file cache. On a warm cache whose
    scans are all unchanged, the project built by an earlier run is reused as it is."""
    scanned = scan_files(config, jobs, cache, min_parallel, derived=Project)
    if isinstance(scanned.derived, Project):
        return replace(scanned.derived, digests=scanned.digests, parsed=scanned.parsed)
    merged = scanned.merged
    project = Project(decide_tenancy(merged.models, config), merged.facts, name_counts=merged.name_counts,
                      defined=merged.defs)
    project = replace(project, index_hash=index_hash(project.settings(config)))
    scanned.remember(project)
    return replace(project, digests=scanned.digests, parsed=scanned.parsed)


def make_settings(config: Config, cache: Cache | None = None, jobs: int = 1) -> Settings:
    return build_project(config, cache, jobs).settings(config)


@dataclass(frozen=True)
class _Job:
    """What every worker needs besides the file: settings, prefilter, cache and the result-key prefix."""

    settings: Settings
    prefilter: Prefilter | None
    want_sites: bool
    cache: Cache
    key_prefix: str
    sharing: Sharing | None = None  # what the parent passes the results it keeps through


_WORKER: _Job | None = None
Item = tuple[str, str, str | None]  # (display path, file path, content digest when already known)


def _init_worker(job: _Job) -> None:
    global _WORKER
    _WORKER = job


def _work(item: Item) -> FileResult:
    assert _WORKER is not None
    return analyze_item(item, _WORKER)


def analyze_item(item: Item, job: _Job) -> FileResult:
    """One target through the result cache (lookup without reading the file when its digest is known)."""
    display, path, known = item
    if not job.cache.enabled:
        return analyze_path(display, Path(path), job.settings, job.prefilter, job.want_sites)
    if known is not None:
        hit = _hit(job.cache, key_of(job.key_prefix, display, known), job.settings.defined)
        if hit is not None:
            return hit
    try:
        data = read_regular(path, job.settings.config.max_file_bytes)
    except OSError as exc:
        return error_result(display, SourceError(_unreadable(exc)))
    key = key_of(job.key_prefix, display, digest(data))
    hit = _hit(job.cache, key, job.settings.defined)
    if hit is not None:
        return hit
    result = analyze_data(display, data, job.settings, job.prefilter, job.want_sites)
    job.cache.put(RESULT_KIND, key, result)
    return result


def _hit(cache: Cache, key: str, defined: frozenset[str] | None) -> FileResult | None:
    """The cached result under ``key``, unless it left out call sites of a name that ``defined`` now
    holds (a function of that name was added to the project since; not in the key, see
    ``Project.defined``), or ``defined`` is None (every call site is wanted)."""
    hit = cache.get(RESULT_KIND, key, FileResult)
    if hit is not None and hit.dropped and (defined is None or not defined.isdisjoint(hit.dropped)):
        return None
    return hit


def _unreadable(exc: OSError) -> str:
    if isinstance(exc, UnsafeFileError):
        return exc.reason
    return f"cannot read: {exc.strerror or exc}"


def analyze_path(
    display: str, path: Path, settings: Settings, prefilter: Prefilter | None, want_sites: bool
) -> FileResult:
    try:
        data = read_regular(path, settings.config.max_file_bytes)
    except OSError as exc:
        return error_result(display, SourceError(_unreadable(exc)))
    return analyze_data(display, data, settings, prefilter, want_sites)


def analyze_data(
    display: str, data: bytes, settings: Settings, prefilter: Prefilter | None, want_sites: bool
) -> FileResult:
    """One file's bytes; never raises: an internal failure loses this file only (TNT999)."""
    try:
        return _analyze_data(display, data, settings, prefilter, want_sites)
    except RecursionError:
        return error_result(display, SourceError("internal error: nesting too deep to analyse"))
    except MemoryError:
        return error_result(display, SourceError("internal error: out of memory analysing this file"))
    except Exception as exc:  # a bug in a rule or plug-in must not end the run
        where = traceback.extract_tb(exc.__traceback__)[-1:] or None
        at = f" at {Path(where[0].filename).name}:{where[0].lineno}" if where else ""
        return error_result(display, SourceError(f"internal error: {type(exc).__name__}: {exc}{at}"))


def _analyze_data(
    display: str, data: bytes, settings: Settings, prefilter: Prefilter | None, want_sites: bool
) -> FileResult:
    from tenantlint.analysis.source.parse import decode

    try:
        text = decode(data)
    except SourceError as exc:
        return error_result(display, exc)
    limit = settings.config.chunk_file_bytes
    if limit and len(text) > limit:
        from tenantlint.analysis.source.chunks import chunks

        del data  # only one chunk's text and trees are alive at a time
        parts = ((c.first + 1, c.end,
                  _analyze_text(display, c.text, settings, prefilter, want_sites, own_from=c.first + 1,
                                tree=c.take_tree()))
                 for c in chunks(text))
        return merge_chunks(display, parts)
    if prefilter is not None and prefilter.parsed and digest(data) in prefilter.parsed \
            and not prefilter.may_matter(text):
        # the pre-pass parsed these bytes without error: no rule can fire on them by their text alone
        # (the prefilter's first stage), so CPython's tree is not built again to say so
        return with_bidi(FileResult(display, skipped=True), text)
    return _analyze_text(display, text, settings, prefilter, want_sites)


def _analyze_text(
    display: str, text: str, settings: Settings, prefilter: Prefilter | None, want_sites: bool,
    own_from: int = 1, tree: ast.Module | None = None,
) -> FileResult:
    """``own_from``: the first line that is the text's own (a chunk's, ``engine.analyze_text``);
    ``tree``: CPython's tree of ``text`` when the chunker already built it (``chunks.Chunk``)."""
    from tenantlint.analysis.engine import analyze_text
    from tenantlint.analysis.source import handoff
    from tenantlint.analysis.source.parse import checked_ast, guarded_ast
    from tenantlint.analysis.source.positions import statement_skeleton

    if prefilter is None:
        return analyze_text(display, text, settings, want_sites, own_from=own_from)  # TNT903 included
    kept = handoff.take(text) if tree is None else None  # the pre-pass's parse of a large text
    if kept is not None:
        if not prefilter.may_matter(text, shape=kept.shape):
            return with_bidi(FileResult(display, skipped=True), text)
        return analyze_text(display, text, settings, want_sites, kept.skeleton, own_from)
    try:
        # once per file: the depth guard, the syntax check and the prefilter
        tree = guarded_ast(text) if tree is None else checked_ast(text, tree)
    except SourceError as exc:
        return with_bidi(error_result(display, exc), text)
    if tree is not None and not prefilter.may_matter(text, tree):
        # TNT903 for bidirectional controls, in every file read (also those the prefilter skips)
        return with_bidi(FileResult(display, skipped=True), text)
    # A syntax error (no tree) goes through the analysis, which reports it as libcst and CPython see it.
    if tree is not None:  # only its statements are kept while libcst parses (positions read them)
        tree = statement_skeleton(tree)
    return analyze_text(display, text, settings, want_sites, tree, own_from)


def merge_chunks(display: str, parts: Iterable[tuple[int, int, FileResult]]) -> FileResult:
    """One file's result from its chunks' (``analysis/source/chunks.py``), each given with its own
    first and last line: only what lies on a chunk's own lines is taken from it (a chunk repeats
    small statements of earlier ones, which their own chunk reports); a file-level error (TNT999)
    is kept wherever it is; each chunk counts only its own queries (``own_from``); the first error
    is the file's; skipped when any chunk was (so the call-site pass re-reads the file whole)."""
    out = FileResult(display)
    skipped = False
    for first, last, part in parts:
        def own(line: int, first: int = first, last: int = last) -> bool:
            return first <= line <= last

        out.findings.extend(f for f in part.findings if own(f.line) or f.code == "TNT999")
        out.suppressed.extend(f for f in part.suppressed if own(f.line))
        out.comments.extend(c for c in part.comments if own(c.line))
        out.sites.extend(s for s in part.sites if own(s.line))
        out.unresolved.extend(u for u in part.unresolved if own(u.line))
        out.summaries.extend(s for s in part.summaries if own(s.line))
        out.calls.extend(c for c in part.calls if own(c.line))
        out.returns_asked = sorted({*out.returns_asked, *part.returns_asked})
        out.dropped = sorted({*out.dropped, *part.dropped})
        out.queries += part.queries
        out.error = out.error or part.error
        skipped = skipped or part.skipped
    out.skipped = skipped
    out.findings.sort(key=Finding.sort_key)
    out.suppressed.sort(key=Finding.sort_key)
    return out


def _died(display: str) -> FileResult:
    return error_result(display, SourceError("internal error: the worker process analysing this file died"))


def _parallel(items: list[Item], job: _Job, jobs: int, progress: Callable[[int], None] | None
              ) -> list[FileResult]:
    """Results in ``items`` order, from ``jobs`` processes: this one and ``jobs - 1`` workers.

    A worker that dies loses only its file: the files it and its siblings had not returned are
    re-run one at a time in a fresh single worker, so the culprit is found and gets TNT999. The
    parent analyses its share in-process, as ``--jobs 1`` does with every file: a crash there ends
    the run (the known native crash, deep nesting in libcst, is refused before parsing).
    """
    def local(item: Item) -> FileResult:
        return analyze_item(item, job)

    return ordered_map(local, _work, items, jobs, _init_worker, (job,), progress,
                       died=lambda item: _died(item[0]))


def _cached(items: list[Item], cache: Cache, key_prefix: str, defined: frozenset[str] | None
            ) -> list[FileResult | None]:
    """The results already in the cache of targets whose digest the project pass knows."""
    if not cache.enabled:
        return [None] * len(items)
    found: list[FileResult | None] = []
    for display, _, known in items:
        found.append(_hit(cache, key_of(key_prefix, display, known), defined) if known else None)
    return found


def run(config: Config, options: RunOptions, settings: Settings | None = None,
        project: Project | None = None) -> RunResult:
    """Check ``options.paths``; ``project`` (or else ``settings``) when already built by the caller."""
    started = time.perf_counter()
    links: list[str] = []  # symlinks out of the walked folders: not followed, named to the user
    outside: set[str] = set()  # project files outside the paths, read for call sites only
    results, counts = analyse(config, options, settings, project, links, outside)
    result = collect(results, config, time.perf_counter() - started, counts, outside)
    if links:
        result = replace(result, skipped_links=tuple(sorted(visible(link) for link in links)))
    return result


def analyse(config: Config, options: RunOptions, settings: Settings | None = None,
            project: Project | None = None, links: list[str] | None = None,
            outside: set[str] | None = None) -> tuple[list[FileResult], dict[str, int] | None]:
    """Every target's result (through the cache), with the skipped files that hold call sites
    analysed again, and the project's name counts (None without a project pass): what
    :func:`collect` joins across functions. ``links`` collects the symlinks out of the walked
    folders (skipped). ``outside``: when given (and the project pass ran), the project's other
    files are read for call sites too (``tenantlint/outside.py``); the paths of those analysed are
    added to it, and their results returned with the targets' (never to be reported)."""
    from tenantlint.outside import analysed, outside_items, placeholder

    cache = Cache.for_config(config, options.use_cache, options.cache_dir)
    digests: dict[str, str] = {}
    if project is None and settings is None:
        project = build_project(config, cache, max(1, options.jobs), options.min_parallel)
    if project is not None:
        digests, ihash = project.digests, project.index_hash
        settings = None  # built only when some file is not in the cache
    else:
        assert settings is not None
        ihash = index_hash(settings)
    cwd = Path.cwd()
    targets = expand(options.paths or (cwd,), config.root, config.exclude, options.force_exclude, links)
    items: list[Item] = []
    for p in targets:
        items.append((relpath(p, cwd), str(p), digests.get(os.path.normpath(p.absolute()))))
    across = not summaries_off()  # off: only to measure what the summaries cost (crossfn/switch.py)
    extra: list[Item] = []  # the project's other files: placeholders the call-site pass may read
    if outside is not None and project is not None and across:
        extra = outside_items(digests, targets, cwd)
        outside.update(display for display, _, _ in extra)
    n_targets = len(items)
    items.extend(extra)
    sites_pass = options.use_prefilter or bool(extra)  # some file may be skipped: read its call sites
    key_prefix = key_of("result", ihash, str(options.want_sites), str(options.use_prefilter),
                        "" if across else "no-summaries")
    # every target read by the pre-pass: call sites of names no function has are left out
    scanned = project is not None and all(known is not None for _, _, known in items)
    defined = project.defined if project is not None and scanned else (
        settings.defined if settings is not None else None)
    results = _cached(items[:n_targets], cache, key_prefix, defined)
    results.extend(placeholder(display) for display, _, _ in extra)
    sharing = Sharing()  # one copy of equal values across the results held until the join
    results = [r if r is None else sharing.result(r) for r in results]
    todo = [i for i, r in enumerate(results) if r is None]
    if options.progress and len(todo) < n_targets:
        options.progress(n_targets - len(todo))
    counts = project.name_counts if project is not None else None
    hints = (*STARTUP_HINTS, *config.system_scope)  # files that may hold the system callers of helpers
    if not todo:  # every result cached: so are the second passes' unless a summary changed
        trial = list(results)  # left as it was when some second pass is missing
        if not across or (
                (not sites_pass or _call_sites(items, trial, None, cache, key_prefix, defined,
                                               system_hints=hints))
                and _returns(items, trial, None, cache, key_prefix, defined)):
            return analysed([r for r in trial if r is not None], outside or ()), counts
    if settings is None:
        assert project is not None
        settings = project.settings(config, scanned)
    prefilter = None
    if options.use_prefilter:
        from tenantlint.prefilter import Prefilter

        prefilter = Prefilter.of(settings)
        if project is not None:
            prefilter = replace(prefilter, parsed=project.parsed)
    job = _Job(settings, prefilter, options.want_sites, cache, key_prefix, sharing)
    if max(1, options.jobs) > 1 and len(todo) > 1 and len(todo) >= options.min_parallel:
        # imported before the workers are forked, which then share it instead of each importing it
        import tenantlint.analysis.engine  # noqa: F401
        for i, r in zip(todo, _parallel([items[i] for i in todo], job, options.jobs, options.progress),
                        strict=True):
            results[i] = sharing.result(r)
    else:
        for i in todo:
            results[i] = sharing.result(analyze_item(items[i], job))
            if options.progress:
                options.progress(1)
    if sites_pass and across:
        _call_sites(items, results, job, cache, key_prefix, defined, options.jobs, hints)
    if across:
        _returns(items, results, job, cache, key_prefix, defined, options.jobs)
    cache.trim()  # new entries were written: keep the folder under its size cap
    return analysed([r for r in results if r is not None], outside or ()), counts


def _helper_names(results: list[FileResult]) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """Helpers with an id-keyed query or a tenant parameter, and the helpers calling them: last name
    -> the names a caller's file must spell to reach it (its module's or class's last name; by last
    name: a superset). Second: helpers with an unscoped query of their own (dropped when only system
    code calls them: ``crossfn/combine.py``) and the helpers calling them, likewise."""

    def grown(seeds: Iterable[str], edges: list[tuple[str, str]]) -> dict[str, set[str]]:
        found: dict[str, set[str]] = {}

        def add(qualname: str) -> bool:
            parts = qualname.rsplit(".", 2)
            name, owner = parts[-1], parts[-2] if len(parts) > 1 else ""
            if name == "__init__" and len(parts) == 3:  # called by constructions of its class
                name, owner = parts[1], parts[0].rsplit(".", 1)[-1]
            elif name.startswith("__") and name.endswith("__"):
                return False  # called through super() or the language: never a resolved call site
            owners = found.setdefault(name, set())
            if owner in owners:
                return False
            owners.add(owner)
            return True

        for seed in seeds:
            add(seed)
        grew = True
        while grew:
            grew = False
            for callee, caller in edges:
                if callee in found and add(caller):
                    grew = True
        return found

    edges = [(site.callee.rsplit(".", 1)[-1], site.caller)
             for r in results for site in r.calls if site.caller is not None and site.handler is None]
    # the system-code join counts a call in a nested function as its enclosing function's
    enclosing = Enclosing(s for r in results for s in r.summaries)
    system_edges = [(site.callee.rsplit(".", 1)[-1], caller) for r in results for site in r.calls
                    if site.handler is None and (caller := enclosing.caller(site)) is not None]
    helpers = [s for r in results for s in r.summaries if s.handler is None]
    return (grown((s.qualname for s in helpers if s.keyed or s.tenant_params), edges),
            grown((s.qualname for s in helpers if s.own and not s.system), system_edges))


def _call_site_files(items: list[Item], results: list[FileResult | None],
                     system_hints: tuple[str, ...] = (),
                     texts: dict[int, tuple[str, frozenset[str]]] | None = None) -> list[int]:
    """Files the prefilter skipped that call a helper with a summary worth applying (an id-keyed
    query or a tenant parameter, or a call of one): ``name(...)`` or ``name.delay(...)`` in a file
    that also spells the module or class the helper is in (an import of it, or a qualified call).
    Another reference leaves the helper's callers open anyway (``crossfn.combine.Project.known``).
    A file spelling one of ``system_hints`` (a ``__main__`` block, a start-up hook, a ``system_scope``
    name) is read for calls of helpers with an unscoped query of their own too: it may be the system
    code that is their only caller. ``texts``: the files read by earlier rounds, each with the names
    it may call (:func:`maybe_called`; filled)."""
    names, own = _helper_names([r for r in results if r is not None])
    skipped = [i for i, r in enumerate(results) if r is not None and r.skipped]
    if not (names or own) or not skipped:
        return []
    redo: list[int] = []
    for i in skipped:
        known = texts.get(i) if texts is not None else None
        if known is None:
            try:
                text = Path(items[i][1]).read_bytes().decode("utf-8", "replace")
            except OSError:
                continue
            known = (text, maybe_called(text))
            if texts is not None:
                texts[i] = known
        text, maybe = known
        if maybe.isdisjoint(names) and maybe.isdisjoint(own):
            continue  # calls none of them (the names it may call hold every one it calls)
        hits = called_names(text, names)
        if any(owner in text for name in hits for owner in names[name]):
            redo.append(i)
            continue
        if own and any(h in text for h in system_hints):
            hits = called_names(text, own)
            if any(owner in text for name in hits for owner in own[name]):
                redo.append(i)
    return redo


# A name called (``name(``) or queued (``name.delay(``, ``.apply_async(``, ``.si(``, ``.s(``): the
# name alone is matched, the call in a lookahead, so that :func:`called_names` can look each name up
# in a set (one alternation of every helper's name tried at every word of every file was quadratic).
_CALLED = re.compile(r"\b(\w+)(?=(\s*\(|\.(?:delay|apply_async|si|s)\s*\())")


# A function an RQ queue is given (``queue.enqueue(rebuild, ...)``, ``.enqueue_in(timedelta(...),
# rebuild, ...)``, ``.enqueue_call(func=rebuild, ...)``, ``Job.create(rebuild, ...)``, a dotted string):
# its name, the last part of what the call's first (or second) argument spells.
_QUEUED = (
    re.compile(r"\.(?:enqueue|enqueue_call|create)\s*\(\s*(?:f\s*=\s*|func\s*=\s*)?[\"']?(?:\w+\.)*(\w+)"),
    re.compile(r"\.enqueue_(?:in|at)\s*\([^,()]*(?:\([^()]*\))?[^,()]*,\s*[\"']?(?:\w+\.)*(\w+)"),
)


def maybe_called(text: str) -> frozenset[str]:
    """Every name :func:`called_names` could find in ``text``, whatever names it is asked about
    (a superset: computed once per file, then intersected with each round's helpers)."""
    found = {m.group(1) for m in _CALLED.finditer(text)}
    if "enqueue" in text or ".create" in text:
        for queued in _QUEUED:
            found.update(m.group(1) for m in queued.finditer(text))
    return frozenset(found)


def called_names(text: str, names: Container[str]) -> set[str]:
    """The ``names`` that ``text`` calls or queues, as one regular expression alternating them would
    find them: a match consumes its call (``.delay(``), so a name inside it is not matched again."""
    hits: set[str] = set()
    end = 0
    for m in _CALLED.finditer(text):
        if m.start() < end:
            continue
        name = m.group(1)
        if name in names:
            hits.add(name)
            end = m.end(2)
    if "enqueue" in text or ".create" in text:
        for queued in _QUEUED:
            hits.update(m.group(1) for m in queued.finditer(text) if m.group(1) in names)
    return hits


CALL_SITE_ROUNDS = 4  # helpers calling helpers in files the prefilter skipped: rounds of re-reading


def _call_sites(items: list[Item], results: list[FileResult | None], job: _Job | None, cache: Cache,
                key_prefix: str, defined: frozenset[str] | None, jobs: int = 1,
                system_hints: tuple[str, ...] = ()) -> bool:
    """Analyse (or, without ``job``, look up in the cache) the skipped files holding call sites;
    False when some result is needed that only an analysis (with ``job``) can give."""
    prefix = key_of(key_prefix, "call-sites")
    texts: dict[int, tuple[str, frozenset[str]]] = {}  # each skipped file read once, whatever the rounds
    for _ in range(CALL_SITE_ROUNDS):
        redo = _call_site_files(items, results, system_hints, texts)
        if not redo:
            return True
        if job is None:
            hits = _cached([items[i] for i in redo], cache, prefix, defined)
            for i, hit in zip(redo, hits, strict=True):
                results[i] = hit or results[i]
            if not all(hits):
                return False
            continue
        done = _reanalyse([items[i] for i in redo], replace(job, prefilter=None, key_prefix=prefix), jobs)
        for i, r in zip(redo, done, strict=True):
            results[i] = job.sharing.result(r) if job.sharing is not None else r
    return True


# A second pass over fewer files than MIN_PARALLEL still runs in parallel when their code is at
# least this large: the files re-read are the large ones that call helpers (a view module of 30-50
# KB takes ~0.15 s to walk; forking a worker, ~0.03 s)
REANALYSE_PARALLEL_BYTES = 64 * 1024


def _reanalyse(items: list[Item], job: _Job, jobs: int) -> list[FileResult]:
    """Analyse ``items`` again under ``job``: in parallel when there are enough of them, or when
    they hold enough code."""
    if max(1, jobs) > 1 and len(items) > 1 and (
            len(items) >= MIN_PARALLEL or _size(items) >= REANALYSE_PARALLEL_BYTES):
        return _parallel(items, job, jobs, None)
    return [analyze_item(item, job) for item in items]


def _size(items: list[Item]) -> int:
    """The bytes of the files of ``items`` (a file that cannot be read counts as empty)."""
    total = 0
    for _, path, _ in items:
        try:
            total += os.stat(path).st_size
        except OSError:
            pass
    return total


RETURN_ROUNDS = 2  # helpers returning what other helpers return: rounds of re-analysing their callers


def _returns(items: list[Item], results: list[FileResult | None], job: _Job | None, cache: Cache,
             key_prefix: str, defined: frozenset[str] | None, jobs: int = 1) -> bool:
    """Analyse again (or, without ``job``, look up in the cache) the files that call a function
    returning a scoped row or request input, with those return values applied at the calls; False
    when some result is needed that only an analysis (with ``job``) can give. A file already
    analysed under returns that answer each callee it asked about as ``found`` does
    (``Returns.answers_alike``) keeps its result: walking it again would give the same."""
    from tenantlint.crossfn.returns import Returns

    applied = ""  # the key of the returns the last round applied (only one ``Returns`` is alive)
    none = Returns({})  # what the first pass ran under
    # file -> the answers to the callees it asked about, under the returns its current result came from
    answered: dict[int, list[tuple[object, ...]]] = {}
    for _ in range(RETURN_ROUNDS):
        found = Returns.of(s for r in results if r is not None for s in r.summaries)
        key = found.key()
        if not found.useful or key == applied:
            return True
        redo = [i for i, r in enumerate(results) if r is not None and not r.error
                and any(not site.celery and not site.reference
                        and found.applies(site.callee, site.queries, site.rows, site.stored)
                        for site in r.calls)
                and not (found.answers_alike(none, r.returns_asked) if i not in answered
                         else found.answers(r.returns_asked) == answered[i])]
        if not redo:
            return True
        prefix = key_of(key_prefix, key)
        if job is None:
            hits = _cached([items[i] for i in redo], cache, prefix, defined)
            if not all(hits):
                return False
            done: list[FileResult] = [h for h in hits if h is not None]
        else:
            again = replace(job, settings=job.settings.with_returns(found), prefilter=None,
                            key_prefix=prefix)
            done = _reanalyse([items[i] for i in redo], again, jobs)
            del again
        for i, r in zip(redo, done, strict=True):
            results[i] = job.sharing.result(r) if job is not None and job.sharing is not None else r
            answered[i] = found.answers(r.returns_asked)
        applied = key
        del found, done
    return True


def collect(results: Sequence[FileResult], config: Config, seconds: float,
            name_counts: dict[str, int] | None = None, outside: Collection[str] = ()) -> RunResult:
    """``name_counts``: the project's identifier references, when the whole project was indexed
    (without them no call site counts as known: id-keyed queries stay reported where they are).
    ``outside``: the paths of results read only for their call sites and summaries (not reported)."""
    from tenantlint.crossfn.join import join
    from tenantlint.crossfn.place import by_path, placed
    from tenantlint.outside import kept

    selection = Selection.of(config.select, config.ignore)
    moved = kept(join(results, name_counts, config.membership_checks, config), outside)
    if outside:
        results = [r for r in results if r.path not in outside]
    added = by_path(moved, selection.allows)
    findings: list[Finding] = []
    suppressed: list[Finding] = []
    errors: list[FileError] = []
    sites: list[QuerySite] = []
    queries = 0
    unresolved: list[UnresolvedSite] = []
    unresolved_calls = 0
    for r in results:
        reported, quiet = placed(r, moved, added.pop(r.path, ()))
        findings.extend(f for f in reported if selection.allows(f.code))
        suppressed.extend(f for f in quiet if selection.allows(f.code))
        if r.error:
            errors.append(FileError(r.path, r.error))
        sites.extend(_system_sites(r.sites, moved) if moved.system or moved.spans else r.sites)
        queries += r.queries
        unresolved_calls += r.unresolved_calls
        unresolved.extend(r.unresolved)
    findings.extend(f for extra in added.values() for f in extra)  # in no file of this run
    findings.sort(key=Finding.sort_key)
    suppressed.sort(key=Finding.sort_key)
    sites.sort(key=lambda s: (s.path, s.line, s.column, s.table))
    errors.sort(key=lambda e: e.path)
    unresolved.sort(key=lambda u: (u.path, u.line, u.column))
    stats = Stats(files=len(results), queries=queries, seconds=seconds,
                  unresolved_query_like=len(unresolved), unresolved_calls=unresolved_calls)
    # names and code from the scanned tree: shown escaped in every output format
    return inert_result(RunResult(tuple(findings), tuple(suppressed), tuple(errors), tuple(sites),
                                  stats, unresolved=tuple(unresolved)))


def _system_sites(sites: Sequence[QuerySite], moved: Outcome) -> list[QuerySite]:
    """Unscoped query sites of helpers that only system code calls are system scope."""
    from tenantlint.crossfn.system_callers import SYSTEM_SCOPINGS

    out: list[QuerySite] = []
    for s in sites:
        if s.scoping in SYSTEM_SCOPINGS:
            why = moved.system.get((s.path, s.line)) if s.scoping == "unscoped" else None
            why = why or moved.system_reason(s.path, s.line)
            if why is not None:
                s = replace(s, scoping="system-scope", detail=why)
        out.append(s)
    return out


def count_targets(config: Config, paths: tuple[Path, ...], force_exclude: bool = False) -> int:
    return len(expand(paths or (Path.cwd(),), config.root, config.exclude, force_exclude))


def default_jobs() -> int:
    return os.cpu_count() or 1
