"""The reporter interface: a reporter turns a finished :class:`RunResult` into text on a stream.

Reporters never see the runner, the config or the file system, only the result and a
:class:`ReportOptions` record (modelled on flake8's ``formatting/base.py``). A reporter instance is
stateless, so one can be reused for several results.
"""

from __future__ import annotations

import io
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import ClassVar, TextIO

from tenantlint.config.options import DEFAULT_MAX_FILE_BYTES
from tenantlint.results import FileError, Finding, RunResult
from tenantlint.safeio import read_regular
from tenantlint.untrusted import visible

SourceReader = Callable[[str], "str | None"]


def no_source(path: str) -> str | None:
    """The default source reader: no code frames."""
    return None


def file_source_reader(root: str | Path = ".") -> SourceReader:
    """A reader that loads ``root / path`` as UTF-8 (undecodable bytes replaced), None if absent or
    not a regular file; control, bidirectional and invisible characters come back escaped
    (``\\u202e``), so that no code frame of any format carries them raw."""
    base = Path(root)

    def read(path: str) -> str | None:
        try:
            data = read_regular(base / path, DEFAULT_MAX_FILE_BYTES)
        except (OSError, ValueError):
            return None
        return visible(data.decode("utf-8", errors="replace"), keep_lines=True)

    return read


@dataclass(frozen=True, slots=True)
class ReportOptions:
    """What a reporter may know besides the result.

    ``terminal``: output goes to an interactive terminal (text adds code frames and a summary).
    ``color``: ANSI styling allowed. ``read_source``: path (as in ``Finding.path``) -> text, for
    code frames and for identifying findings without a snippet. ``root``: the folder finding paths
    are relative to (SARIF ``%SRCROOT%``). ``summary``: text in a terminal ends with a summary (the
    command line prints its own one-line summary on stderr instead). ``timing``: report the run's
    duration where the format would otherwise make identical runs differ (JSON).
    """

    terminal: bool = False
    color: bool = False
    read_source: SourceReader = no_source
    root: str = "."
    timing: bool = False  # --timing: include the run's duration (JSON ``stats.seconds``)
    summary: bool = True


class Reporter(ABC):
    """Base class of every output format; subclasses implement :meth:`write`."""

    name: ClassVar[str]
    description: ClassVar[str] = ""

    @abstractmethod
    def write(self, result: RunResult, stream: TextIO, options: ReportOptions) -> None:
        """Write the whole report for ``result`` to ``stream``."""

    def render(self, result: RunResult, options: ReportOptions | None = None) -> str:
        """The report as a string (tests, ``--output``)."""
        buffer = io.StringIO()
        self.write(result, buffer, options or ReportOptions())
        return buffer.getvalue()


def sorted_findings(findings: tuple[Finding, ...]) -> list[Finding]:
    return sorted(findings, key=Finding.sort_key)


def sorted_errors(errors: tuple[FileError, ...]) -> list[FileError]:
    return sorted(errors, key=lambda e: (e.path, e.message))


def normalised(result: RunResult) -> RunResult:
    """``result`` with findings, suppressed findings and errors in their canonical order."""
    return replace(
        result,
        findings=tuple(sorted_findings(result.findings)),
        suppressed=tuple(sorted_findings(result.suppressed)),
        errors=tuple(sorted_errors(result.errors)),
    )


def unreported_errors(result: RunResult) -> list[FileError]:
    """File errors not already shown as a TNT999 finding for the same path."""
    shown = {f.path for f in result.findings if f.code == "TNT999"}
    return [e for e in sorted_errors(result.errors) if e.path not in shown]
