"""The cheap paths of issue 17's large inputs answer exactly what the paths they skip would."""

from __future__ import annotations

import ast
from pathlib import Path

from tenantlint import prepass
from tenantlint.analysis.frameworks import route_index
from tenantlint.index import ast_util, schedules

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

SOURCE = '''
import os

class Outer:
    class Inner:
        def m(self):
            return self.x.y

def f(a, b=1):
    c = [x for x in a]
    def g():
        return lambda y: y + c
    return g

x = f(os.environ)
'''


def test_shared_walks_give_the_same_nodes_in_the_same_order() -> None:
    tree = ast.parse(SOURCE)
    roots = [tree, *tree.body]
    plain = [list(ast_util.walk(r)) for r in roots]
    stopped = [list(ast_util.walk_until(r, ast.ClassDef)) for r in roots]
    with ast_util.shared_walks(tree):
        for _ in range(2):  # listed the first time, read from the list the second
            assert [list(ast_util.walk(r)) for r in roots] == plain
            assert [list(ast_util.walk_until(r, ast.ClassDef)) for r in roots] == stopped
    assert not ast_util._SHARED


def test_shared_walks_nest_and_end() -> None:
    one, two = ast.parse("a = 1\n"), ast.parse("b = 2\n")
    with ast_util.shared_walks(one):
        with ast_util.shared_walks(two):
            assert id(two) in ast_util._SHARED and id(one) not in ast_util._SHARED
        assert id(one) in ast_util._SHARED
    assert not ast_util._SHARED


def test_every_hint_match_holds_a_hint_word() -> None:
    for call in ("include_router", *route_index.CALLS):
        assert any(word in call for word in route_index.HINT_WORDS), call
    for text in ("schedule", "periodic", "scheduled_job", "add_job", "cron", "every", "repeat_every",
                 "interval", "send_daily", "x_hourly", "a_minutely", "b_weekly", "c_monthly",
                 "d_nightly", "task(name='x')", "actor(queue='q', name='x')"):
        assert schedules.HINT.search(text), text
        assert any(word in text for word in schedules.HINT_WORDS), text


def test_hinted_prefilters_agree_with_the_regexes() -> None:
    texts = ["x = 1\n", "router.include_router(r)\n", "app.add_url_rule('/x', view_func=v)\n",
             "SELECT 1", "q = 'Update t set a = 1'", "with open(f) as g: pass", "ſelect", "deleted = 1",
             "@shared_task(name='x')\n", "every = 3", "run_daily()"]
    for text in texts:
        assert prepass._sql_hinted(text) == (prepass.SQL_HINT.search(text) is not None), text
        assert prepass._hinted(prepass.ROUTE_HINT, prepass.ROUTE_WORDS, text) == (
            prepass.ROUTE_HINT.search(text) is not None), text
        assert prepass._hinted(prepass.SCHEDULE_HINT, prepass.SCHEDULE_WORDS, text) == (
            prepass.SCHEDULE_HINT.search(text) is not None), text


def test_local_defs_of_a_function() -> None:
    fn = ast.parse("def f():\n    def g(): pass\n    class C: pass\n    if x:\n        def h(): pass\n"
                   "    try:\n        pass\n    except E:\n        def k(): pass\n"
                   "    y = lambda: 1\n    def outer():\n        def hidden(): pass\n").body[0]
    assert isinstance(fn, ast.FunctionDef)
    assert prepass._local_defs(fn) == {"g", "C", "h", "k", "outer"}


def test_add_pin_is_replace() -> None:
    from dataclasses import replace

    from tenantlint.analysis.facts import Provenance, Scoping
    from tenantlint.analysis.interp.values import Pin, QueryState

    prov = Provenance.trusted("request.user.org")
    state = QueryState((Pin(prov),), "weak", Scoping.SYSTEM_SCOPE, "why", prov, prov, frozenset({"p"}))
    pin = Pin(prov, Scoping.SCOPED_PARENT, "parent org")
    assert state.add_pin(pin) == replace(state, pins=(*state.pins, pin))
    assert QueryState().add_pin(pin) == QueryState(pins=(pin,))


