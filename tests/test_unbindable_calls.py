"""A spelling of a helper's name in a call that cannot bind to its signature is no call of it
(``crossfn/shapes.py``, ``crossfn/unbindable.py``): the pre-pass counts each call's shape, a summary
holds its function's signature, a resolved site its call's shape, and the caller set is compared
without those calls."""

from __future__ import annotations

import ast
import textwrap

import libcst as cst
import pytest

from tenantlint.analysis.interp.method_refs import NOT_PROJECT, ON_CLASS
from tenantlint.analysis.interp.signatures import bare_spelling, call_signature, cst_shape
from tenantlint.crossfn.combine import Project
from tenantlint.crossfn.records import BARE, LOCAL_DEF, ON_OBJECT
from tenantlint.crossfn.shapes import MARKS, SHAPE, ast_shape, binds, is_method, make_signature
from tenantlint.prepass import name_counts
from tenantlint.results import FileResult, Site, Summary

SEARCH = make_signature([("term", False), ("group_ids", False), ("limit", True)], 0, [], False, False,
                        False, True).text()  # a classmethod ``search(cls, term, group_ids, limit=None)``


def _shape(code: str) -> str:
    call = ast.parse(code, mode="eval").body
    assert isinstance(call, ast.Call)
    return ast_shape(call)


@pytest.mark.parametrize(("call", "ok"), [
    ("x.search(t, ids)", True),
    ("x.search(t, group_ids=ids, limit=3)", True),
    ("x.search(term=t, group_ids=ids)", True),
    ("conn.search(base, flt, attributes=['mail'])", False),  # no such parameter
    ("rows.search(t, sort=True)", False),  # ``sort``: no parameter (and group_ids missing)
    ("x.search(a, b, c, d)", False),  # more positional arguments than it takes
    ("it.search('TableList[]')", False),  # group_ids missing
    ("x.search()", False),
    ("x.search(t, term=t)", False),  # bound twice
    ("x.search(*args)", True),  # a spread may bind anything
    ("x.search(**kwargs)", True),
    ("x.search(t, **kwargs)", True),
    ("x.search(*args, sort=True)", False),  # ... but no spread takes an unknown keyword written beside it
    ("x.search(a, b, c, d, *more)", False),
])
def test_binds(call: str, ok: bool) -> None:
    assert binds(SEARCH, _shape(call)) is ok


def test_unknown_signature_or_shape_binds() -> None:
    assert binds("", _shape("x.f(a=1)")) and binds(SEARCH, "")


def test_varargs_and_kwargs_of_the_function() -> None:
    sig = make_signature([("a", False)], 0, [("key", False)], True, True, False, False).text()
    assert binds(sig, _shape("f(1, 2, 3, key=1, other=2)"))
    assert not binds(sig, _shape("f(1, 2)"))  # keyword-only ``key`` missing
    posonly = make_signature([("a", False), ("b", True)], 1, [], False, False, False, False).text()
    assert binds(posonly, _shape("f(1, b=2)")) and not binds(posonly, _shape("f(a=1)"))


def test_an_instance_method_called_on_its_class_passes_self() -> None:
    save = make_signature([("force", True)], 0, [], False, False, True, True).text()
    assert binds(save, _shape("Base.save(self, True)"))  # unbound: self first
    assert binds(save, _shape("obj.save(True)"))
    assert not binds(save, _shape("obj.save(1, 2, 3)"))
    assert is_method(save) and not is_method("")


@pytest.mark.parametrize("call", [
    "f()", "x.f(1, 2)", "x.f(a, *b, c, k=1)", "f(**kw)", "x.y.f(1, b=2, a=3, **kw)", "f(*a, **k)",
])
def test_ast_and_libcst_shapes_agree(call: str) -> None:
    node = cst.parse_expression(call)
    assert cst_shape(node, "f") == _shape(call)


