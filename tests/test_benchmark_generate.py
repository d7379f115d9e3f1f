"""The synthetic project generator (benchmarks/synthproj) and the measuring wrapper."""

from __future__ import annotations

import ast
import statistics
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "benchmarks"
sys.path.insert(0, str(BENCH))

from measure import measure  # noqa: E402
from synthproj import generate, manifest, write  # noqa: E402

N = 50


def _tree_bytes(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_same_seed_gives_byte_identical_trees(tmp_path: Path) -> None:
    write(generate(N, seed=7), tmp_path / "a")
    write(generate(N, seed=7), tmp_path / "b")
    a, b = _tree_bytes(tmp_path / "a"), _tree_bytes(tmp_path / "b")
    assert a == b
    assert "tenantlint.toml" in a


def test_different_seeds_differ() -> None:
    a = {f.path: f.text for f in generate(N, seed=1)}
    b = {f.path: f.text for f in generate(N, seed=2)}
    assert a != b


@pytest.mark.parametrize("files", [1, 9, N, 137])
def test_exactly_n_python_files(files: int, tmp_path: Path) -> None:
    write(generate(files, seed=3), tmp_path)
    assert len(list(tmp_path.rglob("*.py"))) == files


def test_every_python_file_parses() -> None:
    for f in generate(N, seed=4):
        if f.path.endswith(".py"):
            ast.parse(f.text, filename=f.path)


def test_proportions_roughly_as_designed() -> None:
    tree = generate(400, seed=5)
    py = [f for f in tree if f.path.endswith(".py")]
    info = manifest(tree)
    no_query = sum(1 for f in py if f.queries == 0) / len(py)
    assert 0.38 <= no_query <= 0.6
    families = {
        fam: sum(1 for f in py if f.family == fam) / len(py)
        for fam in ("django", "sqlalchemy", "rawsql")
    }
    assert 0.5 <= families["django"] <= 0.7
    assert 0.15 <= families["sqlalchemy"] <= 0.3
    assert 0.1 <= families["rawsql"] <= 0.25
    queries, bugs = int(str(info["queries"])), int(str(info["planted_bugs"]))
    assert queries > 3 * len(py)
    assert 0.02 * queries <= bugs <= 0.12 * queries
    assert 40 <= statistics.median(f.lines for f in py) <= 150
    assert any(".sql" in f.path for f in tree)


def test_planted_bugs_point_at_the_query() -> None:
    for f in generate(200, seed=6):
        lines = f.text.splitlines()
        for bug in f.bugs:
            line = lines[bug.line - 1]
            if bug.code in ("TNT101", "TNT102", "TNT103"):
                assert any(
                    k in line
                    for k in (
                        "objects",
                        "execute",
                        "query",
                        "select",
                        "get_object_or_404",
                        "session",
                        "update(",
                        "(",
                    )
                ), (f.path, bug, line)
            if bug.code == "TNT103":
                statement = "\n".join(lines[bug.line - 1 : bug.line + 4])
                assert "request" in statement, (f.path, bug, statement)
            if bug.code == "TNT201":
                assert "request" in line or "org_id: int" in line, (f.path, bug, line)


def test_toml_names_the_tenant_model() -> None:
    toml = next(f for f in generate(5, seed=0) if f.path == "tenantlint.toml")
    assert 'tenant_models = ["Organization"]' in toml.text


def test_refuses_non_empty_outdir(tmp_path: Path) -> None:
    (tmp_path / "x").write_text("keep me")
    with pytest.raises(FileExistsError):
        write(generate(3, seed=0), tmp_path)


def test_measure_reports_child_memory_and_exit_code(tmp_path: Path) -> None:
    touch = "b = bytearray(80 * 1024 * 1024); b[::4096] = b'x' * len(b[::4096])"
    code = f"import sys; {touch}; sys.exit(3)"
    m = measure([sys.executable, "-c", code], tmp_path)
    assert m.returncode == 3
    assert m.peak_rss_mb >= 80
    assert m.seconds > 0
    small = measure([sys.executable, "-c", "print('hi')"], tmp_path)
    assert small.stdout.strip() == "hi"
    assert small.peak_rss_mb < m.peak_rss_mb - 50  # no accumulation across measurements


def test_measure_counts_grandchildren(tmp_path: Path) -> None:
    inner = "b = bytearray(90 * 1024 * 1024); b[::4096] = b'x' * len(b[::4096])"
    outer = f"import subprocess, sys; subprocess.run([sys.executable, '-c', {inner!r}])"
    m = measure([sys.executable, "-c", outer], tmp_path)
    assert m.max_single_rss_mb >= 90
