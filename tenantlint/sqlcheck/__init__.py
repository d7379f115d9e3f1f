"""Raw SQL verifier: SQL text -> per-table tenant verdicts (sqlglot scopes; no libcst)."""

from typing import TYPE_CHECKING, Any

from tenantlint.sqlcheck.tenant_tables import SqlTenancy
from tenantlint.sqlcheck.verdict import ParamRef, SqlAnalysis, SqlTableUse

if TYPE_CHECKING:
    from tenantlint.sqlcheck.analyze import analyze_sql
    from tenantlint.sqlcheck.parse import looks_like_sql


def __getattr__(name: str) -> Any:
    """``analyze_sql`` and ``looks_like_sql`` load sqlglot (~40 ms, ~16 MB): only when first used."""
    if name == "analyze_sql":
        from tenantlint.sqlcheck.analyze import analyze_sql

        return analyze_sql
    if name == "looks_like_sql":
        from tenantlint.sqlcheck.parse import looks_like_sql

        return looks_like_sql
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = ["ParamRef", "SqlAnalysis", "SqlTableUse", "SqlTenancy", "analyze_sql", "looks_like_sql"]
