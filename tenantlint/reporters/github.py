"""``--format github``: GitHub Actions workflow commands, one annotation per finding.

``::error file=app/views.py,line=12,col=5,endLine=12,endColumn=40,title=TNT101 unscoped-query::msg``
Property values escape ``%``, CR, LF, ``:`` and ``,``; the message escapes ``%``, CR and LF
(the rules of ``@actions/core``'s ``toCommandValue``/``escapeProperty``).
"""

from __future__ import annotations

from typing import TextIO

from tenantlint.reporters.base import Reporter, ReportOptions, sorted_findings, unreported_errors
from tenantlint.results import Finding, RunResult
from tenantlint.rules.registry import rule_for


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _command(level: str, properties: list[tuple[str, object]], message: str) -> str:
    props = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties)
    return f"::{level} {props}::{escape_data(message)}"


def annotation(finding: Finding) -> str:
    """The workflow command for one finding."""
    rule = rule_for(finding.code)
    level = "error" if rule.severity == "error" else "warning"
    span = finding.span
    props: list[tuple[str, object]] = [
        ("file", finding.path),
        ("line", span.line),
        ("col", span.column),
    ]
    if span.end_line >= span.line > 0:
        props += [("endLine", span.end_line), ("endColumn", span.end_column)]
    props.append(("title", f"{finding.code} {rule.name}"))
    return _command(level, props, finding.message)


class GithubReporter(Reporter):
    name = "github"
    description = "GitHub Actions annotations"

    def write(self, result: RunResult, stream: TextIO, options: ReportOptions) -> None:
        for finding in sorted_findings(result.findings):
            stream.write(annotation(finding) + "\n")
        for error in unreported_errors(result):
            props: list[tuple[str, object]] = [
                ("file", error.path),
                ("title", "TNT999 file-not-analyzed"),
            ]
            stream.write(_command("warning", props, error.message) + "\n")
