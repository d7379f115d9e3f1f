"""The cheap paths of issue 17's large inputs answer exactly what the paths they skip would."""

from __future__ import annotations

import ast

from tenantlint import prepass
from tenantlint.analysis.frameworks import route_index
from tenantlint.index import ast_util, schedules

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