def test_libcst_shape_only_of_a_call_spelling_the_name() -> None:
    assert cst_shape(cst.parse_expression("task.delay(1)"), "task") == ""
    assert cst_shape(cst.parse_expression("helper"), "helper") == ""
    assert bare_spelling(cst.parse_expression("helper(1)")) and bare_spelling(cst.parse_expression("helper"))
    assert not bare_spelling(cst.parse_expression("m.helper(1)"))


def _signature(code: str, method: bool) -> str:
    module = cst.parse_module(textwrap.dedent(code))
    fn = module.body[0]
    assert isinstance(fn, cst.FunctionDef)
    names = [cst.Module([]).code_for_node(d.decorator) for d in fn.decorators]
    return call_signature(fn, names, method)


def test_call_signature() -> None:
    assert _signature("@classmethod\ndef search(cls, term, group_ids, limit=None): pass", True) == SEARCH
    static = _signature("@staticmethod\ndef f(a, *, b): pass", True)
    assert binds(static, _shape("X.f(1, b=2)")) and not binds(static, _shape("X.f(1)"))
    plain = _signature("def f(a, b=1, *args, **kw): pass", False)
    assert binds(plain, _shape("f(1, 2, 3, c=4)")) and not is_method(plain)


def test_a_tracing_wrapper_keeps_the_signature_and_the_callers() -> None:
    from tenantlint.analysis.interp.signatures import function_fact

    code = "@sentry_sdk.trace\ndef f(a, b=1): pass"
    assert _signature(code, False) == _signature("def f(a, b=1): pass", False)
    fn = cst.parse_module(code).body[0]
    assert isinstance(fn, cst.FunctionDef)
    assert not function_fact(fn, "app.f", ["a", "b"], None, ["sentry_sdk.trace"], frozenset()).open
    assert function_fact(fn, "app.f", ["a", "b"], None, ["app.trace"], frozenset()).open


@pytest.mark.parametrize("code", [
    "@property\ndef f(self): pass",  # a property's spelling is no call of it
    "@register\ndef f(a): pass",  # a decorator may change what a call binds
    "def f(self, a): pass",  # a method not read as one (under an ``if`` of a class body)
    "def f(*args): pass",
])
def test_no_signature_when_not_known(code: str) -> None:
    assert _signature(code, method=code.startswith("def f(*")) == ""


def _counts(text: str, outside: frozenset[int] = frozenset()) -> dict[str, int]:
    return dict(name_counts(ast.parse(textwrap.dedent(text)), outside=outside))


def test_the_prepass_counts_each_call_shape_with_its_marks() -> None:
    counts = _counts("""
        import ldap3

        def login(user):
            conn = ldap3.Connection()
            conn.search(base, flt, attributes=["mail"])
            models.Query.search(user.term, user.group_ids)
            return all(x for x in user.groups)

        def outer():
            def fix(a):
                return a
            return fix(1)

        class Alert:
            check = all

            def __init__(self):
                self.search = None  # assigned: no spelling
                del self.search
    """)
    assert counts["search" + SHAPE + "2;attributes" + MARKS + "o"] == 1  # on a local: also ON_OBJECT
    assert counts["search" + SHAPE + "2;" + MARKS] == 1
    assert counts["all" + SHAPE + "1;" + MARKS + "n"] == 1  # a bare name: also BARE
    assert counts["all"] == 2 and counts["all" + BARE] == 1  # ``check = all`` in a class body is no BARE
    assert counts["fix" + SHAPE + "1;" + MARKS + "l"] == 1 and counts["fix" + LOCAL_DEF] == 1
    assert counts["search" + ON_OBJECT] == 1


def _project(counts: dict[str, int], sites: list[Site], *summaries: Summary) -> Project:
    return Project([FileResult("app/models.py", summaries=list(summaries), calls=sites)], counts)


def _site(callee: str, shape: str, line: int, bare: bool = False) -> Site:
    return Site(callee, "app/views.py", line, "app.views.handler", None, False, False, (), shape=shape,
                bare=bare)


