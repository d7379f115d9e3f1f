"""In-source suppressions: ``# noqa[: CODES]`` and ``# tenantlint: ignore[CODES] reason``.

Comments are found with :mod:`tokenize`, so text that only looks like a comment (``"# noqa"`` inside
a string literal) never counts. Each comment is then matched with small regular expressions applied
to the comment token alone.

Which lines a comment covers: the whole *logical line* it sits on, as tokenize sees it. A comment
anywhere on a multi-line statement (``rows = Invoice.objects.filter(  # noqa: TNT101`` or after the
closing parenthesis) covers every physical line of that statement, and so the finding reported at
its first line. A compound statement's header (``for row in Invoice.objects.all():``) is its own
logical line; its body is not covered. A comment alone on its line covers only that line. The range
is computed here, once, and carried on each :class:`SuppressionComment` (``first_line``,
``last_line``), so :func:`apply_suppressions` needs nothing but the comments.

Codes match by prefix: ``# noqa: TNT1`` covers TNT101..TNT199. A comment with no codes (bare
``# noqa``, ``# tenantlint: ignore`` or ``ignore[]``) covers every code. TNT901 and TNT902 are
produced here and can be silenced only by select/ignore.

>>> [c.codes for c in parse_suppressions("x = 1  # noqa: TNT101,tnt103\\n")]
[('TNT101', 'TNT103')]
>>> parse_suppressions("s = '# noqa'\\n")
()
"""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Sequence
from dataclasses import replace

from tenantlint.results import Finding, Span, Suppression, SuppressionComment

META_CODES = frozenset({"TNT901", "TNT902"})
TOOL_CODE_PREFIX = "TNT"
BIDI_CODE = "TNT903"  # reported in every file read, after (and regardless of) its suppressions

_NOQA = re.compile(
    r"#\s*noqa\b(?:\s*:\s*(?P<codes>[A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*))?",
    re.IGNORECASE,
)
_TENANTLINT = re.compile(
    r"#\s*tenantlint\s*:\s*ignore\b(?:\s*\[(?P<codes>[^\]]*)\])?(?P<rest>.*)",
    re.IGNORECASE,
)
# The reason ends where another comment in the same comment token begins (a noqa or type comment,
# or any other ``#``): ``tenantlint: ignore[TNT101] why  #`` followed by a noqa for E501 has the
# reason "why".
_NEXT_DIRECTIVE = re.compile(r"\s#")
_CODE_SPLIT = re.compile(r"[\s,]+")


def _split_codes(raw: str) -> tuple[str, ...]:
    return tuple(c.upper() for c in _CODE_SPLIT.split(raw.strip()) if c)


def _directives(
    comment: str, line: int, col0: int, span: tuple[int, int]
) -> list[SuppressionComment]:
    """Every directive in one comment token (``# noqa: X  # tenantlint: ignore[Y] why`` has two)."""
    found: list[SuppressionComment] = []
    first, last = span
    for m in _TENANTLINT.finditer(comment):
        rest = m.group("rest")
        nxt = _NEXT_DIRECTIVE.search(rest)
        if nxt:
            rest = rest[: nxt.start()]
        reason = rest.strip().lstrip(":-–—").strip()
        codes = _split_codes(m.group("codes") or "")
        text = comment[m.start() : m.end() - len(m.group("rest"))] + rest.rstrip()
        found.append(
            SuppressionComment(
                line, col0 + m.start() + 1, "tenantlint", codes, reason, first, last, text
            )
        )
    for m in _NOQA.finditer(comment):
        codes = _split_codes(m.group("codes") or "")
        found.append(
            SuppressionComment(
                line, col0 + m.start() + 1, "noqa", codes, "", first, last, m.group(0)
            )
        )
    found.sort(key=lambda c: c.column)
    return found


