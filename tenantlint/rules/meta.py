"""Rules raised by the run itself rather than by analysis facts: TNT901, TNT902, TNT999."""

from __future__ import annotations

from tenantlint.rules.base import Rule


class SuppressionWithoutReason(Rule):
    code = "TNT901"
    name = "suppression-without-reason"
    severity = "warning"
    summary = "A `# tenantlint: ignore[...]` comment with no reason."
    why = """
A deliberate cross-tenant query is a security decision. The audit report lists every bypass with its
reason; a suppression without one leaves the next reader guessing whether it is still needed.
"""
    invalid = ("""
from billing.models import Invoice


def export_all(request):
    return Invoice.objects.all()  # tenantlint: ignore[TNT101]
""",)
    valid = ("""
from billing.models import Invoice


def export_all(request):
    return Invoice.objects.all()  # tenantlint: ignore[TNT101] nightly billing export runs for every org
""",)


class UnusedSuppression(Rule):
    code = "TNT902"
    name = "unused-suppression"
    severity = "warning"
    summary = "A suppression comment that suppresses nothing."
    why = """
A suppression that no longer matches a finding hides the next real finding on that line, and keeps a
bypass in the audit report that is not there.
"""
    invalid = ("""
from billing.models import Invoice


def my_invoices(request):
    return Invoice.objects.filter(org=request.user.org)  # tenantlint: ignore[TNT101] legacy
""",)
    valid = ("""
from billing.models import Invoice


def my_invoices(request):
    return Invoice.objects.filter(org=request.user.org)
""",)


class BidiControlCharacter(Rule):
    code = "TNT903"
    name = "bidi-control-character"
    severity = "warning"
    summary = "A bidirectional control character in the code (Trojan Source)."
    why = """
Unicode bidirectional controls (U+202A-U+202E, U+2066-U+2069, U+200E, U+200F, U+061C) make an editor
or a code review show the text in another order than Python reads it: a comment can appear to close
before the code that it actually hides, or a tenant check can appear where none runs
(CVE-2021-42574). tenantlint's own outputs show them escaped (`\\u202e`); this rule points at
the line so that a reviewer looks at the bytes, as ruff's PLE2502 does. It is reported in every file
read, also in one that is not otherwise analysed (no query, or a syntax error), and is silenced like
every code: `# noqa`, `# noqa: TNT903` or `# tenantlint: ignore[TNT903] reason` on the line.
"""
    invalid = ("""
from billing.models import Invoice


def my_invoices(request, role):
    if role != "owner\u202e\u2066":  # Check if admin\u2069\u2066 and role != "user"
        return Invoice.objects.filter(org=request.user.org)
    return []
""",)
    valid = ("""
from billing.models import Invoice

RTL_MARK = "\\u202e"  # an escape sequence in a literal is not the character itself


def my_invoices(request, role):
    if role != "owner":  # Check if admin
        return Invoice.objects.filter(org=request.user.org)
    return []
""",)
    details = """
Reported once per line, at the first such character, wherever it occurs (code, string, comment),
also in files that touch no tenant table. This page shows the characters as escapes (`\\u202e`);
in the flagged code they are raw. An escape sequence in a string literal is not reported.
"""


class FileNotAnalyzed(Rule):
    code = "TNT999"
    name = "file-not-analyzed"
    severity = "warning"
    summary = "A file that could not be read or parsed (syntax error, bad encoding); the run goes on."
    why = """
A file tenantlint cannot parse is a file nobody checked. It is reported so that a clean run never
silently means "skipped".
"""
    invalid = ("""
def broken(:
    pass
""",)
    valid = ("""
def fixed():
    pass
""",)
