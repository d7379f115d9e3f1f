"""The one-off codebase audit: what the report knows, and pure helpers that summarise it.

``tenantlint audit`` builds an :class:`AuditData` (the run result with its query sites, the project
index, the config) and hands it to :func:`write_audit`, which picks the HTML or Markdown renderer by
the output file's suffix. Everything here is pure: no I/O except in :func:`write_audit`.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tenantlint.audit_meta import AuditMeta
from tenantlint.config.options import Config
from tenantlint.index.records import ProjectIndex, TenantTable
from tenantlint.results import DYNAMIC_SQL_TABLE, UNKNOWN_ORIGIN, Finding, QuerySite, RunResult, Span
from tenantlint.rules.registry import rule_for
from tenantlint.safeio import atomic_write

if TYPE_CHECKING:
    from tenantlint.audit_snapshot import Delta

# How a query site can be proven confined to the caller's tenant. An insert is listed as
# ``trusted-filter``, ``untrusted-filter`` or ``unscoped`` by whether and how it sets the tenant
# column (``analysis.engine.site_scoping``).
SAFE_SCOPINGS: frozenset[str] = frozenset(
    {
        "trusted-filter",
        "related-manager",
        "scoped-parent",
        "scoping-method",
        "owner-scoped",
        "capability",
        "auto-scoped-manager",
        "system-scope",
    }
)
# Deliberate bypasses: the linter trusts the config that these are safe, a reviewer should not.
BYPASS_SCOPINGS: tuple[str, ...] = ("system-scope", "auto-scoped-manager")

# Every scoping value, in report order, with the sentence a reader sees.
SCOPING_LABELS: dict[str, str] = {
    "trusted-filter": "filtered on the tenant column with a trusted value (request.user…, a verified id)",
    "related-manager": "reached through a tenant-scoped parent's related manager",
    "scoped-parent": "joined to / filtered by a tenant-scoped parent",
    "scoping-method": "a configured scoping method (scoping_methods)",
    "owner-scoped": "the caller's own rows (a foreign key to the user model pinned to the caller)",
    "capability": "a row looked up by its secret token (an API key, an invitation's or a share "
    "link's token), or refused unless its token equals the client's: whoever holds the token may "
    "use it",
    "auto-scoped-manager": "a manager that scopes itself (auto_scoped_managers)",
    "system-scope": ("deliberately cross-tenant (system_scope, system_paths, a scheduled task, a command,"
                     " start-up code, an operator-only handler)"),
    "unknown-origin-filter": "filtered on the tenant column by a value of unknown origin (a helper's "
    "parameter, a constant, self): confined only if every caller passes its own tenant",
    "untrusted-filter": "filtered on the tenant column, but with a request-supplied value",
    "weakened": "tenant filter is optional (OR, negation, IS NULL)",
    "unverifiable": "SQL built at run time (TNT301): its tables and scoping cannot be checked",
    "unscoped": "not scoped at all",
}

SourceReader = Callable[[str], "str | None"]

_FRAME_CONTEXT = 2
_FRAME_MAX_LINES = 12


@dataclass(frozen=True, slots=True)
class AuditData:
    """Everything the audit report shows."""

    result: RunResult
    index: ProjectIndex
    config: Config
    root: str  # shown only when ``meta.project`` is empty (tests, library use)
    tool_version: str
    meta: AuditMeta = AuditMeta()
    delta: Delta | None = None  # against ``--compare PREVIOUS.json``

    @property
    def project(self) -> str:
        return self.meta.project or self.root


@dataclass(frozen=True, slots=True)
class TableSummary:
    table: str
    sites: int
    proven: int

    @property
    def unproven(self) -> int:
        return self.sites - self.proven

    @property
    def share(self) -> float | None:
        return share(self.proven, self.sites)


@dataclass(frozen=True, slots=True)
class CodeCount:
    code: str
    name: str
    severity: str
    count: int


@dataclass(frozen=True, slots=True)
class Summary:
    files: int
    queries: int
    tenant_tables: int
    sites: int
    proven: int
    findings: int
    suppressed: int
    errors: int
    by_scoping: tuple[tuple[str, int], ...]  # (scoping, count), report order, non-zero only
    by_table: tuple[TableSummary, ...]  # every tenant table (and any other table with sites)
    by_code: tuple[CodeCount, ...]  # reported findings per code, sorted by code
    by_severity: tuple[tuple[str, int], ...]  # ("error", n), ("warning", n)
    assumed: int = 0  # sites filtered by a value of unknown origin: accepted, not proven
    dynamic: int = 0  # sites of SQL built at run time (TNT301): tables unknown

    @property
    def table_sites(self) -> int:
        """Sites on known tables: one per query and tenant table it touches."""
        return self.sites - self.dynamic

    def scoping_rows(self) -> list[tuple[str, int]]:
        """Every scoping in report order with its count, zeros included (any unknown ones last)."""
        counts = dict(self.by_scoping)
        rows = [(k, counts.get(k, 0)) for k in SCOPING_LABELS]
        return rows + [(k, n) for k, n in self.by_scoping if k not in SCOPING_LABELS]

    @property
    def share(self) -> float | None:
        """Share of query sites proven scoped, None when there are no query sites."""
        return share(self.proven, self.sites)


@dataclass(frozen=True, slots=True)
class Bypass:
    """A deliberate hole in tenant isolation: a system-scope / auto-scoped site or a suppression."""

    kind: str  # "system-scope" | "auto-scoped-manager" | "noqa" | "tenantlint" | "baseline"
    path: str
    line: int
    column: int
    table: str | None
    code: str | None  # the suppressed finding's code; None for a query site
    reason: str  # "" when none was given
    snippet: str | None
    handler: str | None


@dataclass(frozen=True, slots=True)
class FrameLine:
    number: int
    text: str
    marked: bool  # inside the finding's span
    caret: str = ""  # "   ^^^^" under the first marked line, "" otherwise


def share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def format_share(value: float | None) -> str:
    """``0.8765`` -> ``"87.7%"``; None -> ``"n/a"``. Never rounds a partial share up to 100%."""
    if value is None:
        return "n/a"
    percent = value * 100
    if percent < 100 and round(percent, 1) >= 100:
        return "99.9%"
    return f"{percent:.1f}%"


def is_proven(site: QuerySite) -> bool:
    return site.scoping in SAFE_SCOPINGS


def scoping_label(scoping: str) -> str:
    return SCOPING_LABELS.get(scoping, scoping)


def _scoping_rank(scoping: str) -> tuple[int, str]:
    order = list(SCOPING_LABELS)
    return (order.index(scoping), "") if scoping in SCOPING_LABELS else (len(order), scoping)


def sorted_sites(sites: tuple[QuerySite, ...] | list[QuerySite]) -> list[QuerySite]:
    return sorted(sites, key=lambda s: (s.path, s.line, s.column, s.table, s.kind, s.scoping))


def tenant_tables(index: ProjectIndex) -> list[TenantTable]:
    """The index's tenant tables, sorted by name."""
    return sorted(index.tables.values(), key=lambda t: t.table.lower())


