"""The command line as a user meets it: exit codes, JSON shape, config errors, baselines."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

MODELS = """\
from django.db import models


class Organization(models.Model):
    name = models.CharField(max_length=50)


class Invoice(models.Model):
    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="invoices")
    number = models.CharField(max_length=20)
"""

VIEWS = """\
from billing.models import Invoice


def leaky(request):
    return list(Invoice.objects.all())


def scoped(request):
    return list(Invoice.objects.filter(org=request.user.org))
"""


def tenantlint(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    return subprocess.run([sys.executable, "-m", "tenantlint", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def app(tmp_path: Path) -> Path:
    (tmp_path / "billing").mkdir()
    (tmp_path / "billing" / "models.py").write_text(MODELS)
    (tmp_path / "billing" / "views.py").write_text(VIEWS)
    return tmp_path


def test_findings_exit_1_and_text_lines(app: Path) -> None:
    proc = tenantlint(app, "check", "--no-cache")
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout.splitlines()[0].startswith("billing/views.py:5:17: TNT101 ")
    # docs/cli.md: the one-line summary goes to stderr (unless --quiet)
    assert proc.stderr.startswith("tenantlint: Found 1 finding in 2 files, ")


def test_clean_exit_0_and_exit_zero(app: Path) -> None:
    (app / "billing" / "views.py").write_text(VIEWS.replace("Invoice.objects.all()", "[]"))
    assert tenantlint(app, "check", "--no-cache").returncode == 0
    (app / "billing" / "views.py").write_text(VIEWS)
    assert tenantlint(app, "check", "--no-cache", "--exit-zero").returncode == 0


def test_json_shape_per_spec(app: Path) -> None:
    proc = tenantlint(app, "check", "--no-cache", "--format", "json")
    data = json.loads(proc.stdout)
    assert list(data) == ["version", "findings", "errors", "stats"]
    assert data["version"] == 1
    (finding,) = data["findings"]
    assert list(finding) == ["code", "name", "severity", "message", "path", "line", "column",
                             "end_line", "end_column", "table", "handler", "snippet", "trace"]
    assert (finding["code"], finding["name"], finding["severity"]) == ("TNT101", "unscoped-query", "error")
    assert (finding["path"], finding["line"], finding["column"]) == ("billing/views.py", 5, 17)
    assert finding["table"] == "billing_invoice"
    assert finding["handler"] == "leaky"
    assert finding["snippet"] == "Invoice.objects.all()"
    # no duration: identical runs, identical bytes
    assert set(data["stats"]) == {"files", "queries", "unresolved_query_like", "unresolved_calls"}
    timed = json.loads(tenantlint(app, "check", "--no-cache", "--format", "json", "--timing").stdout)
    assert set(timed["stats"]) == {"files", "queries", "unresolved_query_like", "unresolved_calls", "seconds"}


def test_syntax_error_is_tnt999_and_run_goes_on(app: Path) -> None:
    (app / "billing" / "broken.py").write_text("def f(:\n    pass\n")
    proc = tenantlint(app, "check", "--no-cache", "--format", "json")
    data = json.loads(proc.stdout)
    codes = sorted((f["path"], f["code"]) for f in data["findings"])
    assert codes == [("billing/broken.py", "TNT999"), ("billing/views.py", "TNT101")]
    assert data["errors"] and data["errors"][0]["path"] == "billing/broken.py"
    assert "Traceback" not in proc.stderr


def test_unknown_config_key_is_one_line_exit_2(app: Path) -> None:
    (app / "tenantlint.toml").write_text('tenant_colums = ["org_id"]\n')
    proc = tenantlint(app, "check")
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "tenantlint.toml" in lines[0] and "tenant_colums" in lines[0] and "tenant_columns" in lines[0]


def test_wrong_type_in_pyproject_exit_2(app: Path) -> None:
    (app / "pyproject.toml").write_text('[tool.tenantlint]\ndiscover = "yes"\n')
    proc = tenantlint(app, "check")
    assert proc.returncode == 2
    assert "pyproject.toml" in proc.stderr and "discover" in proc.stderr


def test_select_and_ignore(app: Path) -> None:
    assert tenantlint(app, "check", "--no-cache", "--ignore", "TNT1").returncode == 0
    assert tenantlint(app, "check", "--no-cache", "--select", "TNT2").returncode == 0
    assert tenantlint(app, "check", "--no-cache", "--select", "TNT101").returncode == 1


def test_one_file_sees_the_whole_project_index(app: Path) -> None:
    proc = tenantlint(app, "check", "--no-cache", "billing/views.py", "--format", "json")
    assert [f["code"] for f in json.loads(proc.stdout)["findings"]] == ["TNT101"]


def test_baseline_survives_shifted_lines(app: Path) -> None:
    assert tenantlint(app, "check", "--no-cache", "--write-baseline", "base.json").returncode == 1
    views = app / "billing" / "views.py"
    views.write_text("# a new comment\n\n" + VIEWS)
    assert tenantlint(app, "check", "--no-cache", "--baseline", "base.json").returncode == 0
    views.write_text(VIEWS + "\n\ndef another(request):\n    return Invoice.objects.count()\n")
    proc = tenantlint(app, "check", "--no-cache", "--baseline", "base.json", "--format", "json")
    assert proc.returncode == 1
    assert [f["line"] for f in json.loads(proc.stdout)["findings"]] == [13]


def test_tables_and_rules(app: Path) -> None:
    proc = tenantlint(app, "tables")
    assert proc.returncode == 0 and "billing_invoice" in proc.stdout and "org_id" in proc.stdout
    proc = tenantlint(app, "rules", "TNT202")
    assert proc.returncode == 0 and "# TNT202 unscoped-view" in proc.stdout


def test_sarif_and_html_formats(app: Path) -> None:
    sarif = json.loads(tenantlint(app, "check", "--no-cache", "--format", "sarif").stdout)
    assert sarif["version"] == "2.1.0"
    assert sarif["runs"][0]["results"][0]["ruleId"] == "TNT101"
    html = tenantlint(app, "check", "--no-cache", "--format", "html").stdout
    assert html.startswith("<!DOCTYPE html>") and "billing_invoice" in html


def test_audit_writes_report(app: Path) -> None:
    proc = tenantlint(app, "audit", "--output", "report.md")
    assert proc.returncode == 0, proc.stderr
    text = (app / "report.md").read_text()
    assert "billing_invoice" in text and "TNT101" in text
    assert tenantlint(app, "audit", "--output", "report.txt").returncode == 2


def test_usage_error_exit_2(app: Path) -> None:
    assert tenantlint(app, "check", "--format", "xml").returncode == 2
    assert tenantlint(app, "check", "--jobs", "0").returncode == 2
