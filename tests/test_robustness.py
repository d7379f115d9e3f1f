"""Hostile input (issue 8.5): every bad file becomes TNT999 or is handled, the rest is still analysed.

Run through the real CLI (``python -m tenantlint check --format json``) in a subprocess, so crashes
of the native parser (SIGSEGV) and tracebacks on stderr would show, and through the api.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tenantlint.config.options import Config
from tenantlint.runner import RunOptions, run

ROOT = Path(__file__).resolve().parents[1]
MODELS = (ROOT / "fixtures" / "demo" / "billing" / "models.py").read_text()
LEAK = "from billing.models import Invoice\n\n\ndef view(request):\n    return Invoice.objects.all()\n"
LEAK_LINE = 5  # the return line of LEAK


def cli(cwd: Path, *args: str) -> tuple[int, dict[str, object], str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-m", "tenantlint", "check", "--format", "json", "--no-cache", *args],
        cwd=cwd, env=env, capture_output=True, timeout=240,
    )
    stderr = proc.stderr.decode("utf-8", "replace")
    assert "Traceback" not in stderr, stderr
    return proc.returncode, json.loads(proc.stdout), stderr


def project(tmp_path: Path) -> Path:
    (tmp_path / "billing").mkdir()
    (tmp_path / "billing" / "models.py").write_text(MODELS)
    (tmp_path / "good.py").write_text(LEAK)
    return tmp_path


def codes(report: dict[str, object]) -> set[tuple[str, int, str]]:
    findings = report["findings"]
    assert isinstance(findings, list)
    return {(f["path"], f["line"], f["code"]) for f in findings}


IMPORT = b"from billing.models import Invoice\n"  # so the prefilter does not skip the file
HOSTILE: dict[str, bytes] = {
    "syntax.py": b"def f(:\n    pass\n",
    "py2.py": b'print "x"\n',
    "badenc.py": b"x = '\xff\xfe\xfa'\n",
    "wrongdecl.py": b"# -*- coding: klingon -*-\nx = 1\n",
    "nul.py": b"x = 1\x00\n",
    "deep.py": IMPORT + b"x = " + b"(" * 100000 + b"1" + b")" * 100000 + b"\n",
    "deepcalls.py": IMPORT + b"x = f" + b"()" * 50000 + b"\n",
    "longand.py": IMPORT + b"x = " + b" and ".join([b"a"] * 20000) + b"\n",
    "manyconcat.py": IMPORT + b"x = " + b" ".join([b'"a"'] * 50000) + b"\n",
}


def test_hostile_files_become_tnt999_and_the_rest_is_analysed(tmp_path: Path) -> None:
    root = project(tmp_path)
    for name, data in HOSTILE.items():
        (root / name).write_bytes(data)
    status, report, _ = cli(root)
    assert status == 1
    found = codes(report)
    assert ("good.py", LEAK_LINE, "TNT101") in found
    for name in HOSTILE:
        assert any(p == name and c == "TNT999" for p, _, c in found), name
    errors = {e["path"] for e in report["errors"]}  # type: ignore[union-attr]
    assert errors == set(HOSTILE)


@pytest.mark.parametrize("jobs", ["1", "3"])
def test_hostile_files_in_parallel(tmp_path: Path, jobs: str) -> None:
    root = project(tmp_path)
    for name, data in HOSTILE.items():
        (root / name).write_bytes(data)
    for i in range(10):
        (root / f"leak{i}.py").write_text(LEAK)
    status, report, _ = cli(root, "--jobs", jobs, "--min-parallel", "0")  # the pool, however few
    assert status == 1
    found = codes(report)
    assert {(f"leak{i}.py", LEAK_LINE, "TNT101") for i in range(10)} <= found
    assert len([c for c in found if c[2] == "TNT999"]) == len(HOSTILE)


def leak_variant(data: bytes) -> tuple[str, bytes]:
    return "v.py", data


@pytest.mark.parametrize(
    "data",
    [
        b"\xef\xbb\xbf" + LEAK.encode(),
        LEAK.replace("\n", "\r\n").encode(),
        LEAK.replace("\n", "\r\n", 2).encode(),  # mixed line endings
        b"# -*- coding: latin-1 -*-\n# caf\xe9\n" + LEAK.encode(),
        b"# caf\xc3\xa9 \xe2\x80\x94 utf-8\n" + LEAK.encode(),
    ],
    ids=["bom", "crlf", "mixed", "latin1-declared", "utf8"],
)
def test_encodings_and_line_endings_are_analysed(tmp_path: Path, data: bytes) -> None:
    root = project(tmp_path)
    (root / "v.py").write_bytes(data)
    status, report, _ = cli(root, "v.py")
    shift = 2 if data.startswith(b"# -*-") else 1 if data.startswith(b"# caf") else 0
    assert status == 1
    assert codes(report) == {("v.py", LEAK_LINE + shift, "TNT101")}
    assert report["errors"] == []


def test_empty_file_is_clean(tmp_path: Path) -> None:
    root = project(tmp_path)
    (root / "empty.py").write_bytes(b"")
    status, report, _ = cli(root, "empty.py")
    assert (status, report["findings"], report["errors"]) == (0, [], [])


def test_ten_megabyte_file(tmp_path: Path) -> None:
    """Above ``max_file_bytes`` (default 5 MiB) a file is not read: TNT999 "file too large"; with
    the cap raised it is analysed."""
    root = project(tmp_path)
    body = '"""' + ("lorem ipsum dolor sit amet\n" * 390_000) + '"""\n'
    (root / "big.py").write_text(body + LEAK)
    assert (root / "big.py").stat().st_size > 10_000_000
    status, report, _ = cli(root, "big.py")
    assert status == 1
    assert codes(report) == {("big.py", 1, "TNT999")}
    assert "file too large" in report["findings"][0]["message"]  # type: ignore[index]
    (root / "tenantlint.toml").write_text("max_file_bytes = 20_000_000\n")
    status, report, _ = cli(root, "big.py")
    assert status == 1
    assert codes(report) == {("big.py", body.count("\n") + LEAK_LINE, "TNT101")}


def megabyte_sql(count: int = 150_000) -> str:
    ids = ", ".join(str(i) for i in range(count))
    return f"SELECT id FROM billing_invoice WHERE id IN ({ids})"


def test_megabyte_sql_string_file(tmp_path: Path) -> None:
    """The file is analysed without error; where raw SQL is wired in, its leak is TNT101 at line 2."""
    root = project(tmp_path)
    sql = megabyte_sql()
    assert len(sql) > 1_000_000
    (root / "sql.py").write_text(f'def report(cursor):\n    cursor.execute("{sql}")\n')
    status, report, _ = cli(root, "sql.py")
    assert report["errors"] == []
    assert codes(report) <= {("sql.py", 2, "TNT101")}
    assert status == (1 if report["findings"] else 0)


def test_large_sql_string_verifier() -> None:
    """100 KB here: sqlglot needs ~9 s for the 1 MB statement, too slow for the suite."""
    from tenantlint.analysis.facts import Scoping
    from tenantlint.sqlcheck import SqlTenancy, analyze_sql

    tenancy = SqlTenancy.of({"billing_invoice": "org_id"}, {})
    result = analyze_sql(megabyte_sql(15_000), dialect="postgres", tenancy=tenancy)
    assert result.error is None
    assert [(u.table, u.scoping) for u in result.uses] == [("billing_invoice", Scoping.UNSCOPED)]


def test_symlink_loops(tmp_path: Path) -> None:
    root = project(tmp_path)
    (root / "pkg").mkdir()
    (root / "pkg" / "loop").symlink_to(root / "pkg", target_is_directory=True)
    (root / "pkg" / "up").symlink_to(root, target_is_directory=True)
    (root / "self.py").symlink_to(root / "self.py")
    status, report, _ = cli(root)
    assert status == 1
    found = codes(report)
    assert ("good.py", LEAK_LINE, "TNT101") in found
    assert ("self.py", 1, "TNT999") in found
    assert sum(1 for p, _, _ in found if p.endswith("good.py")) == 1  # not once per loop lap


def _deny(monkeypatch: pytest.MonkeyPatch, root: Path) -> None:
    """Reads as an unprivileged user sees them: ``secret.py`` and the folder ``locked`` raise
    EACCES (root reads whatever the mode, and CI runs the tests as root)."""
    real_open, real_scandir = os.open, os.scandir

    def guarded_open(path: str | os.PathLike[str], flags: int, *args: int, **kw: object) -> int:
        if os.fspath(path).endswith("secret.py"):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_open(path, flags, *args, **kw)  # type: ignore[arg-type]

    def guarded_scandir(path: str | os.PathLike[str] = ".") -> object:
        if os.fspath(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "open", guarded_open)
    monkeypatch.setattr(os, "scandir", guarded_scandir)


def test_unreadable_file_and_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    """Never skipped: with chmod 000 as a normal user, with the same EACCES simulated as root."""
    from tenantlint.cli import main

    root = project(tmp_path)
    (root / "secret.py").write_text(LEAK)
    (root / "locked").mkdir()
    (root / "locked" / "x.py").write_text(LEAK)
    (root / "secret.py").chmod(0)
    (root / "locked").chmod(0)
    monkeypatch.chdir(root)
    if os.geteuid() == 0:
        _deny(monkeypatch, root)
    try:
        status = main(["check", "--format", "json", "--no-cache"])
    finally:
        monkeypatch.undo()
        (root / "locked").chmod(0o755)
        (root / "secret.py").chmod(0o644)
    report = json.loads(capsys.readouterr().out)
    assert status == 1
    found = codes(report)
    assert ("good.py", LEAK_LINE, "TNT101") in found
    assert ("secret.py", 1, "TNT999") in found
    assert not any(p.startswith("locked/") for p, _, _ in found)  # an unreadable folder is skipped


def test_unreadable_file_via_api(tmp_path: Path) -> None:
    """As root chmod 000 cannot fail a read; a path that is a FIFO-less dangling link does."""
    root = project(tmp_path)
    (root / "gone.py").symlink_to(root / "missing.py")
    config = Config(root=root)
    cwd = Path.cwd()
    os.chdir(root)
    try:
        result = run(config, RunOptions((root / "gone.py", root / "good.py")))
    finally:
        os.chdir(cwd)
    assert {(f.path, f.code) for f in result.findings} == {("gone.py", "TNT999"), ("good.py", "TNT101")}
    assert "cannot read" in result.errors[0].message


def test_explicit_paths_spaces_non_ascii_and_non_py(tmp_path: Path) -> None:
    root = project(tmp_path)
    odd = root / "my dir" / "fäll é.py"
    odd.parent.mkdir()
    odd.write_text(LEAK)
    (root / "manage").write_text(LEAK)  # a script without .py, named explicitly (pre-commit does this)
    (root / "notes.txt").write_text("just some words\n")
    status, report, _ = cli(root, "my dir/fäll é.py", "manage", "notes.txt")
    assert status == 1
    assert codes(report) == {
        ("my dir/fäll é.py", LEAK_LINE, "TNT101"),
        ("manage", LEAK_LINE, "TNT101"),
        ("notes.txt", 1, "TNT999"),
    }


def test_clean_run_exits_zero_and_bad_only_run_exits_one(tmp_path: Path) -> None:
    root = project(tmp_path)
    (root / "good.py").write_text("x = 1\n")
    assert cli(root)[0] == 0
    (root / "bad.py").write_bytes(b"x = 1\x00\n")
    status, report, _ = cli(root)
    assert status == 1 and codes(report) == {("bad.py", 1, "TNT999")}
