"""The audit as a deliverable: header facts (date, git commit and branch), paths relative to the
root, links to the code, coverage/directory/endpoint breakdowns, the JSON snapshot and the delta
against a previous audit, consistent counts and honest scoping words."""

from __future__ import annotations

import json
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from tenantlint.audit import summarize
from tenantlint.audit_breakdown import NO_HANDLER, by_directory, by_endpoint, coverage
from tenantlint.audit_meta import AuditMeta, SourceUrlError, check_source_url, git_info, make_meta
from tenantlint.audit_snapshot import SnapshotError, compare, parse_snapshot, to_json
from tenantlint.cli import main
from tenantlint.reporters.audit_markdown import MarkdownAuditReporter
from tenantlint.reporters.charts import Bar, Segment, bar_chart
from tenantlint.reporters.html import HtmlAuditReporter
from tenantlint.results import QuerySite
from tests.audit_sample import DATA, TITLE_PAYLOAD, read_source

SHA = "0123456789abcdef0123456789abcdef01234567"

MODELS = """\
from django.db import models


class Organization(models.Model):
    name = models.CharField(max_length=50)


class Invoice(models.Model):
    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="invoices")
    number = models.CharField(max_length=20)

    def siblings(self):
        return Invoice.objects.filter(org=self.org)
"""

VIEWS = """\
from django.db import connection

from billing.models import Invoice


def leaky(request):
    return list(Invoice.objects.all())


def scoped(request):
    return list(Invoice.objects.filter(org=request.user.org))


def helper(org):
    return Invoice.objects.filter(org=org).count()


def report(request):
    table = request.GET["t"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM " + table)
"""


# --- git and paths ---------------------------------------------------------------------------


def _fake_git(top: Path, head: str, refs: dict[str, str] | None = None, packed: str = "") -> None:
    git = top / ".git"
    (git / "refs" / "heads").mkdir(parents=True)
    (git / "HEAD").write_text(head + "\n")
    for name, sha in (refs or {}).items():
        (git / name).write_text(sha + "\n")
    if packed:
        (git / "packed-refs").write_text(packed)


def test_git_info_reads_branch_and_commit_from_the_git_folder(tmp_path: Path) -> None:
    _fake_git(tmp_path, "ref: refs/heads/main", {"refs/heads/main": SHA})
    (tmp_path / "apps" / "api").mkdir(parents=True)
    info = git_info(tmp_path / "apps" / "api")
    assert info is not None and (info.commit, info.branch, info.top) == (SHA, "main", tmp_path)


def test_git_info_packed_refs_and_detached_head(tmp_path: Path) -> None:
    packed = f"# pack-refs with: peeled\n{SHA} refs/heads/release\n"
    _fake_git(tmp_path / "a", "ref: refs/heads/release", packed=packed)
    info = git_info(tmp_path / "a")
    assert info is not None and (info.commit, info.branch) == (SHA, "release")
    _fake_git(tmp_path / "b", SHA)
    info = git_info(tmp_path / "b")
    assert info is not None and (info.commit, info.branch) == (SHA, None)


def test_git_info_follows_a_worktree_file(tmp_path: Path) -> None:
    common = tmp_path / "main" / ".git"
    _fake_git(tmp_path / "main", "ref: refs/heads/main", {"refs/heads/feature": SHA})
    gitdir = common / "worktrees" / "feature"
    gitdir.mkdir(parents=True)
    (gitdir / "HEAD").write_text("ref: refs/heads/feature\n")
    (gitdir / "commondir").write_text("../..\n")
    (tmp_path / "wt").mkdir()
    (tmp_path / "wt" / ".git").write_text(f"gitdir: {gitdir}\n")
    info = git_info(tmp_path / "wt")
    assert info is not None and (info.commit, info.branch) == (SHA, "feature")


def test_no_git_is_not_an_error(tmp_path: Path) -> None:
    (tmp_path / "proj").mkdir()
    meta = make_meta(tmp_path / "proj", tmp_path / "proj")
    assert (meta.project, meta.commit, meta.branch) == ("proj", None, None)


