"""The audit as JSON (``tenantlint audit --output audit.json``) and the delta against a previous one
(``--compare PREVIOUS.json``).

A finding is matched across audits by its code, path, table, handler and snippet — not its line, so
code moving within a file is not a change. Paths are relative to the project root.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tenantlint.audit import AuditData, is_proven, summarize
from tenantlint.reporters.base import sorted_findings

SNAPSHOT_VERSION = 1
SNAPSHOT_KIND = "tenantlint-audit"


class SnapshotError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class FindingKey:
    code: str
    path: str
    table: str
    handler: str
    snippet: str


@dataclass(frozen=True, slots=True)
class SnapshotFinding:
    key: FindingKey
    line: int
    message: str


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What a previous audit recorded, enough to compare with."""

    generated: str
    commit: str | None
    branch: str | None
    sites: int
    proven: int
    findings: tuple[SnapshotFinding, ...]
    tables: dict[str, tuple[int, int]]  # table -> (sites, proven)

    @property
    def label(self) -> str:
        parts = [self.generated or "unknown date"]
        if self.commit:
            parts.append(f"commit {self.commit[:12]}")
        if self.branch:
            parts.append(f"branch {self.branch}")
        return ", ".join(parts)


@dataclass(frozen=True, slots=True)
class TableDelta:
    table: str
    before: tuple[int, int] | None  # (sites, proven); None: not in the previous audit
    after: tuple[int, int] | None


@dataclass(frozen=True, slots=True)
class Delta:
    previous: Snapshot
    new: tuple[SnapshotFinding, ...]
    fixed: tuple[SnapshotFinding, ...]
    tables: tuple[TableDelta, ...]  # tables whose site or proven counts changed

    @property
    def findings_change(self) -> int:
        return len(self.new) - len(self.fixed)


def _key(code: str, path: str, table: str | None, handler: str | None, snippet: str | None) -> FindingKey:
    return FindingKey(code, path, table or "", handler or "", " ".join((snippet or "").split()))


def to_json(data: AuditData) -> dict[str, Any]:
    """The audit as a JSON document (paths relative to the project root, no absolute paths)."""
    summary = summarize(data)
    meta = data.meta
    return {
        "version": SNAPSHOT_VERSION,
        "kind": SNAPSHOT_KIND,
        "tool_version": data.tool_version,
        "generated": meta.generated,
        "project": meta.project,
        "commit": meta.commit,
        "branch": meta.branch,
        "summary": {
            "files": summary.files,
            "queries": summary.queries,
            "tenant_tables": summary.tenant_tables,
            "sites": summary.sites,
            "proven": summary.proven,
            "findings": summary.findings,
            "suppressed": summary.suppressed,
            "errors": summary.errors,
            "by_scoping": dict(summary.by_scoping),
            "by_code": {c.code: c.count for c in summary.by_code},
        },
        "tables": [{"table": t.table, "sites": t.sites, "proven": t.proven} for t in summary.by_table],
        "findings": [
            {"code": f.code, "path": meta.display(f.path), "line": f.span.line,
             "column": f.span.column, "table": f.table, "handler": f.handler,
             "snippet": f.snippet, "message": f.message}
            for f in sorted_findings(data.result.findings)
        ],
        "sites": [
            {"path": meta.display(s.path), "line": s.line, "table": s.table, "kind": s.kind,
             "scoping": s.scoping, "proven": is_proven(s), "handler": s.handler, "origin": s.origin}
            for s in data.result.query_sites
        ],
    }


def _str(value: object) -> str:
    return value if isinstance(value, str) else ""


def parse_snapshot(document: object, where: str = "<json>") -> Snapshot:
    """A previous audit from its JSON document; raises SnapshotError when it is not one."""
    if not isinstance(document, dict) or document.get("kind") != SNAPSHOT_KIND:
        raise SnapshotError(f"{where}: not a tenantlint audit JSON (write one with "
                            "`tenantlint audit --output audit.json`)")
    if document.get("version") != SNAPSHOT_VERSION:
        raise SnapshotError(f"{where}: audit JSON version {document.get('version')!r} is not "
                            f"{SNAPSHOT_VERSION}")
    try:
        summary = document["summary"]
        findings = tuple(
            SnapshotFinding(_key(str(f["code"]), str(f["path"]), f.get("table"), f.get("handler"),
                                 f.get("snippet")), int(f.get("line") or 0), _str(f.get("message")))
            for f in document["findings"]
        )
        tables = {str(t["table"]): (int(t["sites"]), int(t["proven"])) for t in document["tables"]}
        return Snapshot(_str(document.get("generated")), document.get("commit") or None,
                        document.get("branch") or None, int(summary["sites"]), int(summary["proven"]),
                        findings, tables)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise SnapshotError(f"{where}: malformed audit JSON ({exc!r})") from None


def load_snapshot(path: Path) -> Snapshot:
    from tenantlint.safeio import MAX_NESTING, UnsafeFileError, nesting_depth, read_regular

    try:
        document = json.loads(read_regular(path).decode("utf-8"))
    except json.JSONDecodeError as exc:
        raise SnapshotError(f"{path}: not JSON ({exc.msg} at line {exc.lineno})") from None
    except UnsafeFileError as exc:
        raise SnapshotError(f"{path}: cannot use it: {exc.reason}") from None
    except (RecursionError, UnicodeDecodeError) as exc:
        raise SnapshotError(f"{path}: not an audit JSON ({type(exc).__name__})") from None
    if nesting_depth(document) > MAX_NESTING:
        raise SnapshotError(f"{path}: nested more than {MAX_NESTING} levels deep")
    return parse_snapshot(document, str(path))


def _unmatched(items: list[SnapshotFinding], against: list[SnapshotFinding]) -> tuple[SnapshotFinding, ...]:
    remaining = Counter(f.key for f in against)
    out = []
    for f in items:
        if remaining[f.key]:
            remaining[f.key] -= 1
        else:
            out.append(f)
    return tuple(out)


def compare(data: AuditData, previous: Snapshot) -> Delta:
    current = parse_snapshot(to_json(data))
    new = _unmatched(list(current.findings), list(previous.findings))
    fixed = _unmatched(list(previous.findings), list(current.findings))
    tables = []
    for name in sorted(set(current.tables) | set(previous.tables)):
        before, after = previous.tables.get(name), current.tables.get(name)
        if before != after:
            tables.append(TableDelta(name, before, after))
    return Delta(previous, new, fixed, tuple(tables))
