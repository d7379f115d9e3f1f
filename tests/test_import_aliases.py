"""A read of a name imported under another name is a spelling of the imported name
(``index/import_aliases.py``, ``prepass.name_counts``): an id-keyed helper called only through an
alias has its caller set closed, and the call that passes request input is reported."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

from tenantlint.crossfn.records import CLASS_NAME
from tenantlint.prepass import name_counts
from tests.test_system_callers import _found, _run


def _counts(text: str) -> dict[str, int]:
    return dict(name_counts(ast.parse(textwrap.dedent(text))))


def test_reads_of_an_alias_count_as_the_imported_name() -> None:
    counts = _counts("""
        from app.services import get_report as fetch_report, Report as R, other
        from app import jobs as tasks

        def view(pk):
            fetch_report(pk)
            handler = fetch_report
            R(pk)
            other()
            return handler
    """)
    assert counts["get_report"] == 2 and "fetch_report" not in counts
    assert counts[CLASS_NAME + "Report"] == 1 and CLASS_NAME + "R" not in counts
    assert counts["other"] == 1


def test_an_alias_of_a_name_the_file_defines_keeps_its_spellings() -> None:
    counts = _counts("""
        from app.services import get_report as fetch_report

        def fetch_report(pk):  # shadows the import: which one a read names is not known
            return pk

        def view(pk):
            return fetch_report(pk)
    """)
    assert counts.get("fetch_report") == 1 and "get_report" not in counts


def test_a_local_of_the_alias_name_is_no_read_of_it() -> None:
    counts = _counts("""
        from app.services import get_report as fetch_report

        def view(pk, fetch_report=None):
            return fetch_report(pk)

        def other(pk):
            return fetch_report(pk)
    """)
    assert counts["get_report"] == 1


HELPERS = """
from app.models import Invoice


def load_invoice(invoice_id):
    return Invoice.objects.get(id=invoice_id)
"""

MODELS = """
from django.db import models


class Organization(models.Model):
    name = models.CharField(max_length=50)


class Invoice(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE)
"""


def test_a_helper_called_through_an_alias_is_judged_at_its_calls(tmp_path: Path) -> None:
    view = """
        from app.helpers import load_invoice as fetch


        def show(request):
            return fetch(request.user.organization.invoice_set.first().id)


        def peek(request, pk):
            return fetch(pk)
    """
    result = _run(tmp_path, {"app/models.py": MODELS, "app/helpers.py": HELPERS, "app/views.py": view})
    assert _found(result) == [("app/views.py", 9, "TNT101")]  # at the call, not in the helper
