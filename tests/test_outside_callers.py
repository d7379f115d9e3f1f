"""Callers outside the checked paths (``tenantlint/outside.py``): ``check notebooks`` of
``fixtures/flask_peewee_split_callers`` reads ``web/`` for the call sites of the services' helpers."""

from __future__ import annotations

from pathlib import Path

from tenantlint.api import check_paths, load_config
from tenantlint.crossfn.combine import Outcome
from tenantlint.outside import kept, outside_items
from tenantlint.results import Finding, Hop, Span
from tests.test_crossfn import chdir

APP = Path(__file__).resolve().parents[1] / "fixtures" / "flask_peewee_split_callers"
SERVICE = "notebooks/services/notebook_service.py"


def _found(*paths: str) -> list[tuple[str, int, str]]:
    with chdir(APP):
        result = check_paths([Path(p) for p in paths], load_config(), jobs=1)
    return [(f.path, f.line, f.code) for f in result.findings]


def test_services_folder_reads_callers_in_sibling_folder() -> None:
    # get_by_id: every caller in web/ checks the id first (not reported, as with ``check .``);
    # pages and page_count: a caller in web/ passes the URL's id unchecked, a call this run does not
    # show, so the queries stay reported where they are
    assert _found("notebooks") == [(SERVICE, 17, "TNT101"), (SERVICE, 22, "TNT101")]


def test_one_changed_file_reads_the_rest_of_the_project() -> None:
    assert _found(SERVICE) == [(SERVICE, 17, "TNT101"), (SERVICE, 22, "TNT101")]


def test_whole_project_reports_at_the_calls() -> None:
    assert _found(".") == [("web/notebooks.py", 27, "TNT101"), ("web/notebooks.py", 39, "TNT101")]


def test_findings_of_outside_files_are_never_reported() -> None:
    assert all(path.startswith("web/") for path, _, _ in _found("web"))


def test_outside_items_leave_out_targets_and_sql(tmp_path: Path) -> None:
    a, b, c = (str(tmp_path / name) for name in ("a.py", "b.py", "c.sql"))
    items = outside_items({a: "1", b: "2", c: "3"}, [Path(a)], tmp_path)
    assert items == [("b.py", b, "2")]


def _moved(path: str) -> Finding:
    return Finding("TNT101", "request input", path, Span(3, 1, 3, 9), "page",
                   trace=(Hop(path, 3, "views.show"), Hop("svc.py", 9, "svc.pages")))


def test_kept_puts_back_queries_moved_to_outside_calls() -> None:
    outcome = Outcome((_moved("views.py"), _moved("other.py")), frozenset({("svc.py", 9, "TNT101")}))
    left = kept(outcome, {"views.py"})
    assert [f.path for f in left.added] == ["other.py"]
    assert left.removed == frozenset()
    assert kept(outcome, {"elsewhere.py"}) == outcome
