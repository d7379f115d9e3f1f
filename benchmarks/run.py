"""Time tenantlint against bandit, ruff, flake8 and semgrep on one tree, side by side.

    python benchmarks/run.py [PATH] [--generate N] [--seed S] [--jobs N] [--json OUT]
                             [--repeat K] [--tenantlint-cmd "..."] [--scaling] [--keep]

PATH (default: a generated tree of ``--generate`` files) is copied to a scratch directory first,
so the edits and caches of the scenarios never touch it. See docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from report import evaluate, render, to_json  # noqa: E402
from scenarios import Bench, Row, Tenantlint, copy_tree  # noqa: E402
from synthproj import generate, write  # noqa: E402

DEFAULT_FILES = 2000


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description="Benchmark tenantlint against other Python linters.")
    p.add_argument("path", nargs="?", type=Path, help="project to measure (default: generate one)")
    p.add_argument(
        "--generate", type=int, metavar="N", help=f"generate N files (default {DEFAULT_FILES})"
    )
    p.add_argument("--seed", type=int, default=0, help="seed of the generated tree (default 0)")
    p.add_argument(
        "--jobs", type=int, default=os.cpu_count() or 2, help="N of the --jobs N scenario"
    )
    p.add_argument(
        "--repeat", type=int, default=3, help="runs per scenario; the median is reported"
    )
    p.add_argument("--json", type=Path, metavar="OUT", help="also write the results as JSON")
    p.add_argument(
        "--tenantlint-cmd",
        metavar="CMD",
        help='command prefix before "check" (default: this Python -m tenantlint)',
    )
    p.add_argument("--scaling", action="store_true", help="also time cold runs on N and 2N files")
    p.add_argument(
        "--sample-interval",
        type=float,
        default=0.02,
        help="seconds between process-tree RSS samples; 0 turns sampling off",
    )
    p.add_argument("--keep", action="store_true", help="keep the scratch directory")
    return p


def _tenantlint(cmd: str | None) -> Tenantlint:
    if cmd is None:
        return Tenantlint.default()
    return Tenantlint(tuple(shlex.split(cmd)), {})


def _scaling(args: argparse.Namespace, scratch: Path, tl: Tenantlint) -> list[Row]:
    n = args.generate or DEFAULT_FILES
    rows: list[Row] = []
    for label, count in (("N", n), ("2N", 2 * n)):
        root = scratch / f"scaling-{count}"
        print(f"generating {count} files for the scaling check ...", file=sys.stderr)
        write(generate(count, args.seed), root)
        bench = Bench(root, tl, args.repeat, args.jobs, args.sample_interval, log=_log)
        row = bench.tl(
            f"scaling: tenantlint cold, {label} files",
            tl.check(["."], "--no-cache"),
            note=f"{count} generated files",
        )
        rows.append(row)
    return rows


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.repeat < 1 or args.jobs < 1:
        _log("run.py: --repeat and --jobs must be at least 1")
        return 2
    if args.path is not None and not args.path.is_dir():
        _log(f"run.py: {args.path} is not a directory")
        return 2
    tl = _tenantlint(args.tenantlint_cmd)
    scratch = Path(tempfile.mkdtemp(prefix="tenantlint-bench-"))
    work = scratch / "tree"
    meta: dict[str, object]
    if args.path is not None:
        _log(f"copying {args.path} to {work} ...")
        copy_tree(args.path, work)
        meta = {"path": str(args.path.resolve()), "generated": None}
    else:
        files = args.generate or DEFAULT_FILES
        _log(f"generating {files} files (seed {args.seed}) in {work} ...")
        write(generate(files, args.seed), work)
        meta = {"path": None, "generated": {"files": files, "seed": args.seed}}
    meta |= {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "load_average_at_start": os.getloadavg() if hasattr(os, "getloadavg") else None,
        "repeat": args.repeat,
        "jobs": args.jobs,
        "tenantlint_command": list(tl.prefix),
    }
    try:
        _log("measuring:")
        rows = Bench(work, tl, args.repeat, args.jobs, args.sample_interval, log=_log).run_all()
        if args.scaling:
            rows += _scaling(args, scratch, tl)
    finally:
        if args.keep:
            _log(f"kept {scratch}")
        else:
            import shutil

            shutil.rmtree(scratch, ignore_errors=True)
    if hasattr(os, "getloadavg"):
        meta["load_average_at_end"] = os.getloadavg()
    doc = to_json(rows, evaluate(rows, args.jobs), meta)
    print(render(doc))
    for r in rows:
        if r.error:
            _log(f"{r.name}: {r.error}")
    if args.json:
        args.json.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
        _log(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
