"""Reporters: a finished RunResult -> text, JSON, SARIF, GitHub annotations or Markdown."""

from tenantlint.reporters.base import Reporter, ReportOptions, file_source_reader
from tenantlint.reporters.registry import UnknownReporterError, get_reporter, reporter_names

__all__ = [
    "ReportOptions",
    "Reporter",
    "UnknownReporterError",
    "file_source_reader",
    "get_reporter",
    "reporter_names",
]
