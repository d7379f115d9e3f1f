"""Ids proven by a scoped fetch: once ``Project.objects.get(pk=pk, workspace__slug=slug)`` (scoped)
has returned a row, ``pk`` is the id of a row of the caller's tenant, and rows keyed by it carry
their tenant (``UserFavorite.objects.filter(project_id=pk)``).

A name pinned to a foreign key of the fetched row to another tenant table is proven the same way:
once ``Link.objects.get(pk=pk, issue_id=issue_id, project__workspace=ws)`` (scoped) has returned a
row, ``issue_id`` is the id of the row that scoped link names, a row of the same tenant (a row carries
its tenant, and so does the parent it names).

A fetch that raises when no row matches (``get``, ``get_object_or_404``, ``one``) proves its id names
at once; one that may return nothing (``first``, ``get_or_none``, ``one_or_none``) proves them after
``if not row: return``/``raise``, on the path that goes on, or once the row is dereferenced where
that always runs (``if not row.project_id:``, ``name = row.name``, ``row.save()``: on ``None`` it
raises, so the path that goes on has the row). A dereference that runs only sometimes (the right
side of ``and``/``or``, a branch of a conditional expression, a comprehension, a lambda) proves
nothing.

A key looked up in a dict of scoped rows keyed by their own ids (``by_id = {str(i.id): i for i in
scoped_issues}``) is proven the same way: ``by_id[key]`` at once, ``row = by_id.get(key)`` after
``if not row: continue`` (the key is the id of one of those rows).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import libcst as cst

from tenantlint.analysis.facts import Provenance
from tenantlint.analysis.interp.function_state import UNPROVEN, FunctionState
from tenantlint.analysis.interp.values import Origin, RowsById, RowValue, Value
from tenantlint.index.records import ProjectIndex

RAISING = frozenset({"get", "aget", "get_object_or_404", "aget_object_or_404", "one", "get_by_id",
                     "get_or_404", "first_or_404", "one_or_404", "scalar_one"})
MAYBE = frozenset({"first", "afirst", "last", "get_or_none", "one_or_none", "scalar_one_or_none"})
ID_NAMES = frozenset({"id", "pk"})
PENDING = "\x00keyed:"  # env key prefix: a row whose id names are proven once it is checked
OWN_ID = "the id of a scoped"  # provenance of a primary key a scoped fetch of its row proved


@dataclass(frozen=True, slots=True)
class Unproven(Value):
    """The id names of a single-row fetch that was not scoped when it ran, with the values they
    held then: proven once a check after it scopes the query (``raising``: the fetch raised or its
    row was checked not to be None; else they become pending on that check)."""

    origin: Origin | None = None
    names: tuple[tuple[str, str], ...] = ()
    held: tuple[Value | None, ...] = ()
    raising: bool = False


def _method(call: cst.Call) -> str:
    func = call.func
    if isinstance(func, cst.Attribute):
        return func.attr.value
    return func.value if isinstance(func, cst.Name) else ""


def parent_keys(index: ProjectIndex, table: str) -> dict[str, str]:
    """The required foreign keys of ``table``'s model to other tenant tables, by field name and column
    (``issue``, ``issue_id``) -> the table they point to."""
    tenant = index.tables.get(table.lower())
    out: dict[str, str] = {}
    for model in tenant.models if tenant is not None else ():
        info = index.model(model)
        for f in info.fields if info is not None else ():
            target = index.tenant_table_of_model(f.fk_target) if f.fk_target and f.required else None
            if target is not None and target.table.lower() != table.lower():
                out[f.name] = out[f.column] = target.table
    return out


_EXCLUDING = frozenset({"exclude"})  # its keys name the rows left out, not the row fetched


def _id_names(call: cst.Call, parents: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    """Names pinned to the primary key along a call chain (``pk=name``, ``id=name``, ``Model.id ==
    name``), with "" for the fetched table; and names pinned to a foreign key in ``parents``, with
    the table it points to."""
    out: list[tuple[str, str]] = []
    node: cst.BaseExpression = call
    while True:
        if isinstance(node, cst.Call):
            for arg in node.args if _method(node) not in _EXCLUDING else ():
                value = arg.value
                if arg.keyword is None and isinstance(value, cst.BinaryOperation | cst.Call):
                    out.extend(sorted((_q_names(value, parents) or {}).items()))
                elif arg.keyword is not None:
                    key = arg.keyword.value
                    if isinstance(value, cst.Name) and (key in ID_NAMES or key in parents):
                        out.append((value.value, "" if key in ID_NAMES else parents[key]))
                elif isinstance(value, cst.Comparison) and len(value.comparisons) == 1:
                    target = value.comparisons[0]
                    if not isinstance(target.operator, cst.Equal):
                        continue
                    for side, other in ((value.left, target.comparator), (target.comparator, value.left)):
                        if (isinstance(side, cst.Attribute) and side.attr.value in ID_NAMES
                                and isinstance(other, cst.Name)):
                            out.append((other.value, ""))
            node = node.func
        elif isinstance(node, cst.Attribute):
            node = node.value
        else:
            return tuple(out)


def _q_names(node: cst.BaseExpression, parents: Mapping[str, str]) -> dict[str, str] | None:
    """Names a ``Q(...)`` expression pins to the primary key or a parent key whatever alternative
    matched: ``Q(issue_id=a, related_issue_id=b) | Q(issue_id=b, related_issue_id=a)`` pins ``a`` and
    ``b`` to an issue in both (an ``|`` keeps the names every side pins to the same table)."""
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and node.func.value == "Q":
        out: dict[str, str] = {}
        for arg in node.args:
            if arg.keyword is None:
                inner = _q_names(arg.value, parents)
                out.update(inner or {})
                continue
            key = arg.keyword.value
            if isinstance(arg.value, cst.Name) and (key in ID_NAMES or key in parents):
                out[arg.value.value] = "" if key in ID_NAMES else parents[key]
        return out
    if isinstance(node, cst.BinaryOperation):
        left, right = _q_names(node.left, parents), _q_names(node.right, parents)
        if left is None or right is None:
            return None
        if isinstance(node.operator, cst.BitAnd):
            return {**left, **right}
        if isinstance(node.operator, cst.BitOr):
            return {n: t for n, t in left.items() if right.get(n) == t}
    return None


def receiver_expr(state: FunctionState, node: cst.BaseExpression) -> cst.BaseExpression | None:
    """``rows.first()`` with ``rows`` still bound to ``Model.objects.filter(...)``: that expression
    (read before the statement binds anew), whose keys the fetch was keyed by too."""
    if not (isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute)
            and isinstance(node.func.value, cst.Name)):
        return None
    name = node.func.value.value
    held = state.held_expr(name)
    return held[0] if held is not None else None


def _prove(state: FunctionState, names: tuple[tuple[str, str], ...], fetched_table: str) -> None:
    for name, parent in names:
        table = parent or fetched_table
        current = state.env.get(name)
        if current is not None and current.scoped_row_of:
            continue
        what = f"{OWN_ID} {table} row" if not parent else \
            f"the id of the {table} row a scoped {fetched_table} row names"
        state.env[name] = Value(Provenance.trusted(f"{name}, {what}"), scoped_row_of=table, row_key=True)


def _looked_up(state: FunctionState, target: cst.Name, node: cst.BaseExpression) -> bool:
    """``row = by_id[key]`` / ``row = by_id.get(key)`` of a dict of scoped rows by their ids."""
    holder: cst.BaseExpression | None = None
    key: cst.BaseExpression | None = None
    kind = type(node)  # exact classes: an ``isinstance`` that fails on libcst's runs ABCMeta's check
    if (kind is cst.Subscript and len(node.slice) == 1  # type: ignore[attr-defined]
            and isinstance(node.slice[0].slice, cst.Index)):  # type: ignore[attr-defined]
        holder, key = node.value, node.slice[0].slice.value  # type: ignore[attr-defined]
    elif (kind is cst.Call and type(node.func) is cst.Attribute  # type: ignore[attr-defined]
          and node.func.attr.value == "get" and len(node.args) == 1  # type: ignore[attr-defined]
          and node.args[0].keyword is None):  # type: ignore[attr-defined]
        holder, key = node.func.value, node.args[0].value  # type: ignore[attr-defined]
    if not (type(holder) is cst.Name and type(key) is cst.Name
            and key.value != target.value):  # type: ignore[union-attr]
        return False
    assert isinstance(holder, cst.Name) and isinstance(key, cst.Name)
    rows = state.env.get(holder.value)
    if not isinstance(rows, RowsById) or not rows.table:
        return False
    names = ((key.value, ""),)
    if isinstance(node, cst.Subscript):
        _prove(state, names, rows.table)
    else:
        state.env[PENDING + target.value] = Value(Provenance.trusted(f"{key.value}="),
                                                  scoped_row_of=rows.table)
    return True


def fetched(state: FunctionState, target: cst.BaseExpression, node: cst.BaseExpression,
            value: Value, index: ProjectIndex | None = None,
            earlier: cst.BaseExpression | None = None) -> None:
    """``row = <scoped single-row fetch keyed by id names>``: prove them now or once checked
    (``earlier``: the expression the fetch's receiver name was bound to, ``receiver_expr``)."""
    if isinstance(target, cst.Name):
        state.env.pop(PENDING + target.value, None)  # a row bound anew: a check now checks that one
        state.env.pop(UNPROVEN + target.value, None)
        if _looked_up(state, target, node):
            return
    if not (isinstance(target, cst.Name) and isinstance(node, cst.Call) and isinstance(value, RowValue)):
        return
    origin = value.origin or value.fetched_by
    if not (value.trusted and value.scoped_row_of) and origin is None:
        return
    method = _method(node)
    if method not in RAISING and method not in MAYBE:
        return
    parents = parent_keys(index, value.table) if index is not None and value.table else {}
    found = _id_names(node, parents)
    if earlier is not None and isinstance(earlier, cst.Call):
        found += _id_names(earlier, parents)
    names = tuple(dict.fromkeys(n for n in found if n[0] != target.value))
    if not names:
        return
    if not (value.trusted and value.scoped_row_of):
        assert origin is not None
        state.env[UNPROVEN + target.value] = Unproven(
            origin=origin, names=names, held=tuple(state.env.get(n) for n, _ in names),
            raising=method in RAISING)
        state.env[UNPROVEN] = Value()  # the function holds some: one probe tells (``scoped_later``)
        return
    if method in RAISING:
        _prove(state, names, value.scoped_row_of)
    else:
        state.env[PENDING + target.value] = Value(
            Provenance.trusted(",".join(f"{n}={t}" for n, t in names)), scoped_row_of=value.scoped_row_of)
        state.env[PENDING] = Value()  # the function holds some: one probe tells (``dereferenced``)


def checked(state: FunctionState, test: cst.BaseExpression) -> None:
    """``if not row:`` / ``if row is None:`` whose branch leaves: the row's id names are proven."""
    name: str | None = None
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not) \
            and isinstance(test.expression, cst.Name):
        name = test.expression.value
    elif isinstance(test, cst.Comparison) and len(test.comparisons) == 1 \
            and isinstance(test.comparisons[0].operator, cst.Is) and isinstance(test.left, cst.Name):
        comparator = test.comparisons[0].comparator
        if isinstance(comparator, cst.Name) and comparator.value == "None":
            name = test.left.value
    if name is not None:
        _settle(state, name)


