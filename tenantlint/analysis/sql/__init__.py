"""Raw SQL verifier: SQL text -> per-table tenant verdicts (sqlglot scopes; no libcst)."""

from tenantlint.analysis.sql.analyze import analyze_sql
from tenantlint.analysis.sql.parse import looks_like_sql
from tenantlint.analysis.sql.tenancy import SqlTenancy
from tenantlint.analysis.sql.verdict import ParamRef, SqlAnalysis, SqlTableUse

__all__ = ["ParamRef", "SqlAnalysis", "SqlTableUse", "SqlTenancy", "analyze_sql", "looks_like_sql"]
