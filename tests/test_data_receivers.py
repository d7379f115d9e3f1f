"""Spellings on receivers that provably hold no class of the project (``interp/data_receivers.py``)."""

from __future__ import annotations

import ast

from tenantlint.analysis.interp.method_refs import NOT_PROJECT, ON_CLASS, module_method_refs

SOURCE = '''
import os
import re
from flask import request


def view(svc, text):
    opts = {"page": 1}
    req = request.get_json()
    a = re.search("x", text)
    b = opts.get("page")
    c = req.get("k")
    d = request.args.get("q")
    e = os.environ.get("A")
    f = {"a": 1}.get("a")
    g = dict(x=1).get("x")
    svc.get(1)                   # a parameter: may hold any service
    for row in text:
        row.get(2)               # a loop target
    mixed = {}
    mixed = svc
    mixed.get(3)                 # bound to something else too
    make().get(4)                # a call's result


async def body():
    data = await request.get_json()
    return data.get("x")


class View:
    def handle(self, request):
        request.args.get("x")    # parsed request data, whatever ``request`` is
        request.get("z")         # a parameter named request: may be anything
'''


def _counts(source: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    module_method_refs(ast.parse(source), counts)
    return counts


def test_data_receivers_are_counted_apart() -> None:
    counts = _counts(SOURCE)
    # opts, req, request.args (twice), os.environ, the dict literal, dict(...), data
    assert counts["get" + ON_CLASS + NOT_PROJECT] == 8
    assert counts["search" + ON_CLASS + NOT_PROJECT] == 1
    assert counts["get_json" + ON_CLASS + NOT_PROJECT] == 2  # ``request`` imported from flask


def test_untyped_receivers_still_count() -> None:
    source = '''
import mymodule


def f(svc, request):
    local = svc
    local.get_by_id(1)
    request.get_by_id(2)
    mymodule.get_by_id(3)        # a module of the project may hold a function of that name
    svc.model.get_by_id(4)
'''
    assert "get_by_id" + ON_CLASS + NOT_PROJECT not in _counts(source)


def test_rebound_or_declared_names_are_not_data() -> None:
    source = '''
def f(items):
    global cache
    cache = {}
    cache.get(1)
    seen = {}
    seen |= items
    seen.get(2)
    for opts in items:
        pass
    opts = {}
    opts.get(3)
'''
    assert "get" + ON_CLASS + NOT_PROJECT not in _counts(source)


def test_stdlib_imported_in_module_level_try() -> None:
    source = '''
try:
    import re
except ImportError:
    re = None


def parse(text):
    return re.search("x", text)
'''
    assert _counts(source)["search" + ON_CLASS + NOT_PROJECT] == 1
