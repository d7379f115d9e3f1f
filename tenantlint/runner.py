"""Orchestration: project index once, then every target file (in parallel when asked)."""

from __future__ import annotations

import ast
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from tenantlint.analysis.context import Settings
from tenantlint.analysis.engine import FileResult, analyze_bytes, error_result
from tenantlint.analysis.frameworks.registry import FRAMEWORKS
from tenantlint.analysis.source import SourceError, decode
from tenantlint.config.model import Config
from tenantlint.files import expand, relpath
from tenantlint.index.model import ProjectIndex
from tenantlint.index.tenancy import decide_tenancy
from tenantlint.model import FileError, Finding, QuerySite, RunResult, Stats
from tenantlint.parallel import ordered_map
from tenantlint.prefilter import Prefilter
from tenantlint.scan import scan_files
from tenantlint.selection import Selection


@dataclass(frozen=True)
class RunOptions:
    paths: tuple[Path, ...] = ()
    jobs: int = 1
    want_sites: bool = False
    use_prefilter: bool = True
    progress: Callable[[int], None] | None = None
    use_cache: bool = False
    cache_dir: Path | None = None


@dataclass(frozen=True)
class ProjectScan:
    """What one pass over the whole project learns (the config's folder, minus excludes)."""

    index: ProjectIndex
    scoped_view_bases: frozenset[str]  # view mixins whose get_queryset is tenant-scoped
    serializer_models: dict[str, str]  # DRF ModelSerializer -> model
    sql_constants: dict[str, str]  # ``pkg.module.NAME`` -> string (raw SQL imported elsewhere)


def build_index(config: Config) -> tuple[ProjectIndex, frozenset[str]]:
    """Models and view mixins of the whole project (the folder holding the config)."""
    scan = scan_project(config)
    return scan.index, scan.scoped_view_bases


def scan_project(config: Config, jobs: int = 1) -> ProjectScan:
    """One pass over the project: models, view mixins, serializers, string constants."""
    merged = scan_files(config, jobs)
    return ProjectScan(decide_tenancy(merged.models, config), merged.view_bases,
                       merged.serializers, merged.constants)


def make_settings(config: Config, jobs: int = 1) -> Settings:
    scan = scan_project(config, jobs)
    return Settings(config, scan.index, FRAMEWORKS, scoped_view_bases=scan.scoped_view_bases,
                    serializer_models=scan.serializer_models, sql_constants=scan.sql_constants)


_WORKER: tuple[Settings, Prefilter | None, bool] | None = None


def _init_worker(settings: Settings, prefilter: Prefilter | None, want_sites: bool) -> None:
    global _WORKER
    _WORKER = (settings, prefilter, want_sites)


def _work(item: tuple[str, str]) -> FileResult:
    assert _WORKER is not None
    settings, prefilter, want_sites = _WORKER
    return analyze_path(item[0], Path(item[1]), settings, prefilter, want_sites)


def analyze_path(
    display: str, path: Path, settings: Settings, prefilter: Prefilter | None, want_sites: bool
) -> FileResult:
    try:
        data = path.read_bytes()
    except OSError as exc:
        return error_result(display, SourceError(f"cannot read: {exc.strerror or exc}"))
    if prefilter is not None:
        try:
            text = decode(data)
        except SourceError as exc:
            return error_result(display, exc)
        if not prefilter.may_matter(text):
            try:
                ast.parse(text)
            except SyntaxError as exc:
                return error_result(display, SourceError(f"syntax error: {exc.msg}", exc.lineno or 1,
                                                         exc.offset or 1))
            except (ValueError, RecursionError, MemoryError) as exc:
                return error_result(display, SourceError(f"cannot parse: {exc}"))
            return FileResult(display)
    return analyze_bytes(display, data, settings, want_sites)


def run(config: Config, options: RunOptions, settings: Settings | None = None) -> RunResult:
    started = time.perf_counter()
    settings = settings or make_settings(config, max(1, options.jobs))
    cwd = Path.cwd()
    targets = expand(options.paths or (cwd,), config.root, config.exclude)
    items = [(relpath(p, cwd), str(p)) for p in targets]
    prefilter = (Prefilter.build(settings.index, config, settings.related, settings.serializer_models,
                                 settings.sql_constants) if options.use_prefilter else None)
    want_sites = options.want_sites

    def local(item: tuple[str, str]) -> FileResult:
        return analyze_path(item[0], Path(item[1]), settings, prefilter, want_sites)

    results = ordered_map(local, _work, items, max(1, options.jobs), _init_worker,
                          (settings, prefilter, want_sites), options.progress)
    return collect(results, config, time.perf_counter() - started)


def collect(results: Sequence[FileResult], config: Config, seconds: float) -> RunResult:
    selection = Selection.of(config.select, config.ignore)
    findings: list[Finding] = []
    suppressed: list[Finding] = []
    errors: list[FileError] = []
    sites: list[QuerySite] = []
    queries = 0
    for r in results:
        findings.extend(f for f in r.findings if selection.allows(f.code))
        suppressed.extend(f for f in r.suppressed if selection.allows(f.code))
        if r.error:
            errors.append(FileError(r.path, r.error))
        sites.extend(r.sites)
        queries += r.queries
    findings.sort(key=Finding.sort_key)
    suppressed.sort(key=Finding.sort_key)
    sites.sort(key=lambda s: (s.path, s.line, s.column, s.table))
    errors.sort(key=lambda e: e.path)
    stats = Stats(files=len(results), queries=queries, seconds=seconds)
    return RunResult(tuple(findings), tuple(suppressed), tuple(errors), tuple(sites), stats)


def count_targets(config: Config, paths: tuple[Path, ...]) -> int:
    return len(expand(paths or (Path.cwd(),), config.root, config.exclude))


def default_jobs() -> int:
    return os.cpu_count() or 1
