"""A scanned repository is hostile input: each case is built in a temporary folder and checked by a
real ``python -m tenantlint`` process under a timeout (a hang fails the test instead of the suite).

Covered: FIFOs and device symlinks, names that are not UTF-8 or hold newlines, bidi controls,
planted symlinks for every output and for the cache folder, crafted and corrupt cache entries,
deeply nested TOML and JSON, a folder without Python files, modules that shadow the standard
library in the current folder, a backtracking-prone exclude glob, and byte-identical JSON.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tenantlint.cache import LAYOUT, RESULT_KIND

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 120  # seconds per tenantlint process: a hang is a failure, not a stuck suite

MODELS = """\
from django.db import models


class Organization(models.Model):
    name = models.CharField(max_length=100)


class Invoice(models.Model):
    org = models.ForeignKey(Organization, on_delete=models.CASCADE)
    number = models.CharField(max_length=20)
"""

LEAK = "from billing.models import Invoice\n\n\ndef leaky(request):\n    return Invoice.objects.all()\n"
FORMATS = ("text", "json", "sarif", "github", "markdown", "html")
BIDI = "\u202e"


def run(cwd: Path | bytes, *args: str, env: dict[str, str] | None = None,
        stdin: bytes | None = None) -> tuple[int, bytes, str]:
    full = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), **(env or {})}
    proc = subprocess.run([sys.executable, "-m", "tenantlint", *args], cwd=cwd, env=full,
                          input=stdin, capture_output=True, timeout=TIMEOUT)
    stderr = proc.stderr.decode("utf-8", "replace")
    assert "Traceback" not in stderr, stderr
    return proc.returncode, proc.stdout, stderr


def report(cwd: Path, *args: str) -> tuple[int, dict[str, object]]:
    code, out, _ = run(cwd, "check", "--no-cache", "--format", "json", *args)
    return code, json.loads(out)


def paths_and_codes(doc: dict[str, object]) -> set[tuple[str, str]]:
    findings = doc["findings"]
    assert isinstance(findings, list)
    return {(f["path"], f["code"]) for f in findings}


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    (root / "billing").mkdir(parents=True)
    (root / "billing" / "models.py").write_text(MODELS)
    (root / "billing" / "views.py").write_text(LEAK)
    return root


# ----- files that are not regular files ----------------------------------------------------------
def test_fifo_is_tnt999_not_a_hang(tree: Path) -> None:
    os.mkfifo(tree / "pipe.py")
    code, doc = report(tree)
    assert code == 1
    assert paths_and_codes(doc) == {("billing/views.py", "TNT101"), ("pipe.py", "TNT999")}
    assert "not a regular file" in json.dumps(doc["errors"])


def test_symlink_to_dev_zero_is_never_read(tree: Path) -> None:
    (tree / "zero.py").symlink_to("/dev/zero")
    (tree / "etc").symlink_to("/etc", target_is_directory=True)
    code, doc = report(tree)
    assert code == 1
    assert paths_and_codes(doc) == {("billing/views.py", "TNT101")}  # links out of the tree: skipped
    code, doc = report(tree, "zero.py")  # named explicitly: refused, not read
    assert paths_and_codes(doc) == {("zero.py", "TNT999")}


@pytest.mark.parametrize("command", [("check", "--no-cache"),
                                     ("audit", "--no-cache", "--output", "audit.html")])
def test_skipped_symlinks_are_named_by_check_and_audit(tree: Path, command: tuple[str, ...]) -> None:
    (tree / "zero.py").symlink_to("/dev/zero")
    code, _, err = run(tree, *command)
    assert "skipped 1 symlink leading out of the checked folder" in err and "zero.py" in err


def test_file_above_max_file_bytes_is_not_read(tree: Path) -> None:
    (tree / "tenantlint.toml").write_text("max_file_bytes = 100\n")
    (tree / "big.py").write_text("x = 1\n" * 100)
    code, doc = report(tree)
    assert ("big.py", "TNT999") in paths_and_codes(doc)
    assert "file too large" in json.dumps(doc["findings"])
    (tree / "tenantlint.toml").write_text("max_file_bytes = 0\n")
    code, _, err = run(tree, "check", "--no-cache")
    assert code == 2 and "max_file_bytes" in err


@pytest.mark.parametrize("flag", ["--config", "--baseline"])
@pytest.mark.parametrize("kind", ["dev-zero", "fifo", "dev-null", "directory"])
def test_config_and_baseline_must_be_regular_files(tree: Path, flag: str, kind: str) -> None:
    target = {"dev-zero": Path("/dev/zero"), "dev-null": Path("/dev/null"), "fifo": tree / "f.toml",
              "directory": tree / "billing"}[kind]
    if kind == "fifo":
        os.mkfifo(target)
    code, _, err = run(tree, "check", "--no-cache", flag, str(target))
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and "tenantlint:" in err


def test_root_without_python_files_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("nothing to check\n")
    code, _, err = run(tmp_path, "check", "--no-cache")
    assert code == 2 and "no Python files" in err


# ----- names and text from the tree ----------------------------------------------------------------
@pytest.mark.parametrize("fmt", FORMATS)
def test_undecodable_file_name_in_every_format(tree: Path, fmt: str) -> None:
    raw = os.fsencode(tree / "billing") + b"/bad\xff.py"
    with open(raw, "w") as fh:
        fh.write(LEAK)
    code, out, _ = run(tree, "check", "--no-cache", "--format", fmt, env={"PYTHONIOENCODING": "utf-8"})
    assert code == 1
    text = out.decode("utf-8")  # valid UTF-8 whatever the file names
    shown = text.replace("\\\\", "\\").replace("%5C", "\\")  # JSON doubles it, SARIF URIs quote it
    assert "bad\\xff.py" in shown


def test_write_baseline_with_undecodable_name_is_complete(tree: Path) -> None:
    with open(os.fsencode(tree / "billing") + b"/bad\xff.py", "w") as fh:
        fh.write(LEAK)
    (tree / "baseline.json").write_text('{"version": 1, "findings": []}\n')
    code, _, _ = run(tree, "check", "--no-cache", "--write-baseline", "baseline.json")
    doc = json.loads((tree / "baseline.json").read_text(encoding="utf-8"))
    assert len(doc["findings"]) == 2
    assert not [p for p in tree.iterdir() if p.name.startswith(".baseline.json")]  # no temp file left
    code, _, _ = run(tree, "check", "--no-cache", "--baseline", "baseline.json")
    assert code == 0


def test_newline_in_a_file_name_cannot_forge_a_line(tree: Path) -> None:
    (tree / "billing" / "evil\nfake.py:1:1: TNT999 forged.py").write_text(LEAK)
    code, out, _ = run(tree, "check", "--no-cache")
    lines = out.decode().splitlines()
    assert len(lines) == 2 and all(line.startswith("billing/") for line in lines)
    assert any("evil\\nfake.py" in line for line in lines)


@pytest.mark.parametrize("fmt", FORMATS)
def test_bidi_controls_are_reported_and_shown_escaped(tree: Path, fmt: str) -> None:
    (tree / "billing" / "trojan.py").write_text(f'ACCESS = "user"  # {BIDI} admin only\n')
    (tree / "billing" / f"name{BIDI}.py").write_text(LEAK)
    code, out, _ = run(tree, "check", "--no-cache", "--format", fmt)
    text = out.decode("utf-8")
    assert BIDI not in text
    assert "\\u202e" in text
    if fmt in ("json", "text", "github"):
        assert "TNT903" in text


def test_markdown_keeps_code_inert(tree: Path) -> None:
    (tree / "billing" / "views.py").write_text(
        "from billing.models import Invoice\n\n\ndef leaky(request):\n"
        "    return Invoice.objects.raw(\"SELECT * FROM billing_invoice -- "
        "![x](https://e.test/a.png) <img>\")\n")
    code, out, _ = run(tree, "check", "--no-cache", "--format", "markdown")
    text = out.decode()
    assert "![" not in text and "<img" not in text and "https://" not in text


# ----- outputs -------------------------------------------------------------------------------------
@pytest.mark.parametrize("args", [("check", "--output", "OUT"), ("check", "--write-baseline", "OUT"),
                                  ("audit", "--output", "OUT.md")])
def test_outputs_never_write_through_a_symlink(tree: Path, tmp_path: Path, args: tuple[str, ...]) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    name = args[-1]
    (tree / name).symlink_to(victim)
    code, _, err = run(tree, *args[:-1], name, "--no-cache")
    assert code == 2 and "symlink" in err
    assert victim.read_text() == "precious\n"
    assert (tree / name).is_symlink()


def test_output_is_replaced_atomically(tree: Path) -> None:
    (tree / "out.json").write_text("old\n")
    os.chmod(tree / "out.json", 0o640)
    run(tree, "check", "--no-cache", "--format", "json", "--output", "out.json")
    assert json.loads((tree / "out.json").read_text())["findings"]
    assert stat.S_IMODE((tree / "out.json").stat().st_mode) == 0o640  # the file's mode is kept
    assert sorted(p.name for p in tree.iterdir() if p.name.startswith(".")) == []


def test_json_is_byte_identical_between_runs(tree: Path) -> None:
    first = run(tree, "check", "--no-cache", "--format", "json")[1]
    assert first == run(tree, "check", "--no-cache", "--format", "json")[1]
    assert b'"seconds"' not in first
    assert b'"seconds"' in run(tree, "check", "--no-cache", "--format", "json", "--timing")[1]


# ----- the cache -----------------------------------------------------------------------------------
def test_symlinked_cache_folder_is_refused(tree: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tree / ".tenantlint_cache").symlink_to(elsewhere, target_is_directory=True)
    code, out, err = run(tree, "check", "--format", "json")
    assert code == 1 and "symlink" in err and "without the cache" in err
    assert list(elsewhere.iterdir()) == []  # nothing written through the link


def test_world_writable_cache_folder_is_refused(tree: Path, tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    code, _, err = run(tree, "check", "--cache-dir", str(shared))
    assert code == 1 and "writable by every user" in err
    assert list(shared.iterdir()) == []


def result_entries(cache: Path) -> list[Path]:
    return sorted((cache / LAYOUT / RESULT_KIND).rglob("*.json"))


def test_crafted_cache_entries_are_misses(tree: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cold = run(tree, "check", "--format", "json", "--cache-dir", str(cache))
    entries = result_entries(cache)
    assert entries
    marker = tmp_path / "pwned"
    payload = (b"cos\nsystem\n(S'touch " + str(marker).encode() + b"'\ntR.")  # a pickle that runs code
    for entry in entries:
        entry.write_bytes(payload)
    assert run(tree, "check", "--format", "json", "--cache-dir", str(cache))[:2] == cold[:2]
    assert not marker.exists()
    for damage in (b"\x80\x04K\x01.", b"1" * 9, b"[" * 200_000, b'{"magic": "tenantlint-cache-2"}'):
        for entry in result_entries(cache):
            entry.write_bytes(damage)
        assert run(tree, "check", "--format", "json", "--cache-dir", str(cache))[:2] == cold[:2]
        assert all(json.loads(e.read_bytes())["magic"] == "tenantlint-cache-2" for e in result_entries(cache))


def test_cache_entry_of_the_wrong_shape_cannot_hide_findings(tree: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cold = run(tree, "check", "--format", "json", "--cache-dir", str(cache))
    for entry in result_entries(cache):
        doc = json.loads(entry.read_bytes())
        doc["value"] = {"path": doc["value"][0], "findings": []}  # an object, not the record's array
        entry.write_text(json.dumps(doc))
    assert run(tree, "check", "--format", "json", "--cache-dir", str(cache))[:2] == cold[:2]


def test_cache_entry_that_is_a_fifo_or_symlink_is_a_miss(tree: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cold = run(tree, "check", "--format", "json", "--cache-dir", str(cache))
    first, *rest = result_entries(cache)
    first.unlink()
    os.mkfifo(first)
    for entry in rest:
        entry.unlink()
        entry.symlink_to("/dev/zero")
    assert run(tree, "check", "--format", "json", "--cache-dir", str(cache))[:2] == cold[:2]


# ----- nesting, sys.path, globs ------------------------------------------------------------------
def test_deeply_nested_toml_config_is_refused(tree: Path) -> None:
    (tree / "tenantlint.toml").write_text("exclude = " + "[" * 100_000 + "]" * 100_000 + "\n")
    code, _, err = run(tree, "check", "--no-cache")
    assert code == 2 and "nested" in err
    (tree / "tenantlint.toml").write_text("x = " + "{a = " * 200 + "1" + "}" * 200 + "\n")
    code, _, err = run(tree, "check", "--no-cache")
    assert code == 2 and "nested" in err


def test_deeply_nested_json_baseline_is_refused(tree: Path) -> None:
    (tree / "baseline.json").write_text('{"version": 1, "findings": ' + "[" * 100_000 + "]" * 100_000 + "}")
    code, _, err = run(tree, "check", "--no-cache", "--baseline", "baseline.json")
    assert code == 2 and "nested" in err


def test_modules_in_the_current_folder_are_never_imported(tree: Path) -> None:
    marker = tree / "imported"
    for name in ("json", "libcst", "tomllib", "sqlglot", "rich"):
        (tree / f"{name}.py").write_text(f"open({str(marker)!r}, 'a').write('{name}\\n')\n")
    code, out, _ = run(tree, "check", "--no-cache", "--format", "json")
    assert not marker.exists()
    assert code == 1 and json.loads(out)["findings"]


def test_exclude_glob_with_many_double_stars_is_fast(tree: Path) -> None:
    deep = tree.joinpath(*[f"d{i}" for i in range(30)])
    deep.mkdir(parents=True)
    (deep / "x.py").write_text(LEAK)
    globs = ["**/" * 200 + "nothing.py", "*a" * 50]
    (tree / "tenantlint.toml").write_text(f"exclude = {json.dumps(globs)}\n")
    code, doc = report(tree)  # the process timeout bounds it; it took 21 s with a backtracking regex
    assert code == 1 and len(doc["findings"]) == 2  # type: ignore[arg-type]


def test_output_folder_that_is_a_planted_symlink_is_refused(tree: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tree / "reports").symlink_to(elsewhere, target_is_directory=True)
    code, _, err = run(tree, "check", "--no-cache", "--output", "reports/out.txt")
    assert code == 2 and "symlink" in err
    assert list(elsewhere.iterdir()) == []
