"""Parallel runs: same results, same order, for any number of processes."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import pytest

from tenantlint.api import check_paths, load_config
from tenantlint.parallel import ordered_map

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
_OFFSET: list[int] = []


def _init(offset: int) -> None:
    _OFFSET[:] = [offset]


def _remote(x: int) -> tuple[int, int]:
    return x * x + _OFFSET[0], os.getpid()


@pytest.mark.parametrize("jobs", [1, 2, 3])
def test_ordered_map_keeps_order_and_counts_progress(jobs: int) -> None:
    seen: list[int] = []

    def local(x: int) -> tuple[int, int]:
        return x * x + 1, os.getpid()

    out = ordered_map(local, _remote, list(range(203)), jobs, _init, (1,), seen.append)
    assert [v for v, _ in out] == [x * x + 1 for x in range(203)]
    assert sum(seen) == 203
    if jobs > 1:
        assert len({pid for _, pid in out}) > 1  # the work really was shared


def _remote_dies(x: int) -> tuple[int, int]:
    os._exit(3)


def _remote_dies_on_7(x: int) -> tuple[int, int]:
    if x % 10 == 7:
        os._exit(3)
    return _remote(x)


@pytest.mark.parametrize("jobs", [2, 3])
def test_ordered_map_dead_worker_loses_only_its_item(jobs: int) -> None:
    seen: list[int] = []

    def local(x: int) -> tuple[int, int]:
        return (-1, 0) if x % 10 == 7 else (x * x + 1, os.getpid())

    out = ordered_map(local, _remote_dies_on_7, list(range(60)), jobs, _init, (1,), seen.append,
                      chunks_per_job=4, died=lambda x: (-1, 0))
    assert [v for v, _ in out] == [-1 if x % 10 == 7 else x * x + 1 for x in range(60)]
    assert sum(seen) == 60
    assert len({pid for _, pid in out if pid}) > 1  # workers did part of it after the deaths


def test_ordered_map_without_died_raises_on_dead_worker() -> None:
    from concurrent.futures.process import BrokenProcessPool

    with pytest.raises(BrokenProcessPool):
        ordered_map(lambda x: (x, 0), _remote_dies, list(range(30)), 2, _init, (1,))


@pytest.mark.parametrize("app", ["django_billing", "rawsql_psycopg"])
def test_output_identical_for_any_jobs(app: str) -> None:
    outputs = []
    for jobs in (1, 2, 3):
        with contextlib.chdir(FIXTURES / app):
            result = check_paths([Path(".")], load_config(), jobs=jobs, min_parallel=0)
        outputs.append((result.findings, result.suppressed, result.errors, result.stats.files))
    assert outputs[0] == outputs[1] == outputs[2]
    assert outputs[0][0]  # the apps have findings: the comparison is not vacuous


def test_second_pass_over_few_large_files_runs_in_parallel(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """The passes across functions re-read few files, but large ones: fewer than MIN_PARALLEL files
    go to the pool when they hold REANALYSE_PARALLEL_BYTES of code, and stay in process when small
    (or alone, or with --jobs 1)."""
    from tenantlint import runner

    big = tmp_path / "big.py"
    big.write_text("x = 1\n" * (runner.REANALYSE_PARALLEL_BYTES // 6 + 1))
    small = tmp_path / "small.py"
    small.write_text("x = 1\n")
    pooled: list[int] = []
    monkeypatch.setattr(runner, "_parallel",
                        lambda items, job, jobs, progress: pooled.append(len(items)) or [])
    monkeypatch.setattr(runner, "analyze_item", lambda item, job: None)
    job = object()
    runner._reanalyse([("big.py", str(big), None), ("small.py", str(small), None)], job, 2)  # type: ignore[arg-type]
    runner._reanalyse([("small.py", str(small), None)] * 2, job, 2)  # type: ignore[arg-type]
    runner._reanalyse([("big.py", str(big), None)], job, 2)  # type: ignore[arg-type]
    runner._reanalyse([("big.py", str(big), None)] * 2, job, 1)  # type: ignore[arg-type]
    assert pooled == [2]