def scoped_by_text(table: TenantTable) -> str:
    """``org_id``, ``org_id (field org)`` or ``via invoice (invoice_id)``."""
    if table.via:
        path = " \u2192 ".join(table.via)
        columns = ", ".join(table.via_columns)
        return f"via {path}" + (f" ({columns})" if columns else "")
    column = table.tenant_column or table.tenant_field or ""
    if table.tenant_field and table.tenant_column and table.tenant_field != table.tenant_column:
        return f"{table.tenant_column} (field {table.tenant_field})"
    return column


def sites_by_table(data: AuditData) -> dict[str, list[QuerySite]]:
    """Tenant table name -> its query sites (sorted). Every tenant table appears, even with no
    site; a site on a table the index does not know is kept under its own name, after the rest."""
    known = {t.table.lower(): t.table for t in tenant_tables(data.index)}
    grouped: dict[str, list[QuerySite]] = {name: [] for name in known.values()}
    extra: dict[str, list[QuerySite]] = {}
    for site in data.result.query_sites:
        name = known.get(site.table.lower())
        if name is not None:
            grouped[name].append(site)
        else:
            extra.setdefault(site.table, []).append(site)
    for name in sorted(extra):
        grouped[name] = extra[name]
    return {name: sorted_sites(sites) for name, sites in grouped.items()}


def summarize(data: AuditData) -> Summary:
    result = data.result
    sites = result.query_sites
    scopings = Counter(s.scoping for s in sites)
    by_table = tuple(
        TableSummary(name, len(rows), sum(1 for s in rows if is_proven(s)))
        for name, rows in sites_by_table(data).items()
    )
    codes = Counter(f.code for f in result.findings)
    by_code = tuple(
        CodeCount(code, rule_for(code).name, rule_for(code).severity, codes[code])
        for code in sorted(codes)
    )
    severities = Counter(c.severity for c in by_code for _ in range(c.count))
    return Summary(
        files=result.stats.files,
        queries=result.stats.queries,
        tenant_tables=len(data.index.tables),
        sites=len(sites),
        proven=sum(1 for s in sites if is_proven(s)),
        findings=len(result.findings),
        suppressed=len(result.suppressed),
        errors=len(result.errors),
        by_scoping=tuple(sorted(scopings.items(), key=lambda kv: _scoping_rank(kv[0]))),
        by_table=by_table,
        by_code=by_code,
        by_severity=tuple((sev, severities[sev]) for sev in ("error", "warning")),
        assumed=scopings.get(UNKNOWN_ORIGIN, 0),
        dynamic=sum(1 for s in sites if s.table == DYNAMIC_SQL_TABLE),
    )


