"""Dicts keyed by scoped ids (``analysis/interp/scoped_keys.py``): their keys stay scoped ids while
every key put in is one; the values, and a dict that took any other key, are ordinary values (the
fixture app ``django_scoped_ids``, ``chat/by_id.py``, holds the idioms as projects write them)."""

from __future__ import annotations

import pytest

from tenantlint.analysis.facts import Provenance
from tenantlint.analysis.interp import scoped_keys
from tenantlint.analysis.interp.values import DictValue, ScopedKeys, Value, worse
from tenantlint.analysis.settings import Settings
from tests.board_views import board_settings
from tests.board_views import flagged as view_flagged


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return board_settings(tmp_path_factory.mktemp("proj"))


def flagged(settings: Settings, body: str) -> bool:
    """Whether the last statement of ``f(request, extra)`` (a view) is reported."""
    return view_flagged(settings, body, "request, extra")


SCOPED = "rows = Board.objects.filter(org=request.user.org)\n"
COMP = SCOPED + "d = {b.id: b.name for b in rows}\n"
FILLED = SCOPED + "d = {}\nfor b in rows:\n    d[b.id] = b.name\n"


@pytest.mark.parametrize("body", [
    COMP + "return Board.objects.filter(id__in=d.keys())",
    COMP + "return Board.objects.filter(id__in=list(d))",
    COMP + "return Board.objects.filter(id__in=[k for k in d])",
    FILLED + "return Board.objects.filter(id__in=sorted(d))",
    FILLED + "d[rows[0].id] = 'x'\nreturn Board.objects.filter(id__in=set(d.keys()))",
    SCOPED + "d = {}\nif extra:\n    d = {b.id: b for b in rows}\n"
    "return Board.objects.filter(id__in=list(d))",
])
def test_keys_scoped(settings: Settings, body: str) -> None:
    assert not flagged(settings, body)


@pytest.mark.parametrize("body", [
    COMP + "return Board.objects.filter(id__in=d.values())",
    COMP + "d.update(request.GET)\nreturn Board.objects.filter(id__in=d.keys())",
    COMP + "d.setdefault(extra, 'x')\nreturn Board.objects.filter(id__in=list(d))",
    COMP + "d |= {extra: 1}\nreturn Board.objects.filter(id__in=list(d))",
    FILLED + "d[extra] = 'x'\nreturn Board.objects.filter(id__in=sorted(d))",
    FILLED + "d['total'] = 0\nreturn Board.objects.filter(id__in=sorted(d))",
    SCOPED + "d = {extra: 1}\nif extra:\n    d = {b.id: b for b in rows}\n"
    "return Board.objects.filter(id__in=list(d))",
    "d = {b.id: b for b in Board.objects.all()}\nreturn Board.objects.filter(id__in=list(d))",
    "d = {i: 1 for i in request.GET.getlist('ids')}\nreturn Board.objects.filter(id__in=list(d))",
])
def test_keys_not_scoped(settings: Settings, body: str) -> None:
    assert flagged(settings, body)


def test_values() -> None:
    ids = Value(Provenance.trusted("ids"), scoped_row_of="t", row_key=True)
    keyed = scoped_keys.comprehended(ids, Value())
    assert isinstance(keyed, ScopedKeys) and scoped_keys.keys_of(keyed) == Value(ids.prov, scoped_row_of="t",
                                                                                 row_key=True)
    assert scoped_keys.comprehended(Value(), Value()) is None
    assert scoped_keys.comprehended(ids, Value(Provenance.untrusted("form"))) is None
    empty = DictValue(empty=True)
    assert scoped_keys.assigned(empty, ids) is not None
    assert scoped_keys.assigned(DictValue(), ids) is None  # ``{x: 1}``: not known to be empty
    assert type(scoped_keys.assigned(keyed, Value())) is Value
    assert worse(empty, keyed) is keyed and worse(keyed, empty) is keyed
    assert type(worse(keyed, DictValue())) is Value
    assert scoped_keys.key_grown(keyed, "update", [Value()]) == Value(keyed.prov)
    assert scoped_keys.key_grown(keyed, "setdefault", [ids]) is None
    returned = scoped_keys.returned_keys("t", "mod.helper")
    assert (scoped_keys.keys_of(returned) or Value()).scoped_row_of == "t"


@pytest.mark.parametrize("body", [
    COMP + "ids = []\nfor k, v in d.items():\n    ids.append(k)\nreturn Board.objects.filter(id__in=ids)",
    COMP + "return Board.objects.filter(id__in=[k for k, _ in sorted(d.items())])",
])
def test_items_keys_scoped(settings: Settings, body: str) -> None:
    assert not flagged(settings, body)


@pytest.mark.parametrize("body", [
    COMP + "return Board.objects.filter(id__in=[v for _, v in d.items()])",
    COMP + "return Board.objects.filter(id__in=list(d.items()))",
    SCOPED + "d = {b.name: b for b in rows}\nreturn Board.objects.filter(name__in=[k for k, _ in d.items()])",
])
def test_items_not_scoped(settings: Settings, body: str) -> None:
    assert flagged(settings, body)
