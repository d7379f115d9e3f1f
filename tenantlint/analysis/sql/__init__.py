"""Raw SQL verifier: SQL text -> per-table tenant verdicts (sqlglot scopes; no libcst)."""

from typing import TYPE_CHECKING, Any

from tenantlint.analysis.sql.tenancy import SqlTenancy
from tenantlint.analysis.sql.verdict import ParamRef, SqlAnalysis, SqlTableUse

if TYPE_CHECKING:
    from tenantlint.analysis.sql.analyze import analyze_sql
    from tenantlint.analysis.sql.parse import looks_like_sql


def __getattr__(name: str) -> Any:
    """``analyze_sql`` and ``looks_like_sql`` load sqlglot (~40 ms, ~16 MB): only when first used."""
    if name == "analyze_sql":
        from tenantlint.analysis.sql.analyze import analyze_sql

        return analyze_sql
    if name == "looks_like_sql":
        from tenantlint.analysis.sql.parse import looks_like_sql

        return looks_like_sql
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = ["ParamRef", "SqlAnalysis", "SqlTableUse", "SqlTenancy", "analyze_sql", "looks_like_sql"]
