"""Pass-through parameters (``analysis/interp/passes.py``): a statement a function only extends and
hands back is never run by it."""

from __future__ import annotations

import libcst as cst
import pytest

from tenantlint.analysis.interp.passes import pass_through, returned_names


def _class(code: str) -> dict[str, cst.FunctionDef]:
    module = cst.parse_module(code)
    cls = module.body[0]
    assert isinstance(cls, cst.ClassDef) and isinstance(cls.body, cst.IndentedBlock)
    return {s.name.value: s for s in cls.body.body if isinstance(s, cst.FunctionDef)}


def _passes(code: str, method: str = "apply") -> tuple[str, ...]:
    methods = _class(code)
    fn = methods[method]
    params = [p.name.value for p in fn.params.params][1:] + [p.name.value for p in fn.params.kwonly_params]
    return pass_through(fn, params, set(params), methods)


BASE = """
class Builder:
    def apply(self, query, model):
{body}
"""


@pytest.mark.parametrize("body", [
    "        return query.where(model.id == 1).order_by(model.id)",
    "        query = query.join(model.tags)\n"
    "        if query is None:\n            raise ValueError\n        return query",
    "        for part in model.parts:\n            query = query.filter(part)\n        return query",
    "        return model, query",
])
def test_extended_and_handed_back(body: str) -> None:
    assert "query" in _passes(BASE.format(body=body))


@pytest.mark.parametrize("body", [
    "        return query.all()",  # runs it
    "        self.session.execute(query)\n        return query",  # passes it to another function
    "        self.last = query\n        return query",  # stores it
    "        rows = list(query)\n        return query",  # iterates it
    "        return query.where(query.c.id == 1)",  # reads an attribute of it
    "        return [query]",  # hides it in a container
])
def test_used_otherwise(body: str) -> None:
    assert "query" not in _passes(BASE.format(body=body))


def test_through_a_method_of_the_same_class() -> None:
    code = """
class Builder:
    def apply(self, query, model):
        first, query = self._join(model, query=query)
        return query.where(first)

    def _join(self, model, *, query=None):
        if query is not None:
            query = query.join(model.tags)
        return model, query

    def run(self, query):
        return self.session.scalars(self._join(None, query=query)[1])
"""
    assert "query" in _passes(code)
    assert "query" in _passes(code, "_join")
    assert "query" not in _passes(code, "run")


def test_returned_names_are_the_heads_of_what_is_returned() -> None:
    expr = cst.parse_expression("(model, query.where(x).order_by(y), self.wrap(stmt, 1))")
    assert returned_names(expr) == {"model", "query", "stmt"}
    assert returned_names(cst.parse_expression("len(query)")) == set()
