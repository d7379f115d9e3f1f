"""Command-line conventions: project root, --force-exclude, stdin, --quiet, --statistics, the stderr
summary, code frames, colour variables, a closed pipe, and did-you-mean for commands and codes."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tenantlint.console import color_wanted, statistics, summary_line
from tenantlint.results import Finding, RunResult, Span, Stats
from tests.test_cli import MODELS, ROOT, VIEWS, tenantlint


def run(cwd: Path, *args: str, stdin: str | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", **env}
    return subprocess.run([sys.executable, "-m", "tenantlint", *args], cwd=cwd, env=environ,
                          input=stdin, capture_output=True, text=True, timeout=120)


@pytest.fixture
def app(tmp_path: Path) -> Path:
    root = tmp_path / "app"
    (root / "billing" / "migrations").mkdir(parents=True)
    (root / "billing" / "models.py").write_text(MODELS)
    (root / "billing" / "views.py").write_text(VIEWS)
    (root / "billing" / "migrations" / "0002_backfill.py").write_text(VIEWS)
    return root


def paths_of(proc: subprocess.CompletedProcess[str]) -> list[str]:
    return [f["path"] for f in json.loads(proc.stdout)["findings"]]


# --- the project root -----------------------------------------------------------------------------

def test_config_elsewhere_does_not_move_the_root(app: Path) -> None:
    (app / "ci").mkdir()
    (app / "ci" / "tenantlint.toml").write_text('global_tables = ["Organization"]\n')
    proc = tenantlint(app, "check", "--no-cache", "--config", "ci/tenantlint.toml", "--format", "json")
    # the models under billing/ are still indexed: the leak is found
    assert paths_of(proc) == ["billing/views.py"], proc.stderr


def test_root_flag_from_outside_the_project(app: Path) -> None:
    (app / "tenantlint.toml").write_text('exclude = ["billing/legacy/**"]\n')
    (app / "billing" / "legacy").mkdir()
    (app / "billing" / "legacy" / "old.py").write_text(VIEWS)
    outside = app.parent
    proc = tenantlint(outside, "check", "--no-cache", "--root", "app", "app/billing", "--format", "json")
    # the config is discovered at --root, and its exclude globs are relative to it even when a
    # sub-folder is walked
    assert paths_of(proc) == ["app/billing/views.py"], proc.stderr
    assert tenantlint(outside, "check", "--root", "nowhere").returncode == 2


def test_force_exclude_applies_exclude_to_named_files(app: Path) -> None:
    named = ("billing/views.py", "billing/migrations/0002_backfill.py")
    plain = tenantlint(app, "check", "--no-cache", "--format", "json", *named)
    assert paths_of(plain) == ["billing/migrations/0002_backfill.py", "billing/views.py"]
    forced = tenantlint(app, "check", "--no-cache", "--format", "json", "--force-exclude", *named)
    assert paths_of(forced) == ["billing/views.py"]
    folder = tenantlint(app, "check", "--no-cache", "--force-exclude", "billing/migrations")
    assert folder.returncode == 0 and folder.stdout == ""


# --- stdin ------------------------------------------------------------------------------------------

def test_stdin_with_a_file_name(app: Path) -> None:
    text = VIEWS + "\n\ndef more(request):\n    return Invoice.objects.count()\n"
    proc = run(app, "check", "--no-cache", "-", "--stdin-filename", "billing/views.py",
               "--format", "json", stdin=text)
    assert proc.returncode == 1, proc.stderr
    findings = json.loads(proc.stdout)["findings"]
    assert [(f["path"], f["line"]) for f in findings] == [("billing/views.py", 5), ("billing/views.py", 13)]
    # code frames come from the text read, not from the file on disk
    framed = run(app, "check", "-", "--stdin-filename", "billing/views.py", "--show-source", stdin=text)
    assert "> 13 |     return Invoice.objects.count()" in framed.stdout
    excluded = run(app, "check", "-", "--stdin-filename", "billing/migrations/0003.py",
                   "--force-exclude", stdin=text)
    assert excluded.returncode == 0 and excluded.stdout == ""
    unnamed = run(app, "check", "-", stdin=text)
    assert unnamed.stdout.startswith("-:5:17: TNT101 ")
    assert run(app, "check", "--stdin-filename", "x.py").returncode == 2
    assert run(app, "check", "-", "billing", stdin=text).returncode == 2


# --- what goes where --------------------------------------------------------------------------------

def test_summary_on_stderr_unless_quiet(app: Path) -> None:
    proc = tenantlint(app, "check", "--no-cache")
    assert proc.stderr.startswith("tenantlint: Found 1 finding in 2 files, ")
    assert len(proc.stderr.splitlines()) == 1
    quiet = tenantlint(app, "check", "--no-cache", "--quiet", "--format", "json")
    assert quiet.returncode == 1 and quiet.stderr == ""
    assert len(json.loads(quiet.stdout)["findings"]) == 1


def test_statistics_text_and_json(app: Path) -> None:
    proc = tenantlint(app, "check", "--no-cache", "--statistics")
    assert proc.returncode == 1
    assert proc.stdout == "1\tTNT101\tunscoped-query\n"
    doc = json.loads(tenantlint(app, "check", "--statistics", "--format", "json").stdout)
    assert doc == [{"code": "TNT101", "name": "unscoped-query", "count": 1}]
    assert tenantlint(app, "check", "--statistics", "--format", "sarif").returncode == 2


def test_show_source_without_a_terminal(app: Path) -> None:
    plain = tenantlint(app, "check", "--no-cache", "billing/views.py")
    assert plain.stdout.count("\n") == 1
    framed = tenantlint(app, "check", "--no-cache", "--show-source", "billing/views.py")
    assert "> 5 |     return list(Invoice.objects.all())" in framed.stdout
    assert "^^^^" in framed.stdout and "\x1b[" not in framed.stdout


def test_no_color_and_force_color(app: Path) -> None:
    forced = run(app, "check", "billing/views.py", FORCE_COLOR="1")
    assert "\x1b[" in forced.stdout and "billing/views.py" in forced.stdout
    assert "|" not in forced.stdout  # colour does not bring code frames
    both = run(app, "check", "billing/views.py", "--show-source", FORCE_COLOR="1", NO_COLOR="1")
    assert "\x1b[" not in both.stdout and "> 5 |" in both.stdout


def test_color_wanted_follows_the_variables() -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert color_wanted(Tty(), {}) is True
    assert color_wanted(Tty(), {"NO_COLOR": "1"}) is False
    assert color_wanted(io.StringIO(), {}) is False
    assert color_wanted(io.StringIO(), {"FORCE_COLOR": "1"}) is True
    assert color_wanted(io.StringIO(), {"FORCE_COLOR": "1", "NO_COLOR": "1"}) is False
    assert color_wanted(Tty(), {"NO_COLOR": ""}) is True  # empty means unset


def test_closed_pipe_ends_quietly(app: Path) -> None:
    for n in range(300):  # more output than a pipe buffer holds
        (app / "billing" / f"v{n}.py").write_text(VIEWS)
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    proc = subprocess.Popen([sys.executable, "-m", "tenantlint", "check", "--show-source"], cwd=app,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()
    proc.stdout.close()  # what `| head -1` does
    err = proc.stderr.read()
    assert proc.wait(timeout=120) == 1
    assert "TNT101" in first
    assert "Broken pipe" not in err and "Errno" not in err and "Traceback" not in err


# --- did you mean -----------------------------------------------------------------------------------

def test_mistyped_command_is_not_a_path(app: Path) -> None:
    proc = tenantlint(app, "chek")
    assert proc.returncode == 2
    assert "did you mean 'check'?" in proc.stderr and "TNT999" not in proc.stdout
    (app / "chek").mkdir()  # an existing folder of that name is a path to check
    (app / "chek" / "clean.py").write_text("x = 1\n")
    assert tenantlint(app, "chek").returncode == 0


def test_rule_code_errors_name_the_flag_and_suggest(app: Path) -> None:
    proc = tenantlint(app, "check", "--ignore", "TNT1O1")
    assert proc.returncode == 2
    assert proc.stderr.startswith("tenantlint: error: --ignore TNT1O1: ")
    assert "did you mean 'TNT101'?" in proc.stderr
    proc = tenantlint(app, "check", "--select", "TNT4")
    assert proc.returncode == 2 and proc.stderr.startswith("tenantlint: error: --select TNT4: ")
    assert "<command line>" not in proc.stderr


def test_tool_table_in_tenantlint_toml(app: Path) -> None:
    (app / "tenantlint.toml").write_text('[tool.tenantlint]\nglobal_tables = ["Organization"]\n')
    proc = tenantlint(app, "check")
    assert proc.returncode == 2
    assert "[tool.tenantlint] is for pyproject.toml" in proc.stderr
    assert "top level" in proc.stderr and len(proc.stderr.splitlines()) == 1


# --- units ------------------------------------------------------------------------------------------

def test_summary_line_and_statistics_units() -> None:
    f = Finding("TNT101", "m", "a.py", Span(1, 1, 1, 2))
    g = Finding("TNT201", "m", "a.py", Span(2, 1, 2, 2))
    result = RunResult((f, f, g), (g,), (), (), Stats(files=3, queries=1, seconds=0.5))
    assert summary_line(result) == "Found 3 findings (1 suppressed) in 3 files, 0.50s"
    assert summary_line(RunResult((), (), (), (), Stats(files=1, queries=0, seconds=0.1))) == (
        "No findings in 1 file, 0.10s")
    assert statistics(result, "text") == "2\tTNT101\tunscoped-query\n1\tTNT201\ttenant-id-from-request\n"


def test_progress_appears_only_after_the_delay() -> None:
    from rich.console import Console

    from tenantlint.reporters.progress import delayed_progress

    shown = io.StringIO()
    console = Console(file=shown, force_terminal=True, width=80)
    with delayed_progress(10, True, delay=0.0, console=console) as advance:
        advance(3)
        advance(3)
    assert "Scanning" in shown.getvalue()
    hidden = io.StringIO()
    console = Console(file=hidden, force_terminal=True, width=80)
    with delayed_progress(10, True, delay=60.0, console=console) as advance:
        advance(10)
    assert hidden.getvalue() == ""


def test_index_spinner_appears_only_after_the_delay() -> None:
    import time

    from rich.console import Console

    from tenantlint.reporters.progress import delayed_status

    shown = io.StringIO()
    with delayed_status("Indexing", True, delay=0.05, console=Console(file=shown, force_terminal=True)):
        time.sleep(0.5)
    assert "Indexing" in shown.getvalue()
    hidden = io.StringIO()
    with delayed_status("Indexing", True, delay=60.0, console=Console(file=hidden, force_terminal=True)):
        pass
    assert hidden.getvalue() == ""


def test_progress_bar_in_a_terminal(app: Path) -> None:
    pty = pytest.importorskip("pty")
    for n in range(40):
        (app / "billing" / f"v{n}.py").write_text(VIEWS)
    out = io.BytesIO()

    def read(fd: int) -> bytes:
        data = os.read(fd, 1024)
        out.write(data)
        return data

    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "TENANTLINT_PROGRESS_DELAY": "0"}
    cwd = os.getcwd()
    os.chdir(app)
    saved = dict(os.environ)
    try:
        os.environ.clear()
        os.environ.update(env)
        status = pty.spawn([sys.executable, "-m", "tenantlint", "check", "--no-cache", "--jobs", "1"],
                           read)
    finally:
        os.environ.clear()
        os.environ.update(saved)
        os.chdir(cwd)
    text = out.getvalue().decode("utf-8", "replace")
    assert os.waitstatus_to_exitcode(status) == 1
    assert "Scanning" in text and "files" in text
