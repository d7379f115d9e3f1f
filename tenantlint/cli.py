"""Command line: argv → options → api → reporter → exit code. No analysis here."""

from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TextIO

from tenantlint import __version__
from tenantlint.baseline import BaselineError, load_baseline, write_baseline
from tenantlint.cache import Cache
from tenantlint.config.load import ConfigError, load_config
from tenantlint.config.options import Config
from tenantlint.reporters.base import ReportOptions, file_source_reader
from tenantlint.reporters.registry import UnknownReporterError, get_reporter
from tenantlint.results import RunResult
from tenantlint.rules.registry import ALL_RULES, rule_for
from tenantlint.runner import RunOptions, build_project, default_jobs, make_settings, run
from tenantlint.scan import MIN_PARALLEL
from tenantlint.selection import parse_codes

FORMATS = ("text", "json", "sarif", "github", "markdown", "html")
EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class UsageError(Exception):
    pass


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tenantlint", description="Find tenant-leak bugs in multi-tenant Python back ends."
    )
    parser.add_argument("--version", action="version", version=f"tenantlint {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("paths", nargs="*", type=Path, metavar="PATH")
        p.add_argument("--config", type=Path, metavar="FILE", help="config file (default: discovered)")
        p.add_argument("--jobs", type=int, default=None, metavar="N", help="worker processes")
        p.add_argument("--no-cache", action="store_true", help="do not read or write the cache")
        p.add_argument("--cache-dir", type=Path, default=None, metavar="DIR")
        p.add_argument("--select", metavar="CODES", help="comma-separated codes or prefixes")
        p.add_argument("--ignore", metavar="CODES", help="comma-separated codes or prefixes")
        p.add_argument("--min-parallel", type=int, default=MIN_PARALLEL, help=argparse.SUPPRESS)

    check = sub.add_parser("check", help="report tenant leaks (the default command)")
    common(check)
    check.add_argument("--format", default="text", choices=FORMATS)
    check.add_argument("--output", type=Path, metavar="FILE")
    check.add_argument("--baseline", type=Path, metavar="FILE")
    check.add_argument("--write-baseline", type=Path, metavar="FILE")
    check.add_argument("--exit-zero", action="store_true", help="exit 0 even with findings")
    check.add_argument("--no-prefilter", action="store_true", help=argparse.SUPPRESS)

    audit = sub.add_parser("audit", help="write a whole-codebase audit report (.html or .md)")
    common(audit)
    audit.add_argument("--output", type=Path, metavar="REPORT", required=True)

    tables = sub.add_parser("tables", help="list tenant tables and why each is one")
    tables.add_argument("paths", nargs="*", type=Path, metavar="PATH")
    tables.add_argument("--config", type=Path, metavar="FILE")

    rules = sub.add_parser("rules", help="list rules, or show one rule's documentation")
    rules.add_argument("code", nargs="?")
    return parser


def _config(args: argparse.Namespace) -> Config:
    overrides: dict[str, object] = {}
    if getattr(args, "select", None):
        overrides["select"] = list(parse_codes(args.select))
    if getattr(args, "ignore", None):
        overrides["ignore"] = list(parse_codes(args.ignore))
    start = None
    if args.config is None and args.paths and len(args.paths) == 1 and args.paths[0].is_dir():
        start = None  # SPEC: discovery starts at the current directory
    return load_config(start, args.config, overrides or None)


def _open_output(path: Path | None) -> TextIO:
    if path is None:
        return sys.stdout
    path.parent.mkdir(parents=True, exist_ok=True)
    return path.open("w", encoding="utf-8", newline="\n")


def cmd_check(args: argparse.Namespace) -> int:
    config = _config(args)
    jobs = args.jobs if args.jobs is not None else default_jobs()
    if jobs < 1:
        raise UsageError("--jobs must be at least 1")
    html = args.format == "html"
    reporter = None if html else get_reporter(args.format)
    options = RunOptions(tuple(args.paths), jobs=jobs, use_prefilter=not args.no_prefilter,
                         use_cache=not args.no_cache, cache_dir=args.cache_dir, want_sites=html,
                         min_parallel=args.min_parallel)
    # the project pre-pass uses the same cache and worker count as the analysis
    cache = Cache.for_config(config, options.use_cache, options.cache_dir)
    project = build_project(config, cache, jobs, options.min_parallel)
    result = run(config, options, project=project)
    if args.write_baseline is not None:
        count = write_baseline(args.write_baseline, result.findings)
        print(f"tenantlint: wrote {count} baseline entries to {args.write_baseline}", file=sys.stderr)
    if args.baseline is not None:
        baseline = load_baseline(args.baseline)
        new, matched, fixed = baseline.filter(list(result.findings))
        result = replace(result, findings=tuple(new), suppressed=result.suppressed + tuple(matched),
                         fixed_baseline_entries=fixed)
        if fixed:
            print(f"tenantlint: {fixed} baseline entries fixed; rewrite with --write-baseline",
                  file=sys.stderr)
    stream = _open_output(args.output)
    terminal = args.output is None and sys.stdout.isatty()
    try:
        if reporter is None:  # --format html: the audit report of what was checked
            from tenantlint.audit import AuditData
            from tenantlint.reporters.html import HtmlAuditReporter

            data = AuditData(result, project.index, config, str(Path.cwd()), __version__)
            stream.write(HtmlAuditReporter().render(data, file_source_reader(".")))
        else:
            reporter.write(result, stream, ReportOptions(terminal=terminal, color=terminal,
                                                         read_source=file_source_reader(".")))
    finally:
        if stream is not sys.stdout:
            stream.close()
    return exit_code(result, args.exit_zero)


def exit_code(result: RunResult, exit_zero: bool) -> int:
    return EXIT_CLEAN if exit_zero or not result.findings else EXIT_FINDINGS


def cmd_audit(args: argparse.Namespace) -> int:
    from tenantlint import __version__ as version
    from tenantlint.audit import AuditData, write_audit
    from tenantlint.reporters.progress import progress
    from tenantlint.runner import count_targets

    config = _config(args)
    if args.output.suffix.lower() not in (".html", ".htm", ".md"):
        raise UsageError(f"--output {args.output}: the report must end in .html or .md")
    jobs = args.jobs if args.jobs is not None else default_jobs()
    cache = Cache.for_config(config, not args.no_cache, args.cache_dir)
    project = build_project(config, cache, jobs, args.min_parallel)
    settings = project.settings(config)
    total = count_targets(config, tuple(args.paths))
    with progress(total, enabled=sys.stderr.isatty()) as advance:
        options = RunOptions(tuple(args.paths), jobs=jobs, want_sites=True, progress=advance,
                             use_cache=not args.no_cache, cache_dir=args.cache_dir,
                             min_parallel=args.min_parallel)
        result = run(config, options, project=project)
    data = AuditData(result, settings.index, config, str(Path.cwd()), version)
    write_audit(data, args.output, file_source_reader("."))
    print(f"tenantlint: audit of {result.stats.files} files, {len(result.query_sites)} query sites, "
          f"{len(result.findings)} findings written to {args.output}")
    return EXIT_CLEAN


def cmd_tables(args: argparse.Namespace) -> int:
    from tenantlint.index.render import render_tables

    config = load_config(None, args.config)
    settings = make_settings(config)
    text = render_tables(settings.index, settings.recognised_checks)
    sys.stdout.write(text if text.endswith("\n") or not text else text + "\n")
    return EXIT_CLEAN


def cmd_rules(args: argparse.Namespace) -> int:
    if args.code:
        try:
            rule = rule_for(args.code.upper())
        except KeyError:
            raise UsageError(f"unknown rule {args.code!r}; see 'tenantlint rules'") from None
        sys.stdout.write(rule.documentation())
        return EXIT_CLEAN
    width = max(len(r.name) for r in ALL_RULES)
    for r in ALL_RULES:
        print(f"{r.code}  {r.name:<{width}}  {r.severity:<7}  {r.summary}")
    return EXIT_CLEAN


COMMANDS = {"check": cmd_check, "audit": cmd_audit, "tables": cmd_tables, "rules": cmd_rules}


def main(argv: Sequence[str] | None = None) -> int:
    if argv is None:  # the process's command line (not a library or test call)
        # the objects made by importing tenantlint, libcst and sqlglot live as long as the process:
        # keep them out of the collector's full passes (each walks them all, ~20 ms, several a run)
        gc.freeze()
        # A run allocates millions of short-lived nodes and few cycles: collecting the young
        # generation every 20,000 allocations instead of 700 cuts ~10% of a cold run for ~3% more
        # peak memory. Only the command line does this, not the flake8 plugin or library calls.
        gc.set_threshold(20_000, 10, 10)
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0] not in COMMANDS and argv[0] not in ("-h", "--help", "--version")):
        argv = ["check", *argv]
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return EXIT_ERROR if exc.code not in (0, None) else EXIT_CLEAN
    try:
        return COMMANDS[args.command](args)
    except ConfigError as exc:
        print(f"tenantlint: config error: {exc}", file=sys.stderr)
    except (UsageError, UnknownReporterError, BaselineError) as exc:
        print(f"tenantlint: error: {exc}", file=sys.stderr)
    except OSError as exc:
        print(f"tenantlint: error: {exc}", file=sys.stderr)
    return EXIT_ERROR


if __name__ == "__main__":
    raise SystemExit(main())
