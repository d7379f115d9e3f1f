"""flake8 plugin: ``flake8 --select TNT`` reports what ``tenantlint check`` reports, file by file.

flake8 hands each file to a fresh ``TenantlintChecker``, often in several worker processes. The
project index (every model of the project, not only this file's) comes from
:func:`tenantlint.runner.build_project` through the on-disk cache (``.tenantlint_cache/`` in the
project root): per-file extraction results keyed by file contents and config, written atomically,
so the workers share them; a warm index costs a stat per project file (the book of stamps, see
:mod:`tenantlint.manifest`) and one read of the merged facts. Within one
process the index is built once per (config, working directory) and reused for every file.

Across functions: findings move to handlers' call sites only once every file's summaries and calls
are known, so the state also checks the whole project root once (``runner.analyse``, through the
same result cache) and joins it (``crossfn.join``, as ``tenantlint check`` does); each file then
reports its own findings less those moved away, plus those placed at its calls, as ``tenantlint
check`` of the root does.

Cost: a file under ``exclude`` (relative to the project root) gets nothing, as under ``tenantlint
check``; each file goes through the same prefilter and the same per-file result cache as ``check``
(keyed by its contents and the project index), so a file ``check`` already analysed is not analysed
again, and the other way round. The index is built once in flake8's main process before it forks
its workers. When no ``TNT`` code is selected (``flake8 --select E,F,W``) the plugin does nothing and
imports nothing heavy. A config error is one line on stderr and exit status 2.

Suppressions: flake8 applies ``# noqa`` itself, so findings are yielded *before* tenantlint's own
``noqa`` handling; ``# tenantlint: ignore[CODE] reason`` comments are still honoured here, and
TNT901/TNT902 are reported for them. TNT902 ("unused suppression") is never reported for ``# noqa``
comments under flake8: noqa belongs to flake8 there (use ruff's RUF100 or flake8-noqa for unused noqa).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from tenantlint import __version__

if TYPE_CHECKING:
    from tenantlint.analysis.settings import Settings
    from tenantlint.config.options import Config
    from tenantlint.results import FileResult, Finding
    from tenantlint.runner import Project, _Job

Report = tuple[int, int, str, type[Any]]
STDIN_NAMES = ("stdin", "-")


@dataclass
class _State:
    """One process's view of the project: config, index, and (once a file misses the cache) the
    analysis settings and prefilter."""

    config: Config
    project: Project
    key_prefix: str
    job: _Job | None = None
    # the project-wide join across functions (``tenantlint check`` of the project root): each file's
    # result, the findings moved away from where they are, and those placed at call sites, by path
    results: dict[str, FileResult] = field(default_factory=dict)
    removed: frozenset[tuple[str, int, str]] = frozenset()
    added: dict[str, list[Finding]] = field(default_factory=dict)

    def analysis(self) -> _Job:
        if self.job is None:
            from tenantlint.cache import Cache
            from tenantlint.prefilter import Prefilter
            from tenantlint.runner import _Job

            settings = self.project.settings(self.config)
            prefilter = Prefilter.of(settings)
            self.job = _Job(settings, prefilter, False, Cache.for_config(self.config), self.key_prefix)
        return self.job

    def result(self, display: str, path: Path, text: str) -> FileResult:
        """The file's result from the cache ``tenantlint check`` shares (looked up by the digest the
        index pass recorded, without reading the file), else analysed and stored."""
        from tenantlint.cache import RESULT_KIND, Cache, digest, key_of
        from tenantlint.results import FileResult
        from tenantlint.runner import analyze_data
        from tenantlint.safeio import read_regular

        cache = Cache.for_config(self.config)
        known = self.project.digests.get(os.path.normpath(path.absolute()))
        if known is not None:
            hit = cache.get(RESULT_KIND, key_of(self.key_prefix, display, known), FileResult)
            if hit is not None:
                return hit
        try:
            data = read_regular(path, self.config.max_file_bytes)
        except OSError:
            data = text.encode("utf-8")
        key = key_of(self.key_prefix, display, digest(data))
        hit = cache.get(RESULT_KIND, key, FileResult)
        if hit is not None:
            return hit
        job = self.analysis()
        result = analyze_data(display, data, job.settings, job.prefilter, False)
        cache.put(RESULT_KIND, key, result)
        return result


_STATES: dict[tuple[str | None, str], _State] = {}


def _state(config_path: str | None, cwd: str, jobs: int = 1) -> _State:
    """Config (discovered from ``cwd`` or ``config_path``) and the project index, once per process
    (``jobs`` processes build the index when it is not cached)."""
    state = _STATES.get((config_path, cwd))
    if state is None:
        state = _STATES[(config_path, cwd)] = _build_state(config_path, jobs)
    return state


def _build_state(config_path: str | None, jobs: int) -> _State:
    from tenantlint.cache import Cache, key_of
    from tenantlint.config.load import load_config
    from tenantlint.crossfn.join import join
    from tenantlint.crossfn.place import by_path, dropped
    from tenantlint.runner import RunOptions, analyse, build_project

    config = load_config(None, Path(config_path) if config_path else None)
    project = build_project(config, Cache.for_config(config), jobs)
    # the key prefix of `tenantlint check`'s results (want_sites False, prefilter on): shared entries
    state = _State(config, project, key_of("result", project.index_hash, str(False), str(True)))
    # Findings across functions need every file's summaries and calls: the whole project is checked
    # once here (through the shared cache), before flake8 forks its workers, which inherit it.
    results, counts = analyse(config, RunOptions(paths=(config.root,), jobs=jobs, use_cache=True),
                              project=project)
    outcome = join(results, counts, config.membership_checks, config)
    state.results = {r.path: r for r in results}
    state.removed = dropped(results, outcome)
    state.added = by_path(outcome, lambda _code: True)
    return state


def project_settings(config_path: str | None, cwd: str) -> Settings:
    """The analysis settings of the project (config discovered from ``cwd`` or ``config_path``)."""
    state = _state(config_path, cwd)
    return state.project.settings(state.config)


def raw_findings(result: FileResult, text: str, path: str,
                 removed: frozenset[tuple[str, int, str]] = frozenset(), added: Sequence[Finding] = ()
                 ) -> list[Finding]:
    """A file's findings with ``tenantlint: ignore`` applied and ``noqa`` left to flake8; ``removed``:
    findings the join across functions moved away, ``added``: those it placed in this file."""
    from tenantlint.results import Finding
    from tenantlint.suppress import META_CODES, apply_suppressions, parse_suppressions

    raw = [f for f in result.findings if f.code not in META_CODES and (f.path, f.line, f.code) not in removed]
    raw += [replace(f, suppression=None) for f in result.suppressed]
    raw += added
    raw.sort(key=Finding.sort_key)
    if "tenantlint" not in text.lower():
        return raw
    comments = tuple(c for c in parse_suppressions(text) if c.kind == "tenantlint")
    reported, _suppressed, meta = apply_suppressions(raw, comments, path)
    return sorted(reported + meta, key=Finding.sort_key)


def flake8_findings(path: str, text: str, settings: Settings) -> list[Finding]:
    """Findings of one file's text with ``tenantlint: ignore`` applied and ``noqa`` left to flake8."""
    from tenantlint.analysis.engine import analyze_text

    return raw_findings(analyze_text(path, text, settings), text, path)


