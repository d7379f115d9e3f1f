"""Per-statement positions agree exactly with PositionProvider over the whole module."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest
from libcst._nodes.base import CSTCodegenError

from tenantlint.analysis.source.offsets import code_offsets
from tenantlint.analysis.source.parse import decode
from tenantlint.analysis.source.positions import StatementPositions, preorder, whole_module_ranges

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
def g(rows):
    for r in rows:
        if r.a:  # c
            x = r.b(
                1)
        elif r.c:
            while r.d:
                r.e()
            else:
                pass
        else:
            with open(r) as fh, lock:
                fh.read()
    else:
        try:
            y = 1
        except (A, B) as exc:
            raise
        except C:  # c
            z = [q for q in rows]
        else:
            pass
        finally:
            done()
    if x: y = 2
    match rows:
        case [a, *rest]:
            return a
        case {"k": v}:
            return v
        case _:
            pass
    async with s as t:
        async for u in t:
            await u.v()
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
        for node in preorder(stmt):
            if node not in expected:
                continue  # libcst's visitors skip a few whitespace fields (MatchMapping's rest)
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


def _check_offsets(text: str) -> int:
    """The character-counting code generation gives PositionProvider's range for every node, and
    each node's code as ``code_for_node`` generates it (whitespace aside)."""
    try:
        module = cst.parse_module(text)
    except cst.ParserSyntaxError:
        return 0
    expected = whole_module_ranges(module)
    offsets = code_offsets(module)
    for node, rng in expected.items():
        assert offsets.range(node) == rng, (type(node).__name__, rng)
        source = offsets.source(node)
        if source is None:
            assert isinstance(node, cst.If)
            continue
        try:
            alone = module.code_for_node(node)
        except CSTCodegenError:
            continue  # a Param's default "=" is generated only inside its Parameters
        assert source.split() == alone.split(), type(node).__name__
    return len(expected)


def test_offsets_match_position_provider_and_code_for_node() -> None:
    assert _check_offsets(ODD) > 200
    assert _check_offsets(ODD.replace("\n", "\r\n")) > 200
    assert _check_offsets("x = 1") == len(whole_module_ranges(cst.parse_module("x = 1")))  # no newline


@pytest.mark.parametrize("path", FIXTURE_FILES[::3], ids=lambda p: str(p.relative_to(ROOT)))
def test_fixture_offsets_match_position_provider(path: Path) -> None:
    _check_offsets(decode(path.read_bytes()))


def test_node_order_independent() -> None:
    module = cst.parse_module(ODD)
    expected = whole_module_ranges(module)
    positions = StatementPositions(module, ODD)
    nodes = [n for stmt in module.body for n in preorder(stmt) if n in expected]
    for node in reversed(nodes):
        assert positions.range(node) == expected[node]


def test_hints_resolve_the_hinted_statement_and_wrong_hints_fall_back() -> None:
    module = cst.parse_module(ODD)
    expected = whole_module_ranges(module)
    g = next(s for s in module.body if isinstance(s, cst.FunctionDef) and s.name.value == "g")
    nodes = list(preorder(g))
    calls = [n for n in nodes if isinstance(n, cst.Call)]
    wrong = module.body[0]
    hints = {id(calls[0]): next(n for n in nodes if isinstance(n, cst.SimpleStatementLine)),
             id(calls[1]): wrong}
    positions = StatementPositions(module, ODD, hints=hints)
    for node in calls:
        assert positions.range(node) == expected[node]
    assert positions._whole is None


def test_statements_resolve_alone_at_any_depth() -> None:
    """A node deep inside ``for``/``if``/``try`` is resolved with its innermost statement, not the
    whole compound statement around it."""
    module = cst.parse_module(ODD)
    g = next(s for s in module.body if isinstance(s, cst.FunctionDef) and s.name.value == "g")
    done = next(n for n in preorder(g) if isinstance(n, cst.Name) and n.value == "done")
    positions = StatementPositions(module, ODD)
    positions.range(done)
    assert len(positions._done) == 1
    (path,) = positions._done
    assert len(path) == 4  # g -> for (its else) -> try (its finally) -> done()
    resolved = [n for found, _ in positions._resolved for n in preorder(found.module)
                if isinstance(n, cst.Name)]
    assert {n.value for n in resolved} == {"_", "done"}  # "_": the synthetic ``if _:`` wrappers


def _statements(node: cst.CSTNode) -> list[cst.BaseStatement]:
    return [n for n in preorder(node) if isinstance(n, cst.BaseStatement)]


