"""The benchmark scenarios: which commands to time, in which cache state, on which files."""

from __future__ import annotations

import compileall
import importlib.util
import json
import os
import shutil
import statistics
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from measure import Measurement, measure

REPO_ROOT = Path(__file__).resolve().parent.parent
SEMGREP_RULES = Path(__file__).resolve().parent / "semgrep-rules.yml"
CACHE_DIR_NAME = ".tenantlint_cache"
SKIP_DIRS = frozenset(
    {
        ".git",
        ".hg",
        "node_modules",
        ".venv",
        "venv",
        "__pycache__",
        CACHE_DIR_NAME,
        ".mypy_cache",
        ".ruff_cache",
        ".pytest_cache",
        ".tox",
        "build",
        "dist",
        "migrations",
    }
)
QUERY_HINTS = (".objects.", "execute(", "session.", "select(", ".query(")


@dataclass(frozen=True, slots=True)
class Row:
    """One scenario's measurements (median time, max memory over repeats)."""

    name: str
    command: tuple[str, ...]
    runs: tuple[Measurement, ...]
    error: str | None = None
    note: str = ""
    findings: int | None = None

    @property
    def seconds(self) -> float:
        return statistics.median(m.seconds for m in self.runs) if self.runs else float("nan")

    @property
    def peak_mb(self) -> float:
        return max((m.peak_rss_mb for m in self.runs), default=float("nan"))

    @property
    def returncodes(self) -> tuple[int, ...]:
        return tuple(m.returncode for m in self.runs)


@dataclass(frozen=True, slots=True)
class Tenantlint:
    """How to invoke tenantlint: a command prefix and the environment to run it in."""

    prefix: tuple[str, ...]
    env: dict[str, str] = field(default_factory=dict)

    @classmethod
    def default(cls) -> Tenantlint:
        # pip compiles an installed package's bytecode; the source checkout run here may not have
        # it (or only stale files, e.g. under PYTHONDONTWRITEBYTECODE=1), which would add the
        # compilation of every module (~65 ms) to each timed run. Compile once, as pip would.
        compileall.compile_dir(str(REPO_ROOT / "tenantlint"), quiet=1)
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(REPO_ROOT), env.get("PYTHONPATH", "")) if p
        )
        return cls((sys.executable, "-m", "tenantlint"), env)

    def check(self, paths: Sequence[str], *extra: str) -> list[str]:
        return [*self.prefix, "check", *paths, "--format", "json", *extra]


def python_files(root: Path) -> list[Path]:
    """Python files under ``root`` (sorted, relative), skipping VCS, caches, venvs, migrations."""
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
        found.extend(Path(dirpath, f).relative_to(root) for f in filenames if f.endswith(".py"))
    return sorted(found)


def copy_tree(src: Path, dst: Path) -> None:
    """Copy a project to a scratch place so edits and caches never touch the original."""
    skip = SKIP_DIRS - {"migrations", "build", "dist"}
    shutil.copytree(src, dst, ignore=lambda _d, names: [n for n in names if n in skip])


