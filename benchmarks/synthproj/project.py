"""The whole synthetic project: shared core files, then apps/domains/stores in fixed proportions."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from . import core_files
from .common import Dice, GeneratedFile, Names
from .django_app import app_files, build_app, plan_app
from .rawsql_unit import build_store, plan_store, store_files
from .sqla_unit import build_domain, domain_files, plan_domain

# Share of the Python files (after the core files) that each family gets.
SHARES: tuple[tuple[str, float], ...] = (("django", 0.62), ("sqlalchemy", 0.22), ("rawsql", 0.16))
DEFAULT_BUG_RATE = 0.06
TOML = 'tenant_models = ["Organization"]\n'


def generate(files: int, seed: int, bug_rate: float = DEFAULT_BUG_RATE) -> list[GeneratedFile]:
    """Exactly ``files`` Python files, plus tenantlint.toml and .sql DDL; deterministic in seed."""
    if files < 1:
        raise ValueError("files must be at least 1")
    dice = Dice(seed, bug_rate)
    names = Names(dice)
    out: list[GeneratedFile] = list(core_files.build())[:files]
    counts = {family: 0 for family, _ in SHARES}
    remaining = files - len(out)
    while remaining > 0:
        produced = sum(counts.values())
        family = max(SHARES, key=lambda fs: fs[1] * (produced + 1) - counts[fs[0]])[0]
        if family == "django":
            app = plan_app(names, dice)
            limit = min(len(app_files(app)), remaining)
            unit = build_app(app, dice, limit)
        elif family == "sqlalchemy":
            domain = plan_domain(names, dice)
            limit = min(len(domain_files(domain)), remaining)
            unit = build_domain(domain, dice, limit)
        else:
            store = plan_store(names, dice)
            limit = min(len(store_files(store)), remaining)
            unit = build_store(store, dice, limit)
        counts[family] += limit
        remaining -= limit
        out.extend(unit)
    out.append(GeneratedFile("tenantlint.toml", "data", "config", TOML, 0, ()))
    return sorted(out, key=lambda f: f.path)


def write(tree: list[GeneratedFile], outdir: Path) -> None:
    """Write the files (LF endings, UTF-8); refuses a non-empty directory."""
    if outdir.exists() and any(outdir.iterdir()):
        raise FileExistsError(f"{outdir} is not empty")
    for f in tree:
        target = outdir / f.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(f.text.encode("utf-8"))


def manifest(tree: list[GeneratedFile]) -> dict[str, object]:
    """What was generated: per file family, role, size, query count and planted bugs."""
    py = [f for f in tree if f.path.endswith(".py")]
    return {
        "python_files": len(py),
        "files_with_queries": sum(1 for f in py if f.queries),
        "queries": sum(f.queries for f in py),
        "planted_bugs": sum(len(f.bugs) for f in py),
        "files": [
            {
                "path": f.path,
                "family": f.family,
                "role": f.role,
                "lines": f.lines,
                "queries": f.queries,
                "bugs": [asdict(b) for b in f.bugs],
            }
            for f in tree
        ],
    }


def write_manifest(tree: list[GeneratedFile], path: Path) -> None:
    path.write_text(json.dumps(manifest(tree), indent=2) + "\n", encoding="utf-8")
