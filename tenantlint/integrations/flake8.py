"""flake8 plugin: ``flake8 --select TNT`` reports what ``tenantlint check`` reports, file by file.

flake8 hands each file to a fresh ``TenantlintChecker``, often in several worker processes. The
project index (every model of the project, not only this file's) comes from
:func:`tenantlint.runner.build_project` through the on-disk cache (``.tenantlint_cache/`` in the
project root): per-file extraction results keyed by file contents and config, written atomically,
so the workers share them; a warm index costs a stat per project file (the book of stamps, see
:mod:`tenantlint.manifest`) and one read of the merged facts. Within one
process the index is built once per (config, working directory) and reused for every file.

Suppressions: flake8 applies ``# noqa`` itself, so findings are yielded *before* tenantlint's own
``noqa`` handling; ``# tenantlint: ignore[CODE] reason`` comments are still honoured here, and
TNT901/TNT902 are reported for them. TNT902 ("unused suppression") is never reported for ``# noqa``
comments under flake8: noqa belongs to flake8 there (use ruff's RUF100 or flake8-noqa for unused noqa).
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterator, Sequence
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar

from tenantlint import __version__
from tenantlint.analysis.engine import analyze_text
from tenantlint.analysis.settings import Settings
from tenantlint.cache import Cache
from tenantlint.config.load import load_config
from tenantlint.results import Finding
from tenantlint.runner import build_project
from tenantlint.suppress import META_CODES, apply_suppressions, parse_suppressions

Report = tuple[int, int, str, type[Any]]


@lru_cache(maxsize=4)
def project_settings(config_path: str | None, cwd: str) -> Settings:
    """Config (discovered from ``cwd`` or ``config_path``) and the project index, once per process."""
    config = load_config(None, Path(config_path) if config_path else None)
    project = build_project(config, Cache.for_config(config))
    return project.settings(config)


def flake8_findings(path: str, text: str, settings: Settings) -> list[Finding]:
    """Findings of one file with ``tenantlint: ignore`` applied and ``noqa`` left to flake8."""
    result = analyze_text(path, text, settings)
    raw = [f for f in result.findings if f.code not in META_CODES]
    raw += [replace(f, suppression=None) for f in result.suppressed]
    raw.sort(key=Finding.sort_key)
    if "tenantlint" not in text.lower():
        return raw
    comments = tuple(c for c in parse_suppressions(text) if c.kind == "tenantlint")
    reported, _suppressed, meta = apply_suppressions(raw, comments, path)
    return sorted(reported + meta, key=Finding.sort_key)


class TenantlintChecker:
    """The ``TNT`` flake8 extension (entry point ``tenantlint.integrations.flake8:TenantlintChecker``)."""

    name = "tenantlint"
    version = __version__
    # flake8's plugin API: options are parsed once and handed to the class, not to instances.
    config_path: ClassVar[str | None] = None

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

    def run(self) -> Iterator[Report]:
        settings = project_settings(self.config_path, os.getcwd())
        text = "".join(self.lines)
        for f in flake8_findings(self.filename, text, settings):
            yield f.span.line, max(0, f.span.column - 1), f"{f.code} {f.message}", type(self)
