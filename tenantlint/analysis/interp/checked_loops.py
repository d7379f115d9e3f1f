"""Lists whose every element a loop checked (docs/concepts.md, "Trusted values").

::

    for kb_id in kb_ids:
        if not KnowledgebaseService.accessible(kb_id=kb_id, user_id=tenant_id):
            return error("You don't own the dataset")
    kbs = KnowledgebaseService.get_by_ids(kb_ids)

Past the loop every element of ``kb_ids`` went through the check (or the function left): the list
is as good as what each element was checked against (trusted when that is the caller, a parameter
judged at the callers when it is one). Only a plain loop counts: ``for <name> in <name>:`` whose
body never leaves the loop early (no ``break``, no ``continue``: an element skipped is an element
unchecked), rebinds neither name, and at whose end the loop name holds the value a check gave it on
every path that went on (``guards.py``: a check made only on some paths leaves it unchecked).
"""

from __future__ import annotations

from collections.abc import Mapping

import libcst as cst

from tenantlint.analysis.facts import Provenance
from tenantlint.analysis.interp.guards import is_parameter
from tenantlint.analysis.interp.values import RowValue, Value
from tenantlint.analysis.source.children import code_children

_SCOPES = (cst.FunctionDef, cst.ClassDef, cst.Lambda)
_LOOPS = (cst.For, cst.While)


def loop_names(stmt: cst.For) -> tuple[str, str] | None:
    """(element, list) of ``for element in list:``, else None."""
    if isinstance(stmt.target, cst.Name) and isinstance(stmt.iter, cst.Name) and stmt.asynchronous is None:
        return stmt.target.value, stmt.iter.value
    return None


def _plain_body(stmt: cst.For, names: tuple[str, str]) -> bool:
    """The body neither leaves the loop early (a nested loop's own ``break`` leaves only that one)
    nor rebinds ``names``."""
    todo: list[tuple[cst.CSTNode, bool]] = [(s, False) for s in stmt.body.body]
    while todo:
        node, nested = todo.pop()
        if isinstance(node, cst.Break | cst.Continue) and not nested:
            return False
        if isinstance(node, _SCOPES):
            continue
        if isinstance(node, cst.Name) and node.value in names and _binds(node, stmt):
            return False
        inner = nested or isinstance(node, _LOOPS)
        todo.extend((c, inner) for c in code_children(node))
    return True


def _binds(name: cst.Name, stmt: cst.For) -> bool:
    """``name`` is bound by an assignment, a loop, a ``with`` or a walrus in ``stmt``'s body."""
    todo: list[cst.CSTNode] = list(stmt.body.body)
    while todo:
        node = todo.pop()
        target: cst.CSTNode | None = None
        if isinstance(node, cst.AssignTarget | cst.AugAssign | cst.AnnAssign | cst.For | cst.NamedExpr):
            target = node.target
        elif isinstance(node, cst.AsName):
            target = node.name
        if target is not None and any(t is name for t in _targets(target)):
            return True
        todo.extend(code_children(node))
    return False


def _targets(target: cst.CSTNode) -> list[cst.CSTNode]:
    if isinstance(target, cst.Tuple | cst.List):
        return [t for el in target.elements for t in _targets(el.value)]
    if isinstance(target, cst.StarredElement):
        return _targets(target.value)
    return [target]


def each_checked(stmt: cst.For, element: Value, env: Mapping[str, Value]) -> tuple[str, Value] | None:
    """The list of ``stmt`` and what it holds past the loop, when its body checked every element:
    ``element`` is what the loop name was bound to, ``env`` the environment at the end of the body
    (on the paths that went on). None when the loop is no such check."""
    names = loop_names(stmt)
    at_end = env.get(names[0]) if names is not None else None
    if names is None or at_end is None or at_end is element or isinstance(at_end, RowValue):
        return None
    if element.trusted or at_end.prov == element.prov or not (at_end.trusted or is_parameter(at_end)):
        return None
    if not _plain_body(stmt, names):
        return None
    if at_end.trusted:
        return names[1], Value(Provenance.trusted(
            f"{names[1]}, each element checked in the loop ({at_end.prov.source})"))
    return names[1], Value(at_end.prov)
