"""``tenantlint check - --stdin-filename app/views.py``: one file's text read from stdin (editors).

The project index comes from the project root as in every run; the text is analysed under the
given name (so path patterns and the index's view of that module apply) but never cached, since it
need not match the file on disk.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import BinaryIO

from tenantlint.analysis.interp.failure import SourceError, error_result
from tenantlint.config.options import Config
from tenantlint.files import excluded, relpath, under
from tenantlint.results import RunResult
from tenantlint.runner import Project, analyze_data, collect

STDIN_NAME = "-"


def stdin_display(filename: Path | None) -> str:
    """The path findings of the stdin text carry: ``--stdin-filename`` relative to the cwd, or ``-``."""
    return STDIN_NAME if filename is None else relpath(filename, Path.cwd())


def read_stdin(stream: BinaryIO, max_bytes: int) -> tuple[bytes, bool]:
    """At most ``max_bytes`` of ``stream`` (``max_file_bytes``, as for files on disk): ``(data,
    False)``, or ``(b"", True)`` when the stream holds more; the rest is never read (``- <
    /dev/zero`` ends)."""
    data = stream.read(max_bytes + 1)
    if len(data) <= max_bytes:
        return data, False
    return b"", True


def check_stdin(config: Config, project: Project, data: bytes, filename: Path | None, *,
                want_sites: bool = False, use_prefilter: bool = True,
                force_exclude: bool = False, too_big: bool = False) -> RunResult:
    """Findings of ``data`` analysed as the file ``filename`` (``-`` without one); ``too_big``:
    the text was longer than ``max_file_bytes`` (TNT999, file too large, as for a file on disk)."""
    started = time.perf_counter()
    if force_exclude and filename is not None:
        rel = under(filename, config.root)
        if rel is not None and excluded(rel, config.exclude):
            return collect([], config, time.perf_counter() - started)
    if too_big:
        limit = config.max_file_bytes
        error = SourceError(f"file too large (more than {limit} bytes; max_file_bytes is {limit})")
        return collect([error_result(stdin_display(filename), error)], config,
                       time.perf_counter() - started)
    settings = project.settings(config)
    prefilter = None
    if use_prefilter:
        from tenantlint.prefilter import Prefilter

        prefilter = Prefilter.of(settings)
    result = analyze_data(stdin_display(filename), data, settings, prefilter, want_sites)
    return collect([result], config, time.perf_counter() - started)