def test_line_of_a_statement_or_a_hinted_node_needs_no_code_generation() -> None:
    """``line``: a statement's first line (after its decorators), a hinted node's statement line, a
    call in a decorator the decorator's line; all from CPython's tree, nothing resolved."""
    module = cst.parse_module(ODD)
    expected = whole_module_ranges(module)
    hints: dict[int, cst.CSTNode] = {}
    for stmt in _statements(module):
        if isinstance(stmt, cst.SimpleStatementLine):
            for node in preorder(stmt):
                if isinstance(node, cst.Call):
                    hints[id(node)] = stmt
        for decorator in getattr(stmt, "decorators", ()):
            for node in preorder(decorator):
                if isinstance(node, cst.Call):
                    hints[id(node)] = decorator
    positions = StatementPositions(module, ODD, hints=hints)
    # an ``elif`` is part of its ``if`` (no path of its own): its statements are resolved instead
    in_elif = {id(n) for s in _statements(module) if isinstance(s, cst.If) and isinstance(s.orelse, cst.If)
               for n in preorder(s.orelse)}
    for stmt in _statements(module):
        if id(stmt) in in_elif:
            continue
        assert positions.line(stmt) == expected[stmt].start.line, cst.Module(body=[]).code_for_node(stmt)
    decorated = next(s for s in module.body if isinstance(s, cst.FunctionDef) and s.name.value == "f")
    call = decorated.decorators[0].decorator
    assert positions.line(call) == expected[call].start.line == 9
    assert not positions._resolved and positions._whole is None
    statement_of = {id(n): s for s in _statements(module) if isinstance(s, cst.SimpleStatementLine)
                    for n in preorder(s)}
    for key, stmt in hints.items():
        if isinstance(stmt, cst.SimpleStatementLine):
            node = next(n for n in preorder(stmt) if id(n) == key)
            assert positions.line(node) == expected[statement_of[key]].start.line
    assert len(positions._resolved) <= 1  # only the statement in the ``elif``


def _many_findings(views: int, small_first: bool) -> tuple[cst.Module, str, dict[int, cst.CSTNode],
                                                          list[cst.Call]]:
    """``views`` calls (the findings): with ``small_first``, each in the first of the four
    statements of a function, else all of one function's statements."""
    rest = ("    total = sum(r.id for r in rows if r.number == 'some long literal text here')\n"
            "    more = [(a, b, c) for a, b, c in zip(rows, rows, rows) if a and b and c]\n"
            "    return {'rows': list(rows), 'total': total, 'more': more, 'n': 123456}\n")
    if small_first:
        text = "import x\n" + "".join(f"\n\ndef view{i}(request, number):\n    rows = x.f(number={i})\n"
                                      + rest for i in range(views))
    else:
        text = "import x\n\n\ndef view(request):\n" + "".join(f"    rows{i} = x.f(number={i})\n"
                                                                for i in range(views))
    module = cst.parse_module(text)
    hints: dict[int, cst.CSTNode] = {}
    calls: list[cst.Call] = []
    for fn in module.body:
        if isinstance(fn, cst.FunctionDef) and isinstance(fn.body, cst.IndentedBlock):
            for stmt in fn.body.body[:1] if small_first else fn.body.body:
                call = next(n for n in preorder(stmt) if isinstance(n, cst.Call))
                hints[id(call)] = stmt
                calls.append(call)
    return module, text, hints, calls


@pytest.mark.parametrize("small_first", [True, False])
def test_many_findings_resolve_alone_when_their_statements_are_a_small_part(small_first: bool) -> None:
    """Past MAX_STATEMENTS, statements are still resolved one at a time when they hold a small part
    of the code (the first of four statements of each view), else the whole module at once; the
    spans are libcst's either way."""
    import tenantlint.analysis.source.positions as positions_module

    views = positions_module.MAX_STATEMENTS + 44
    module, text, hints, calls = _many_findings(views, small_first)
    expected = whole_module_ranges(module)
    positions = StatementPositions(module, text, hints=hints, quick=False)  # calls by code generation
    positions.expect(calls)
    assert [positions.range(c) for c in calls] == [expected[c] for c in calls]
    assert (positions._whole is None) is small_first
    assert len(positions._resolved) == (views if small_first else 0)
    for node in (n for n in preorder(module.body[-1]) if n in expected):  # any other node: exact too
        assert positions.range(node) == expected[node]


