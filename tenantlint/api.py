"""The library entry points used by the CLI, the flake8 plugin and the tests alike."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from tenantlint.analysis.engine import analyze_text
from tenantlint.analysis.settings import Settings
from tenantlint.config.load import load_config
from tenantlint.config.options import Config
from tenantlint.results import FileResult, RunResult
from tenantlint.runner import RunOptions, make_settings, run
from tenantlint.scan import MIN_PARALLEL

__all__ = ["check_paths", "check_source", "load_config", "make_settings"]


def check_paths(
    paths: Sequence[Path], config: Config, *, jobs: int = 1, want_sites: bool = False,
    use_prefilter: bool = True, min_parallel: int = MIN_PARALLEL,
) -> RunResult:
    options = RunOptions(tuple(paths), jobs=jobs, want_sites=want_sites, use_prefilter=use_prefilter,
                         min_parallel=min_parallel)
    return run(config, options)


def check_source(text: str, path: str, config: Config, settings: Settings | None = None) -> FileResult:
    """Analyse one file's text against the project index of ``config`` (built when not given)."""
    return analyze_text(path, text, settings or make_settings(config))
