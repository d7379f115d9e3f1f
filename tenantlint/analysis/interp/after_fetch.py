"""Rows that carry their tenant, and rows checked after the fetch (docs/concepts.md).

* ``self`` in a method of a tenant model is a trusted row of that model's table: a query keyed by it
  (``Result.objects.filter(data_source=self)``) is scoped through it.
* A row fetched without a tenant filter counts as scoped when, before it leaves the function, the
  code compares its tenant column with a trusted value and refuses on mismatch::

      invoice = Invoice.objects.get(pk=pk)
      if invoice.org_id != request.user.org_id:
          raise PermissionDenied

  The query that fetched it gets a pin for its reads, and the row becomes a trusted one. Compared
  with a parameter of a function that is no handler (``if board.guild_id != guild.id: return
  None``), the pin is that parameter: a tenant parameter, judged at the function's callers like a
  tenant filter by it. A row handed to the function (``def flips(request, check): if
  check.project_id != request.project.id: return 403``) becomes a trusted one the same way.
"""

from __future__ import annotations

import libcst as cst

from tenantlint.analysis.facts import Provenance
from tenantlint.analysis.interp.call_rows import call_of, called_row, check_call_row
from tenantlint.analysis.interp.evaluator import Evaluator
from tenantlint.analysis.interp.exprs import dotted
from tenantlint.analysis.interp.file_context import FileContext
from tenantlint.analysis.interp.function_state import FunctionState, target_names
from tenantlint.analysis.interp.guards import is_parameter, scope_checked
from tenantlint.analysis.interp.refusals import mismatch_sides, refusing_call
from tenantlint.analysis.interp.token_check import token_checked
from tenantlint.analysis.interp.values import RowValue, Value
from tenantlint.analysis.interp.via_check import via_tenant_row
from tenantlint.analysis.plugins import ClassInfo
from tenantlint.analysis.source.children import code_children


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
    return any(isinstance(stmt, cst.SimpleStatementLine) and any(refusing_call(small) for small in stmt.body)
               for stmt in body)  # type: ignore[attr-defined]


def yes_then_refusal(stmt: cst.If, after: cst.BaseStatement) -> cst.Call | None:
    """``if can_read(member, doc): return doc`` followed by ``raise``/``abort(404)``/``return
    None``: the call, whose "no" leaves the function as with ``if not can_read(...): raise``."""
    test = stmt.test.expression if isinstance(stmt.test, cst.Await) else stmt.test
    if not isinstance(test, cst.Call) or stmt.orelse is not None:
        return None
    body = stmt.body.body if isinstance(stmt.body, cst.IndentedBlock) else ()
    last = body[-1] if body else None
    if not (isinstance(last, cst.SimpleStatementLine) and last.body
            and isinstance(last.body[-1], cst.Return | cst.Raise)):
        return None  # the "yes" branch must leave too: nothing after the ``if`` runs on a "yes"
    if not isinstance(after, cst.SimpleStatementLine) or not after.body:
        return None
    first = after.body[0]
    if isinstance(first, cst.Raise) or refusing_call(first):
        return test
    value = first.value if isinstance(first, cst.Return) else cst.Name("x")
    falsy = value is None or (isinstance(value, cst.Name) and value.value in ("None", "False"))
    return test if falsy else None


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


def tenant_row(node: cst.BaseExpression, fn: FunctionState) -> tuple[str, RowValue] | None:
    """``invoice.org_id`` / ``invoice.org`` / ``invoice.org.id`` of a fetched row of a tenant table,
    naming its tenant column or relation: (``invoice``, its row)."""
    found = _row_and_attr(node, fn)
    if found is None:
        return None
    name, row, attr = found
    origin = row.origin
    tenant = origin.tenant if origin is not None else None
    if tenant is None:
        return None
    names = tenant.tenant_names() | {f"{n}_id" for n in tenant.tenant_names()}
    return (name, row) if attr in names else None


def checked_after_fetch(ev: Evaluator, fn: FunctionState, test: cst.BaseExpression) -> None:
    """``if row.org_id != <trusted>: refuse``: the query that fetched ``row`` is scoped (``if
    row.token != <client's value>: refuse``: a capability lookup, ``token_check.py``)."""
    token_checked(ev, fn, test)
    _check_sides(ev, fn, mismatch_sides(test) + found_mismatch_sides(test, fn))


def checked_in_branch(ev: Evaluator, fn: FunctionState, stmt: cst.If) -> None:
    """``if found and row.org_id == <trusted>: <uses of row>`` (no ``else``) where the function uses
    ``row`` nowhere outside that ``if`` (past binding it): only a row of the caller's tenant is ever
    used, as if the code had refused on mismatch."""
    if stmt.orelse is not None or fn.body is None:
        return
    sides: list[tuple[cst.BaseExpression, cst.BaseExpression]] = []
    rows: set[str] = set()
    for left, right in _equal_parts(stmt.test):
        for side in (left, right):
            text = dotted(side, calls=False) or ""
            row = text.split(".", 1)[0] if "." in text else ""
            held = fn.env.get(row)
            fetched = (isinstance(held, RowValue) and held.origin is not None) or call_of(fn, row) is not None
            if row and fetched and _used_only_in(row, stmt, fn.body):
                sides.append((left, right))
                rows.add(row)
                break
    if sides:
        before = dict(fn.env)
        _check_sides(ev, fn, sides)
        # Only the row is proven: the id names its fetch was keyed by stay what they were, since
        # the code after the ``if`` runs on a mismatch too.
        for name in set(before) | set(fn.env):
            if name in rows:
                continue
            if name in before:
                fn.env[name] = before[name]
            else:
                del fn.env[name]


