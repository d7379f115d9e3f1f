from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from tenantlint.baseline import BaselineError, load_baseline, normalise_snippet, write_baseline
from tenantlint.results import Finding, Span, Suppression


def finding(
    code: str, line: int, snippet: str | None, handler: str | None = "list_invoices"
) -> Finding:
    return Finding(
        code,
        f"{code} message",
        "app/views.py",
        Span(line, 5, line, 30),
        "invoices",
        handler,
        snippet,
    )


@pytest.fixture(autouse=True)
def _cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def test_file_is_sorted_versioned_and_deterministic(tmp_path: Path) -> None:
    findings = [
        finding("TNT201", 9, "request.json['org_id']"),
        finding("TNT101", 12, "Invoice.objects.all()"),
    ]
    write_baseline(tmp_path / "a.json", findings)
    write_baseline(tmp_path / "b.json", list(reversed(findings)))
    text = (tmp_path / "a.json").read_text()
    assert text == (tmp_path / "b.json").read_text()
    doc = json.loads(text)
    assert doc["version"] == 1
    assert [e["code"] for e in doc["findings"]] == ["TNT101", "TNT201"]
    assert doc["findings"][0] == {
        "code": "TNT101",
        "path": "app/views.py",
        "handler": "list_invoices",
        "snippet": "Invoice.objects.all()",
    }
    assert "line" not in text and text.endswith("\n")


def test_survives_an_inserted_line_and_reindentation(tmp_path: Path) -> None:
    write_baseline(
        tmp_path / "bl.json", [finding("TNT101", 12, "Invoice.objects.filter(\n    x=1)")]
    )
    shifted = finding("TNT101", 13, "Invoice.objects.filter(\n        x=1)")
    new, matched, fixed = load_baseline(tmp_path / "bl.json").filter([shifted])
    assert new == [] and fixed == 0
    assert matched == [replace(shifted, suppression=Suppression("baseline", ""))]


def test_multiset_two_entries_for_two_identical_findings(tmp_path: Path) -> None:
    a, b, c = (finding("TNT101", n, "Invoice.objects.all()") for n in (10, 20, 30))
    write_baseline(tmp_path / "bl.json", [a, b])
    assert len(json.loads((tmp_path / "bl.json").read_text())["findings"]) == 2
    new, matched, fixed = load_baseline(tmp_path / "bl.json").filter([c, b, a])
    assert [f.line for f in matched] == [10, 20]
    assert [f.line for f in new] == [30]
    assert fixed == 0


def test_entries_that_match_nothing_are_fixed(tmp_path: Path) -> None:
    write_baseline(
        tmp_path / "bl.json",
        [
            finding("TNT101", 12, "Invoice.objects.all()"),
            finding("TNT201", 3, "request.json['org']"),
        ],
    )
    other_handler = finding("TNT101", 12, "Invoice.objects.all()", handler="detail")
    new, matched, fixed = load_baseline(tmp_path / "bl.json").filter([other_handler])
    assert new == [other_handler] and matched == [] and fixed == 2


def test_findings_without_snippet_use_source_text(tmp_path: Path) -> None:
    old_src = "import x\nrows = Invoice.objects.all()\n"
    new_src = "import x\n\n# comment\nrows = Invoice.objects.all()\n"
    f_old = Finding("TNT101", "m", "app/views.py", Span(2, 8, 2, 29))
    f_new = Finding("TNT101", "m", "app/views.py", Span(4, 8, 4, 29))
    write_baseline(tmp_path / "bl.json", [f_old], {"app/views.py": old_src})
    entry = json.loads((tmp_path / "bl.json").read_text())["findings"][0]
    assert entry["snippet"] == "Invoice.objects.all()"
    new, matched, fixed = load_baseline(tmp_path / "bl.json").filter(
        [f_new], {"app/views.py": new_src}
    )
    assert (new, len(matched), fixed) == ([], 1, 0)


def test_paths_are_relative_to_the_baseline_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "sub").mkdir()
    write_baseline(tmp_path / "bl.json", [finding("TNT101", 1, "Q()")])
    monkeypatch.chdir(tmp_path / "sub")  # the same file is now "../app/views.py"
    moved = Finding(
        "TNT101", "m", "../app/views.py", Span(1, 5, 1, 30), "invoices", "list_invoices", "Q()"
    )
    new, matched, fixed = load_baseline(tmp_path / "bl.json").filter([moved])
    assert new == [] and len(matched) == 1 and fixed == 0


def test_normalise_snippet() -> None:
    assert normalise_snippet("  a(\n\t b )  ") == "a(b)"
    assert normalise_snippet("select  a,\n  b from t") == "select a,b from t"


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("{", "not a JSON baseline"),
        ('{"version": 2, "findings": []}', "version 1"),
        ('{"version": 1, "findings": [{"code": 1}]}', "findings[0]"),
    ],
)
def test_bad_files_raise_baseline_error(tmp_path: Path, content: str, fragment: str) -> None:
    (tmp_path / "bl.json").write_text(content)
    with pytest.raises(BaselineError, match=fragment.replace("[", r"\[").replace("]", r"\]")):
        load_baseline(tmp_path / "bl.json")


def test_missing_file_raises_baseline_error(tmp_path: Path) -> None:
    with pytest.raises(BaselineError, match="cannot read baseline"):
        load_baseline(tmp_path / "absent.json")
