"""Measure tenantlint on exported real projects against judged findings.

    python benchmarks/realcode.py PROJECTS_DIR [--labels FILE ...] [--only NAME ...]
                                  [--out DIR] [--baseline DIR] [--findings DIR] [--keep-config]

PROJECTS_DIR holds one exported tree per project, named as in the label file
(``PROJECTS_DIR/plane``, ...). A label file (``benchmarks/realcode/*.json``) maps each project name to
``repo``, ``commit`` (pinned), ``root`` (where ``tenantlint.toml`` goes, relative to the repository),
``target`` (the folder to check, relative to ``root``), ``config`` (TOML text) and ``judged``: findings
of an earlier run read by hand, each ``{path, line, code, verdict, idiom, reason}`` with ``path``
relative to the repository and ``verdict`` one of TP-bug, TP-review, FP, Global.

For each project it writes the config, runs ``python -m tenantlint check TARGET --format json
--no-cache --exit-zero --jobs 2`` from the root, and prints: findings, findings per kLOC (non-blank
lines of the ``.py`` files checked: under the target, minus ``exclude``), judged false positives
(FP) and deliberately cross-tenant findings (Global) no longer reported, and judged real bugs
(TP-bug) and review-worthy findings (TP-review) still reported. ``--baseline DIR`` adds the
findings of an earlier ``--out``; ``--findings DIR`` judges saved outputs (``NAME.json`` of
``check --format json``) without running.

Matching: a judged finding is still reported when a finding has the same path, code and line. A
finding of the same path and code whose line is at most ``LINE_TOLERANCE`` lines away also counts,
and is marked ``~``: a statement that spans lines is reported at its first line, and a change to
where a multi-line chain starts may move that line by one or two without changing the finding. A
judged TP-bug or TP-review reported at its line under another code only (TNT301 that became TNT101
once the SQL was verified) is not counted as kept, but listed. A judged finding may list in ``also``
the other places (``path:line``) it is rightly reported at: the handler call site that feeds a
helper's query request input, where the cross-function pass moves the finding. A finding of the same
code at one of them counts as reported.

Exit status 1 when a judged TP-bug is no longer reported, else 0.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_LABELS = sorted((HERE / "realcode").glob("*.json"))
LINE_TOLERANCE = 2
WANTED = ("TP-bug", "TP-review")
UNWANTED = ("FP", "Global")


@dataclass
class Outcome:
    name: str
    findings: int
    kloc: float
    seconds: float
    counts: dict[str, list[int]] = field(default_factory=dict)  # verdict -> [judged, still reported]
    lost_bugs: list[str] = field(default_factory=list)
    recoded: list[str] = field(default_factory=list)  # judged TP now reported at its line, another code
    near: int = 0
    error: str = ""


def kloc(root: Path, target: str, config: str) -> float:
    """Thousands of non-blank lines of the ``.py`` files ``check`` reads: under ``target``, minus
    the default and configured ``exclude`` globs (relative to ``root``)."""
    import tomllib

    from tenantlint.config.options import DEFAULT_EXCLUDE
    from tenantlint.files import walk_rel

    try:
        given = tuple(tomllib.loads(config).get("exclude", ()))
    except tomllib.TOMLDecodeError:
        given = ()
    lines = 0
    prefix = "" if target in ("", ".") else target.strip("/")
    for _, name in walk_rel(root / target, (*DEFAULT_EXCLUDE, *given), (".py",), prefix):
        path = Path(name)
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        lines += sum(1 for line in text.splitlines() if line.strip())
    return lines / 1000


def run_check(root: Path, target: str, config: str, keep_config: bool) -> tuple[list[dict[str, object]], str]:
    cfg = root / "tenantlint.toml"
    old = cfg.read_text(encoding="utf-8") if cfg.exists() else None
    if old is None or old.strip() != config.strip():  # a shared tree already configured is left alone
        cfg.write_text(config if config.endswith("\n") else config + "\n", encoding="utf-8")
    else:
        keep_config = True
    try:
        cmd = [sys.executable, "-m", "tenantlint", "check", target, "--format", "json", "--no-cache",
               "--exit-zero", "--jobs", "2"]
        proc = subprocess.run(cmd, cwd=root, capture_output=True, text=True, env=dict(os.environ))
    finally:
        if not keep_config:
            if old is None:
                cfg.unlink()
            else:
                cfg.write_text(old, encoding="utf-8")
    try:
        findings = json.loads(proc.stdout)["findings"]
    except (ValueError, KeyError):
        return [], proc.stderr[-400:] or "no JSON output"
    return findings, ""


def still_reported(judged: dict[str, object], index: dict[tuple[str, str], list[int]]) -> str:
    """"=" exact (at its line or at one of its ``also`` places), "~" within LINE_TOLERANCE lines,
    "" not reported."""
    places = [(str(judged["path"]), int(str(judged["line"])))]
    for other in judged.get("also", ()) or ():  # type: ignore[attr-defined]
        path, _, line = str(other).rpartition(":")
        if path and line.isdigit():
            places.append((path, int(line)))
    near = ""
    for path, line in places:
        lines = index.get((path, str(judged["code"])), [])
        if line in lines:
            return "="
        if any(abs(x - line) <= LINE_TOLERANCE for x in lines):
            near = "~"
    return near


def _saved(path: Path) -> tuple[list[dict[str, object]], str]:
    try:
        return list(json.loads(path.read_text(encoding="utf-8"))["findings"]), ""
    except (OSError, ValueError, KeyError) as exc:
        return [], f"cannot read {path}: {exc}"


def measure(name: str, spec: dict[str, object], projects: Path, out: Path | None, keep_config: bool,
            saved: Path | None = None) -> Outcome:
    repo = projects / name
    root = repo / str(spec.get("root") or "")
    target = str(spec.get("target") or ".")
    start = time.monotonic()
    if saved is not None:
        findings, error = _saved(saved / f"{name}.json")
    else:
        findings, error = run_check(root, target, str(spec["config"]), keep_config)
    seconds = time.monotonic() - start
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        (out / f"{name}.json").write_text(json.dumps({"findings": findings}, indent=1), encoding="utf-8")
    prefix = str(spec.get("root") or "").strip("/")
    index: dict[tuple[str, str], list[int]] = {}
    at_line: dict[tuple[str, int], list[str]] = {}
    for f in findings:
        path = f"{prefix}/{f['path']}" if prefix else str(f["path"])
        index.setdefault((path, str(f["code"])), []).append(int(str(f["line"])))
        at_line.setdefault((path, int(str(f["line"]))), []).append(str(f["code"]))
    result = Outcome(name, len(findings), kloc(root, target, str(spec["config"])), seconds, error=error)
    for verdict in (*WANTED, *UNWANTED):
        result.counts[verdict] = [0, 0]
    if error:
        return result  # nothing judged: a failed run removes no false positive
    for j in spec.get("judged", []):  # type: ignore[attr-defined]
        how = still_reported(j, index)
        pair = result.counts.setdefault(str(j["verdict"]), [0, 0])
        pair[0] += 1
        if how:
            pair[1] += 1
            result.near += how == "~"
        else:
            if j["verdict"] == "TP-bug":
                result.lost_bugs.append(f"{j['path']}:{j['line']} {j['code']}")
            other = at_line.get((str(j["path"]), int(str(j["line"]))))
            if other and j["verdict"] in WANTED:
                codes = ", ".join(sorted(set(other)))
                result.recoded.append(f"{j['path']}:{j['line']} {j['code']} -> {codes}")
    return result


def baseline_count(directory: Path | None, name: str) -> str:
    if directory is None:
        return ""
    path = directory / f"{name}.json"
    try:
        return str(len(json.loads(path.read_text(encoding="utf-8"))["findings"]))
    except (OSError, ValueError, KeyError):
        return "?"


def render(results: list[Outcome], baseline: Path | None) -> str:
    head = ["project", "findings"] + (["before"] if baseline else []) + [
        "per kLOC", "FP gone", "Global gone", "TP-bug kept", "TP-review kept", "near", "s"]
    rows = [head]
    total = {v: [0, 0] for v in (*WANTED, *UNWANTED)}
    for r in results:
        c = r.counts
        for v in total:
            total[v][0] += c.get(v, [0, 0])[0]
            total[v][1] += c.get(v, [0, 0])[1]
        rows.append([r.name, str(r.findings) if not r.error else "ERROR"]
                    + ([baseline_count(baseline, r.name)] if baseline else [])
                    + [f"{r.findings / r.kloc:.2f}" if r.kloc else "-",
                       _gone(c["FP"]), _gone(c["Global"]), _kept(c["TP-bug"]), _kept(c["TP-review"]),
                       str(r.near), f"{r.seconds:.1f}"])
    rows.append(["total", str(sum(r.findings for r in results))]
                + ([str(sum(int(x) for x in (baseline_count(baseline, r.name) for r in results)
                            if x.isdigit()))] if baseline else [])
                + ["", _gone(total["FP"]), _gone(total["Global"]), _kept(total["TP-bug"]),
                   _kept(total["TP-review"]), str(sum(r.near for r in results)), ""])
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    lines = ["  ".join(cell.ljust(w) if i == 0 else cell.rjust(w)
                       for i, (cell, w) in enumerate(zip(row, widths, strict=True)))
             for row in rows]
    for r in results:
        if r.error:
            lines.append(f"{r.name}: {r.error}")
        for bug in r.lost_bugs:
            lines.append(f"{r.name}: judged real bug no longer reported: {bug}")
        for item in r.recoded:
            lines.append(f"{r.name}: judged finding now reported with another code: {item}")
    return "\n".join(lines)


def _gone(pair: list[int]) -> str:
    judged, reported = pair
    return f"{judged - reported}/{judged}" if judged else "-"


def _kept(pair: list[int]) -> str:
    judged, reported = pair
    return f"{reported}/{judged}" if judged else "-"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    p.add_argument("projects", type=Path, help="folder holding one exported tree per project")
    p.add_argument("--labels", type=Path, action="append",
                   help="label file(s); default: benchmarks/realcode/*.json")
    p.add_argument("--only", action="append", help="measure only these projects")
    p.add_argument("--out", type=Path, help="write each project's findings to OUT/NAME.json")
    p.add_argument("--baseline", type=Path, help="an earlier --out folder, for before/after counts")
    p.add_argument("--findings", type=Path,
                   help="judge the JSON outputs saved in this folder (NAME.json) instead of running check")
    p.add_argument("--keep-config", action="store_true", help="leave the written tenantlint.toml in place")
    args = p.parse_args(argv)
    results = []
    for label_file in args.labels or DEFAULT_LABELS:
        specs = json.loads(label_file.read_text(encoding="utf-8"))
        for name, spec in specs.items():
            if args.only and name not in args.only:
                continue
            if not (args.projects / name).is_dir():
                print(f"{name}: not exported under {args.projects}, skipped", file=sys.stderr)
                continue
            results.append(measure(name, spec, args.projects, args.out, args.keep_config, args.findings))
            print(f"{name}: {results[-1].findings} findings", file=sys.stderr, flush=True)
    print(render(results, args.baseline))
    return 1 if any(r.lost_bugs for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
