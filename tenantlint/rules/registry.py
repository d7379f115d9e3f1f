"""The one registry of rules. Everything that lists rules (CLI, docs, SARIF, flake8) reads it."""

from __future__ import annotations

from tenantlint.rules.base import Rule
from tenantlint.rules.meta import (
    BidiControlCharacter,
    FileNotAnalyzed,
    SuppressionWithoutReason,
    UnusedSuppression,
)
from tenantlint.rules.queries import InsertWithoutTenant, UnscopedQuery, UnscopedWrite, WeakenedTenantFilter
from tenantlint.rules.sql import UnparsableSql, UnverifiableSql
from tenantlint.rules.trust import TenantIdFromRequest, UntrustedTenantValue
from tenantlint.rules.views import UnscopedView

ALL_RULES: tuple[type[Rule], ...] = (
    UnscopedQuery,
    UnscopedWrite,
    UntrustedTenantValue,
    InsertWithoutTenant,
    WeakenedTenantFilter,
    TenantIdFromRequest,
    UnscopedView,
    UnverifiableSql,
    UnparsableSql,
    SuppressionWithoutReason,
    UnusedSuppression,
    BidiControlCharacter,
    FileNotAnalyzed,
)

_BY_CODE = {r.code: r for r in ALL_RULES}


def rule_for(code: str) -> type[Rule]:
    return _BY_CODE[code]


def all_codes() -> tuple[str, ...]:
    return tuple(_BY_CODE)


def fact_rules() -> tuple[Rule, ...]:
    """Instances of the rules that read analysis facts."""
    return tuple(r() for r in ALL_RULES)
