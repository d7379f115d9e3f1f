"""Rows a relationship or reverse accessor of a row yields (docs/concepts.md, "Rows that carry
their tenant"): they point at that row, so they are as confined as the row itself."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tenantlint.analysis.interp.values import QueryValue, Value

if TYPE_CHECKING:
    from tenantlint.analysis.plugins import Evaluation


def row_of_tenant_table(ev: Evaluation, recv: Value, parent: str) -> bool:
    """``recv`` is a row of ``parent`` (the model a relationship or reverse accessor leaves from),
    and ``parent`` is tenant-scoped: the rows the accessor yields point at that row, so they belong
    to its tenant. The accessor is as confined as the row: its provenance is the pin's (request input
    stays TNT103), and a row fetched without a tenant filter is reported where it is fetched."""
    if isinstance(recv, QueryValue):
        return False
    return ev.ctx.tenant_of_model(parent) is not None or ev.ctx.index.tenant_table(parent) is not None
