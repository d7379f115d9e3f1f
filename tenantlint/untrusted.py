"""Text that comes from the scanned tree (file names, code, messages quoting code) made inert.

Every output format gets text in which nothing is invisible or can forge structure: control
characters (a newline in a file name would forge a line of text output), bidirectional and other
invisible format characters (Trojan Source), lone surrogates (the bytes of a file name that is not
valid UTF-8, which Python keeps as ``\\udcXX``) and line/paragraph separators are shown as visible
escapes: ``\\n``, ``\\x1b``, ``\\u202e``, and ``\\xff`` for the undecodable byte 0xFF.
"""

from __future__ import annotations

import re
from dataclasses import replace

from tenantlint.results import FileError, FileResult, Finding, QuerySite, RunResult, Span, Suppression

# Unicode categories Cc, Cf, Cs, Zl and Zp (computed with unicodedata for Unicode 15).
_RANGES = (
    (0x0, 0x1F), (0x7F, 0x9F), (0xAD, 0xAD), (0x600, 0x605), (0x61C, 0x61C), (0x6DD, 0x6DD),
    (0x70F, 0x70F), (0x890, 0x891), (0x8E2, 0x8E2), (0x180E, 0x180E), (0x200B, 0x200F),
    (0x2028, 0x202E), (0x2060, 0x2064), (0x2066, 0x206F), (0xD800, 0xDFFF), (0xFEFF, 0xFEFF),
    (0xFFF9, 0xFFFB), (0x110BD, 0x110BD), (0x110CD, 0x110CD), (0x13430, 0x13438),
    (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A), (0xE0001, 0xE0001), (0xE0020, 0xE007F),
)


def _class(ranges: tuple[tuple[int, int], ...], keep: str = "") -> re.Pattern[str]:
    parts = []
    for lo, hi in ranges:
        parts.append(re.escape(chr(lo)) if lo == hi else f"{re.escape(chr(lo))}-{re.escape(chr(hi))}")
    body = "".join(parts)
    if keep:
        return re.compile(f"(?:(?![{re.escape(keep)}])[{body}])")
    return re.compile(f"[{body}]")


_INVISIBLE = _class(_RANGES)
_INVISIBLE_KEEP_LINES = _class(_RANGES, keep="\n\t")

# Bidirectional controls (Trojan Source, CVE-2021-42574), as ruff's PLE2502 and Rust's lint list.
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
BIDI = re.compile(f"[{BIDI_CONTROLS}]")

_SHORT = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def escape_char(ch: str) -> str:
    """The visible escape of one character."""
    short = _SHORT.get(ch)
    if short is not None:
        return short
    cp = ord(ch)
    if 0xDC80 <= cp <= 0xDCFF:  # an undecodable byte of a file name (surrogateescape)
        return f"\\x{cp - 0xDC00:02x}"
    if cp <= 0xFF:
        return f"\\x{cp:02x}"
    if cp <= 0xFFFF:
        return f"\\u{cp:04x}"
    return f"\\U{cp:08x}"


def visible(text: str, keep_lines: bool = False) -> str:
    """``text`` with every invisible or structure-forging character escaped; ``keep_lines`` keeps
    newlines and tabs (multi-line code snippets)."""
    if text.isprintable():  # no character of the categories above (nor a newline or tab): as is,
        return text  # without a search (five per finding)
    pattern = _INVISIBLE_KEEP_LINES if keep_lines else _INVISIBLE
    if pattern.search(text) is None:
        return text
    return pattern.sub(lambda m: escape_char(m.group()), text)


def bidi_findings(path: str, text: str) -> list[Finding]:
    """TNT903 for each line of ``text`` holding a bidirectional control, at the first one."""
    if BIDI.search(text) is None:
        return []
    import unicodedata

    out: list[Finding] = []
    for number, line in enumerate(text.splitlines(), start=1):
        found = BIDI.search(line)
        if found is None:
            continue
        ch = found.group()
        column = found.start() + 1
        name = unicodedata.name(ch, "BIDI CONTROL")
        message = (f"bidirectional control character {escape_char(ch)} ({name}): the code may "
                   f"display in another order than Python reads it")
        out.append(Finding("TNT903", message, path, Span(number, column, number, column + 1),
                           snippet=line.strip()))
    return out


def with_bidi(result: FileResult, text: str) -> FileResult:
    """``result`` of a file the analysis did not walk (skipped by the prefilter, or TNT999) with its
    TNT903 findings, which its ``# noqa`` / ``# tenantlint: ignore`` comments suppress as they do
    every other code. (A walked file's TNT903 go through the analysis's own suppression step.)"""
    found = bidi_findings(result.path, text)
    if not found:
        return result
    from tenantlint.suppress import apply_suppressions, parse_suppressions

    reported, suppressed, _ = apply_suppressions(found, parse_suppressions(text), result.path)
    result.findings = sorted([*result.findings, *reported], key=Finding.sort_key)
    result.suppressed = sorted([*result.suppressed, *suppressed], key=Finding.sort_key)
    return result


def _opt(text: str | None, keep_lines: bool = False) -> str | None:
    return None if text is None else visible(text, keep_lines)


def inert_finding(f: Finding) -> Finding:
    """``f`` with its text made visible; ``f`` itself when nothing in it needed escaping (most
    findings: no copy of each of 10,000)."""
    suppression = f.suppression
    if suppression is not None:
        reason = visible(suppression.reason)
        if reason is not suppression.reason:
            suppression = Suppression(suppression.kind, reason)
    message, path, table = visible(f.message), visible(f.path), _opt(f.table)
    handler, snippet = _opt(f.handler), _opt(f.snippet, keep_lines=True)
    if (message is f.message and path is f.path and table is f.table and handler is f.handler
            and snippet is f.snippet and suppression is f.suppression):
        return f
    return replace(f, message=message, path=path, table=table, handler=handler, snippet=snippet,
                   suppression=suppression)


def inert_site(s: QuerySite) -> QuerySite:
    return replace(s, path=visible(s.path), table=visible(s.table), handler=_opt(s.handler),
                   snippet=_opt(s.snippet, keep_lines=True), detail=visible(s.detail))


def inert_result(result: RunResult) -> RunResult:
    """``result`` with the text of every finding, error and query site made visible."""
    return replace(
        result,
        findings=tuple(inert_finding(f) for f in result.findings),
        suppressed=tuple(inert_finding(f) for f in result.suppressed),
        errors=tuple(FileError(visible(e.path), visible(e.message)) for e in result.errors),
        query_sites=tuple(inert_site(s) for s in result.query_sites),
        unresolved=tuple(replace(u, path=visible(u.path), reason=visible(u.reason),
                                 snippet=visible(u.snippet) if u.snippet is not None else None)
                         for u in result.unresolved),
    )
