"""Long arithmetic chains are built by analysis/source/chains.py node for node as libcst parses them."""

from __future__ import annotations

import ast
import time

import libcst as cst
import pytest

from tenantlint.analysis.source import chains
from tenantlint.analysis.source.parse import parse


def _join(op: str, term: str, n: int) -> str:
    return op.join(term.format(i=i) for i in range(n))


CASES = [
    "x = " + _join(" + ", "Invoice.objects.count()", 200) + "\n",
    "def f(a):\n    return " + _join(" - ", "a[{i}]", 100) + "\n",
    "x = (" + _join("+", "y", 80) + ")\n",  # the whole chain in parentheses, no blanks
    "x = f(" + _join(" * ", "g(h, 'é{i}')", 70) + ", 2)\n",  # non-ASCII text in operands
    "x = " + _join(" | ", "A.b", 30) + " + " + _join(" // ", "-c", 70) + " ** 2\n",  # mixed levels
    "x = " + _join(" @ ", "m", 70) + " & " + _join(" << ", "1", 70) + " ^ "
    + _join(" % ", "'s' 't'", 70) + "\n",
    "x = [" + _join(" + ", "[{i}]", 65) + ", " + _join(" >> ", "q", 65) + "]\n",  # two chains on a line
    "class A:\n    y = " + _join("\t+  ", "b.c(d=1)", 90) + "  # trailing\n",
    # left to libcst's parser: parentheses inside the chain, an f-string, several lines
    "x = " + _join(" + ", "(a)", 70) + "\n",
    "x = (" + _join(" + ", "a", 40) + ") + " + _join(" + ", "b", 40) + "\n",
    "x = f'{" + _join(" + ", "a", 70) + "}'\n",
    "x = (" + _join(" +\n  ", "a", 70) + ")\n",
    "x = " + _join(" + ", "a", 70) + " if c else " + _join(" - ", "b", 70) + "\n",
    "_tenantlint_chain_0 = " + _join(" + ", "_tenantlint_chain_0", 70) + "\n",
    "x = " + _join(" + ", "a", 63) + "\n",  # below the threshold
    # characters str.splitlines() takes for line ends, the tokenizer does not
    "s = '\x0c\u2028\x85'\x0c\nx = " + _join(" + ", "a", 70) + "\r\ny = 1\n",
]


@pytest.mark.parametrize("text", CASES)
def test_tree_is_the_parsers(text: str) -> None:
    expected = cst.parse_module(text)
    tree = ast.parse(text)
    assert parse(text, accepted=True, tree=tree).deep_equals(expected)
    built = chains.parse_with_chains(text, tree, cst.parse_module)
    if built is not None:
        assert built.deep_equals(expected)
        assert built.code == text


def test_chains_are_built_where_exact() -> None:
    built = [chains.parse_with_chains(t, ast.parse(t), cst.parse_module) is not None for t in CASES]
    assert built == [True] * 8 + [False, False, False, False, True, True, False, True]


def test_wide_chain_is_linear() -> None:
    def cost(n: int) -> float:
        text = "def view(request):\n    return " + _join(" + ", "Invoice.objects.count()", n) + "\n"
        start = time.process_time()
        parse(text, accepted=True, tree=ast.parse(text))
        return time.process_time() - start

    # libcst's own parse of 2,000 such calls: ~10 s (superlinear); built here: ~0.1 s
    assert cost(2000) < 2.0


def test_statement_skeleton_is_enough() -> None:
    from tenantlint.analysis.source.positions import statement_skeleton

    nested = "class A:\n    def f(self):\n        if x:\n            return " + _join(" + ", "a", 70) + "\n"
    for text in [*CASES, nested]:
        tree = ast.parse(text)
        whole = chains.parse_with_chains(text, tree, cst.parse_module)
        bare = chains.parse_with_chains(text, statement_skeleton(tree), cst.parse_module)
        assert (whole is None) == (bare is None)
        if bare is not None:
            assert bare.deep_equals(cst.parse_module(text))
