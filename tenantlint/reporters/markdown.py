"""``--format markdown``: a findings table for a pull-request comment."""

from __future__ import annotations

from collections import Counter
from typing import TextIO

from tenantlint.reporters.base import Reporter, ReportOptions, sorted_findings, unreported_errors
from tenantlint.results import RunResult
from tenantlint.rules.registry import rule_for

_PUNCTUATION = "`*_[]|~#!"


def cell(text: str) -> str:
    """Text inert inside a table cell of a pull-request comment: one line; Markdown punctuation
    (images ``![``, links ``[``, code, emphasis, ``|``) backslash-escaped; HTML escaped; URLs not
    turned into links."""
    body = " ".join(text.split()).replace("\\", "\\\\")
    for ch in _PUNCTUATION:
        body = body.replace(ch, "\\" + ch)
    body = body.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return body.replace("://", ":&#47;/").replace("www.", "www&#46;")


def code(text: str) -> str:
    """An inline code span that survives backticks in ``text``."""
    body = " ".join(text.split()).replace("|", "\\|")
    longest = 0
    run = 0
    for ch in body:
        run = run + 1 if ch == "`" else 0
        longest = max(longest, run)
    fence = "`" * (longest + 1)
    pad = " " if body.startswith("`") or body.endswith("`") else ""
    return f"{fence}{pad}{body}{pad}{fence}"


class MarkdownReporter(Reporter):
    name = "markdown"
    description = "a Markdown table for pull-request comments"

    def write(self, result: RunResult, stream: TextIO, options: ReportOptions) -> None:
        findings = sorted_findings(result.findings)
        stats = result.stats
        files = f"{stats.files} file{'s' if stats.files != 1 else ''}"
        out: list[str] = []
        if not findings:
            out.append(f"### tenantlint: no findings in {files}")
        else:
            n = len(findings)
            out.append(f"### tenantlint: {n} finding{'s' if n != 1 else ''} in {files}")
            out.append("")
            counts = Counter(f.code for f in findings)
            out.append(
                ", ".join(f"{code(c)} {rule_for(c).name}: {counts[c]}" for c in sorted(counts))
            )
            out.append("")
            out.append("| Severity | Rule | Location | Message |")
            out.append("|---|---|---|---|")
            for f in findings:
                rule = rule_for(f.code)
                location = code(f"{f.path}:{f.span.line}:{f.span.column}")
                label = f"{code(f.code)} {rule.name}"
                out.append(f"| {rule.severity} | {label} | {location} | {cell(f.message)} |")
        errors = unreported_errors(result)
        if errors:
            out.append("")
            out.append("**Files not analyzed**")
            out.append("")
            out.extend(f"- {code(e.path)}: {cell(e.message)}" for e in errors)
        if result.suppressed:
            out.append("")
            out.append(
                f"_{len(result.suppressed)} suppressed (noqa, ignore comments or baseline)._"
            )
        stream.write("\n".join(out) + "\n")
