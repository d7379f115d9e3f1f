"""Check that a refactor changes no finding: capture `check --format json` output, then compare.

A refactor (a function split into steps, a module moved) must leave every finding byte-identical.
Capture the output of the tree before the change and of the tree after it, then compare:

    git archive main | tar -x -C /tmp/before          # a copy of the tree before the change
    python benchmarks/same_findings.py capture /tmp/out-before --pythonpath /tmp/before \\
        --realcode /tmp/realcode --project plane --project zulip --synth 300
    python benchmarks/same_findings.py capture /tmp/out-after --pythonpath . \\
        --realcode /tmp/realcode --project plane --project zulip --synth 300
    python benchmarks/same_findings.py compare /tmp/out-before /tmp/out-after

`capture` runs ``python -m tenantlint check --format json --no-cache --exit-zero`` with
``PYTHONPATH`` set to the tree given, on every app under fixtures/ (from the app's folder, where its
tenantlint.toml is), on a synthetic tree from benchmarks/generate.py (``--synth N`` files, seed 0)
and on exported real projects (``--realcode DIR --project NAME``, root and target from
benchmarks/realcode/projects.json, ``--jobs 2``). It writes one ``NAME.json`` per target with
``stats.seconds`` removed (the only field that differs between two runs of the same code) and
nothing else changed: findings keep their order, so a reordering counts as a change too.

`compare` exits 1 when a target is missing on one side or its output differs, and prints the
findings each side has alone (code, path, line, column, table).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
PROJECTS = ROOT / "benchmarks" / "realcode" / "projects.json"


def normalized(stdout: str) -> str:
    """The JSON report without its timing, dumped back in the order it came."""
    report: dict[str, Any] = json.loads(stdout)
    stats = report.get("stats")
    if isinstance(stats, dict):
        stats.pop("seconds", None)
    return json.dumps(report, indent=1) + "\n"


def run_check(cwd: Path, target: str, pythonpath: Path, jobs: int) -> str:
    env = {**os.environ, "PYTHONPATH": str(pythonpath)}
    cmd = [sys.executable, "-m", "tenantlint", "check", target, "--format", "json", "--no-cache",
           "--exit-zero", "--jobs", str(jobs)]
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} in {cwd} exited {proc.returncode}: {proc.stderr[-2000:]}")
    return normalized(proc.stdout)


def targets(args: argparse.Namespace) -> list[tuple[str, Path, str, int]]:
    """(name, folder to run in, target argument, jobs) for every target asked for."""
    found = [
        (f"fixture-{app.name}", app, ".", 1)
        for app in sorted(FIXTURES.iterdir())
        if app.is_dir() and not app.name.startswith((".", "_"))
    ]
    if args.synth:
        tree = Path(args.synth_dir or f"/tmp/same_findings_synth_{args.synth}")
        if not tree.exists():
            subprocess.run([sys.executable, str(ROOT / "benchmarks" / "generate.py"), str(tree),
                            "--files", str(args.synth), "--seed", "0"], check=True)
        found.append((f"synth-{args.synth}", tree, ".", 1))
    if args.project:
        projects = json.loads(PROJECTS.read_text())
        for name in args.project:
            spec = projects[name]
            root = Path(args.realcode) / name / spec["root"]
            found.append((f"realcode-{name}", root, spec["target"], 2))
    return found


def capture(args: argparse.Namespace) -> int:
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    pythonpath = Path(args.pythonpath).resolve()
    for name, cwd, target, jobs in targets(args):
        text = run_check(cwd, target, pythonpath, jobs)
        (out / f"{name}.json").write_text(text)
        print(f"{name}: {len(json.loads(text)['findings'])} findings", flush=True)
    return 0


def finding_keys(text: str) -> Counter[tuple[Any, ...]]:
    findings = json.loads(text)["findings"]
    return Counter((f["code"], f["path"], f["line"], f["column"], f["table"]) for f in findings)


def compare(args: argparse.Namespace) -> int:
    before, after = Path(args.before), Path(args.after)
    names = sorted({p.name for p in before.glob("*.json")} | {p.name for p in after.glob("*.json")})
    changed = 0
    for name in names:
        a, b = before / name, after / name
        if not (a.exists() and b.exists()):
            print(f"{name}: only in {before if a.exists() else after}")
            changed += 1
            continue
        ta, tb = a.read_text(), b.read_text()
        if ta == tb:
            continue
        changed += 1
        ka, kb = finding_keys(ta), finding_keys(tb)
        print(f"{name}: differs ({sum(ka.values())} findings before, {sum(kb.values())} after)")
        for key in sorted((ka - kb).elements()):
            print(f"  - {key}")
        for key in sorted((kb - ka).elements()):
            print(f"  + {key}")
        if ka == kb:
            print("  same findings (code, place, table); another field or the order differs")
    print(f"{len(names)} targets compared, {changed} differ")
    return 1 if changed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    cap = sub.add_parser("capture", help="run check on every target and save its JSON output")
    cap.add_argument("out", help="folder to write NAME.json into")
    cap.add_argument("--pythonpath", default=str(ROOT), help="the tenantlint tree to run")
    cap.add_argument("--synth", type=int, default=0, help="also a synthetic tree of N files")
    cap.add_argument("--synth-dir", help="where the synthetic tree is (generated when absent)")
    cap.add_argument("--realcode", default="/tmp/realcode", help="folder of exported projects")
    cap.add_argument("--project", action="append", help="a project of projects.json (repeatable)")
    cmp_ = sub.add_parser("compare", help="compare two captures; exit 1 when they differ")
    cmp_.add_argument("before")
    cmp_.add_argument("after")
    args = parser.parse_args(argv)
    return capture(args) if args.command == "capture" else compare(args)


if __name__ == "__main__":
    sys.exit(main())
