"""A row written before its check is not checked after the fetch (``interp/written_rows.py``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.small_project import flagged_lines

MODELS = """
from django.db import models


class Org(models.Model):
    name = models.CharField(max_length=40)


class Invoice(models.Model):
    org = models.ForeignKey(Org, on_delete=models.CASCADE)
    title = models.CharField(max_length=80)
"""

VIEW = """
from django.core.exceptions import PermissionDenied

from .models import Invoice


def view(request, invoice_id):
    invoice = Invoice.objects.get(id=invoice_id)
    {before}
    if invoice.org_id != request.user.org_id:
        raise PermissionDenied
    {after}
    return invoice.title
"""


def _flagged(tmp_path: Path, before: str, after: str) -> list[int]:
    return flagged_lines(tmp_path, 'tenant_columns = ["org_id"]\nglobal_tables = ["Org"]\n', {
        "app/__init__.py": "", "app/models.py": MODELS,
        "app/views.py": VIEW.format(before=before, after=after)})


@pytest.mark.parametrize("write", ["invoice.save()", "invoice.delete()", "session.delete(invoice)",
                                   "invoice.delete_instance()"])
def test_a_write_before_the_check_spends_the_row(tmp_path: Path, write: str) -> None:
    assert _flagged(tmp_path, write, "pass") == [7]


@pytest.mark.parametrize("before", ["invoice.title = 'x'", "print(invoice.title)", "pass"])
def test_the_check_still_scopes_without_a_write_before_it(tmp_path: Path, before: str) -> None:
    assert _flagged(tmp_path, before, "invoice.save()") == []
