"""A local standing for the expression it was bound to, where a query's keys are counted
(``analysis/interp/calls.param_keys``)."""

from __future__ import annotations

import libcst as cst

from tenantlint.analysis.facts import Provenance
from tenantlint.analysis.interp.calls import param_keys
from tenantlint.analysis.interp.predicates import PredValue
from tenantlint.analysis.interp.values import SeqValue, Value

PARAMS = frozenset({"document_id", "pipeline_id", "extra"})


def _keys(query: str, locals_: dict[str, tuple[str, Value]]) -> tuple[str, ...] | None:
    env: dict[str, Value] = {"document_id": Value(Provenance.unknown("parameter document_id")),
                             "pipeline_id": Value(Provenance.unknown("parameter pipeline_id")),
                             "extra": Value(Provenance.unknown("parameter extra")),
                             "timestamp": Value(Provenance.unknown("constant local"))}
    held: dict[str, tuple[cst.BaseExpression, Value]] = {}
    for name, (text, value) in locals_.items():
        env[name] = value
        held[name] = (cst.parse_expression(text), value)
    return param_keys(cst.parse_expression(query), PARAMS, env,
                      bound=lambda name: held[name] if name in held and env[name] is held[name][1] else None)


def test_a_predicate_local_stands_for_its_expression() -> None:
    flt = ("Log.pipeline_id == pipeline_id if pipeline_id else Log.pipeline_id.is_null(True)", PredValue())
    assert _keys("Log.select().where((Log.document_id == document_id) & flt)", {"flt": flt}) == (
        "document_id", "pipeline_id")


def test_a_choice_between_a_parameter_and_a_constant() -> None:
    since = ("pipeline_id or timestamp", Value())
    assert _keys("Log.select().where(Log.document_id == document_id, Log.created >= since)",
                 {"since": since}) == ("document_id", "pipeline_id")


def test_what_a_local_cannot_stand_for() -> None:
    # a call of something passed in: its result is of no origin the names tell
    assert _keys("Log.select().where(Log.id == pick)", {"pick": ("document_id or extra()", Value())}) is None
    # a set operation that is no predicate mixes values (``operators.py`` decides those)
    assert _keys("Log.select().where(Log.id.in_(ids))",
                 {"ids": ("set(document_id) | {timestamp}", SeqValue())}) is None
    # a value with an origin of its own is that origin, not its expression
    given = Value(Provenance.untrusted("request body"))
    row_id = ("document_id or pipeline_id", given)
    assert _keys("Log.select().where(Log.id == row_id)", {"row_id": row_id}) is None
    # a local read through another local that stands for nothing keys nothing
    assert _keys("Log.select().where(Log.id == pick)", {"pick": ("document_id or row_id", Value()),
                                                        "row_id": ("fetch(document_id)", Value())}) is None


def test_a_parameter_rebound_on_one_path_is_either_value_past_the_join() -> None:
    from tenantlint.analysis.interp.function_state import merge_env

    document_id = Value(Provenance.unknown("parameter document_id"))
    merged = merge_env({}, {"referred_document_id": document_id}, frozenset({"document_id",
                                                                              "referred_document_id"}))
    # either parameter's: keyed by both (judged at the calls on both, ``either_params.py``)
    assert merged["referred_document_id"].prov.source == (
        "rows keyed by parameters document_id,referred_document_id")
    # a local first bound on one path only is that path's value (the other path never binds it)
    assert merge_env({}, {"doc": document_id}, frozenset({"document_id"}))["doc"] is document_id


def test_either_parameter_keys_a_query_by_both() -> None:
    from tenantlint.analysis.interp.values import worse

    a = Value(Provenance.unknown("parameter document_id"))
    b = Value(Provenance.unknown("parameter pipeline_id"))
    rows = Value(Provenance.unknown("rows keyed by parameters extra,pipeline_id"))
    pick = worse(a, b)
    assert pick.prov.source == "rows keyed by parameters document_id,pipeline_id"
    assert _keys("Log.select().where(Log.id == pick)", {"pick": ("x", pick)}) == (
        "document_id", "pipeline_id")
    # a parameter on one path, values read from rows other parameters fetched on the other: all of them
    assert worse(a, rows).prov.source == "rows keyed by parameters document_id,extra,pipeline_id"
    # a parameter on one path, a value of no origin (a cache read) on the other: keyed by nothing
    cached = worse(a, Value())
    assert cached.prov.source == ""
    assert _keys("Log.select().where(Log.id == pick)", {"pick": ("x", cached)}) is None
    # request input on either path stays request input
    assert worse(a, Value(Provenance.untrusted("request body"))).untrusted
