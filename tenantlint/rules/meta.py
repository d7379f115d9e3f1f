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
