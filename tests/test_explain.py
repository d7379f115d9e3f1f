"""``tenantlint explain PATH:LINE`` on the django_billing fixture app: tables, filters, value origins,
membership checks and the verdict, as text and JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tenantlint.cli import main
from tenantlint.commands.explain import ExplainError, parse_location

APP = Path(__file__).resolve().parents[1] / "fixtures" / "django_billing"


@pytest.fixture(autouse=True)
def _in_app(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(APP)


def explain(capsys: pytest.CaptureFixture[str], location: str) -> tuple[int, dict[str, Any]]:
    code = main(["explain", location, "--format", "json", "--no-cache"])
    return code, json.loads(capsys.readouterr().out)


def test_parse_location() -> None:
    assert parse_location("app/views.py:42") == (Path("app/views.py"), 42)
    assert parse_location("app/views.py:42:7") == (Path("app/views.py"), 42)
    for bad in ("app/views.py", "app/views.py:0", ":12"):
        with pytest.raises(ExplainError):
            parse_location(bad)


def test_unscoped_query_is_a_fix(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = explain(capsys, "billing/views.py:43")
    assert code == 1
    (query,) = out["queries"]
    (table,) = query["tables"]
    assert (table["table"], table["scoping"]) == ("billing_invoice", "unscoped")
    assert table["status"] == "not proven"
    assert table["filters"] == []
    assert [f["code"] for f in query["findings"]] == ["TNT101"]
    assert query["verdict"].startswith("FIX (TNT101)") and "org_id" in query["verdict"]


def test_trusted_filter_shows_the_value_and_its_origin(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = explain(capsys, "billing/views.py:26")
    assert code == 0
    (table,) = out["queries"][0]["tables"]
    (flt,) = table["filters"]
    assert flt["expression"] == "org=request.user.org"
    assert (flt["trust"], flt["chain"]) == ("trusted", ["request.user.org"])
    assert out["queries"][0]["verdict"].startswith("OK: confined")


def test_membership_check_is_named(capsys: pytest.CaptureFixture[str]) -> None:
    _, out = explain(capsys, "billing/views.py:153")
    query = out["queries"][0]
    assert query["membership_checks"] == ["org_id, verified by ensure_member()"]
    assert query["tables"][0]["filters"][0]["chain"] == ["org_id, verified by ensure_member()"]


def test_untrusted_value_names_the_request_input(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = explain(capsys, "billing/views.py:159")
    assert code == 1
    table = out["queries"][0]["tables"][0]
    assert table["scoping"] == "untrusted-filter"
    assert table["untrusted"] == "URL path parameter 'org_id'"
    assert "membership" in out["queries"][0]["verdict"]


def test_value_of_unknown_origin_is_not_called_proven(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = explain(capsys, "billing/services.py:9")
    assert code == 0
    table = out["queries"][0]["tables"][0]
    assert (table["scoping"], table["status"]) == ("unknown-origin-filter", "assumed")
    # a helper's parameter: its callers decide (across functions), so the chain names the parameter
    assert table["filters"][0]["chain"][0] == "parameter org"
    assert out["queries"][0]["verdict"].startswith("OK, not proven")


def test_line_without_query_and_text_output(capsys: pytest.CaptureFixture[str]) -> None:
    _, out = explain(capsys, "billing/services.py:1")
    assert out["queries"] == [] and "no query on this line" in out["notes"][0]
    assert main(["explain", "billing/views.py:43", "--no-cache"]) == 1
    text = capsys.readouterr().out
    assert text.startswith("billing/views.py:43\nquery at 43:")
    assert "tenant filters: none" in text and "verdict: FIX (TNT101)" in text


def test_bad_locations_are_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "billing/views.py"]) == 2
    assert main(["explain", "billing/nothing.py:3"]) == 2
    assert main(["explain", "billing/services.py:100000"]) == 2
    err = capsys.readouterr().err
    assert "expected PATH:LINE" in err and "no such file" in err and "lines" in err


def test_verdict_agrees_with_check_across_functions(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """An id-keyed helper whose every call passes a scoped value is not reported by ``check``; explain
    joins across functions as ``check`` does instead of judging the file alone."""
    monkeypatch.chdir(APP.parent / "django_layered")
    assert main(["check", ".", "--format", "json", "--no-cache", "--exit-zero"]) == 0
    reported = {(f["path"], f["line"]) for f in json.loads(capsys.readouterr().out)["findings"]}
    assert ("ledger/services.py", 16) not in reported
    code, out = explain(capsys, "ledger/services.py:16")
    assert code == 0
    (query,) = out["queries"]
    assert query["findings"] == []
    assert query["verdict"].startswith("NOT REPORTED here") and "at that call" in query["verdict"]


def test_explain_says_why_an_id_keyed_helper_stays_reported(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """The caller set of a helper whose name is spelled on a receiver that may hold its module is
    open: explain counts the spellings and names the one not resolved; a closed helper says so."""
    monkeypatch.chdir(APP.parent / "django_reexported_helpers")
    code, out = explain(capsys, "chat/models/messages.py:32")
    assert code == 1
    note, spots = out["notes"]
    assert "keyed only by its parameters (message_id)" in note
    assert "name 'topic_label' spelled 2 times in the project, 1 of them resolved to it" in note
    assert spots.startswith("  spellings of 'topic_label' not resolved to it: "
                            "chat/views.py:36 (label.topic_label)")
    code, out = explain(capsys, "chat/models/messages.py:25")
    assert code == 0
    assert "every call site is known: not reported here" in out["notes"][0]


def test_explain_says_a_row_keyed_helper_with_open_callers_is_confined(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """A helper keyed by a parameter annotated as a model row, with no call site in the project, is
    not reported; explain names the row parameter and why its callers are open. The same helper
    keyed by an id stays reported."""
    monkeypatch.chdir(APP.parent / "django_passed_rows")
    code, out = explain(capsys, "chat/storage.py:45")
    assert code == 0
    (note,) = out["notes"]
    assert "not reported here: it reads the rows of the rows passed as owner" in note
    assert "no call site in the project resolves to" in note
    code, out = explain(capsys, "chat/storage.py:55")
    assert code == 1
    assert "reported here: no call site in the project resolves to" in out["notes"][0]


def test_explain_says_an_unreached_helper_is_system_scope(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """With ``whole_application``, a helper no product code calls is system code: explain reads the
    same join as ``check`` and says so, instead of calling the query keyed by its parameters."""
    monkeypatch.chdir(APP.parent / "unreached_helpers")
    code, out = explain(capsys, "billing/services.py:26")
    assert code == 0
    (query,) = out["queries"]
    assert query["findings"] == []
    assert query["verdict"].startswith("NOT REPORTED: system scope (unreached: no product code calls")
    assert "services.purge_all" in query["verdict"]
    assert out["notes"][0].startswith("across functions: system scope, not reported: unreached:")
    code, out = explain(capsys, "billing/services.py:34")
    assert code == 1
    assert out["queries"][0]["verdict"].startswith("FIX (TNT101)")


def test_explain_notes_a_generic_base_query_once(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """A generic base method is walked once per concrete model (four services subclass
    ``CommonService`` here); explain says what the join decided about its query once, not once per
    model."""
    monkeypatch.chdir(APP.parent / "peewee_playlists")
    code, out = explain(capsys, "studio/common_service.py:6")
    assert code == 1
    (note,) = [n for n in out["notes"] if n.startswith("across functions:")]
    assert "CommonService.get_by_id is keyed only by its parameters (pid)" in note
