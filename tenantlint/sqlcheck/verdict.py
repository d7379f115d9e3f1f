"""Records the raw-SQL verifier hands back."""

from __future__ import annotations

from dataclasses import dataclass

from tenantlint.analysis.facts import QueryKind, Scoping


@dataclass(frozen=True, slots=True)
class ParamRef:
    """A placeholder bound to a tenant column."""

    index: int | None  # 0-based position among positional placeholders (%s, ?, $1 -> 0)
    name: str | None  # named placeholder (%(org)s, :org)


@dataclass(frozen=True, slots=True)
class SqlTableUse:
    table: str  # real table name, lower-case, without schema
    scoping: Scoping
    params: tuple[ParamRef, ...]  # what the tenant filter / tenant value is bound to
    detail: str
    # placeholders written into the table's tenant column (``UPDATE t SET org_id = %s``): TNT103
    written: tuple[ParamRef, ...] = ()


@dataclass(frozen=True, slots=True)
class SqlAnalysis:
    kind: QueryKind | None  # READ, WRITE (update/delete/merge), INSERT; None when not a query
    uses: tuple[SqlTableUse, ...]  # tenant tables only
    error: str | None  # parse error (TNT302), complete static SQL only
    unverifiable: str | None  # run-time holes make tables/WHERE unresolvable (TNT301)