def test_meta_paths_relative_to_the_root_and_links_relative_to_the_repository(tmp_path: Path) -> None:
    _fake_git(tmp_path, "ref: refs/heads/main", {"refs/heads/main": SHA})
    root = tmp_path / "apps" / "api"
    root.mkdir(parents=True)
    meta = make_meta(root, tmp_path, "https://git.example/o/r/blob/{commit}/{path}#L{line}")
    assert meta.project == f"{tmp_path.name}/apps/api" and meta.generated.endswith("UTC")
    # reported relative to the current directory (the repository top here), shown relative to the root
    assert meta.display("apps/api/app/views.py") == "app/views.py"
    assert meta.link("apps/api/app/views.py", 7) == f"https://git.example/o/r/blob/{SHA}/apps/api/app/views.py#L7"
    assert meta.link("app/views.py", 0, from_root=True) == f"https://git.example/o/r/blob/{SHA}/apps/api/app/views.py"
    assert AuditMeta().link("a.py", 3) is None


def test_source_url_must_be_http_and_name_the_path() -> None:
    assert check_source_url("https://h/{path}#L{line}")
    for bad in ("javascript:alert(1)//{path}", "https://h/blob/main/"):
        with pytest.raises(SourceUrlError):
            check_source_url(bad)


# --- breakdowns and charts -------------------------------------------------------------------


def test_breakdowns_of_the_sample() -> None:
    rows = {c.table: c for c in coverage(DATA)}
    assert (rows["invoices"].proven, rows["invoices"].unproven) == (3, 2)
    assert list(rows)[0] == "line_items"  # least covered first
    assert [(r.label, r.total) for r in by_directory(DATA)] == [("billing", 3)]
    endpoints = {(r.label, r.where): r for r in by_endpoint(DATA)}
    assert ("list_invoices", "billing/views.py") in endpoints
    assert all(label != NO_HANDLER for label, _ in endpoints)


def test_chart_escapes_labels_and_scales_bars() -> None:
    svg = bar_chart([Bar(TITLE_PAYLOAD, (Segment(3, "seg-ok", "3 ok"), Segment(1, "seg-bad", "1")), "n"),
                     Bar("b", (Segment(1, "seg-ok", "1 ok"),), "n")], "t", normalise=False)
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert 'width="420.0"' not in svg  # 3+1 is the widest: 315 + 105
    assert 'width="315.0"' in svg and 'width="105.0"' in svg
    assert bar_chart([], "t", normalise=True) == ""


# --- snapshot and delta ----------------------------------------------------------------------


def test_snapshot_round_trip_and_delta() -> None:
    document = to_json(DATA)
    assert document["kind"] == "tenantlint-audit" and document["commit"] == SHA
    assert "/srv/" not in json.dumps(document)
    previous = parse_snapshot(document)
    assert compare(DATA, previous).new == () and compare(DATA, previous).fixed == ()
    # the same finding on another line is not a change; a removed finding is "fixed"
    moved = json.loads(json.dumps(document))
    moved["findings"][0]["line"] += 10
    extra = dict(moved["findings"][0], code="TNT102", message="old write")
    moved["findings"].append(extra)
    moved["tables"] = [t for t in moved["tables"] if t["table"] != "invoices"]
    delta = compare(DATA, parse_snapshot(moved))
    assert delta.new == () and [f.message for f in delta.fixed] == ["old write"]
    assert [(t.table, t.before, t.after) for t in delta.tables] == [("invoices", None, (5, 3))]
    with pytest.raises(SnapshotError):
        parse_snapshot({"kind": "something else"})
    with pytest.raises(SnapshotError):
        parse_snapshot({"kind": "tenantlint-audit", "version": 1})


def test_markdown_has_the_header_facts_and_links() -> None:
    md = MarkdownAuditReporter().render(DATA, read_source)
    assert "generated 2026-01-02 03:04 UTC" in md and "`0123456789ab`" in md and "`main`" in md
    assert f"(<https://git.example/org/repo/blob/{SHA}/project/billing/views.py#L5>)" in md
    assert "## Where the problems are" in md and "/srv/" not in md.replace("https://", "")
    assert "| `unverifiable` |" in md  # every scoping has a row, zero or not


