"""Fields a model sets by itself on insert (docs/concepts.md, "Tenant set by the model").

Read from CPython's ``ast`` of the file that defines the model:

* a ``save()`` method that copies a field from another foreign key the insert sets:
  ``self.workspace = self.project.workspace`` -> ``("workspace", "project")``;
* an ORM event listener on insert, ``@event.listens_for(Invoice, "before_insert")`` (or
  ``@listens_for``) whose target parameter gets ``target.org_id = target.project.org_id``;
  Peewee's ``@pre_save(sender=Invoice)`` alike;
* a column default taken from trusted context, ``org_id = Column(..., default=lambda: g.org_id)``
  -> ``("org_id", "")``: the row always gets the caller's tenant.

Each pair is ``(assigned field, source field)``; tenancy keeps those that assign the tenant column.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from tenantlint.config.patterns import PatternSet
from tenantlint.index.ast_util import (
    call_name,
    dotted,
    keyword,
    last_part,
    named_assignments,
    string_value,
    walk,
)

Pair = tuple[str, str]
SAVE_METHODS = frozenset({"save", "asave"})
INSERT_EVENTS = frozenset({"before_insert", "init", "before_flush"})


def _copy(target: ast.expr, value: ast.expr, owner: str) -> Pair | None:
    """``owner.X = owner.Y.Z`` (Z is X, or X's column) -> (X, Y)."""
    if not (isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name)
            and target.value.id == owner):
        return None
    chain = dotted(value)
    if chain is None:
        return None
    parts = chain.split(".")
    if len(parts) < 3 or parts[0] != owner:
        return None
    source, last = parts[1], parts[-1]
    assigned = target.attr
    bare = assigned[:-3] if assigned.endswith("_id") else assigned
    if last not in (assigned, bare, f"{bare}_id") or source == assigned:
        return None
    return assigned, source


def _assignments(body: list[ast.stmt]) -> Iterator[tuple[ast.expr, ast.expr]]:
    for stmt in body:
        for node in walk(stmt):
            if isinstance(node, ast.Assign):
                for t in node.targets:
                    yield t, node.value
            elif isinstance(node, ast.AnnAssign) and node.value is not None:
                yield node.target, node.value


def save_pairs(cls: ast.ClassDef) -> tuple[Pair, ...]:
    """Copies made by the class's own ``save()``: ``self.workspace = self.project.workspace``."""
    out: list[Pair] = []
    for item in cls.body:
        if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef) and item.name in SAVE_METHODS:
            owner = item.args.args[0].arg if item.args.args else "self"
            for target, value in _assignments(item.body):
                pair = _copy(target, value, owner)
                if pair is not None and pair not in out:
                    out.append(pair)
    return tuple(out)


def _trusted_value(node: ast.expr, trusted: PatternSet) -> bool:
    if isinstance(node, ast.Lambda):
        node = node.body
    text = dotted(node)
    if text is None:
        return False
    if isinstance(node, ast.Call):
        text = f"{text}()"
    return trusted.match(text) is not None


def default_pairs(cls: ast.ClassDef, trusted: PatternSet) -> tuple[Pair, ...]:
    """Fields whose column default comes from trusted context (``default=lambda: g.org_id``)."""
    out: list[Pair] = []
    for name, value in named_assignments(cls):
        if not isinstance(value, ast.Call):
            continue
        for key in ("default", "insert_default"):
            given = keyword(value, key)
            if given is not None and _trusted_value(given, trusted):
                out.append((name, ""))
    return tuple(out)


def _listener(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> tuple[str, str] | None:
    """``@event.listens_for(Model, "before_insert")`` -> (model, target parameter name)."""
    for dec in fn.decorator_list:
        if not isinstance(dec, ast.Call):
            continue
        name = last_part(call_name(dec) or "")
        args = fn.args.args
        if name == "listens_for" and len(dec.args) >= 2:
            event = string_value(dec.args[1])
            model = dotted(dec.args[0])
            if event in INSERT_EVENTS and model and args:
                return last_part(model), args[-1].arg
        if name == "pre_save":  # peewee playhouse.signals: def f(sender, instance, created)
            sender = keyword(dec, "sender")
            model = dotted(sender) if sender is not None else None
            if model and len(args) >= 2:
                return last_part(model), args[1].arg
    return None


def event_pairs(module: ast.Module, trusted: PatternSet) -> dict[str, tuple[Pair, ...]]:
    """Model name -> copies made by module-level insert listeners (``target.org_id = g.org_id``:
    set from trusted context, the pair ``("org_id", "")``)."""
    out: dict[str, list[Pair]] = {}
    for stmt in module.body:
        if not isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        found = _listener(stmt)
        if found is None:
            continue
        model, target = found
        for t, v in _assignments(stmt.body):
            pair = _copy(t, v, target)
            if pair is None and isinstance(t, ast.Attribute) and _trusted_value(v, trusted):
                if isinstance(t.value, ast.Name) and t.value.id == target:
                    pair = (t.attr, "")
            if pair is not None and pair not in out.setdefault(model, []):
                out[model].append(pair)
    return {k: tuple(v) for k, v in out.items() if v}
