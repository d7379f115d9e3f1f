"""The row a by-id getter hands back, trusted at a call whose id is trusted
(``analysis/interp/by_id_rows.py``)."""

from __future__ import annotations

from pathlib import Path

import libcst as cst

from tenantlint.analysis.facts import Provenance
from tenantlint.analysis.interp.by_id_rows import by_id_row
from tenantlint.analysis.interp.values import ReturnedTuple, RowValue, Value
from tests.test_executor_calls import HEAD, _leaks, _lines


def _call(text: str) -> cst.Call:
    node = cst.parse_expression(text)
    assert isinstance(node, cst.Call)
    return node


def test_the_row_of_a_trusted_id_is_a_trusted_row_of_the_table() -> None:
    checked = Value(Provenance.trusted("kb_id, checked"))
    row = by_id_row("byid:0:pid::knowledgebase", _call("KbService.get(kb_id)"), [checked], "KbService.get",
                    lambda recv: None)
    assert isinstance(row, RowValue) and row.trusted and row.scoped_row_of == "knowledgebase"


def test_the_pair_form_and_a_generic_base_method_take_the_receivers_table() -> None:
    checked = Value(Provenance.trusted("kb_id, checked"))
    pair = by_id_row("byid:0:pid:1/2:", _call("KbService.get_by_id(kb_id)"), [checked], "C.get_by_id",
                     lambda recv: "knowledgebase")
    assert isinstance(pair, ReturnedTuple)
    assert not pair.items[0].trusted and pair.items[1].trusted
    assert pair.items[1].scoped_row_of == "knowledgebase"


def test_an_unchecked_id_or_an_unknown_table_gives_nothing() -> None:
    given = Value(Provenance.untrusted("request body"))
    assert by_id_row("byid:0:pid::kb", _call("S.get(x)"), [given], "S.get", lambda recv: None) is None
    checked = Value(Provenance.trusted("x, checked"))
    assert by_id_row("byid:0:pid:1/2:", _call("S.get_by_id(x)"), [checked], "S.get_by_id",
                     lambda recv: None) is None
    assert by_id_row("byid:0:pid::kb", _call("S.get(other=x)"), [checked], "S.get", lambda recv: None) is None


def test_the_checked_rows_tenant_checks_another_row(tmp_path: Path) -> None:
    views = HEAD + """
    @bp.put("/a/<kb_id>")
    def a(kb_id):
        if not KnowledgebaseService.accessible(kb_id, current_user.id):
            return {}, 403
        found, kb = KnowledgebaseService.get_by_id(kb_id)
        if not found:
            return {}, 404
        found, chat = DialogService.get_by_id(request.json["chat"])
        if not found:
            return {}, 404
        if chat.tenant_id != kb.tenant_id:
            return {}, 403
        return {"name": chat.name}

    @bp.put("/b/<kb_id>")
    def b(kb_id):
        found, kb = KnowledgebaseService.get_by_id(kb_id)  # leak
        found, chat = DialogService.get_by_id(request.json["chat"])  # leak
        if chat.tenant_id != kb.tenant_id:
            return {}, 403
        return {"name": chat.name}

    @bp.put("/c/<kb_id>")
    def c(kb_id):
        # the row of a checked id names the tenant of its own id only: another id is no check
        if not KnowledgebaseService.accessible(kb_id, current_user.id):
            return {}, 403
        found, kb = KnowledgebaseService.get_by_id(request.json["kb"])  # leak
        found, chat = DialogService.get_by_id(request.json["chat"])  # leak
        if chat.tenant_id != kb.tenant_id:
            return {}, 403
        return {"name": chat.name}
    """
    assert _lines(tmp_path, views) == _leaks(views)


def test_a_trusted_value_that_is_no_checked_id_gives_nothing() -> None:
    # the caller's own id (or a name holding something else than what was checked) keys no row of
    # the getter's table
    own = Value(Provenance.trusted("request.user.id"))
    assert by_id_row("byid:0:pid::project", _call("any_project(request.user.id)"), [own], "h.any_project",
                     lambda recv: None) is None
    other = Value(Provenance.trusted("kb_id, checked"))
    assert by_id_row("byid:0:pid::project", _call("any_project(pk)"), [other], "h.any_project",
                     lambda recv: None) is None


def test_a_parameter_passed_in_gives_a_row_keyed_by_it_for_a_table_with_no_tenant() -> None:
    """In a function that is no handler, ``DocumentService.get_by_id(document_id)`` hands back the
    row of the caller's ``document_id`` (a table with no tenant of its own): the parameter's question,
    not a trusted row. A tenant table's row stays unknown (checked after the call instead)."""
    param = Value(Provenance.unknown("parameter document_id"))
    untenanted = {"document": True, "knowledgebase": False}
    pair = by_id_row("byid:0:pid:1/2:", _call("DocumentService.get_by_id(document_id)"), [param],
                     "S.get_by_id", lambda recv: "document", untenanted=lambda t: untenanted[t])
    assert isinstance(pair, ReturnedTuple)
    row = pair.items[1]
    assert isinstance(row, RowValue) and not row.trusted and not row.scoped_row_of
    assert row.prov.source == "rows keyed by parameters document_id"
    assert by_id_row("byid:0:pid:1/2:", _call("KbService.get_by_id(kb_id)"), [param], "S.get_by_id",
                     lambda recv: "knowledgebase", untenanted=lambda t: untenanted[t]) is None
    # in a handler (no ``untenanted``), or given a value of no parameter, nothing is known
    assert by_id_row("byid:0:pid:1/2:", _call("DocumentService.get_by_id(document_id)"), [param],
                     "S.get_by_id", lambda recv: "document") is None
    other = Value(Provenance.unknown())
    assert by_id_row("byid:0:pid:1/2:", _call("DocumentService.get_by_id(x)"), [other], "S.get_by_id",
                     lambda recv: "document", untenanted=lambda t: True) is None