# --- end to end ------------------------------------------------------------------------------


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "billing").mkdir()
    (tmp_path / "billing" / "models.py").write_text(MODELS)
    (tmp_path / "billing" / "views.py").write_text(VIEWS)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_audit_json_counts_agree_and_words_are_honest(project: Path) -> None:
    assert main(["audit", "--output", "audit.json", "--no-cache"]) == 0
    doc = json.loads((project / "audit.json").read_text())
    summary, sites = doc["summary"], doc["sites"]
    assert summary["sites"] == len(sites)
    by_scoping = {s["scoping"] for s in sites}
    assert summary["by_scoping"] == {k: sum(1 for s in sites if s["scoping"] == k) for k in by_scoping}
    assert summary["proven"] == sum(1 for s in sites if s["proven"])
    # the helper's parameter and self in a model method: accepted, never "proven"
    unknown = [s for s in sites if s["scoping"] == "unknown-origin-filter"]
    assert {(s["path"], s["line"]) for s in unknown} == {("billing/models.py", 13), ("billing/views.py", 15)}
    assert not any(s["proven"] for s in unknown)
    trusted = next(s for s in sites if s["scoping"] == "trusted-filter")
    assert trusted["origin"] == "request.user.org" and trusted["proven"]
    # SQL built at run time (TNT301) is an unverifiable site, with the TNT301 finding
    dynamic = [s for s in sites if s["scoping"] == "unverifiable"]
    assert [s["table"] for s in dynamic] == ["(SQL built at run time)"]
    assert "TNT301" in summary["by_code"]
    # queries on tenant tables vs sites: one site per query and table, plus the dynamic SQL
    assert summary["sites"] == summary["queries"] + len(dynamic)


def test_audit_html_with_links_and_delta(project: Path) -> None:
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=project, check=True)
    assert main(["audit", "--output", "before.json", "--no-cache"]) == 0
    views = project / "billing" / "views.py"
    views.write_text(VIEWS.replace("Invoice.objects.all()", "Invoice.objects.filter(org=request.user.org)")
                     + "\n\ndef leaky2(request):\n    return Invoice.objects.get(pk=1)\n")
    template = "https://git.example/o/r/blob/{commit}/{path}#L{line}"
    assert main(["audit", "--output", "after.html", "--compare", "before.json", "--source-url",
                 template, "--no-cache"]) == 0
    page = (project / "after.html").read_text()
    assert str(project) not in page
    assert '<code id="meta-branch">main</code>' in page
    assert 'href="https://git.example/o/r/blob/main/billing/views.py#L' in page  # no commit yet
    assert 'id="delta"' in page and "1 new, 1 fixed" in page
    assert 'id="chart-coverage"' in page and "<svg" in page


def test_audit_rejects_bad_options(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", "--output", "a.txt"]) == 2
    assert main(["audit", "--output", "a.html", "--source-url", "ftp://x/{path}"]) == 2
    (project / "old.json").write_text("{}")
    assert main(["audit", "--output", "a.html", "--compare", "old.json"]) == 2
    assert main(["audit", "--output", "a.html", "--compare", "missing.json"]) == 2
    err = capsys.readouterr().err
    assert ".json" in err and "https://" in err and "not a tenantlint audit JSON" in err


def test_site_origin_shown_in_html() -> None:
    site = QuerySite("billing/views.py", 9, 12, "invoices", "read", "unknown-origin-filter", "detail",
                     "Invoice.objects.filter(org=org)", "filter org", "")
    data = replace(DATA, result=replace(DATA.result, query_sites=DATA.result.query_sites + (site,)))
    page = HtmlAuditReporter().render(data, read_source)
    assert 'class="badge assumed"' in page and "no (accepted, not proven)" in page
    assert summarize(data).assumed == 1