ALL = make_signature([("group_ids", False)], 0, [], False, False, False, True).text()
ALERT_ALL = Summary("app.models.Alert.all", "app/models.py", 3, ("group_ids",), None, False, (), (),
                    signature=ALL)
GROUP_ALL = Summary("app.models.Group.all", "app/models.py", 9, ("org",), None, False, (), (),
                    signature=make_signature([("org", True)], 0, [], False, False, False, True).text())


def _all(*shapes: tuple[str, str, int], also: dict[str, int] | None = None) -> dict[str, int]:
    """The name counts of ``all``: its calls' (shape, marks, count), and ``also`` (key suffix -> count)."""
    counts = {"all": sum(n for _, _, n in shapes), **{"all" + k: n for k, n in (also or {}).items()}}
    for shape, marks, n in shapes:
        key = "all" + SHAPE + shape + MARKS + marks
        counts[key] = counts.get(key, 0) + n
    return counts


def test_a_resolved_call_of_another_function_that_cannot_bind_is_left_out_on_both_sides() -> None:
    sites = [_site("app.models.Alert.all", "1;", 1), _site("app.models.Group.all", "0;org", 2)]
    # Alert.all(ids) resolved, Group.all(org=...) resolved, ``q.all()`` unresolved: no call of Alert.all
    counts = _all(("1;", "", 1), ("0;org", "", 1), ("0;", "o", 1), also={ON_OBJECT: 1})
    project = _project(counts, sites, ALERT_ALL, GROUP_ALL)
    assert project.blame(ALERT_ALL) is None
    # ``worker.all(ids)``: it may be a call of Alert.all
    counts = _all(("1;", "", 1), ("0;org", "", 1), ("1;", "o", 1))
    assert _project(counts, sites, ALERT_ALL, GROUP_ALL).blame(ALERT_ALL) is not None


def test_a_spelling_already_left_out_is_not_left_out_twice() -> None:
    sites = [_site("app.models.Alert.all", "1;", 1)]
    # ``re.all()`` on a module (NOT_PROJECT), an unresolved ``svc.all(ids)``: still open
    counts = _all(("1;", "", 1), ("0;", "~", 1), ("1;", "o", 1), also={ON_CLASS + NOT_PROJECT: 1})
    assert _project(counts, sites, ALERT_ALL).blame(ALERT_ALL) is not None


def test_a_method_is_never_a_bare_name() -> None:
    sites = [_site("app.models.Alert.all", "1;", 1), _site("app.helpers.all", "1;", 2, bare=True)]
    helper = Summary("app.helpers.all", "app/helpers.py", 1, ("items",), None, False, (), (),
                     signature=make_signature([("items", False)], 0, [], False, False, False, False).text())
    # ``all(x)`` of the builtin and of a module-level helper (resolved), bare: no call of the method
    counts = _all(("1;", "", 1), ("1;", "n", 2), also={BARE: 2})
    assert _project(counts, sites, ALERT_ALL, helper).blame(ALERT_ALL) is None
    # not for the module-level function itself: the builtin's spelling may be a call of it
    assert _project(counts, sites, ALERT_ALL, helper).blame(helper) is not None


def test_a_call_run_through_an_executor_has_no_shape() -> None:
    from types import SimpleNamespace
    from typing import Any

    from tenantlint.analysis.facts import CallFact
    from tenantlint.analysis.summaries import _shape

    # built for ``thread_pool_exec(_run_sync, user_id, req)``: the name is an argument there
    inner = cst.parse_expression("_run_sync(user_id, req)")
    call = CallFact(inner, "app.api._run_sync", (), "app.api.handler", None)
    positions: Any = SimpleNamespace(stand_ins={id(inner): cst.parse_expression("f()")})
    assert _shape(call, positions) == ""
    positions.stand_ins = {}
    assert _shape(call, positions) == "2;"
