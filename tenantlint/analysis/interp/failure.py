"""A file that could not be analysed: its error and its TNT999 result. Imports nothing heavy, so a
run that finds every result in the cache never loads libcst."""

from __future__ import annotations

from tenantlint.results import FileResult, Finding, Span


class SourceError(Exception):
    """A file that cannot be read or parsed; becomes TNT999."""

    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = max(1, line)
        self.column = max(1, column)


def error_result(path: str, exc: SourceError) -> FileResult:
    span = Span(exc.line, exc.column, exc.line, exc.column)
    finding = Finding("TNT999", f"file not analyzed: {exc.message}", path, span)
    return FileResult(path, findings=[finding], error=exc.message)
