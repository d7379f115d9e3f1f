"""``tenantlint audit`` options beyond the run itself: the report's header facts (date, commit,
branch), links to the code (``--source-url``), the delta against a previous audit (``--compare``)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from tenantlint.audit_meta import check_source_url, make_meta

if TYPE_CHECKING:  # the report's model is imported only by ``tenantlint audit``
    from tenantlint.audit import AuditData
    from tenantlint.config.options import Config
    from tenantlint.index.records import ProjectIndex
    from tenantlint.results import RunResult

REPORT_SUFFIXES = (".html", ".htm", ".md", ".markdown", ".json")


def add_arguments(audit: argparse.ArgumentParser) -> None:
    audit.add_argument("--source-url", metavar="TEMPLATE",
                       help="link paths to the code: https://host/org/repo/blob/{commit}/{path}#L{line}")
    audit.add_argument("--compare", type=Path, metavar="PREVIOUS.json",
                       help="show what changed since an audit written with --output PREVIOUS.json")


def check_arguments(args: argparse.Namespace) -> None:
    """Raise ValueError (reported as a usage error) before any analysis runs."""
    if args.output.suffix.lower() not in REPORT_SUFFIXES:
        raise ValueError(f"--output {args.output}: the report must end in .html, .md or .json")
    if args.source_url:
        check_source_url(args.source_url)
    if args.compare is not None:
        from tenantlint.audit_snapshot import load_snapshot

        load_snapshot(args.compare)  # fail early on a missing or wrong file


def audit_data(args: argparse.Namespace, result: RunResult, index: ProjectIndex, config: Config,
               version: str) -> AuditData:
    from tenantlint.audit import AuditData

    meta = make_meta(config.root, Path.cwd(), args.source_url)
    data = AuditData(result, index, config, meta.project, version, meta)
    if args.compare is not None:
        from dataclasses import replace

        from tenantlint.audit_snapshot import compare, load_snapshot

        data = replace(data, delta=compare(data, load_snapshot(args.compare)))
    return data
