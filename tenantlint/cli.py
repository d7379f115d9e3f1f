"""Command line: argv → options → api → reporter → exit code. No analysis here."""

from __future__ import annotations

import argparse
import gc
import io
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TextIO

from tenantlint import __version__
from tenantlint.baseline import BaselineError, load_baseline, write_baseline
from tenantlint.cache import Cache
from tenantlint.commands import audit_report
from tenantlint.commands import explain as explain_command
from tenantlint.commands import init as init_command
from tenantlint.commands.notice import warn_if_no_tenant_tables
from tenantlint.config.load import COMMAND_LINE, ConfigError, load_config
from tenantlint.config.options import Config
from tenantlint.config.schema import did_you_mean, validate_table
from tenantlint.console import color_wanted, is_terminal, silence_stdout, statistics, summary_line
from tenantlint.reporters.base import ReportOptions, SourceReader, file_source_reader, no_source
from tenantlint.reporters.registry import UnknownReporterError, get_reporter
from tenantlint.results import RunResult
from tenantlint.rules.registry import ALL_RULES, rule_for
from tenantlint.runner import (
    Project,
    RunOptions,
    build_project,
    count_targets,
    default_jobs,
    make_settings,
    run,
)
from tenantlint.safeio import atomic_write, check_writable_target
from tenantlint.scan import MIN_PARALLEL
from tenantlint.selection import parse_codes
from tenantlint.stdin_check import STDIN_NAME, check_stdin, read_stdin, stdin_display

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
        p.add_argument("--config", type=Path, metavar="FILE",
                       help="config file (default: discovered); it does not move the project root")
        p.add_argument("--root", type=Path, metavar="DIR",
                       help="project root: the index is built from it and exclude globs are relative "
                            "to it (default: the folder of a discovered config, else the current one)")
        p.add_argument("--force-exclude", action="store_true",
                       help="apply exclude to the paths given on the command line too (pre-commit)")
        p.add_argument("-q", "--quiet", action="store_true",
                       help="print the findings only: no summary, progress or notes on stderr")
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
    check.add_argument("--statistics", action="store_true",
                       help="print the number of findings per code instead of the findings")
    check.add_argument("--show-source", action=argparse.BooleanOptionalAction, default=None,
                       help="code frames under each finding (default: only in a terminal)")
    check.add_argument("--show-unresolved", action="store_true",
                       help="also list the calls that look like queries but were not analysed "
                            "(text: one line each; json: an \"unresolved\" list)")
    check.add_argument("--stdin-filename", type=Path, metavar="PATH",
                       help="with PATH '-': the file name of the text read from stdin")
    check.add_argument("--no-prefilter", action="store_true", help=argparse.SUPPRESS)
    check.add_argument("--timing", action="store_true",
                       help="report the run's duration (JSON stats.seconds)")

    audit = sub.add_parser("audit", help="write a whole-codebase audit report (.html or .md)")
    common(audit)
    audit.add_argument("--output", type=Path, metavar="REPORT", required=True)
    audit_report.add_arguments(audit)

    tables = sub.add_parser("tables", help="list tenant tables and why each is one")
    tables.add_argument("paths", nargs="*", type=Path, metavar="PATH")
    tables.add_argument("--config", type=Path, metavar="FILE")
    tables.add_argument("--root", type=Path, metavar="DIR")

    rules = sub.add_parser("rules", help="list rules, or show one rule's documentation")
    rules.add_argument("code", nargs="?")
    init_command.add_parser(sub)
    explain_command.add_parser(sub)
    return parser


def _codes(flag: str, text: str) -> list[str]:
    """``--select``/``--ignore`` codes, validated with errors that name the flag."""
    codes = list(parse_codes(text))
    try:
        validate_table({flag.removeprefix("--"): codes}, COMMAND_LINE)
    except ConfigError as exc:
        raise UsageError(f"{flag} {text}: {exc.problem}") from None
    return codes


