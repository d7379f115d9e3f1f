"""What one file tells the cross-function pass: its functions' summaries and its resolved call sites.
Frozen, slotted and free of libcst nodes: they are cached with the file's result."""

from __future__ import annotations

from dataclasses import dataclass

from tenantlint.results import Hop, Span

__all__ = ["Arg", "Hop", "KeyedQuery", "Site", "Summary"]


@dataclass(frozen=True, slots=True)
class KeyedQuery:
    """A query on a tenant table with no tenant filter, keyed only by the function's parameters."""

    line: int
    codes: tuple[str, ...]  # the findings reported at it (TNT101 / TNT102)
    table: str
    keys: tuple[str, ...]
    label: str  # ``Invoice.objects.get``


@dataclass(frozen=True, slots=True)
class Summary:
    qualname: str  # ``billing.services.get_invoice``, ``billing.services.Service.load``
    path: str
    line: int
    params: tuple[str, ...]  # what a call binds, in order
    handler: str | None
    open: bool  # registered by a decorator: callers the project does not show
    tenant_params: tuple[tuple[str, int], ...]  # parameters that reach a tenant filter, and its line
    keyed: tuple[KeyedQuery, ...]

    @property
    def name(self) -> str:
        return self.qualname.rsplit(".", 1)[-1]


@dataclass(frozen=True, slots=True)
class Arg:
    position: int  # -1: a keyword argument
    keyword: str
    trust: str  # "trusted" | "untrusted" | "unknown"
    source: str  # "request body", "parameter pk", ...
    span: Span | None  # only for request input (the only arguments a finding is reported at)
    snippet: str | None = None


@dataclass(frozen=True, slots=True)
class Site:
    """A call resolved to a dotted name; ``caller``: the calling function's qualified name."""

    callee: str
    path: str
    line: int
    caller: str | None
    handler: str | None
    celery: bool
    open_args: bool
    args: tuple[Arg, ...]
