"""A helper returning a tuple: each element's kind, as every ``return`` agrees on it."""

from __future__ import annotations

from tenantlint.analysis.facts import Provenance
from tenantlint.analysis.interp.returns import return_kind, returned_value
from tenantlint.analysis.interp.values import ReturnedTuple, SeqValue, Value

_ROWS = Value(Provenance.trusted("rows of chat_message"), scoped_row_of="chat_message")
_ROW = Value(Provenance.trusted("row of chat_stream"), scoped_row_of="chat_stream")


def test_each_element_keeps_its_kind() -> None:
    kind = return_kind([SeqValue(items=(_ROWS, Value())), SeqValue(items=(_ROWS, Value(), ))])
    assert kind == "tuple:row:chat_message|"
    value = returned_value(kind, "topic.move")
    assert isinstance(value, ReturnedTuple)
    assert value.items[0].scoped_row_of == "chat_message" and value.items[0].trusted
    assert not value.items[1].scoped_row_of and not value.items[1].trusted


def test_returns_that_disagree_leave_that_element_unknown() -> None:
    kind = return_kind([SeqValue(items=(_ROWS, _ROW)), SeqValue(items=(Value(), _ROW))])
    assert kind == "tuple:|row:chat_stream"


def test_request_input_lengths_and_spreads_give_no_tuple_kind() -> None:
    url = Value(Provenance.untrusted("URL"))
    assert return_kind([SeqValue(items=(_ROWS, url))]) in ("", "untrusted:URL")
    assert return_kind([SeqValue(items=(_ROWS, Value())), SeqValue(items=(_ROWS,))]) == ""
    assert return_kind([SeqValue(items=(_ROWS, Value()), open_ended=True)]) == ""
    assert return_kind([SeqValue(items=(Value(), Value()))]) == ""