def _config(args: argparse.Namespace) -> Config:
    overrides: dict[str, object] = {}
    if getattr(args, "select", None):
        overrides["select"] = _codes("--select", args.select)
    if getattr(args, "ignore", None):
        overrides["ignore"] = _codes("--ignore", args.ignore)
    root = getattr(args, "root", None)
    if root is not None and not root.is_dir():
        raise UsageError(f"--root {root}: not a directory")
    # discovery starts at --root, else at the current directory; --config does not move the root
    return load_config(None, args.config, overrides or None, root=root)


def _check_outputs(*paths: Path | None) -> None:
    """Refuse, before any work, an output path that is a planted symlink or not a file."""
    for path in paths:
        if path is not None:
            check_writable_target(path)


def _no_files(result: RunResult, args: argparse.Namespace, config: Config) -> None:
    """A run that read no file at all is an error, never a silent clean (unless the paths given were
    all excluded on request, with --force-exclude)."""
    if args.force_exclude and args.paths:
        return
    if result.stats.files == 0 and not any(p.is_file() for p in args.paths):
        where = ", ".join(str(p) for p in args.paths) or str(config.root)
        raise UsageError(f"no Python files to check in {where} (project root {config.root})")


SHOWN_LINKS = 5


def _warn_skipped_links(links: tuple[str, ...]) -> None:
    """Symlinks that lead out of the checked folders are never followed: say which were skipped."""
    if not links:
        return
    shown = ", ".join(links[:SHOWN_LINKS]) + (f" and {len(links) - SHOWN_LINKS} more"
                                              if len(links) > SHOWN_LINKS else "")
    what = "symlink" if len(links) == 1 else "symlinks"
    print(f"tenantlint: warning: skipped {len(links)} {what} leading out of the checked folder "
          f"(never followed): {shown}", file=sys.stderr)


def cmd_check(args: argparse.Namespace) -> int:
    _check_outputs(args.output, args.write_baseline)
    config = _config(args)
    jobs = args.jobs if args.jobs is not None else default_jobs()
    if jobs < 1:
        raise UsageError("--jobs must be at least 1")
    stdin = STDIN_NAME in (str(p) for p in args.paths)
    if stdin and len(args.paths) > 1:
        raise UsageError("'-' (read stdin) cannot be combined with other paths")
    if args.stdin_filename is not None and not stdin:
        raise UsageError("--stdin-filename needs the path '-'")
    if args.statistics and args.format not in ("text", "json"):
        raise UsageError("--statistics prints text or json")
    if args.show_unresolved and (args.format not in ("text", "json") or args.statistics):
        raise UsageError("--show-unresolved prints text or json findings")
    html = args.format == "html"
    reporter = None if html or args.statistics else get_reporter(args.format)
    options = RunOptions(tuple(args.paths), jobs=jobs, use_prefilter=not args.no_prefilter,
                         use_cache=not args.no_cache, cache_dir=args.cache_dir, want_sites=html,
                         min_parallel=args.min_parallel, force_exclude=args.force_exclude)
    # the project pre-pass uses the same cache and worker count as the analysis
    cache = Cache.for_config(config, options.use_cache, options.cache_dir)
    read_source = file_source_reader(".")
    show = not args.quiet and is_terminal(sys.stderr)
    project = _build_with_status(config, cache, jobs, options.min_parallel, show)
    warn_if_no_tenant_tables(project.index, config)  # a warning: printed even with --quiet
    if stdin:
        text_in, too_big = read_stdin(sys.stdin.buffer, config.max_file_bytes)
        result = check_stdin(config, project, text_in, args.stdin_filename, want_sites=html,
                             use_prefilter=options.use_prefilter, force_exclude=args.force_exclude,
                             too_big=too_big)
        read_source = _stdin_reader(stdin_display(args.stdin_filename), text_in, read_source)
    else:
        result = _run_with_progress(config, options, project, show)
        _warn_skipped_links(result.skipped_links)  # a warning: printed even with --quiet
        _no_files(result, args, config)
    note = _note(args.quiet)
    if args.write_baseline is not None:
        count = write_baseline(args.write_baseline, result.findings)
        note(f"tenantlint: wrote {count} baseline entries to {args.write_baseline}")
    if args.baseline is not None:
        baseline = load_baseline(args.baseline, config.max_file_bytes)
        new, matched, fixed = baseline.filter(list(result.findings))
        result = replace(result, findings=tuple(new), suppressed=result.suppressed + tuple(matched),
                         fixed_baseline_entries=fixed)
        if fixed:
            note(f"tenantlint: {fixed} baseline entries fixed; rewrite with --write-baseline")
    if not args.show_unresolved:
        result = replace(result, unresolved=())  # counted in stats; listed only when asked
    stream: TextIO = sys.stdout if args.output is None else io.StringIO()  # a file: written whole
    to_stdout = args.output is None
    frames = args.show_source if args.show_source is not None else to_stdout and is_terminal(sys.stdout)
    color = to_stdout and color_wanted(sys.stdout)
    try:
        if args.statistics:
            stream.write(statistics(result, args.format))
        elif reporter is None:  # --format html: the audit report of what was checked
            from tenantlint.audit import AuditData
            from tenantlint.audit_meta import make_meta
            from tenantlint.reporters.html import HtmlAuditReporter

            meta = make_meta(config.root, Path.cwd())
            data = AuditData(result, project.index, config, meta.project, __version__, meta)
            stream.write(HtmlAuditReporter().render(data, read_source))
        else:
            # colour without frames (FORCE_COLOR into a pipe) styles the lines only
            reporter.write(result, stream, ReportOptions(
                terminal=frames or color, color=color, summary=False,
                read_source=read_source if frames else no_source, timing=args.timing))
            if args.format == "text":
                for u in result.unresolved:
                    stream.write(f"{u.path}:{u.line}:{u.column}: not analysed: {u.reason}\n")
        stream.flush()
    except BrokenPipeError:  # `tenantlint check | head`: the reader has what it wanted
        silence_stdout()
    if isinstance(stream, io.StringIO):
        assert args.output is not None
        atomic_write(args.output, stream.getvalue())
    note(f"tenantlint: {summary_line(result)}")
    return exit_code(result, args.exit_zero)


