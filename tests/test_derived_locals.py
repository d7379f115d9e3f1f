"""Locals a named function computes from parameters only narrow a row passed in
(tenantlint/analysis/interp/derived_locals.py)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import libcst as cst

from tenantlint.analysis.facts import Provenance
from tenantlint.analysis.interp.derived_locals import (
    DERIVED,
    as_constants,
    derived_value,
    model_names,
    one_model,
)
from tenantlint.analysis.interp.function_state import FunctionState
from tenantlint.analysis.interp.values import CONSTANT_ORIGIN, Value
from tenantlint.crossfn.records import PARAMETER
from tests.orm_app import lint_app

MODELS = """
from django.db import models


class Organization(models.Model):
    name = models.CharField(max_length=100)


class Invoice(models.Model):
    org = models.ForeignKey(Organization, on_delete=models.CASCADE)


class Line(models.Model):
    org = models.ForeignKey(Organization, on_delete=models.CASCADE)
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE)
    code = models.CharField(max_length=40)
"""

HELPERS = """
from app.models import Line
from app.utils import make_code


def latest_line(invoice, text):
    code = make_code(text)
    return Line.objects.filter(invoice=invoice, code=code).first()


def line_by_text(text):
    code = make_code(text)
    return Line.objects.filter(code=code).first()


def line_made_by(invoice, text, make):
    code = make(text)
    return Line.objects.filter(invoice=invoice, code=code).first()
"""

VIEWS = """
from app.helpers import latest_line, line_by_text, line_made_by
from app.models import Invoice


def scoped(request, pk):
    invoice = Invoice.objects.get(pk=pk, org=request.user.org)
    return latest_line(invoice, request.GET["q"])


def by_request_id(request):
    return latest_line(request.GET["invoice"], "x")


def by_text(request):
    return line_by_text("x")


def made(request, pk):
    invoice = Invoice.objects.get(pk=pk, org=request.user.org)
    return line_made_by(invoice, request.GET["q"], str.upper)
"""


def _findings(tmp_path: Path) -> set[tuple[str, int, str]]:
    files = {"app/__init__.py": "", "app/models.py": MODELS, "app/helpers.py": HELPERS, "app/views.py": VIEWS,
             "app/utils.py": "def make_code(text):\n    return text.strip().lower()\n"}
    found = lint_app(tmp_path, {n: textwrap.dedent(t).lstrip("\n") for n, t in files.items()},
                     'global_tables = ["Organization"]\n')
    return {(Path(path).name, line, code) for path, line, code in found}


def test_a_computed_local_narrows_the_rows_of_the_row_passed_in(tmp_path: Path) -> None:
    found = _findings(tmp_path)
    assert ("helpers.py", 7, "TNT101") not in found  # judged at its calls: the scoped one is confined
    assert ("views.py", 11, "TNT101") in found  # an invoice id from the request, at the call
    assert ("helpers.py", 12, "TNT101") in found  # keyed by the computed value alone
    assert ("helpers.py", 17, "TNT101") in found  # computed by a function passed in: the caller's code


def _state(params: tuple[str, ...], env: dict[str, Value] | None = None) -> FunctionState:
    state = FunctionState(handler=None)
    state.params = frozenset(params)
    state.env.update(env or {})
    return state


def _expr(text: str) -> cst.BaseExpression:
    return cst.parse_expression(text)


def test_derived_from_the_parameters_a_named_call_reads() -> None:
    state = _state(("query", "limit"))
    value = derived_value(state, _expr("utils.gen_hash(query, 5, limit)"), Value(), False)
    assert value is not None and value.prov.source == DERIVED + "limit,query"


def test_not_derived() -> None:
    state = _state(("query", "make"), {"other": Value(Provenance.unknown("x"))})
    for text in ("make(query)",  # a function passed in
                 "gen_hash(other)",  # a local of another origin
                 "gen_hash(CONSTANT)",  # no parameter: a constant, if anything
                 "query.strip()",  # a method of the parameter
                 "gen_hash([q for q in query])"):  # a comprehension
        assert derived_value(state, _expr(text), Value(), False) is None, text
    assert derived_value(state, _expr("gen_hash(query)"), Value(), True) is None  # ran a query
    rebound = _state(("query",), {"query": Value(Provenance.unknown("request body"))})
    assert derived_value(rebound, _expr("gen_hash(query)"), Value(), False) is None
    same = _state(("query",), {"query": Value(Provenance.unknown(PARAMETER + "query"))})
    assert derived_value(same, _expr("gen_hash(query)"), Value(), False) is not None


def test_as_constants() -> None:
    assert as_constants({"a": Value()}) is None
    env = as_constants({"a": Value(Provenance.unknown(DERIVED + "q")), "b": Value()})
    assert env is not None and env["a"].prov.source == CONSTANT_ORIGIN and env["b"].prov.source == ""


def test_one_model() -> None:
    assert one_model(_expr("cls.query.filter(cls.query_hash == h, cls.data_source == ds)"))
    assert one_model(_expr("Invoice.objects.filter(Q(number=n) | Q(total=t), org=org)"))
    assert one_model(_expr("Result.query.filter(Result.at >= datetime.timedelta(seconds=age))"))
    assert not one_model(_expr("db.session.query(cls, Query).filter(cls.ds == ds, Query.id == h)"))
    assert not one_model(_expr("Result.query.join(Query, Query.id == h).filter(Result.ds == ds)"))


def test_model_names_are_no_literals_and_no_callee_names() -> None:
    """``True``/``None`` and a callee's own name (``models.Q``, ``func.Count``) are no models: a query
    of one model compared with ``False`` still reads one model."""
    expr = cst.parse_expression(
        "cls.query.filter(cls.query_hash == h, cls.deleted == False, models.Q(active=True), Note.x)")
    assert model_names(expr) == {"cls", "Note"}
    assert one_model(cst.parse_expression("cls.query.filter(cls.query_hash == h, cls.deleted == False)"))