def test_full_name_is_libcsts() -> None:
    import libcst as cst
    from libcst.helpers import get_full_name_for_node

    from tenantlint.analysis.interp.exprs import full_name

    module = cst.parse_module("@deco.x(1)\ndef f(): pass\nclass C: pass\n"
                              "a.b.c(d)[0].e\n(x + y).z\nq()[1]()\n")
    nodes: list[cst.CSTNode] = []

    class Collect(cst.CSTVisitor):
        def on_visit(self, node: cst.CSTNode) -> bool:
            nodes.append(node)
            return True

    module.visit(Collect())
    assert len(nodes) > 40
    for node in nodes:
        assert full_name(node) == get_full_name_for_node(node), node


def test_inert_finding_is_the_same_finding_when_nothing_is_escaped() -> None:
    from tenantlint.results import Finding, Span, Suppression
    from tenantlint.untrusted import inert_finding

    plain = Finding("TNT101", "m", "a.py", Span(1, 1, 1, 2), "t", "h", "x = 1\n  y",
                    Suppression("noqa", "ok"))
    assert inert_finding(plain) is plain
    odd = Finding("TNT101", "m\x1b", "a\u202e.py", Span(1, 1, 1, 2), "t\n", None, "x\ty\x00",
                  Suppression("tenantlint", "r\u2066"))
    out = inert_finding(odd)
    assert (out.message, out.path, out.table, out.snippet) == ("m\\x1b", "a\\u202e.py", "t\\n", "x\ty\\x00")
    assert out.suppression == Suppression("tenantlint", "r\\u2066")
    half = Finding("TNT101", "m", "a.py", Span(1, 1, 1, 2), suppression=Suppression("noqa", "r\x07"))
    assert inert_finding(half).suppression == Suppression("noqa", "r\\x07")


def test_with_state_is_replace() -> None:
    from dataclasses import replace

    from tenantlint.analysis.facts import Provenance
    from tenantlint.analysis.interp.values import QueryState, QueryValue
    from tenantlint.analysis.orm.sqlalchemy import SaQuery

    prov = Provenance.trusted("request.user.org")
    state = QueryState(weakened="under OR")
    q = QueryValue(prov, "org", True, True, ("id",), "path_id", None, None, QueryState(), True)
    assert q.with_state(state) == replace(q, state=state)
    assert type(q.with_state(state)) is QueryValue
    sa = SaQuery(prov, kind="delete", model="Invoice")  # a plug-in's query keeps its own fields
    assert sa.with_state(state) == replace(sa, state=state)
    assert type(sa.with_state(state)) is SaQuery


def test_every_evaluator_method_is_dispatched() -> None:
    from tenantlint.analysis.interp.evaluator import _EVAL_METHODS, Evaluator

    names = [name for name in dir(Evaluator) if name.startswith("_eval_")]
    assert len(names) > 20
    assert {f"_eval_{kind}": method for kind, method in _EVAL_METHODS.items()} == {
        name: getattr(Evaluator, name) for name in names}


def test_printable_text_is_visible_as_it_is() -> None:
    from tenantlint.untrusted import _INVISIBLE, _RANGES, visible

    # ``str.isprintable`` is False for every character the escapes cover, so skipping the search
    # for printable text changes nothing
    assert not any(chr(c).isprintable() for lo, hi in _RANGES for c in range(lo, hi + 1))
    text = "Invoice.objects.all() \u00e9\u4e2d"
    assert visible(text) is text and _INVISIBLE.search(text) is None
    assert visible("a\u202eb") == "a\\u202eb"
    assert visible("a\nb", keep_lines=True) == "a\nb" and visible("a\nb") == "a\\nb"


def test_quick_calls_in_source_order() -> None:
    from tenantlint.analysis.source.call_spans import _ast_calls

    tree = ast.parse("x = f(g(1), h(2)).k(y=m())\nn()\n")
    calls = _ast_calls([tree])
    assert calls is not None
    assert [ast.unparse(c.func) for c in calls] == ["f(g(1), h(2)).k", "f", "g", "h", "m", "n"]
    assert _ast_calls([ast.parse("x = f'{g()}'\n")]) is None


def test_bool_words_count_as_the_word_regex() -> None:
    import re

    from tenantlint.analysis.source.parse import bool_words

    words = re.compile(r"\b(?:and|or)\b")
    texts = ["", "and", "or", "a and b or c", "for x in order: android or_ _or oror andor",
             "x=1and 2 or(y)", "élan and\u00e9or or\u00e9 \u00e9or \u4e2dand", "and\nor\tand",
             "band sand oral or_else", "1or 2and"]
    texts += [p.read_text() for p in sorted(FIXTURES.glob("*/**/*.py"))[:200]]
    for text in texts:
        assert bool_words(text) == len(words.findall(text)), text[:60]
