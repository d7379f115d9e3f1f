"""``tenantlint init [DIR]``: propose a config from the models found; write it with ``--write``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tenantlint import __version__
from tenantlint.config.load import find_config_file
from tenantlint.config.options import Config
from tenantlint.files import relpath

EXIT_CLEAN, EXIT_NOTHING, EXIT_ERROR = 0, 1, 2
CONFIG_NAME = "tenantlint.toml"


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("init", help="propose a config from the models found (write it with --write)")
    p.add_argument("directory", nargs="?", type=Path, default=Path("."), metavar="DIR",
                   help="the project root (default: the current directory)")
    p.add_argument("--write", action="store_true",
                   help=f"write the proposal to DIR/{CONFIG_NAME} (or pyproject.toml with --pyproject)")
    p.add_argument("--pyproject", action="store_true",
                   help="append a [tool.tenantlint] table to DIR/pyproject.toml instead")
    p.add_argument("--force", action="store_true", help=f"overwrite an existing {CONFIG_NAME}")
    p.add_argument("--jobs", type=int, default=None, metavar="N", help="worker processes")


def _existing(root: Path) -> Path | None:
    found = find_config_file(root)
    if found is None:
        return None
    try:
        found.resolve().relative_to(root.resolve())
    except ValueError:
        return None  # a config further up belongs to another project
    return found


def run(args: argparse.Namespace) -> int:
    from tenantlint.runner import build_project, default_jobs
    from tenantlint.setup.candidates import rank, snake, words
    from tenantlint.setup.hints import collect
    from tenantlint.setup.proposal import propose, render_config, render_report

    root = args.directory.resolve()
    if not root.is_dir():
        print(f"tenantlint: error: {args.directory}: not a directory", file=sys.stderr)
        return EXIT_ERROR
    config = Config(root=root)
    jobs = args.jobs if args.jobs is not None else default_jobs()
    project = build_project(config, None, max(jobs, 1))
    ranking = rank(project.index, config)
    where = relpath(root, Path.cwd()) or "."
    sys.stdout.write(render_report(ranking, where))
    best = ranking.best
    if best is None:
        return EXIT_NOTHING
    tenant_words = tuple({*words(best.name), snake(best.name), best.field.removesuffix("_id"),
                          "tenant", "org", "organization"})
    memberships = tuple(dict.fromkeys(m for c in (best, *ranking.secondary) for m in c.memberships))
    hints = collect(root, config.exclude, memberships, tenant_words, ranking.user_models)
    proposal = propose(ranking, hints)
    assert proposal is not None
    pyproject = args.pyproject
    text = render_config(ranking, proposal, __version__, table_header=pyproject)
    target = root / ("pyproject.toml" if pyproject else CONFIG_NAME)
    shown = relpath(target, Path.cwd())
    if not args.write:
        print(f"\nProposed config (write it to {shown} with --write):\n")
        sys.stdout.write(text)
        existing = _existing(root)
        if existing is not None:
            print(f"\nnote: {relpath(existing, Path.cwd())} exists already; init ignored it",
                  file=sys.stderr)
        return EXIT_CLEAN
    return _write(target, shown, text, pyproject, args.force)


def _write(target: Path, shown: str, text: str, pyproject: bool, force: bool) -> int:
    if pyproject:
        current = target.read_text(encoding="utf-8") if target.exists() else ""
        if "[tool.tenantlint]" in current:
            print(f"tenantlint: error: {shown} has a [tool.tenantlint] table already; "
                  "edit it by hand or run without --write to see the proposal", file=sys.stderr)
            return EXIT_ERROR
        joined = current + ("\n" if current and not current.endswith("\n") else "")
        target.write_text(joined + ("\n" if current else "") + text, encoding="utf-8")
    else:
        if target.exists() and not force:
            print(f"tenantlint: error: {shown} exists; use --force to replace it", file=sys.stderr)
            return EXIT_ERROR
        target.write_text(text, encoding="utf-8")
    print(f"\ntenantlint: wrote {shown}; check it with `tenantlint tables`")
    return EXIT_CLEAN
