"""Scaling targets on hostile inputs (issue 17): big files, many findings, deep chains, bad globs.

Each case is a small project generated into a scratch folder and checked once by a fresh
``python -m tenantlint check --no-cache --format json`` (wall time, CPU time and peak RSS of the
process tree, from ``measure.py``). The targets:

| case | target |
|---|---|
| 10,000 findings in one file | <= 2 s |
| 50,000 queries in a 1.9 MB file | <= 15 s |
| a 5 MB file | <= 60 s and <= 1 GB RSS |
| peak RSS per source byte (the 5 MB file) | <= 100 bytes |
| a 1,480-call ``.all()`` chain | <= 2 s (analysed, or refused as TNT999 "nested too deeply") |
| 1,000 expressions on one line (``a + a + ...`` with queries) | <= 2 s |
| an exclude glob of 200 ``**/`` on a deep one-file tree | <= 2 s |

Usage: ``PYTHONPATH=. python benchmarks/hostile.py [--only NAME ...] [--json OUT] [--keep]``;
exit status 1 when a target is missed. CPU seconds are shown too: on a loaded machine the wall
time of a run is not its cost.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import measure  # noqa: E402

REPO = Path(__file__).resolve().parents[1]

MODELS = """\
from django.db import models


class Organization(models.Model):
    name = models.CharField(max_length=100)


class Invoice(models.Model):
    org = models.ForeignKey(Organization, on_delete=models.CASCADE)
    number = models.CharField(max_length=20)
"""


@dataclass(frozen=True)
class Case:
    name: str
    build: Callable[[Path], list[str]]  # writes the project, returns extra check arguments
    max_seconds: float
    max_rss_mb: float | None = None
    bytes_per_byte: float | None = None  # peak RSS / size of the big file
    min_findings: int = 0
    refused_ok: bool = False  # a TNT999 refusal (e.g. "nested too deeply") is an accepted outcome


def _project(root: Path) -> Path:
    (root / "app").mkdir(parents=True)
    (root / "app" / "models.py").write_text(MODELS)
    return root / "app"


def many_findings(root: Path) -> list[str]:
    app = _project(root)
    lines = ["from app.models import Invoice", "", "", "def view(request):"]
    lines += [f"    rows{i} = Invoice.objects.all()" for i in range(10_000)]
    (app / "views.py").write_text("\n".join(lines) + "\n")
    return []


def many_queries(root: Path) -> list[str]:
    app = _project(root)
    lines = ["from app.models import Invoice", "", "", "def view(request):", "    o = request.user.org"]
    # assigned: a queryset built and thrown away (an expression statement) is not a query
    lines += [f"    r = Invoice.objects.filter(org=o, number={i})" for i in range(50_000)]
    text = "\n".join(lines) + "\n"
    (app / "views.py").write_text(text)
    return []


def five_megabytes(root: Path) -> list[str]:
    app = _project(root)
    head = ["from app.models import Invoice", ""]
    body: list[str] = []
    size = 0
    i = 0
    while size < 4_990_000:
        chunk = (f"\n\ndef view{i}(request, number):\n"
                 f"    rows = Invoice.objects.filter(number=number)\n"
                 f"    total = sum(r.id for r in rows if r.number == '{i}')\n"
                 f"    return {{'rows': list(rows), 'total': total, 'n': {i}}}\n")
        body.append(chunk)
        size += len(chunk)
        i += 1
    (app / "views.py").write_text("\n".join(head) + "".join(body))
    return []


def deep_chain(root: Path) -> list[str]:
    app = _project(root)
    chain = "Invoice.objects" + ".all()" * 1480
    (app / "views.py").write_text(f"from app.models import Invoice\n\n\ndef view(request):\n"
                                  f"    return {chain}\n")
    return []


def wide_expression(root: Path) -> list[str]:
    app = _project(root)
    expr = " + ".join("Invoice.objects.count()" for _ in range(1000))
    (app / "views.py").write_text(f"from app.models import Invoice\n\n\ndef view(request):\n"
                                  f"    return {expr}\n")
    return []


def glob_blowup(root: Path) -> list[str]:
    app = _project(root)
    deep = app
    for i in range(40):
        deep = deep / f"d{i}"
    deep.mkdir(parents=True)
    (deep / "views.py").write_text("from app.models import Invoice\n\n\ndef view(request):\n"
                                   "    return Invoice.objects.all()\n")
    pattern = "**/" * 200 + "nothing.py"
    (root / "tenantlint.toml").write_text(f'exclude = ["{pattern}"]\n')
    return []


CASES = (
    Case("10k findings in one file", many_findings, 2.0, min_findings=10_000),
    Case("50k queries in a 1.9 MB file", many_queries, 15.0),
    Case("a 5 MB file", five_megabytes, 60.0, max_rss_mb=1024.0, bytes_per_byte=100.0),
    Case("1,480-call .all() chain", deep_chain, 2.0, refused_ok=True),
    Case("1,000-term expression", wide_expression, 2.0),
    Case("exclude glob of 200 **/", glob_blowup, 2.0),
)


def run_case(case: Case, scratch: Path) -> dict[str, object]:
    root = scratch / case.name.replace(" ", "_").replace(",", "").replace("*", "s").replace("/", "")
    root.mkdir()
    extra = case.build(root)
    size = sum(p.stat().st_size for p in root.rglob("*.py"))
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    cmd = [sys.executable, "-m", "tenantlint", "check", "--no-cache", "--format", "json", *extra]
    m = measure(cmd, root, env)
    findings = len(json.loads(m.stdout)["findings"]) if m.stdout.strip().startswith("{") else -1
    errors = json.loads(m.stdout)["errors"] if findings >= 0 else [m.stderr[-300:]]
    per_byte = m.peak_rss_mb * 1024 * 1024 / max(size, 1)
    ok = m.seconds <= case.max_seconds and findings >= case.min_findings and (
        not errors or case.refused_ok)
    if case.max_rss_mb is not None:
        ok = ok and m.peak_rss_mb <= case.max_rss_mb
    if case.bytes_per_byte is not None:
        ok = ok and per_byte <= case.bytes_per_byte
    return {"case": case.name, "source_bytes": size, "seconds": round(m.seconds, 2),
            "cpu_seconds": round(m.cpu_seconds, 2), "peak_rss_mb": round(m.peak_rss_mb, 1),
            "rss_bytes_per_source_byte": round(per_byte, 1), "findings": findings,
            "errors": errors, "target_seconds": case.max_seconds, "pass": ok}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--only", nargs="*", default=None, help="run the cases whose name has one "
                        "of these words")
    parser.add_argument("--json", type=Path, metavar="OUT", help="also write the results as JSON")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    args = parser.parse_args(argv)
    scratch = Path(tempfile.mkdtemp(prefix="tenantlint-hostile-"))
    rows = []
    try:
        for case in CASES:
            if args.only and not any(w.lower() in case.name.lower() for w in args.only):
                continue
            row = run_case(case, scratch)
            rows.append(row)
            print(f"{'pass' if row['pass'] else 'FAIL'}  {case.name:<32} {row['seconds']:>7} s "
                  f"(cpu {row['cpu_seconds']} s, target {case.max_seconds} s)  "
                  f"{row['peak_rss_mb']} MB ({row['rss_bytes_per_source_byte']} B/source byte)  "
                  f"{row['findings']} findings{'  errors: ' + str(row['errors']) if row['errors'] else ''}",
                  flush=True)
    finally:
        if args.keep:
            print(f"kept {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n")
    return 0 if all(r["pass"] for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
