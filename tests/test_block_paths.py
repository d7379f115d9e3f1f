"""A statement on every path of its function or loop body, or under a condition (``block_paths.py``)."""

from __future__ import annotations

import libcst as cst

from tenantlint.analysis.interp.block_paths import guards_call, unconditional
from tenantlint.analysis.source.children import preorder


def _fn(src: str) -> cst.FunctionDef:
    fn = cst.parse_module(src).body[0]
    assert isinstance(fn, cst.FunctionDef)
    return fn


def _stores(fn: cst.FunctionDef) -> list[cst.Subscript]:
    return [n for n in preorder(fn) if isinstance(n, cst.Subscript) and isinstance(n.value, cst.Name)
            and n.value.value == "m"]


def test_a_store_in_a_loop_body_is_unconditional_one_under_if_is_not() -> None:
    fn = _fn("def f(ids):\n    m = {}\n    for i in ids:\n        r = get(i)\n        m[i] = r\n"
             "        if r.shared:\n            m[i] = r\n    else:\n        m[0] = r\n")
    top, under_if, in_else = _stores(fn)
    assert unconditional(fn.body, top)
    assert not unconditional(fn.body, under_if)
    assert not unconditional(fn.body, in_else)
    assert not unconditional(None, top)
    in_try = _fn("def f(ids):\n    try:\n        for i in ids:\n            m[i] = get(i)\n    except E:\n"
                 "        m[0] = None\n")
    body_store, handler_store = _stores(in_try)
    assert unconditional(in_try.body, body_store)
    assert not unconditional(in_try.body, handler_store)


def _ifs(fn: cst.FunctionDef) -> list[cst.If]:
    return [n for n in preorder(fn) if isinstance(n, cst.If)]


def _call(fn: cst.FunctionDef) -> cst.Call:
    return next(n for n in preorder(fn) if isinstance(n, cst.Call))


def test_a_verdict_test_holds_in_the_calls_block_or_around_it_not_under_a_condition() -> None:
    same = _fn("def f(u, p):\n    ok, r = check(u, p)\n    if not ok:\n        return 403\n")
    assert guards_call(same.body, _ifs(same)[0], _call(same))
    around = _fn("def f(u, p):\n    try:\n        ok, r = check(u, p)\n    except E:\n        return 404\n"
                 "    if not ok:\n        return 403\n")
    assert guards_call(around.body, _ifs(around)[0], _call(around))
    nested = _fn("def f(u, p, s):\n    ok, r = check(u, p)\n    if s:\n        if not ok:\n"
                 "            return 403\n")
    assert not guards_call(nested.body, _ifs(nested)[1], _call(nested))
    after_loop = _fn("def f(u, ps):\n    for p in ps:\n        ok, r = check(u, p)\n    if not ok:\n"
                     "        return 403\n")
    assert not guards_call(after_loop.body, _ifs(after_loop)[0], _call(after_loop))
