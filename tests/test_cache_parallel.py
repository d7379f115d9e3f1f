"""Content cache (8.3) and parallel runs (8.1): same findings cold, warm, for every --jobs value."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tenantlint.cache import INDEX_KIND, LAYOUT, MAGIC, RESULT_KIND, Cache
from tenantlint.cache_codec import encode
from tenantlint.config.options import Config
from tenantlint.results import FileResult
from tenantlint.runner import Item, RunOptions, _Job, _parallel, build_project, run

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "fixtures" / "demo"


def cli(cwd: Path, *args: str) -> tuple[int, dict[str, object]]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-m", "tenantlint", "check", "--format", "json", *args],
                          cwd=cwd, env=env, capture_output=True, timeout=240)
    assert b"Traceback" not in proc.stderr, proc.stderr.decode()
    return proc.returncode, json.loads(proc.stdout)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """The demo app copied twelve times (enough files for the process pool to be used)."""
    for i in range(12):
        app = tmp_path / f"app{i}"
        app.mkdir()
        for f in (DEMO / "billing").glob("*.py"):
            text = f.read_text().replace("billing.models", f"app{i}.models")
            (app / f.name).write_text(text.replace("Invoice", f"Invoice{i}"))
    return tmp_path


def test_findings_identical_for_every_jobs_value_and_cache_state(tree: Path) -> None:
    runs = {}
    for args in (["--no-cache", "--jobs", "1"], ["--no-cache", "--jobs", "2"], ["--no-cache", "--jobs", "5"],
                 ["--jobs", "3"], ["--jobs", "1"], ["--jobs", "4"]):  # cold cache, then warm
        status, report = cli(tree, *args, "--min-parallel", "0")  # the pools, however few files
        assert status == 1
        assert "seconds" not in report["stats"]  # type: ignore[operator]
        runs[" ".join(args)] = report
    first = next(iter(runs.values()))
    assert len(first["findings"]) == 12 * 10  # type: ignore[arg-type]
    for name, report in runs.items():
        assert report == first, name
    assert (tree / ".tenantlint_cache" / ".gitignore").read_text() == "*\n"


def entries(cache_dir: Path, kind: str) -> list[Path]:
    return sorted((cache_dir / LAYOUT / kind).rglob("*.json"))


def run_in(root: Path, cache_dir: Path | None, **kw: object) -> tuple[tuple[str, int, str], ...]:
    cwd = Path.cwd()
    os.chdir(root)
    try:
        opts = RunOptions(use_cache=cache_dir is not None, cache_dir=cache_dir, **kw)  # type: ignore[arg-type]
        result = run(Config(root=root), opts)
    finally:
        os.chdir(cwd)
    return tuple((f.path, f.line, f.code) for f in result.findings)


def test_model_change_invalidates_results_of_other_files(tree: Path, tmp_path: Path) -> None:
    cache_dir = tmp_path / "cachedir"
    before = run_in(tree, cache_dir)
    assert len(entries(cache_dir, RESULT_KIND)) == 24
    assert any(p == "app0/views.py" for p, _, _ in before)
    models = tree / "app0" / "models.py"
    models.write_text(models.read_text().replace("org = models.ForeignKey", "owner = models.ForeignKey"))
    after = run_in(tree, cache_dir)
    assert after == run_in(tree, None)
    assert not any(p == "app0/views.py" and c == "TNT101" for p, _, c in after)  # no longer tenant
    assert len(entries(cache_dir, RESULT_KIND)) == 48  # every result recomputed under the new index


def test_warm_run_reads_results_from_the_cache(tree: Path, tmp_path: Path) -> None:
    cache_dir = tmp_path / "c"
    cold = run_in(tree, cache_dir)
    marker = FileResult("app3/views.py")  # plant a recognisable entry in place of the real one
    for entry in entries(cache_dir, RESULT_KIND):
        data = json.loads(entry.read_bytes())
        if data["value"][0] == "app3/views.py":
            data["value"] = encode(marker)
            entry.write_text(json.dumps(data))
    warm = run_in(tree, cache_dir)
    assert [f for f in cold if f[0] != "app3/views.py"] == list(warm)


@pytest.mark.parametrize("damage", [b"", b"garbage", b'{"magic": "other", "kind": 1, "key": 2, "value": 3}',
                                    b"1" * 5000, b"[" * 100_000, None])
def test_corrupt_entries_are_ignored_and_rewritten(tree: Path, tmp_path: Path, damage: bytes | None) -> None:
    cache_dir = tmp_path / "c"
    cold = run_in(tree, cache_dir)
    for kind in (INDEX_KIND, RESULT_KIND):
        for entry in entries(cache_dir, kind):
            if damage is None:
                entry.unlink()
                entry.mkdir()  # unreadable: a directory where the file should be
            else:
                entry.write_bytes(damage)
    assert run_in(tree, cache_dir) == cold
    if damage is not None:
        rewritten = entries(cache_dir, RESULT_KIND)
        assert all(json.loads(e.read_bytes())["magic"] == MAGIC for e in rewritten)


def test_cache_get_put_roundtrip_and_disabled(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "c")
    assert cache.get("k", "ab" * 32, dict[str, int]) is None
    assert cache.put("k", "ab" * 32, {"x": 1})
    assert cache.get("k", "ab" * 32, dict[str, int]) == {"x": 1}
    assert cache.get("k", "ab" * 32, dict[str, str]) is None  # another shape: a miss
    assert cache.get("other", "ab" * 32, dict[str, int]) is None
    assert not Cache(None).put("k", "ab" * 32, 1) and Cache(None).get("k", "ab" * 32, int) is None
    assert not [p for p in (tmp_path / "c").rglob(".tmp-*")]


def test_no_cache_writes_nothing(tree: Path) -> None:
    cli(tree, "--no-cache", "--jobs", "1")
    assert not (tree / ".tenantlint_cache").exists()


def test_index_is_built_from_cache(tree: Path, tmp_path: Path) -> None:
    cache = Cache(tmp_path / "c")
    cold = build_project(Config(root=tree), cache)
    warm = build_project(Config(root=tree), cache)
    assert cold.index_hash == warm.index_hash and cold.index == warm.index
    assert len(entries(tmp_path / "c", INDEX_KIND)) == 24


def _kill_on_views(item: Item) -> FileResult:
    """A worker dies on every views.py (leaving a marker first, so the test sees it happened)."""
    if item[0].endswith("views.py"):
        Path(item[1] + ".died").touch()
        os._exit(3)
    return FileResult(item[0])


def test_dead_worker_loses_only_its_file(monkeypatch: pytest.MonkeyPatch, tree: Path) -> None:
    import tenantlint.runner as runner

    # Workers die on views.py; the parent (which analyses its share in-process and must not die)
    # gives those files the same TNT999, so the expected output does not depend on who took what.
    monkeypatch.setattr(runner, "_work", _kill_on_views)
    monkeypatch.setattr(runner, "analyze_item", lambda item, job: (
        runner._died(item[0]) if item[0].endswith("views.py") else FileResult(item[0])))
    items: list[Item] = [(f"app{i}/{n}.py", str(tree / f"app{i}/{n}.py"), None)
                         for i in range(12) for n in ("models", "views")]
    project = build_project(Config(root=tree))
    from tenantlint.analysis.settings import Settings

    job = _Job(Settings(Config(root=tree), project.index), None, False, Cache(None), "")
    seen: list[int] = []
    results = _parallel(items, job, 3, seen.append)
    assert [r.path for r in results] == [i[0] for i in items]
    dead = [r for r in results if r.error]
    assert [r.path for r in dead] == [i[0] for i in items if i[0].endswith("views.py")]
    assert all(d.findings[0].code == "TNT999" and "worker process" in d.findings[0].message
               for d in dead)
    assert sum(seen) == len(items)
    assert list(tree.rglob("*.died"))  # workers really died (the first chunks always go to them)


def test_exception_in_analysis_is_tnt999(monkeypatch: pytest.MonkeyPatch, tree: Path) -> None:
    import tenantlint.analysis.engine as engine

    def boom(*args: object) -> Iterator[object]:
        raise RecursionError("deep")

    monkeypatch.setattr(engine, "analyze_text", boom)  # the runner imports it when a file needs it
    found = run_in(tree, None, use_prefilter=True)
    assert found and all(c == "TNT999" for _, _, c in found)


def test_trim_removes_the_oldest_entries_down_to_the_cap(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "c")
    keys = [f"{i:02d}" * 32 for i in range(10)]
    for age, key in enumerate(keys):
        assert cache.put("k", key, "x" * 1000)
        os.utime(cache._path("k", key), (1_000_000 + age, 1_000_000 + age))
    stale = tmp_path / "c" / LAYOUT / "k" / ".tmp-left-by-a-killed-run"
    stale.write_text("partial")
    os.utime(stale, (1, 1))
    size = cache._path("k", keys[0]).stat().st_size
    assert cache.trim(max_bytes=5 * size) == 1 + 6  # the stale temp file, then the 6 oldest entries
    assert [k for k in keys if cache.get("k", k, str) is not None] == keys[6:]
    assert cache.trim(max_bytes=5 * size) == 0  # under the cap: nothing more
