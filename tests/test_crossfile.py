"""Cross-file facts: one record, one merge (path order, later wins), one hash over every field."""

from __future__ import annotations

from dataclasses import fields, replace

import pytest

from tenantlint.crossfile import EMPTY, CrossFileFacts
from tenantlint.scan import FileScan, merge

FIELDS = [f.name for f in fields(CrossFileFacts)]


def _with(name: str, key: str, value: str) -> CrossFileFacts:
    if isinstance(getattr(EMPTY, name), frozenset):
        return replace(EMPTY, **{name: frozenset({key})})
    if isinstance(getattr(EMPTY, name), tuple):
        return replace(EMPTY, **{name: (key,)})
    return replace(EMPTY, **{name: {key: value}})


@pytest.mark.parametrize("name", FIELDS)
def test_merge_keeps_every_field_and_later_files_win(name: str) -> None:
    merged = CrossFileFacts.merge([_with(name, "a", "1"), _with(name, "b", "2"), _with(name, "a", "3")])
    got = getattr(merged, name)
    if isinstance(got, frozenset):
        assert got == {"a", "b"}
    elif isinstance(got, tuple):
        assert got == ("a", "b", "a")
    elif next(f for f in fields(CrossFileFacts) if f.name == name).metadata.get("merge") == "join":
        assert dict(got) == {"a": "1|3", "b": "2"}
    else:
        assert dict(got) == {"a": "3", "b": "2"}
    others = [getattr(merged, n) for n in FIELDS if n != name]
    assert not any(others)


@pytest.mark.parametrize("name", FIELDS)
def test_every_field_is_in_the_hash(name: str) -> None:
    assert _with(name, "a", "1").hash_parts() != EMPTY.hash_parts()
    assert _with(name, "a", "1").hash_parts() == _with(name, "a", "1").hash_parts()


def test_the_scan_merge_folds_models_and_facts_in_path_order() -> None:
    scans = [FileScan((), _with("sql_constants", "m.Q", "SELECT 1")),
             FileScan((), _with("sql_constants", "m.Q", "SELECT 2"))]
    assert dict(merge(scans).facts.sql_constants) == {"m.Q": "SELECT 2"}