def _progress_delay() -> float:
    try:
        return float(os.environ.get("TENANTLINT_PROGRESS_DELAY", "1"))
    except ValueError:
        return 1.0


def _build_with_status(config: Config, cache: Cache, jobs: int, min_parallel: int, show: bool) -> Project:
    """The project index, with a spinner on stderr once it has taken a second (a cold run)."""
    if not show:
        return build_project(config, cache, jobs, min_parallel)
    from tenantlint.reporters.progress import delayed_status  # rich: only for a terminal

    with delayed_status("Indexing the project's models", True, delay=_progress_delay()):
        return build_project(config, cache, jobs, min_parallel)


def _run_with_progress(config: Config, options: RunOptions, project: Project, show: bool) -> RunResult:
    """The run, with a progress bar on stderr once it has taken a second (a cold run in a terminal)."""
    if not show:
        return run(config, options, project=project)
    from tenantlint.reporters.progress import delayed_progress  # rich: only for a terminal

    total = count_targets(config, options.paths, options.force_exclude)
    with delayed_progress(total, True, delay=_progress_delay()) as advance:
        return run(config, replace(options, progress=advance), project=project)


def _note(quiet: bool) -> Callable[[str], None]:
    """A printer of notes on stderr, silent with ``--quiet``."""
    def note(text: str) -> None:
        if not quiet:
            print(text, file=sys.stderr)
    return note


def _stdin_reader(display: str, data: bytes, fallback: SourceReader) -> SourceReader:
    """Code frames of the stdin text come from that text, not from the file on disk."""
    text = data.decode("utf-8", errors="replace")

    def read(path: str) -> str | None:
        return text if path == display else fallback(path)

    return read


def exit_code(result: RunResult, exit_zero: bool) -> int:
    return EXIT_CLEAN if exit_zero or not result.findings else EXIT_FINDINGS


