"""A queryset passed into a helper: the rows of its rows (``analysis/interp/signatures.row_params``,
``analysis/interp/calls.scoped_queryset``)."""

from __future__ import annotations

from pathlib import Path

from tests.test_crossfn import found, run

LINES = """
from django.db import models

from app.models import Invoice


class Line(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE)
    sku = models.CharField(max_length=20)


def lines_of(invoices: models.QuerySet, sku):
    return list(Line.objects.filter(invoice_id__in=invoices.values_list("id", flat=True), sku=sku))


def lines_of_ids(invoice_ids: list[int], sku):
    return list(Line.objects.filter(invoice_id__in=invoice_ids, sku=sku))
"""


def test_a_queryset_parameter_with_no_call_site_holds_rows_not_ids(tmp_path: Path) -> None:
    result = run(tmp_path, {"app/lines.py": LINES})
    # The queryset's own query is judged where it is built; a list of ids may be anyone's.
    assert found(result) == [("app/lines.py", 16, "TNT101")]


def test_a_call_passing_a_scoped_queryset_is_confined(tmp_path: Path) -> None:
    result = run(tmp_path, {"app/lines.py": LINES, "app/views.py": """
        from app.lines import lines_of
        from app.models import Invoice


        def mine(request):
            invoices = Invoice.objects.filter(org=request.user.org)
            return lines_of(invoices, request.GET["sku"])


        def chosen(request):
            invoices = Invoice.objects.filter(pk__in=request.GET.getlist("ids"))
            return lines_of(invoices, request.GET["sku"])
        """})
    # The unscoped queryset is reported where it is built, and the call reading its lines (at the
    # request input it passes); the scoped one confines the helper at its call.
    assert found(result) == [("app/lines.py", 16, "TNT101"), ("app/views.py", 11, "TNT101"),
                             ("app/views.py", 12, "TNT101")]
