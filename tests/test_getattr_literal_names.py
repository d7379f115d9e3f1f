"""``getattr(self, name)`` by a name that can only be a literal or a mapped column's key names no
method (``index/string_names.py``): it is not counted as a computed ``getattr``."""

from __future__ import annotations

import ast
import textwrap

import pytest

from tenantlint.crossfn.records import DYNAMIC
from tenantlint.prepass import name_counts


def _dynamic(code: str) -> dict[str, int]:
    counts = dict(name_counts(ast.parse(textwrap.dedent(code))))
    return {k: v for k, v in counts.items() if k.startswith(DYNAMIC)}


@pytest.mark.parametrize("body", [
    # a comprehension over a local bound once to a list of literals
    """
    fields = ["name", "description"]
    return {a: getattr(self, a) for a in fields}
    """,
    # a comprehension over the literal list itself
    """
    return [getattr(self, a) for a in ("name", "description")]
    """,
    # the keys of a mapper's column properties
    """
    for attr in inspect(self.__class__).column_attrs:
        self._clean[attr.key] = getattr(self, attr.key, None)
    """,
])
def test_a_getattr_by_a_literal_or_column_name_is_not_computed(body: str) -> None:
    code = "class Query:\n    def fork(self):\n" + textwrap.indent(textwrap.dedent(body), "        ")
    assert _dynamic(code) == {}


@pytest.mark.parametrize("body", [
    # the list is added to: any name may be in it
    """
    fields = ["name"]
    fields.append(other)
    return {a: getattr(self, a) for a in fields}
    """,
    # bound twice
    """
    fields = ["name"]
    fields = names()
    return {a: getattr(self, a) for a in fields}
    """,
    # a parameter's entries
    """
    return {a: getattr(self, a) for a in fields}
    """,
    # ``key`` of a loop over something else
    """
    for attr in self.exported:
        getattr(self, attr.key)()
    """,
])
def test_a_getattr_by_any_other_name_is_computed(body: str) -> None:
    head = "class Query:\n    def fork(self, fields=()):\n"
    code = head + textwrap.indent(textwrap.dedent(body), "        ")
    assert _dynamic(code) == {DYNAMIC + "Query": 1}
