"""A helper whose ``return``s give scoped rows of one table, some its own queryset and some another
helper's (``interp/returns.py``, ``rows_of_one_table``): its callers hold scoped rows of that table
(the fixture app ``django_stream_helpers`` holds the idiom as projects write it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tenantlint.analysis.facts import Provenance
from tenantlint.analysis.interp.returns import return_kind, returned_value, rows_of_one_table
from tenantlint.analysis.interp.values import SeqValue, Value
from tests.test_crossfn import found, run


@pytest.mark.parametrize(("kinds", "kind"), [
    ({"row:chat_stream", "rows:chat_stream"}, "rows:chat_stream"),
    ({"row:chat_stream", "rows:chat_userprofile"}, ""),
    ({"rows:chat_stream", "rows:chat_userprofile"}, ""),
    ({"row:chat_stream", ""}, ""),
    ({"rows:chat_stream", "untrusted:URL"}, ""),
    ({"row:chat_stream", "rows:chat_stream", "row:chat_userprofile"}, ""),
    ({"keys:chat_stream", "rows:chat_stream"}, ""),
])
def test_only_rows_of_one_table_agree(kinds: set[str], kind: str) -> None:
    assert rows_of_one_table(kinds) == kind


def test_a_plain_value_beside_scoped_ids_gives_nothing() -> None:
    scoped = Value(Provenance.trusted("ids of chat_stream rows"), scoped_row_of="chat_stream")
    assert return_kind([scoped, scoped]) == "row:chat_stream"
    assert return_kind([scoped, Value()]) == ""
    assert return_kind([SeqValue(items=(scoped, Value())), SeqValue(items=(Value(), Value()))]) == ""
    value = returned_value("rows:chat_stream", "streams.get_all_streams")
    assert value is not None and value.trusted and value.scoped_row_of == "chat_stream"


HELPERS = """
from app.models import Invoice


def open_invoices(org):
    return Invoice.objects.filter(org=org, number__startswith="O")


def all_invoices(org, include_closed=True):
    if not include_closed:
        return open_invoices(org)
    return Invoice.objects.filter(org=org)


def listed_invoices(org, include_closed=True):
    if not include_closed:
        return open_invoices(org)
    return Invoice.objects.all()


def counted_invoices(org, include_closed=True):
    if not include_closed:
        return open_invoices(org), "open"
    return Invoice.objects.filter(org=org), "all"
"""

CALLERS = """
from app.helpers import all_invoices, counted_invoices, listed_invoices
from app.models import Invoice


def renumber(org):
    ids = [i.id for i in all_invoices(org)]
    Invoice.objects.filter(id__in=ids).update(number="")


def renumber_listed(org):
    ids = [i.id for i in listed_invoices(org)]
    Invoice.objects.filter(id__in=ids).update(number="")


def renumber_counted(org):
    invoices, label = counted_invoices(org)
    Invoice.objects.filter(id__in=[i.id for i in invoices]).update(number=label)
"""


def test_callers_of_a_helper_mixing_its_own_and_another_helpers_rows(tmp_path: Path) -> None:
    result = run(tmp_path, {"app/helpers.py": HELPERS, "app/callers.py": CALLERS})
    assert found(result) == [("app/callers.py", 12, "TNT102"), ("app/helpers.py", 17, "TNT101")]
