"""``--format text``: ``path:line:col: CODE message``; in a terminal, code frames and a summary.

This is the only module that imports rich, and only for a terminal: the plain lines of a hook or a
CI log do not pay for importing it. Everything that comes from the linted code (messages, snippets,
source lines, paths) is escaped or passed as plain :class:`rich.text.Text`, so
``filter(tags__in=[x])`` prints literally.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, TextIO

from tenantlint.reporters.base import Reporter, ReportOptions, sorted_findings, unreported_errors
from tenantlint.results import FileError, Finding, RunResult
from tenantlint.rules.registry import rule_for

if TYPE_CHECKING:
    from rich.text import Text

CONTEXT_LINES = 2
_MAX_FRAME_LINES = 12


def one_line(text: str) -> str:
    """Line breaks become spaces, so every finding stays on one output line."""
    return " ".join(text.splitlines()) if "\n" in text or "\r" in text else text


def plain_line(finding: Finding) -> str:
    """``path:line:col: CODE message``."""
    s = finding.span
    return f"{finding.path}:{s.line}:{s.column}: {finding.code} {one_line(finding.message)}"


def plain_error(error: FileError) -> str:
    return f"{error.path}: error: {one_line(error.message)}"


def code_frame(finding: Finding, source: str) -> Text | None:
    """Source lines around the finding with a gutter and ``^`` under its span (first line)."""
    from rich.text import Text

    lines = source.splitlines()
    span = finding.span
    if not 1 <= span.line <= len(lines):
        return None
    last = min(max(span.end_line, span.line), span.line + _MAX_FRAME_LINES)
    first_shown = max(1, span.line - CONTEXT_LINES)
    last_shown = min(len(lines), last + CONTEXT_LINES)
    width = len(str(last_shown))
    frame = Text()
    for number in range(first_shown, last_shown + 1):
        text = lines[number - 1].replace("\t", " ")
        marker = ">" if span.line <= number <= last else " "
        frame.append(f"{marker} {number:>{width}} |" + (" " if text else ""), style="dim")
        frame.append(text + "\n")
        if number == span.line:
            start = max(span.column - 1, 0)
            if span.end_line == span.line and span.end_column > span.column:
                end = span.end_column - 1
            else:
                end = max(len(text.rstrip()), start + 1)
            frame.append(f"  {' ' * width} | ", style="dim")
            frame.append(" " * start + "^" * max(end - start, 1) + "\n", style="bold red")
    frame.rstrip()
    return frame


def _style(finding: Finding) -> str:
    return "bold red" if rule_for(finding.code).severity == "error" else "bold yellow"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def summary_lines(result: RunResult) -> list[str]:
    """Summary as markup lines: counts per code, files scanned, seconds."""
    from rich.markup import escape

    stats = result.stats
    quiet = f" ({len(result.suppressed)} suppressed)" if result.suppressed else ""
    where = f" in {_plural(stats.files, 'file')}, {stats.seconds:.2f}s"
    if result.errors:
        where += f"; {_plural(len(result.errors), 'file')} not analyzed"
    if not result.findings:
        return [f"[bold green]No findings[/]{quiet}{where}"]
    counts = Counter(f.code for f in result.findings)
    out = [f"[bold]Found {_plural(len(result.findings), 'finding')}[/]{quiet}{where}"]
    for code in sorted(counts):
        rule = rule_for(code)
        style = "red" if rule.severity == "error" else "yellow"
        out.append(f"  {counts[code]:>4}  [{style}]{code}[/]  {escape(rule.name)}")
    return out


class TextReporter(Reporter):
    name = "text"
    description = "one line per finding; code frames and a summary in a terminal"

    def write(self, result: RunResult, stream: TextIO, options: ReportOptions) -> None:
        findings = sorted_findings(result.findings)
        errors = unreported_errors(result)
        if not options.terminal:
            for finding in findings:
                stream.write(plain_line(finding) + "\n")
            for error in errors:
                stream.write(plain_error(error) + "\n")
            return
        from rich.console import Console
        from rich.markup import escape

        console = Console(
            file=stream,
            force_terminal=options.color,
            color_system="auto" if options.color else None,
            no_color=not options.color,
            highlight=False,
            emoji=False,
            soft_wrap=True,
        )
        for finding in findings:
            s = finding.span
            console.print(
                f"[bold]{escape(finding.path)}[/]:{s.line}:{s.column}: "
                f"[{_style(finding)}]{finding.code}[/] {escape(one_line(finding.message))}"
            )
            source = options.read_source(finding.path)
            frame = code_frame(finding, source) if source is not None else None
            if frame is not None:
                console.print(frame)
                console.print()
        for error in errors:
            console.print(
                f"[bold]{escape(error.path)}[/]: [bold red]error[/]: {escape(error.message)}"
            )
        if not options.summary:
            return
        if findings or errors:
            console.print()
        for line in summary_lines(result):
            console.print(line)
