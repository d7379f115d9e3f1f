"""Run one command and measure its wall time and peak memory, children included.

Each measurement is a fresh child process waited for with ``os.wait4``, whose rusage covers that
child and every descendant it reaped (``ru_maxrss`` is the largest single process), so nothing
accumulates across measurements. Because worker pools run side by side, a sampler thread also
sums the RSS of the whole process tree from ``/proc`` (Linux); the peak reported is the larger.
The same sampler also sums PSS (``/proc/<pid>/smaps_rollup``): RSS counts a page shared by forked
workers once per process, PSS splits it between them, so the PSS sum is the tree's real footprint.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
_PROC = Path("/proc")


@dataclass(frozen=True, slots=True)
class Measurement:
    """One run of one command."""

    seconds: float
    peak_rss_mb: float  # max(largest single process, sampled sum over the process tree)
    max_single_rss_mb: float  # from wait4: the largest process of the tree
    tree_rss_mb: float  # sampled sum over the live process tree (0.0 when /proc is absent)
    returncode: int
    stdout: str
    stderr: str
    cpu_seconds: float = 0.0  # user + system CPU of the whole tree (wait4); steadier than wall
    tree_pss_mb: float = 0.0  # sampled peak of summed PSS over the tree (0.0 without smaps_rollup)


def _maxrss_mb(ru_maxrss: int) -> float:
    # Linux reports KiB, macOS bytes.
    return ru_maxrss / (1024 * 1024) if sys.platform == "darwin" else ru_maxrss / 1024


def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in _PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # "pid (comm) state ppid ..."; comm may hold spaces and parentheses.
        fields = stat[stat.rfind(")") + 2 :].split()
        if len(fields) > 1:
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    return children


def _pss_bytes(pid: int) -> int:
    """Proportional set size of one process (0 when smaps_rollup is missing or unreadable)."""
    try:
        text = (_PROC / str(pid) / "smaps_rollup").read_text()
    except OSError:
        return 0
    for line in text.splitlines():
        if line.startswith("Pss:"):
            try:
                return int(line.split()[1]) * 1024  # kB
            except (IndexError, ValueError):
                return 0
    return 0


def tree_memory_bytes(root: int) -> tuple[int, int]:
    """(RSS, PSS) summed over ``root`` and all its live descendants ((0, 0) without /proc)."""
    if not _PROC.is_dir():
        return 0, 0
    children = _children_map()
    rss = pss = 0
    stack = [root]
    while stack:
        pid = stack.pop()
        try:
            rss += int((_PROC / str(pid) / "statm").read_text().split()[1]) * _PAGE
        except (OSError, IndexError, ValueError):
            pass  # the process ended between listing and reading: it holds no memory now
        pss += _pss_bytes(pid)
        stack.extend(children.get(pid, ()))
    return rss, pss


def tree_rss_bytes(root: int) -> int:
    """Sum of resident memory of ``root`` and all its live descendants (0 without /proc)."""
    return tree_memory_bytes(root)[0]


class _Sampler(threading.Thread):
    def __init__(self, pid: int, interval: float) -> None:
        super().__init__(daemon=True)
        self._pid = pid
        self._interval = interval
        self._done = threading.Event()
        self.peak = 0
        self.peak_pss = 0

    def run(self) -> None:
        while not self._done.is_set():
            rss, pss = tree_memory_bytes(self._pid)
            self.peak = max(self.peak, rss)
            self.peak_pss = max(self.peak_pss, pss)
            self._done.wait(self._interval)

    def stop(self) -> None:
        self._done.set()
        self.join()


# A tiny launcher between us and the measured command: a child forked from this (large) process
# starts with this process's resident pages, which would inflate ru_maxrss of small commands. The
# launcher is small; it runs the command and reports only its descendants' rusage.
_LAUNCHER = (
    "import resource, subprocess, sys\n"
    "code = subprocess.call(sys.argv[2:])\n"
    "ru = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "open(sys.argv[1], 'w').write(str(ru.ru_maxrss))\n"
    "sys.exit(code)\n"
)


def measure(
    cmd: Sequence[str],
    cwd: Path,
    env: Mapping[str, str] | None = None,
    sample_interval: float = 0.02,
) -> Measurement:
    """Run ``cmd`` in ``cwd`` to completion; output goes to temporary files, never a pipe."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile("r", suffix=".rss") as rss_file:
        start = time.perf_counter()
        launcher = [sys.executable, "-S", "-c", _LAUNCHER, rss_file.name, *cmd]
        proc = subprocess.Popen(
            launcher, cwd=cwd, env=dict(env) if env is not None else None,
            stdin=subprocess.DEVNULL, stdout=out, stderr=err,
        )  # fmt: skip
        sampler = _Sampler(proc.pid, sample_interval) if sample_interval > 0 else None
        if sampler is not None:
            sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        if sampler is not None:
            sampler.stop()
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
        reported = rss_file.read().strip()
    single = _maxrss_mb(int(reported)) if reported.isdigit() else _maxrss_mb(usage.ru_maxrss)
    tree = (sampler.peak if sampler is not None else 0) / (1024 * 1024)
    pss = (sampler.peak_pss if sampler is not None else 0) / (1024 * 1024)
    return Measurement(
        seconds=seconds,
        peak_rss_mb=max(single, tree),
        max_single_rss_mb=single,
        tree_rss_mb=tree,
        returncode=proc.returncode,
        stdout=stdout,
        stderr=stderr,
        cpu_seconds=usage.ru_utime + usage.ru_stime,
        tree_pss_mb=pss,
    )