def cmd_audit(args: argparse.Namespace) -> int:
    from tenantlint import __version__ as version
    from tenantlint.audit import write_audit
    from tenantlint.reporters.progress import progress
    from tenantlint.runner import count_targets

    _check_outputs(args.output)
    config = _config(args)
    try:
        audit_report.check_arguments(args)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    jobs = args.jobs if args.jobs is not None else default_jobs()
    cache = Cache.for_config(config, not args.no_cache, args.cache_dir)
    project = build_project(config, cache, jobs, args.min_parallel)
    warn_if_no_tenant_tables(project.index, config)
    settings = project.settings(config)
    total = count_targets(config, tuple(args.paths), args.force_exclude)
    with progress(total, enabled=sys.stderr.isatty() and not args.quiet) as advance:
        options = RunOptions(tuple(args.paths), jobs=jobs, want_sites=True, progress=advance,
                             use_cache=not args.no_cache, cache_dir=args.cache_dir,
                             min_parallel=args.min_parallel, force_exclude=args.force_exclude)
        result = run(config, options, project=project)
    _warn_skipped_links(result.skipped_links)  # as `check` does: printed even with --quiet
    _no_files(result, args, config)
    data = audit_report.audit_data(args, result, settings.index, config, version)
    write_audit(data, args.output, file_source_reader("."))
    print(f"tenantlint: audit of {result.stats.files} files, {len(result.query_sites)} query sites, "
          f"{len(result.findings)} findings written to {args.output}")
    return EXIT_CLEAN


def cmd_tables(args: argparse.Namespace) -> int:
    from tenantlint.index.render import render_tables

    config = load_config(None, args.config, root=args.root)
    settings = make_settings(config)
    warn_if_no_tenant_tables(settings.index, config)
    facts = settings.facts
    scheduled = {f"{name} ({facts.task_names[name]})" if name in facts.task_names else name: where
                 for name, where in facts.scheduled.items()}
    text = render_tables(settings.index, settings.recognised_checks, facts.injecting_decorators,
                         scheduled)
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


def _visible_streams() -> None:
    """Text the terminal cannot encode (an undecodable file name) is shown as an escape rather
    than ending the run with UnicodeEncodeError (e.g. under PYTHONIOENCODING=utf-8)."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            try:
                reconfigure(errors="backslashreplace")
            except (ValueError, OSError):
                pass


COMMANDS = {"check": cmd_check, "audit": cmd_audit, "tables": cmd_tables, "rules": cmd_rules,
            "init": init_command.run, "explain": explain_command.run}


def looks_like_command(word: str) -> bool:
    """A first argument that is a word, not an option or an existing path: a mistyped command
    (``tenantlint chek``), not a file to check."""
    return (word.isidentifier() and not Path(word).exists()) and word not in ("-", ".")


def main(argv: Sequence[str] | None = None) -> int:
    if argv is None:  # the process's command line (not a library or test call)
        # the objects made by importing tenantlint, libcst and sqlglot live as long as the process:
        # keep them out of the collector's full passes (each walks them all, ~20 ms, several a run)
        gc.freeze()
        # A run allocates millions of short-lived nodes and few cycles: collecting the young
        # generation every 20,000 allocations instead of 700 cuts ~10% of a cold run for ~3% more
        # peak memory. Only the command line does this, not the flake8 plugin or library calls.
        gc.set_threshold(20_000, 10, 10)
        _visible_streams()
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] not in COMMANDS and looks_like_command(argv[0]):
        hint = did_you_mean(argv[0], list(COMMANDS))
        print(f"tenantlint: error: {argv[0]!r} is neither a command nor an existing path{hint}; "
              f"commands: {', '.join(COMMANDS)}", file=sys.stderr)
        return EXIT_ERROR
    if not argv or (argv[0] not in COMMANDS and argv[0] not in ("-h", "--help", "--version")):
        argv = ["check", *argv]
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return EXIT_ERROR if exc.code not in (0, None) else EXIT_CLEAN
    try:
        return COMMANDS[args.command](args)
    except BrokenPipeError:  # stdout closed early (`tenantlint rules | head`): end quietly
        silence_stdout()
        return EXIT_CLEAN
    except ConfigError as exc:
        print(f"tenantlint: config error: {exc}", file=sys.stderr)
    except (UsageError, UnknownReporterError, BaselineError) as exc:
        print(f"tenantlint: error: {exc}", file=sys.stderr)
    except OSError as exc:
        print(f"tenantlint: error: {exc}", file=sys.stderr)
    return EXIT_ERROR


if __name__ == "__main__":
    raise SystemExit(main())
