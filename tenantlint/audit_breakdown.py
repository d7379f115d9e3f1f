"""Where the audit's problems are: coverage per tenant table, findings per directory and per
endpoint (request handler). Pure functions of :class:`tenantlint.audit.AuditData`."""

from __future__ import annotations

import posixpath
from collections import Counter
from dataclasses import dataclass

from tenantlint.audit import AuditData, is_proven, sites_by_table
from tenantlint.results import DYNAMIC_SQL_TABLE, UNKNOWN_ORIGIN, Finding
from tenantlint.rules.registry import rule_for

DIRECTORY_DEPTH = 3  # "plane/app/views" — deeper folders are counted in their ancestor at this depth
NO_HANDLER = "(outside a request handler)"


@dataclass(frozen=True, slots=True)
class Coverage:
    table: str
    proven: int
    assumed: int  # filtered by a value of unknown origin
    unproven: int

    @property
    def sites(self) -> int:
        return self.proven + self.assumed + self.unproven


@dataclass(frozen=True, slots=True)
class FindingCount:
    label: str
    errors: int
    warnings: int
    where: str = ""  # for an endpoint: the file it is in

    @property
    def total(self) -> int:
        return self.errors + self.warnings


def coverage(data: AuditData) -> list[Coverage]:
    """Tables with query sites, the least proven first (then the most sites, then by name)."""
    rows = []
    for table, sites in sites_by_table(data).items():
        if not sites or table == DYNAMIC_SQL_TABLE:
            continue
        proven = sum(1 for s in sites if is_proven(s))
        assumed = sum(1 for s in sites if s.scoping == UNKNOWN_ORIGIN)
        rows.append(Coverage(table, proven, assumed, len(sites) - proven - assumed))
    return sorted(rows, key=lambda c: (c.proven / c.sites, -c.unproven, -c.sites, c.table))


def _directory(path: str) -> str:
    folder = posixpath.dirname(path)
    if not folder:
        return "."
    return "/".join(folder.split("/")[:DIRECTORY_DEPTH])


def _count(keys: list[tuple[str, str, str]]) -> list[FindingCount]:
    """(label, where, severity) triples -> counts, most findings first."""
    errors: Counter[tuple[str, str]] = Counter()
    warnings: Counter[tuple[str, str]] = Counter()
    for label, where, severity in keys:
        (errors if severity == "error" else warnings)[(label, where)] += 1
    rows = [FindingCount(label, errors[(label, where)], warnings[(label, where)], where)
            for label, where in set(errors) | set(warnings)]
    return sorted(rows, key=lambda r: (-r.total, -r.errors, r.label, r.where))


def by_directory(data: AuditData, findings: tuple[Finding, ...] | None = None) -> list[FindingCount]:
    found = data.result.findings if findings is None else findings
    return _count([(_directory(data.meta.display(f.path)), "", rule_for(f.code).severity)
                   for f in found])


def by_endpoint(data: AuditData, findings: tuple[Finding, ...] | None = None) -> list[FindingCount]:
    """Findings per request handler (by name and file); findings outside handlers in one row."""
    found = data.result.findings if findings is None else findings
    return _count([
        (f.handler or NO_HANDLER, data.meta.display(f.path) if f.handler else "",
         rule_for(f.code).severity)
        for f in found
    ])