@pytest.mark.parametrize("small_first", [True, False])
def test_many_calls_need_no_code_generation(small_first: bool) -> None:
    """Calls of simple statement lines are read from CPython's tree of their statement: however
    many, no code is generated, and their spans and code are libcst's."""
    module, text, hints, calls = _many_findings(300, small_first)
    expected = whole_module_ranges(module)
    positions = StatementPositions(module, text, hints=hints)
    positions.expect(calls)
    assert [positions.range(c) for c in calls] == [expected[c] for c in calls]
    assert positions._whole is None and not positions._resolved
    assert [positions.source(c) for c in calls] == [module.code_for_node(c) for c in calls]


QUICK = '''\
import x
def f(a):
    r = x.f(a, k=g(1))[h()] ; s = (x.p(2))
    t = x.q() if u(3) else v(4)
    w = "é€" + x.z(é(1), "€", 2) + y.z(
        b,  # comment
        c)
    l = lambda q=m(): n(q)
    s = f"{a.b()}" + c.d()
    k = [i.j() for i in o.p() if i.q()]
    @dec(e())
    def g(): return h.i()
    if a.b(): c.d()
    print(x.y(), *z.w(), **v.u())
'''


@pytest.mark.parametrize("kept", [False, True])
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_quick_call_spans_match_position_provider(newline: str, kept: bool) -> None:
    """Source order (an ``if``-expression's body before its test), non-ASCII columns, several
    statements on a line, comments, lambdas, comprehensions: CPython's spans are libcst's. An
    f-string, a parenthesised call (its code has the parentheses), a decorator or a one-line body
    answer nothing quick, and are generated as before. ``kept``: the spans come from the call keys
    the skeleton kept from the whole text's tree (``statement_skeleton(calls=True)``), no statement
    is parsed again (only the one with an f-string, which keeps none)."""
    import ast
    from unittest import mock

    from tenantlint.analysis.source import positions as positions_module
    from tenantlint.analysis.source.positions import statement_skeleton

    text = QUICK.replace("\n", newline)
    module = cst.parse_module(text)
    expected = whole_module_ranges(module)
    tree = statement_skeleton(ast.parse(text), calls=True) if kept else None
    positions = StatementPositions(module, text, tree)
    calls = [n for n in preorder(module) if isinstance(n, cst.Call)]
    parse_again = mock.patch.object(positions_module, "statement_call_spans",
                                    wraps=positions_module.statement_call_spans)
    with parse_again as parsed:
        quick = [c for c in calls if positions._quick_range(c) is not None]
    if kept:
        assert parsed.call_count == 1  # the f-string's line only
    names = {cst.Module(body=[]).code_for_node(c.func) for c in quick}
    assert names == {"x.f", "g", "h", "x.q", "u", "v", "x.z", "é", "y.z", "m", "n", "i.j", "o.p", "i.q",
                     "print", "x.y", "z.w", "v.u"}
    for c in calls:
        assert positions.range(c) == expected[c], cst.Module(body=[]).code_for_node(c)
        assert " ".join(str(positions.source(c)).split()) == " ".join(module.code_for_node(c).split())


def test_quick_call_spans_refuse_a_mismatch() -> None:
    """When CPython's calls of the statement do not pair with libcst's (another callee, another
    number of arguments), the statement answers nothing quick."""
    from tenantlint.analysis.source.call_spans import statement_call_spans

    module = cst.parse_module("a = f(1) + g(2)\n")
    stmt = module.body[0]
    assert isinstance(stmt, cst.SimpleStatementLine)
    assert statement_call_spans(stmt, "a = f(1) + g(2)\n", 1, 1, [0, 16]) is not None
    assert statement_call_spans(stmt, "a = f(1) + h(2)\n", 1, 1, [0, 16]) is None
    assert statement_call_spans(stmt, "a = f(1) + g(2, 3)\n", 1, 1, [0, 19]) is None


def test_kept_call_keys_match_position_provider_on_every_fixture() -> None:
    """Spans of calls read from the keys the skeleton kept (``statement_skeleton(calls=True)``, a
    large text's handoff) are PositionProvider's, on every call of every fixture file."""
    import ast

    from tenantlint.analysis.source.positions import statement_skeleton

    checked = 0
    for path in FIXTURE_FILES:
        text = decode(path.read_bytes())
        try:
            module = cst.parse_module(text)
            tree = ast.parse(text)
        except (cst.ParserSyntaxError, SyntaxError):
            continue
        expected = whole_module_ranges(module)
        positions = StatementPositions(module, text, statement_skeleton(tree, calls=True))
        for node in preorder(module):
            if isinstance(node, cst.Call) and positions._quick_range(node) is not None:
                assert positions.range(node) == expected[node], (path.name, expected[node])
                checked += 1
    assert checked > 1000
