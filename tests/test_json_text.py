"""The JSON reporter's writer is ``json.dumps(doc, indent=2)`` byte for byte."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tenantlint.reporters.json_text import dumps_indented

DOCS: list[Any] = [
    {}, [], {"a": []}, {"a": {}}, [[]], [{}], {"": ""}, None, True, 0, -1, 1.5, "é\u202e\n\"\\",
    {"version": 1, "findings": [{"code": "TNT101", "line": 3, "trace": [], "table": None,
                                 "snippet": "Invoice.objects.all()  # \u00e9\ud800"}],
     "stats": {"files": 2, "seconds": 0.25}},
    {"nested": [[1, [2, {"x": (3, 4)}]], {"y": False}]},
    {1: "non-string key"}, {"nan": float("nan")}, {"inf": float("inf")}, {"big": 10 ** 30},
    {"float": 1e-7, "neg": -0.0}, ("tuple", "top"),
]


@pytest.mark.parametrize("doc", DOCS)
def test_same_as_json_dumps(doc: Any) -> None:
    assert dumps_indented(doc) == json.dumps(doc, indent=2)


def test_not_json_raises_as_json_dumps_does() -> None:
    with pytest.raises(TypeError):
        dumps_indented({"a": object()})


_SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | st.text()
_VALUES = st.recursive(_SCALARS, lambda inner: st.lists(inner, max_size=4)
                       | st.dictionaries(st.text(max_size=5), inner, max_size=4), max_leaves=30)


@settings(max_examples=300, deadline=None)
@given(_VALUES)
def test_any_document(doc: Any) -> None:
    assert dumps_indented(doc) == json.dumps(doc, indent=2)