def pick_changed_file(root: Path, files: Sequence[Path]) -> Path:
    """A typical file that holds queries: the median-sized one among those that look like it."""
    holders = [
        f for f in files if any(h in (root / f).read_text("utf-8", "replace") for h in QUERY_HINTS)
    ]
    pool = sorted(holders or files, key=lambda f: ((root / f).stat().st_size, str(f)))
    return pool[len(pool) // 2]


def pick_spread(files: Sequence[Path], count: int) -> list[Path]:
    """``count`` files spread evenly over the sorted list (a commit touching several apps)."""
    if len(files) <= count:
        return list(files)
    step = len(files) / count
    return [files[int(i * step)] for i in range(count)]


def append_comment(root: Path, rel: Path, tag: str) -> None:
    with (root / rel).open("a", encoding="utf-8") as fh:
        fh.write(f"# benchmark edit {tag}\n")


def tool_prefix(module: str, executable: str) -> list[str] | None:
    """``sys.executable -m module`` when importable here, else the executable on PATH."""
    if importlib.util.find_spec(module) is not None:
        return [sys.executable, "-m", module]
    found = shutil.which(executable)
    return [found] if found else None


def tenantlint_outcome(runs: Sequence[Measurement]) -> tuple[str | None, int | None]:
    """(error, findings): exit 0/1 are normal; a crash or usage error is an error."""
    findings: int | None = None
    for m in runs:
        try:
            data = json.loads(m.stdout)
        except ValueError:
            data = None
        if isinstance(data, dict) and isinstance(data.get("findings"), list):
            findings = len(data["findings"])
        if m.returncode not in (0, 1) or (
            m.returncode == 1 and data is None and "Traceback" in m.stderr
        ):
            return f"exit {m.returncode}: {m.stderr.strip()[-300:]}", findings
    return None, findings


def tool_outcome(runs: Sequence[Measurement]) -> str | None:
    """Linters exit 1 when they find things; a signal, or exit >= 2 with no output, is an error."""
    for m in runs:
        if m.returncode < 0 or (m.returncode >= 2 and not m.stdout.strip()):
            return f"exit {m.returncode}: {m.stderr.strip()[-300:]}"
    return None


@dataclass(slots=True)
class Bench:
    """Runs scenarios on one working tree; collects rows."""

    root: Path
    tenantlint: Tenantlint
    repeat: int
    jobs: int
    sample_interval: float
    rows: list[Row] = field(default_factory=list)
    log: Callable[[str], None] = print

    def _run(self, cmd: Sequence[str], env: dict[str, str] | None) -> Measurement:
        return measure(cmd, self.root, env, self.sample_interval)

    def tl(
        self,
        name: str,
        args: list[str],
        before: Callable[[int], None] | None = None,
        note: str = "",
    ) -> Row:
        self.log(f"  {name} ...")
        runs = []
        for i in range(self.repeat):
            if before is not None:
                before(i)
            runs.append(self._run(args, self.tenantlint.env or None))
        error, findings = tenantlint_outcome(runs)
        row = Row(name, tuple(args), tuple(runs), error, note, findings)
        self.rows.append(row)
        return row

    def tool(self, name: str, args: list[str], note: str = "") -> Row:
        self.log(f"  {name} ...")
        runs = tuple(self._run(args, None) for _ in range(self.repeat))
        row = Row(name, tuple(args), runs, tool_outcome(runs), note)
        self.rows.append(row)
        return row

    def skipped(self, name: str, why: str) -> None:
        self.rows.append(Row(name, (), (), None, f"skipped: {why}"))

    def clear_cache(self) -> None:
        shutil.rmtree(self.root / CACHE_DIR_NAME, ignore_errors=True)

    def run_all(self) -> list[Row]:
        t = self.tenantlint
        files = python_files(self.root)
        self.clear_cache()
        self.tl("tenantlint cold", t.check(["."], "--no-cache"))
        self.tl("tenantlint cold --jobs 1", t.check(["."], "--no-cache", "--jobs", "1"))
        self.tl(
            f"tenantlint cold --jobs {self.jobs}",
            t.check(["."], "--no-cache", "--jobs", str(self.jobs)),
        )
        self.log("  filling the cache ...")
        fill = self._run(t.check(["."]), t.env or None)
        self.rows.append(
            Row(
                "tenantlint first cached run",
                tuple(t.check(["."])),
                (fill,),
                tenantlint_outcome([fill])[0],
                "fills the cache",
            )
        )
        self.tl("tenantlint warm", t.check(["."]), note="nothing changed since the cached run")
        changed = pick_changed_file(self.root, files) if files else None
        if changed is not None:
            self.tl(
                "tenantlint one changed file",
                t.check(["."]),
                before=lambda i: append_comment(self.root, changed, f"one-{i}"),
                note=f"comment appended to {changed.as_posix()} before each run",
            )
        ten = [f.as_posix() for f in pick_spread(files, 10)]
        if ten:

            def edit_ten(i: int) -> None:
                for f in ten:
                    append_comment(self.root, Path(f), f"pc-{i}")

            self.tl(
                "tenantlint pre-commit (10 files)",
                t.check(ten),
                before=edit_ten,
                note="10 edited files of an indexed project, cache warm",
            )
        self._tools(ten)
        return self.rows

    def _tools(self, ten: list[str]) -> None:
        flake8 = tool_prefix("flake8", "flake8")
        if flake8 and ten:
            self.tool("flake8 (10 files)", [*flake8, *ten])
        bandit = tool_prefix("bandit", "bandit")
        if bandit:
            self.tool("bandit -r", [*bandit, "-r", "-q", "."])
        else:
            self.skipped("bandit -r", "not installed")
        ruff = tool_prefix("ruff", "ruff")
        if ruff:
            self.tool(
                "ruff check --select ALL",
                [
                    *ruff,
                    "check",
                    "--select",
                    "ALL",
                    "--no-cache",
                    "--output-format",
                    "concise",
                    ".",
                ],
            )
        else:
            self.skipped("ruff check --select ALL", "not installed")
        if flake8:
            self.tool("flake8", [*flake8, "."])
        else:
            self.skipped("flake8", "not installed")
        semgrep = shutil.which("semgrep")
        if semgrep:
            self.tool(
                "semgrep",
                [
                    semgrep,
                    "--config",
                    str(SEMGREP_RULES),
                    "--metrics=off",
                    "--disable-version-check",
                    "--quiet",
                    ".",
                ],
            )
        else:
            self.skipped("semgrep", "not on PATH")