def _settle(state: FunctionState, name: str) -> None:
    """The row ``name`` is known not to be None: the id names of its fetch are proven."""
    unproven = state.env.get(UNPROVEN + name)
    if isinstance(unproven, Unproven):
        state.env[UNPROVEN + name] = replace(unproven, raising=True)
    pending = state.env.pop(PENDING + name, None)
    if pending is not None and pending.scoped_row_of:
        names = tuple(tuple(part.split("=", 1)) for part in pending.prov.source.split(","))
        _prove(state, tuple((n[0], n[1]) for n in names if len(n) == 2), pending.scoped_row_of)


def scoped_later(state: FunctionState) -> None:
    """A check has just scoped earlier queries: each unproven fetch whose query is now scoped
    proves its id names (or makes them pending on its row's check), unless one was bound anew."""
    if UNPROVEN not in state.env:
        return
    for key, entry in list(state.env.items()):
        if not (key.startswith(UNPROVEN) and isinstance(entry, Unproven) and entry.origin is not None):
            continue
        latest = entry.origin.latest
        if latest is None:
            continue
        scoping, untrusted, _ = latest.verdict()
        if not scoping.is_safe or untrusted is not None:
            continue
        del state.env[key]
        names = tuple(n for n, held in zip(entry.names, entry.held, strict=True)
                      if _same_binding(held, state.env.get(n[0])))
        if not names:
            continue
        if entry.raising:
            _prove(state, names, entry.origin.table)
        else:
            row = key[len(UNPROVEN):]
            state.env[PENDING + row] = Value(
                Provenance.trusted(",".join(f"{n}={t}" for n, t in names)), scoped_row_of=entry.origin.table)
            state.env[PENDING] = Value()


