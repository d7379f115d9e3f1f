"""Limits a hostile or unlucky tree meets, each in a real ``python -m tenantlint`` process under a
timeout: symlinks out of the tree are named (never followed), TNT903 honours ``# noqa`` like every
code, stdin is capped by ``max_file_bytes``, and TNT903 is a documented rule."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_hostile import BIDI, LEAK, ROOT, TIMEOUT, paths_and_codes, report, run, tree

__all__ = ["tree"]  # the fixture, shared with test_hostile


# ----- symlinks out of the tree: skipped, and said -------------------------------------------------
def test_symlinks_out_of_the_tree_are_named_on_stderr(tree: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.py").write_text(LEAK)
    (tree / "zero.py").symlink_to("/dev/zero")
    (tree / "billing" / "lib").symlink_to(outside, target_is_directory=True)
    (tree / "notes.txt").symlink_to("/etc/hostname")  # not Python: nothing to say
    (tree / "inside.py").symlink_to(tree / "billing" / "views.py")  # inside the tree: followed
    code, out, err = run(tree, "check", "--no-cache", "--format", "json")
    assert code == 1
    assert paths_and_codes(json.loads(out)) == {("billing/views.py", "TNT101"), ("inside.py", "TNT101")}
    warnings = [line for line in err.splitlines() if "symlink" in line]
    assert warnings == ["tenantlint: warning: skipped 2 symlinks leading out of the checked folder "
                        "(never followed): billing/lib, zero.py"]
    (tree / "tenantlint.toml").write_text('exclude = ["zero.py"]\n')  # an excluded link: not named
    _, _, err = run(tree, "check", "--no-cache", "--quiet")
    assert "skipped 1 symlink leading out of the checked folder (never followed): billing/lib" in err


def test_no_warning_without_such_links(tree: Path) -> None:
    _, _, err = run(tree, "check", "--no-cache")
    assert "symlink" not in err


# ----- TNT903 and suppressions ------------------------------------------------------------------
BIDI_LINES = (
    f"a = '{BIDI}'  # noqa\n"
    f"b = '{BIDI}'  # noqa: TNT903\n"
    f"c = '{BIDI}'  # tenantlint: ignore[TNT9] shown escaped in every output\n"
    f"d = '{BIDI}'  # noqa: TNT101\n"
    f"e = '{BIDI}'\n"
)


@pytest.mark.parametrize("walked", [True, False], ids=["walked", "syntax-error"])
def test_bidi_finding_honours_noqa(tree: Path, walked: bool) -> None:
    """Suppressed like every code: in a walked file (with the file's other findings, so a ``noqa:
    TNT903`` is never "unused") and in a file that is not walked (TNT999)."""
    head = "from billing.models import Invoice\n"
    tail = LEAK.split("\n\n\n")[1] if walked else "def broken(:\n"
    (tree / "billing" / "trojan.py").write_text(head + BIDI_LINES + tail)
    code, doc = report(tree)
    assert code == 1
    findings = doc["findings"]
    assert isinstance(findings, list)
    found = sorted((f["line"], f["code"]) for f in findings if f["path"] == "billing/trojan.py")
    expected = [(5, "TNT903"), (6, "TNT903")]  # d (noqa of another code) and e (none)
    if walked:
        expected += [(5, "TNT902"), (8, "TNT101")]  # noqa: TNT101 on d suppressed nothing
    else:
        expected += [(7, "TNT999")]
    assert found == sorted(expected)
    _, _, err = run(tree, "check", "--no-cache")
    assert "(3 suppressed)" in err  # lines a, b and c


# ----- stdin: capped like a file ------------------------------------------------------------------
def test_stdin_above_max_file_bytes_is_tnt999_and_never_read_whole(tree: Path) -> None:
    (tree / "tenantlint.toml").write_text("max_file_bytes = 1000\n")
    with open("/dev/zero", "rb") as endless:  # an endless stdin: must end, not fill memory
        proc = subprocess.run(
            [sys.executable, "-m", "tenantlint", "check", "-", "--stdin-filename", "billing/x.py",
             "--no-cache", "--format", "json"],
            cwd=tree, stdin=endless, capture_output=True, timeout=TIMEOUT,
            env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)})
    doc = json.loads(proc.stdout)
    assert paths_and_codes(doc) == {("billing/x.py", "TNT999")}
    assert "file too large (more than 1000 bytes; max_file_bytes is 1000)" in proc.stdout.decode()
    code, out, _ = run(tree, "check", "-", "--stdin-filename", "billing/x.py", "--no-cache",
                       "--format", "json", stdin=LEAK.encode())  # under the cap: analysed
    assert paths_and_codes(json.loads(out)) == {("billing/x.py", "TNT101")}


# ----- TNT903 is a documented rule ----------------------------------------------------------------
def test_tnt903_is_listed_and_documented(tree: Path) -> None:
    _, out, _ = run(tree, "rules")
    assert "TNT903" in out.decode()
    page = (ROOT / "docs" / "rules" / "TNT903.md").read_text()
    assert "noqa" in page
