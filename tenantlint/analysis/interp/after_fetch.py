"""Rows that carry their tenant, and rows checked after the fetch (docs/concepts.md).

* ``self`` in a method of a tenant model is a trusted row of that model's table: a query keyed by it
  (``Result.objects.filter(data_source=self)``) is scoped through it.
* A row fetched without a tenant filter counts as scoped when, before it leaves the function, the
  code compares its tenant column with a trusted value and refuses on mismatch::

      invoice = Invoice.objects.get(pk=pk)
      if invoice.org_id != request.user.org_id:
          raise PermissionDenied

  The query that fetched it gets a pin for its reads, and the row becomes a trusted one.
"""

from __future__ import annotations

import libcst as cst

from tenantlint.analysis.facts import Provenance
from tenantlint.analysis.interp.evaluator import Evaluator
from tenantlint.analysis.interp.exprs import dotted
from tenantlint.analysis.interp.file_context import FileContext
from tenantlint.analysis.interp.function_state import FunctionState
from tenantlint.analysis.interp.guards import scope_checked
from tenantlint.analysis.interp.values import RowValue, Value
from tenantlint.analysis.plugins import ClassInfo

REFUSING_CALLS = frozenset({"abort", "deny", "forbidden", "not_found", "PermissionDenied", "Http404"})


def own_row(ctx: FileContext, cls: ClassInfo, fn: cst.FunctionDef) -> tuple[str, Value] | None:
    """``self`` in a (non-static, non-class) method of a tenant model: a trusted row of its table."""
    model = ctx.model_name(cls.name)
    tenant = ctx.tenant_of_model(model) if model is not None else None
    if tenant is None:
        return None
    for d in fn.decorators:
        name = dotted(d.decorator) or ""
        if name.rsplit(".", 1)[-1] in ("staticmethod", "classmethod"):
            return None
    params = fn.params.params
    if not params:
        return None
    first = params[0].name.value
    row = RowValue(Provenance.trusted(f"{first}, a row of {tenant.table}"), scoped_row_of=tenant.table,
                   table=tenant.table)
    return first, row


def refuses(body: object) -> bool:
    """The branch refuses: ``abort(404)``, ``raise``, a 401/403/404 response (``return`` is seen by
    the walker itself)."""
    for stmt in body:  # type: ignore[attr-defined]
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                if isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
                    name = dotted(small.value.func) or ""
                    if name.rsplit(".", 1)[-1] in REFUSING_CALLS:
                        return True
    return False


def _sides(test: cst.BaseExpression) -> list[tuple[cst.BaseExpression, cst.BaseExpression]]:
    """``a != b`` comparisons among ``or``-ed alternatives of an ``if`` test."""
    if isinstance(test, cst.BooleanOperation) and isinstance(test.operator, cst.Or):
        return _sides(test.left) + _sides(test.right)
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
        target = test.comparisons[0]
        if isinstance(target.operator, cst.NotEqual | cst.IsNot):
            return [(test.left, target.comparator)]
    return []


def _row_and_attr(node: cst.BaseExpression, fn: FunctionState) -> tuple[str, RowValue, str] | None:
    """``invoice.org_id`` / ``invoice.org.id`` -> (``invoice``, its row, ``org_id``)."""
    text = dotted(node)
    if text is None:
        return None
    parts = text.split(".")
    if len(parts) not in (2, 3) or parts[0] not in fn.env:
        return None
    row = fn.env[parts[0]]
    if not isinstance(row, RowValue) or row.origin is None:
        return None
    if len(parts) == 3 and parts[2] not in ("id", "pk"):
        return None
    return parts[0], row, parts[1]


def checked_after_fetch(ev: Evaluator, fn: FunctionState, test: cst.BaseExpression) -> None:
    """``if row.org_id != <trusted>: refuse``: the query that fetched ``row`` is scoped."""
    for left, right in _sides(test):
        for row_side, value_side in ((left, right), (right, left)):
            found = _row_and_attr(row_side, fn)
            if found is None:
                continue
            name, row, attr = found
            origin = row.origin
            tenant = origin.tenant if origin is not None else None
            if origin is None or tenant is None:
                continue
            names = tenant.tenant_names() | {f"{n}_id" for n in tenant.tenant_names()}
            if attr not in names:
                continue
            value = ev.eval(value_side, use=False)
            if not value.trusted:
                continue
            scope_checked(fn, name, row, value.prov, f"checked after the fetch ({name}.{attr})")