def _same_binding(held: Value | None, current: Value | None) -> bool:
    """The name still holds the value it held at the fetch, or that value verified since (a check
    makes a request value trusted and changes nothing else): it was not bound anew."""
    if held is None or current is None:
        return False
    return current == held or (current.trusted and replace(held, prov=current.prov) == current)


def dereferenced(state: FunctionState, node: cst.CSTNode) -> None:
    """``row.attr`` read in ``node`` where it always runs: a pending row is not None past it."""
    if PENDING not in state.env and UNPROVEN not in state.env:
        return
    for name in _always_dereferenced(node):
        _settle(state, name)


_SOMETIMES = (cst.Lambda, cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp,
              cst.FunctionDef, cst.ClassDef, cst.IndentedBlock)


def _always_dereferenced(node: cst.CSTNode) -> list[str]:
    """Names whose attribute is read in ``node`` wherever it is evaluated (not under the right side
    of ``and``/``or``, a conditional expression's branches, a comprehension, a lambda, a nested
    block)."""
    out: list[str] = []
    todo: list[cst.CSTNode] = [node]
    while todo:
        current = todo.pop()
        if isinstance(current, _SOMETIMES):
            continue
        if isinstance(current, cst.BooleanOperation):
            todo.append(current.left)
        elif isinstance(current, cst.IfExp):
            todo.append(current.test)
        elif isinstance(current, cst.Attribute):
            if isinstance(current.value, cst.Name):
                out.append(current.value.value)
            else:
                todo.append(current.value)
        else:
            todo.extend(current.children)
    return out
