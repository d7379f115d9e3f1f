"""``tenantlint explain PATH:LINE``: the tables, filters, value origins, membership checks and
verdict for each query on one line."""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from dataclasses import asdict, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tenantlint.config.load import load_config

if TYPE_CHECKING:  # the analysis (libcst) is imported only when the command runs
    from tenantlint.config.options import Config
    from tenantlint.explain import Explanation, QueryView
    from tenantlint.results import Finding
    from tenantlint.runner import Project

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
_LOCATION = re.compile(r"^(?P<path>.+?):(?P<line>\d+)(?::\d+)?$")


class ExplainError(ValueError):
    pass


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("explain", help="why the queries on PATH:LINE are or are not tenant-confined")
    p.add_argument("location", metavar="PATH:LINE", help="a line as reported: app/views.py:42")
    p.add_argument("--config", type=Path, metavar="FILE")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--no-cache", action="store_true", help="do not read or write the cache")


def parse_location(text: str) -> tuple[Path, int]:
    m = _LOCATION.match(text.strip())
    if m is None or int(m.group("line")) < 1:
        raise ExplainError(f"{text!r}: expected PATH:LINE (for example app/views.py:42)")
    return Path(m.group("path")), int(m.group("line"))


def explain_location(path: Path, line: int, config_path: Path | None, use_cache: bool) -> Explanation:
    from tenantlint.analysis.engine import analyze_text, walk_file
    from tenantlint.analysis.source.parse import Positions, decode, parse
    from tenantlint.cache import Cache
    from tenantlint.commands.notice import warn_if_no_tenant_tables
    from tenantlint.explain import explain_facts
    from tenantlint.files import relpath
    from tenantlint.runner import build_project, default_jobs

    if not path.is_file():
        raise ExplainError(f"{path}: no such file")
    config = load_config(None, config_path)
    project = build_project(config, Cache.for_config(config, use_cache, None), default_jobs())
    warn_if_no_tenant_tables(project.index, config)
    settings = project.settings(config)
    display = relpath(path, Path.cwd())
    text = decode(path.read_bytes())
    lines = text.count("\n") + 1
    if line > lines:
        raise ExplainError(f"{display}:{line}: the file has {lines} lines")
    findings, suppressed, notes = _file_findings(config, project, use_cache, display, line)
    if findings is None:  # a file the check does not walk (excluded, outside the paths): this file alone
        result = analyze_text(display, text, settings)
        findings, suppressed = list(result.findings), list(result.suppressed)
    module = parse(text)
    ctx = walk_file(display, module, settings, text)
    positions = Positions(module, text, None, ctx.statement_hints, stand_ins=ctx.stand_ins)
    found = explain_facts(display, line, module, ctx.facts, positions, project.index, findings, suppressed)
    return replace(found, queries=_system_verdicts(found.queries, notes),
                   notes=(*found.notes, *notes)) if notes else found


def _system_verdicts(views: tuple[QueryView, ...], notes: list[str]) -> tuple[QueryView, ...]:
    """The queries of a function only system code reaches (or none): not reported, and why."""
    from tenantlint.explain_across import SYSTEM_NOTE

    why = next((n[len(SYSTEM_NOTE):] for n in notes if n.startswith(SYSTEM_NOTE)), None)
    if why is None:
        return views
    return tuple(v if v.findings or v.suppressed else
                 replace(v, verdict=f"NOT REPORTED: system scope ({why}); the audit lists it")
                 for v in views)


def _file_findings(config: Config, project: Project, use_cache: bool, display: str, line: int,
                   ) -> tuple[list[Finding] | None, list[Finding], list[str]]:
    """The findings ``check`` reports in ``display`` (and those suppressed there), joined across
    functions as ``check`` joins them, so the verdict agrees with ``check``; None when ``check``
    does not analyse the file. Then what the join decided for the id-keyed queries on ``line``."""
    from tenantlint.analysis.interp.trusted_context import in_system_path
    from tenantlint.explain_across import across_notes
    from tenantlint.runner import RunOptions, analyse, collect, default_jobs

    options = RunOptions((), jobs=default_jobs(), use_cache=use_cache)
    results, counts = analyse(config, options, project=project)
    if not any(r.path == display for r in results):
        return None, [], []
    whole = collect(results, config, 0.0, counts)
    root = str(config.root)
    files = [p for p in project.digests if not in_system_path(os.path.relpath(p, root), config)]
    notes = across_notes(display, line, results, counts, config, files)
    return ([f for f in whole.findings if f.path == display],
            [f for f in whole.suppressed if f.path == display], notes)