def _equal_parts(test: cst.BaseExpression) -> list[tuple[cst.BaseExpression, cst.BaseExpression]]:
    """The sides of the ``a == b`` comparisons ``and``-ed in a test."""
    if isinstance(test, cst.BooleanOperation) and isinstance(test.operator, cst.And):
        return _equal_parts(test.left) + _equal_parts(test.right)
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1 \
            and isinstance(test.comparisons[0].operator, cst.Equal):
        return [(test.left, test.comparisons[0].comparator)]
    return []


def _used_only_in(name: str, stmt: cst.If, body: cst.CSTNode) -> bool:
    """Every read of ``name`` in ``body`` is inside ``stmt``; elsewhere it is only bound (an
    assignment target, a loop target)."""
    bound: set[int] = set()
    todo: list[cst.CSTNode] = [body]
    while todo:
        node = todo.pop()
        if node is stmt:
            continue
        if isinstance(node, cst.AssignTarget | cst.For):
            bound.update(id(t) for t in target_names(node.target))
        if isinstance(node, cst.Name) and node.value == name and id(node) not in bound:
            return False
        todo.extend(code_children(node))
    return True


def _check_sides(ev: Evaluator, fn: FunctionState,
                 sides: list[tuple[cst.BaseExpression, cst.BaseExpression]]) -> None:
    """Each (left, right) compares a fetched row's tenant with a trusted value (or a parameter): the
    row is checked after the fetch."""
    for left, right in sides:
        for row_side, value_side in ((left, right), (right, left)):
            found = tenant_row(row_side, fn) or via_tenant_row(ev.ctx.index, row_side, fn)
            handed = _handed_row(ev, row_side, fn) if found is None else None
            if found is None and handed is None:
                called = called_row(row_side, fn, tenant_attribute_names(ev))
                value = ev.eval(value_side, use=False) if called is not None else None
                if called is not None and value is not None and (value.trusted or is_parameter(value)):
                    check_call_row(fn, called, value.prov, f"checked after the call ({_name_attr(row_side)})")
                continue
            value = ev.eval(value_side, use=False)
            if not value.trusted and (handed is not None or not is_parameter(value)):
                continue
            if found is not None:
                scope_checked(fn, found[0], found[1], value.prov,
                              f"checked after the fetch ({_name_attr(row_side)})")
            elif handed is not None:
                fn.env[handed] = Value(Provenance.trusted(
                    f"{handed}, its tenant checked against {value.prov.source}"))


def found_mismatch_sides(test: cst.BaseExpression, fn: FunctionState
                         ) -> list[tuple[cst.BaseExpression, cst.BaseExpression]]:
    """``if found and row.org_id != <trusted>: refuse``: when nothing was found there is no row to
    leak, so the comparison refuses every row there is. ``found`` is the row itself (``row``, ``row is
    not None``) or the flag handed back beside it by the same call (``found, row =
    Service.get_by_id(pk)``); the mismatch sides kept are those of that row."""
    if not (isinstance(test, cst.BooleanOperation) and isinstance(test.operator, cst.And)):
        return []
    present = test.left
    if isinstance(present, cst.Comparison) and len(present.comparisons) == 1 \
            and isinstance(present.comparisons[0].operator, cst.IsNot) \
            and isinstance(present.comparisons[0].comparator, cst.Name) \
            and present.comparisons[0].comparator.value == "None":
        present = present.left
    if not isinstance(present, cst.Name):
        return []
    out: list[tuple[cst.BaseExpression, cst.BaseExpression]] = []
    for left, right in mismatch_sides(test.right):
        for side in (left, right):
            row = (dotted(side, calls=False) or "").split(".", 1)[0]
            if row and _present(present.value, row, fn):
                out.append((left, right))
                break
    return out


def _present(flag: str, row: str, fn: FunctionState) -> bool:
    """``flag`` is true exactly when ``row`` holds a row: the row itself, or the flag its call handed
    back beside it (``found, row = Service.get_by_id(pk)``), both still holding what the call gave."""
    if flag == row:
        return True
    a, b = fn.unpacked_calls.get(flag), fn.unpacked_calls.get(row)
    return a is not None and b is not None and a[0] is b[0] \
        and fn.env.get(flag) is a[1] and fn.env.get(row) is b[1]


def _name_attr(node: cst.BaseExpression) -> str:
    """``invoice.org.id`` -> ``invoice.org``."""
    return ".".join((dotted(node) or "").split(".")[:2])


def _handed_row(ev: Evaluator, node: cst.BaseExpression, fn: FunctionState) -> str | None:
    """``check.project_id`` / ``check.project.id`` of a row handed to the function (a parameter,
    request input until checked), naming a tenant column or relation of some tenant table: a URL
    value has no such attribute, so the name holds a row and the comparison checks its tenant."""
    text = dotted(node)
    parts = text.split(".") if text else []
    if len(parts) not in (2, 3) or (len(parts) == 3 and parts[2] not in ("id", "pk")):
        return None
    value = fn.env.get(parts[0])
    if value is None or not value.untrusted or (isinstance(value, RowValue) and value.origin is not None):
        return None
    return parts[0] if parts[1] in tenant_attribute_names(ev) else None


def tenant_attribute_names(ev: Evaluator) -> frozenset[str]:
    """The tenant columns and relations of every tenant table (``org``, ``org_id``)."""
    memo = ev.ctx.settings.memo
    slot = ("tenant-attribute-names", "")
    known = memo.get(slot)
    if not isinstance(known, frozenset):
        names: set[str] = set()
        for t in ev.ctx.index.tables.values():
            names.update(t.tenant_names())
            names.update(f"{n}_id" for n in t.tenant_names())
        known = memo[slot] = frozenset(names)
    return known