def bypasses(data: AuditData) -> list[Bypass]:
    """System-scope and auto-scoped-manager query sites, then suppressed findings, each with its
    reason (the site's detail, or the suppression's justification)."""
    out = [
        Bypass(
            kind=site.scoping,
            path=site.path,
            line=site.line,
            column=site.column,
            table=site.table,
            code=None,
            reason=site.detail,
            snippet=site.snippet,
            handler=site.handler,
        )
        for site in sorted_sites(
            [s for s in data.result.query_sites if s.scoping in BYPASS_SCOPINGS]
        )
    ]
    for f in sorted(data.result.suppressed, key=Finding.sort_key):
        kind = f.suppression.kind if f.suppression else "suppressed"
        out.append(
            Bypass(
                kind=kind,
                path=f.path,
                line=f.span.line,
                column=f.span.column,
                table=f.table,
                code=f.code,
                reason=f.suppression.reason if f.suppression else "",
                snippet=f.snippet,
                handler=f.handler,
            )
        )
    return out


def config_items(config: Config) -> list[tuple[str, Any]]:
    """Every config key with its JSON-compatible value (tuples as lists), in declaration order.
    Where the config came from and the project root are not keys (the report's header names them,
    relative to the root: a report carries no absolute local path)."""
    items: list[tuple[str, Any]] = []
    for f in dataclasses.fields(config):
        if f.name in ("source", "root"):
            continue
        value = getattr(config, f.name)
        if isinstance(value, Path):
            value = value.as_posix()
        elif isinstance(value, tuple):
            value = list(value)
        items.append((f.name, value))
    return items


def code_frame(source: str | None, span: Span) -> list[FrameLine]:
    """Source lines around ``span`` (two lines of context), the spanned ones marked, with a caret
    line under the first; [] when the source is unknown or the line is out of range."""
    if source is None:
        return []
    lines = source.splitlines()
    if not 1 <= span.line <= len(lines):
        return []
    last = min(max(span.end_line, span.line), span.line + _FRAME_MAX_LINES)
    first_shown = max(1, span.line - _FRAME_CONTEXT)
    last_shown = min(len(lines), last + _FRAME_CONTEXT)
    frame: list[FrameLine] = []
    for number in range(first_shown, last_shown + 1):
        text = lines[number - 1].replace("\t", " ")
        caret = ""
        if number == span.line:
            start = max(span.column - 1, 0)
            if span.end_line == span.line and span.end_column > span.column:
                end = span.end_column - 1
            else:
                end = max(len(text.rstrip()), start + 1)
            caret = " " * start + "^" * max(end - start, 1)
        frame.append(FrameLine(number, text, span.line <= number <= last, caret))
    return frame


def finding_frames(
    findings: tuple[Finding, ...] | list[Finding], read_source: SourceReader
) -> dict[Finding, list[FrameLine]]:
    """Each finding's code frame, each file read once."""
    sources: dict[str, str | None] = {}
    frames: dict[Finding, list[FrameLine]] = {}
    for f in findings:
        if f.path not in sources:
            sources[f.path] = read_source(f.path)
        frames[f] = code_frame(sources[f.path], f.span)
    return frames


def write_audit(data: AuditData, output: Path, read_source: SourceReader) -> None:
    """Write the audit report to ``output``: HTML for ``.html``/``.htm``, Markdown for ``.md``,
    the JSON snapshot (for ``--compare``) for ``.json``.

    Raises ValueError for any other suffix (before writing anything).
    """
    suffix = output.suffix.lower()
    if suffix in (".html", ".htm"):
        from tenantlint.reporters.html import HtmlAuditReporter

        text = HtmlAuditReporter().render(data, read_source)
    elif suffix in (".md", ".markdown"):
        from tenantlint.reporters.audit_markdown import MarkdownAuditReporter

        text = MarkdownAuditReporter().render(data, read_source)
    elif suffix == ".json":
        import json

        from tenantlint.audit_snapshot import to_json

        text = json.dumps(to_json(data), indent=2, ensure_ascii=False) + "\n"
    else:
        raise ValueError(
            f"cannot tell the report format from {output.name!r}: use a .html, .md or .json file"
        )
    atomic_write(output, text)
