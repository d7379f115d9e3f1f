"""Generate a synthetic multi-tenant project: ``python benchmarks/generate.py OUTDIR --files N``.

Deterministic: the same ``--seed`` gives a byte-identical tree. N counts Python files; the tree
also holds ``tenantlint.toml`` and one ``schema.sql`` per raw-SQL store.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthproj import generate, manifest, write, write_manifest  # noqa: E402
from synthproj.project import DEFAULT_BUG_RATE  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("outdir", type=Path, help="directory to create (must be empty or absent)")
    parser.add_argument(
        "--files", type=int, default=2000, help="number of Python files (default 2000)"
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument(
        "--bug-rate", type=float, default=DEFAULT_BUG_RATE, help="chance that a query is unsafe"
    )
    parser.add_argument(
        "--manifest", type=Path, help="also write a JSON manifest (planted bugs, sizes) here"
    )
    args = parser.parse_args(argv)
    try:
        tree = generate(args.files, args.seed, args.bug_rate)
        write(tree, args.outdir)
    except (ValueError, FileExistsError) as exc:
        print(f"generate.py: {exc}", file=sys.stderr)
        return 2
    if args.manifest:
        write_manifest(tree, args.manifest)
    info = manifest(tree)
    print(
        f"wrote {info['python_files']} Python files to {args.outdir} "
        f"({info['files_with_queries']} with queries, {info['queries']} queries, "
        f"{info['planted_bugs']} planted bugs)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