def tnt_selected(options: argparse.Namespace) -> bool:
    """Whether flake8's select/ignore options report any TNT code (flake8's own decision engine)."""
    from tenantlint.rules.registry import all_codes

    try:
        from flake8.style_guide import Decision, DecisionEngine

        engine = DecisionEngine(options)
        return any(engine.decision_for(code) is Decision.Selected for code in all_codes())
    except Exception:  # another flake8 version: run, and let flake8 filter the results
        return True


def _jobs(options: argparse.Namespace) -> int:
    jobs = getattr(options, "jobs", None)
    if getattr(jobs, "is_auto", False) or jobs is None:
        return os.cpu_count() or 1
    try:
        return max(1, int(getattr(jobs, "n_jobs", jobs)))
    except (TypeError, ValueError):
        return 1


class TenantlintChecker:
    """The ``TNT`` flake8 extension (entry point ``tenantlint.integrations.flake8:TenantlintChecker``)."""

    name = "tenantlint"
    version = __version__
    # flake8's plugin API: options are parsed once and handed to the class, not to instances.
    config_path: ClassVar[str | None] = None
    enabled: ClassVar[bool] = True

    def __init__(self, tree: object, filename: str, lines: Sequence[str]) -> None:
        self.filename = filename
        self.lines = lines

    @classmethod
    def add_options(cls, parser: Any) -> None:
        parser.add_option(
            "--tenantlint-config", default=None, parse_from_config=True, metavar="FILE",
            help="tenantlint config file (default: discovered from the current directory)",
        )

    @classmethod
    def parse_options(cls, options: argparse.Namespace) -> None:
        cls.config_path = getattr(options, "tenantlint_config", None)
        cls.enabled = tnt_selected(options)
        if not cls.enabled:
            return
        from tenantlint.config.errors import ConfigError

        try:  # before flake8 forks its workers: they inherit the index
            _state(cls.config_path, os.getcwd(), _jobs(options))
        except ConfigError as exc:
            print(f"tenantlint: config error: {exc}", file=sys.stderr)
            raise SystemExit(2) from None

    def run(self) -> Iterator[Report]:
        if not self.enabled:
            return
        from tenantlint.untrusted import visible  # code quoted in messages: shown escaped

        state = _state(self.config_path, os.getcwd())
        for f in self.findings(state):
            yield f.span.line, max(0, f.span.column - 1), f"{f.code} {visible(f.message)}", type(self)

    def findings(self, state: _State) -> list[Finding]:
        from tenantlint.files import excluded, relpath, under
        from tenantlint.runner import analyze_data

        text = "".join(self.lines)
        if self.filename in STDIN_NAMES:
            job = state.analysis()
            result = analyze_data(self.filename, text.encode("utf-8"), job.settings, job.prefilter, False)
            return raw_findings(result, text, self.filename)
        path = Path(self.filename)
        rel = under(path, state.config.root)
        if rel is not None and excluded(rel, state.config.exclude):
            return []
        display = relpath(path, Path.cwd())
        result = state.results.get(display) or state.result(display, path, text)
        return raw_findings(result, text, display, state.removed, state.added.get(display, ()))