def _query_lines(q: QueryView) -> list[str]:
    where = f"{q.span.line}:{q.span.column}"
    handler = f" in handler {q.handler}" if q.handler else " (not in a request handler)"
    out = [f"query at {where} ({q.kind}, {q.family}){handler}", f"    {q.snippet}"]
    for t in q.tables:
        column = f", tenant column {t.scoped_by}" if t.scoped_by else ""
        out.append(f"  table {t.table}{column}")
        out.append(f"    scoping: {t.scoping} ({t.status}): {t.label}")
        if not t.filters:
            out.append("    tenant filters: none")
        for f in t.filters:
            shown = f.expression or f.detail
            out.append(f"    tenant filter: {shown}  [{f.how}, value {f.trust}]")
            for i, step in enumerate(f.chain):
                out.append(f"      {'value from' if i == 0 else '      <-'} {step}")
        if t.untrusted:
            out.append(f"    request input reaches the tenant value: {t.untrusted}")
    checks = ", ".join(q.membership) if q.membership else "none applied to these values"
    out.append(f"  membership checks: {checks}")
    for found in q.findings:
        out.append(f"  finding {found.code} {found.name}: {found.message}")
    for quiet in q.suppressed:
        why = quiet.suppression
        reason = why.reason if why and why.reason else "no reason given"
        out.append(f"  suppressed {quiet.code} ({why.kind if why else 'suppressed'}: {reason})")
    out.append(f"  verdict: {q.verdict}")
    return out


def render_text(e: Explanation) -> str:
    from tenantlint.explain import finding_advice

    out = [f"{e.path}:{e.line}"]
    for q in e.queries:
        out += _query_lines(q)
    for f in (*e.others, *e.suppressed_others):
        out.append(f"finding {f.code} {f.name} at {f.span.line}:{f.span.column}: {f.message}")
        out.append(f"  verdict: {finding_advice(f)}")
    out.extend(e.notes)
    return "\n".join(out) + "\n"


def to_json(e: Explanation) -> dict[str, Any]:
    from tenantlint.explain import finding_advice

    def finding(f: Any) -> dict[str, Any]:
        return {"code": f.code, "name": f.name, "message": f.message, "line": f.span.line,
                "column": f.span.column, "table": f.table,
                "suppression": asdict(f.suppression) if f.suppression else None}

    return {
        "path": e.path,
        "line": e.line,
        "queries": [
            {"line": q.span.line, "column": q.span.column, "snippet": q.snippet, "kind": q.kind,
             "family": q.family, "handler": q.handler,
             "tables": [asdict(t) for t in q.tables], "membership_checks": list(q.membership),
             "findings": [finding(f) for f in q.findings],
             "suppressed": [finding(f) for f in q.suppressed], "verdict": q.verdict}
            for q in e.queries
        ],
        "other_findings": [dict(finding(f), verdict=finding_advice(f))
                           for f in (*e.others, *e.suppressed_others)],
        "notes": list(e.notes),
    }


def run(args: argparse.Namespace) -> int:
    try:
        path, line = parse_location(args.location)
        explanation = explain_location(path, line, args.config, not args.no_cache)
    except ExplainError as exc:
        print(f"tenantlint: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    if args.format == "json":
        sys.stdout.write(json.dumps(to_json(explanation), indent=2) + "\n")
    else:
        sys.stdout.write(render_text(explanation))
    reported = any(q.findings for q in explanation.queries) or bool(explanation.others)
    return EXIT_FINDINGS if reported else EXIT_CLEAN