def parse_suppressions(text: str) -> tuple[SuppressionComment, ...]:
    """Every suppression directive in ``text``, in source order.

    Source that tokenize rejects part-way yields the directives found before the error; such a file
    is reported as TNT999 anyway.
    """
    result: list[SuppressionComment] = []
    pending: list[tokenize.TokenInfo] = []  # comments on the logical line still open
    start_line: int | None = None  # first line of the open logical line

    def flush(end_line: int | None) -> None:
        for tok in pending:
            line, col0 = tok.start
            span = (start_line or line, end_line) if end_line is not None else (line, line)
            result.extend(_directives(tok.string, line, col0, span))
        pending.clear()

    skip = {tokenize.NL, tokenize.INDENT, tokenize.DEDENT, tokenize.ENCODING}
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type == tokenize.COMMENT:
                if start_line is None:
                    # A comment alone on its line: it covers that line only.
                    line, col0 = tok.start
                    result.extend(_directives(tok.string, line, col0, (line, line)))
                else:
                    pending.append(tok)
            elif tok.type == tokenize.NEWLINE:
                flush(tok.start[0])
                start_line = None
            elif tok.type == tokenize.ENDMARKER:
                flush(None)
            elif tok.type not in skip and start_line is None:
                start_line = tok.start[0]
    except (tokenize.TokenError, SyntaxError):
        flush(None)
    return tuple(result)


def _meta(code: str, message: str, comment: SuppressionComment, path: str) -> Finding:
    width = max(len(comment.text), 1)
    span = Span(comment.line, comment.column, comment.line, comment.column + width)
    return Finding(code=code, message=message, path=path, span=span, snippet=comment.text or None)


def apply_suppressions(
    findings: Sequence[Finding], comments: Sequence[SuppressionComment], path: str
) -> tuple[list[Finding], list[Finding], list[Finding]]:
    """Split one file's findings into (reported, suppressed, meta).

    ``suppressed`` findings carry ``Finding.suppression`` (kind and reason of the comment used; a
    ``tenantlint: ignore`` comment is preferred over a ``noqa`` when both cover a finding).
    ``meta`` are new TNT901 (``tenantlint: ignore`` without a reason) and TNT902 (listed TNT
    codes, or any code in a ``tenantlint: ignore``, that suppressed nothing) findings at the
    comment, for ``path``.
    Bare ``# noqa`` and noqa lists of other tools' codes are never TNT902.
    """
    used: list[set[str]] = [set() for _ in comments]
    ordered = sorted(range(len(comments)), key=lambda i: comments[i].kind != "tenantlint")
    reported: list[Finding] = []
    suppressed: list[Finding] = []
    for finding in findings:
        chosen: SuppressionComment | None = None
        if finding.code not in META_CODES:
            for i in ordered:
                comment = comments[i]
                if not comment.covers_line(finding.span.line):
                    continue
                hit = comment.matching_code(finding.code)
                if hit is None:
                    continue
                used[i].add(hit)
                chosen = chosen or comment
        if chosen is None:
            reported.append(finding)
        else:
            suppressed.append(replace(finding, suppression=Suppression(chosen.kind, chosen.reason)))

    meta: list[Finding] = []
    for comment, hits in zip(comments, used, strict=True):
        if comment.kind == "tenantlint" and not comment.reason:
            what = ", ".join(comment.codes) if comment.codes else "all codes"
            meta.append(_meta("TNT901", f"suppression of {what} has no reason", comment, path))
        if comment.kind == "tenantlint":
            unused = [c for c in comment.codes if c not in hits]
            if not comment.codes and "" not in hits:
                unused = ["all codes"]
        else:
            unused = [c for c in comment.codes if c.startswith(TOOL_CODE_PREFIX) and c not in hits]
        if unused:
            meta.append(_meta("TNT902", f"unused suppression: {', '.join(unused)}", comment, path))
    meta.sort(key=Finding.sort_key)
    return reported, suppressed, meta


def resettle(findings: Sequence[Finding], suppressed: Sequence[Finding], extra: Sequence[Finding],
             comments: Sequence[SuppressionComment], path: str) -> tuple[list[Finding], list[Finding]]:
    """One file's (reported, suppressed) once ``extra`` findings are placed in it after its own pass
    (findings across functions, at a handler's call site): the suppressions are applied again to all
    of them, so a comment on the call's line silences them and is no longer an unused suppression.
    TNT903 (bidirectional controls) is never suppressed and stays as it is."""
    kept = [f for f in findings if f.code == BIDI_CODE]
    raw = [f for f in findings if f.code not in META_CODES and f.code != BIDI_CODE]
    raw += [replace(f, suppression=None) for f in suppressed]
    raw += extra
    raw.sort(key=Finding.sort_key)
    reported, quiet, meta = apply_suppressions(raw, comments, path)
    return sorted(reported + meta + kept, key=Finding.sort_key), quiet
