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

The list may also be an entry of a name, ``for doc_id in req["doc_ids"]:`` (a constant key) or
``for i in body.ids:``: later reads of exactly that expression in the function are then as good as
the checks, kept in the environment under :data:`EACH_PREFIX` until a statement may change it
(:func:`cancel_touched`: the name rebound or used bare, passed to a call or aliased, a call of a
method of it or of the entry other than a read, an assignment to that entry). A proof made on only
one of two merged paths is dropped (``function_state.merge_env``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import libcst as cst

from tenantlint.analysis.facts import Provenance
from tenantlint.analysis.interp.exprs import EACH_PREFIX, string_value
from tenantlint.analysis.interp.guards import is_parameter
from tenantlint.analysis.interp.values import RowValue, Value
from tenantlint.analysis.source.children import code_children

_SCOPES = (cst.FunctionDef, cst.ClassDef, cst.Lambda)
_LOOPS = (cst.For, cst.While)
_CODE = cst.Module(body=[])
# Methods that only read a dict, list or object: calling them changes no entry.
READ_ONLY_METHODS = frozenset({"get", "keys", "values", "items", "copy", "count", "index"})


# (call, argument): the callee leaves the entries of the bare name passed there as they were
KeptArg = Callable[[cst.Call, cst.Arg], bool]


def each_key(code: str) -> str:
    return f"{EACH_PREFIX} {code}"


def entry_of(node: cst.BaseExpression) -> tuple[str, str] | None:
    """(name, key) of ``name["key"]`` (a constant string key) or (name, ".attr") of ``name.attr``."""
    if isinstance(node, cst.Subscript) and isinstance(node.value, cst.Name) and len(node.slice) == 1:
        index = node.slice[0].slice
        key = string_value(index.value) if isinstance(index, cst.Index) else None
        return (node.value.value, key) if key is not None else None
    if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name):
        return node.value.value, "." + node.attr.value
    return None


def loop_names(stmt: cst.For) -> tuple[str, str] | None:
    """(element, list) of ``for element in list:``, else None; for a list that is an entry
    (``req["doc_ids"]``, ``body.ids``) the list is the name the entry is of."""
    if not isinstance(stmt.target, cst.Name) or stmt.asynchronous is not None:
        return None
    if isinstance(stmt.iter, cst.Name):
        return stmt.target.value, stmt.iter.value
    entry = entry_of(stmt.iter)
    return (stmt.target.value, entry[0]) if entry is not None else None


def plain_body(stmt: cst.For, names: tuple[str, str]) -> bool:
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
    if not plain_body(stmt, names):
        return None
    entry = entry_of(stmt.iter)
    label, key = names[1], names[1]
    if entry is not None:
        if any(touches(s, entry) for s in stmt.body.body):
            return None  # the body changes the list it checks
        label = _CODE.code_for_node(stmt.iter)
        key = each_key(label)
    if at_end.trusted:
        return key, Value(Provenance.trusted(
            f"{label}, each element checked in the loop ({at_end.prov.source})"))
    return key, Value(at_end.prov)


def checked_entry(env: Mapping[str, Value], node: cst.BaseExpression) -> Value | None:
    """What a loop proved ``node`` (``req["doc_ids"]``) holds, when it did and nothing changed it."""
    if EACH_PREFIX not in env or entry_of(node) is None:
        return None
    found = env.get(each_key(_CODE.code_for_node(node)))
    if found is None or not (found.trusted or is_parameter(found)):
        return None  # cancelled (on some path)
    return found


def cancel_touched(env: dict[str, Value], node: cst.CSTNode) -> None:
    """Cancel each loop-checked entry that ``node`` (a statement, or a compound statement's header)
    may change. Called before the statement is evaluated."""
    for k in [k for k in env if k.startswith(EACH_PREFIX) and k != EACH_PREFIX]:
        entry = entry_of(cst.parse_expression(k[len(EACH_PREFIX) + 1:]))
        if entry is None or touches(node, entry):
            env[k] = Value()


def touches(node: cst.CSTNode, entry: tuple[str, str], kept: KeptArg | None = None) -> bool:
    """``node`` may change ``entry`` (name, key): it binds or uses the name bare (passes it to a call,
    aliases it), calls a method of it or of the entry that is no read, or assigns the entry (or an
    entry of the name whose key is not constant). A spread (``f(**name)``, ``f(*name)``) only reads
    the name; so does the name passed bare to a call where ``kept`` (call, argument) says the callee
    leaves its entries as they were."""
    base, key = entry
    todo: list[tuple[cst.CSTNode, bool]] = [(node, False)]  # (node, is an assignment target)
    while todo:
        n, target = todo.pop()
        if isinstance(n, cst.Name):
            if n.value == base:
                return True
            continue
        if isinstance(n, cst.Call) and isinstance(n.func, cst.Attribute) \
                and n.func.attr.value not in READ_ONLY_METHODS:
            recv = n.func.value
            if (isinstance(recv, cst.Name) and recv.value == base) or _same_entry(recv, base, key):
                return True
        if isinstance(n, cst.Subscript | cst.Attribute) and isinstance(n.value, cst.Name) \
                and n.value.value == base:
            found = entry_of(n)
            if target and (found is None or found[1] == key):
                return True
            if isinstance(n, cst.Subscript):
                todo.extend((c, False) for c in code_children(n) if c is not n.value)
            continue
        if isinstance(n, cst.Attribute):
            todo.append((n.value, target))  # ``other.req``: its ``attr`` is no use of ``req``
            continue
        if isinstance(n, cst.Subscript) and target:  # ``req["ids"][0] = x`` changes ``req["ids"]``
            todo.append((n.value, True))
            todo.extend((c, False) for c in code_children(n) if c is not n.value)
            continue
        if kept is not None and isinstance(n, cst.Call):
            todo.append((n.func, False))
            todo.extend((a, False) for a in n.args if not (
                isinstance(a.value, cst.Name) and a.value.value == base and not a.star and kept(n, a)))
            continue
        if isinstance(n, cst.Arg):
            if n.star and isinstance(n.value, cst.Name):
                continue  # ``f(**req)``: the callee gets a copy of the entries
            todo.append((n.value, False))  # ``f(req=...)``: the keyword is no use
            continue
        if isinstance(n, cst.AssignTarget | cst.AugAssign | cst.AnnAssign | cst.NamedExpr | cst.Del):
            todo.append((n.target, True))
            todo.extend((c, False) for c in code_children(n) if c is not n.target)
            continue
        if isinstance(n, cst.AsName):
            todo.append((n.name, True))
            continue
        inner = target and isinstance(n, cst.Tuple | cst.List | cst.StarredElement | cst.Element)
        todo.extend((c, inner) for c in code_children(n))
    return False


def _same_entry(node: cst.BaseExpression, base: str, key: str) -> bool:
    found = entry_of(node)
    return found is not None and found == (base, key)
