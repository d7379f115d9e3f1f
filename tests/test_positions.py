"""Per-statement positions agree exactly with PositionProvider over the whole module."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest

from tenantlint.analysis.positions import StatementPositions, subtree, whole_module_ranges
from tenantlint.analysis.source import decode

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_FILES = sorted((ROOT / "fixtures").rglob("*.py"))

ODD = '''\
# header comment

import os ; import sys
x = 1 ;  y = (2 +
   3)


# leading comment
@decorator(
    arg)

@other
def f(a,
      b):  # trailing
    return a.b(c)[d]
    # block footer


class C(Base):
    \"\"\"Doc.\"\"\"

    def m(self): return self.x; pass
if x:
    pass
else:
    y = [i for i in range(3)]


class D(object):
    \"\"\"Doc.\"\"\"
    x = 1;  z = 2

    @property
    async def n(self):  # c
        # inside
        def inner():
            return (
                1)
        class E: pass
        return inner
    # class footer
# module footer
'''


def _check(text: str) -> int:
    try:
        module = cst.parse_module(text)
    except cst.ParserSyntaxError:
        return 0
    expected = whole_module_ranges(module)
    positions = StatementPositions(module, text)
    count = 0
    for stmt in module.body:
        for node in subtree(stmt):
            assert positions.range(node) == expected[node], (type(node).__name__, expected[node])
            count += 1
    assert positions._whole is None  # never fell back to the whole-module provider
    return count


def test_tricky_layout_matches_position_provider() -> None:
    assert _check(ODD) > 50
    assert _check(ODD.replace("\n", "\r\n")) > 50


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_fixture_spans_match_position_provider(path: Path) -> None:
    _check(decode(path.read_bytes()))


def test_node_order_independent() -> None:
    module = cst.parse_module(ODD)
    expected = whole_module_ranges(module)
    positions = StatementPositions(module, ODD)
    nodes = [n for stmt in module.body for n in subtree(stmt)]
    for node in reversed(nodes):
        assert positions.range(node) == expected[node]
