"""Related fields of a DRF serializer narrowed in ``validate()`` (docs/concepts.md)::

    class IssueSerializer(serializers.ModelSerializer):
        label_ids = serializers.ListField(
            child=serializers.PrimaryKeyRelatedField(queryset=Label.objects.all()))

        def validate(self, attrs):
            if attrs.get("label_ids"):
                label_ids = [label.id for label in attrs["label_ids"]]
                attrs["label_ids"] = list(Label.objects.filter(
                    project_id=self.context["project_id"], id__in=label_ids).values_list("id", flat=True))
            return attrs

The field's ``queryset`` only parses the ids: ``validate()`` replaces what it parsed by what a
tenant-scoped query on the same table finds, and DRF hands ``create()``/``update()`` what
``validate()`` returns. The field's query then counts as checked after the fetch. A *narrowing*:

* in ``validate(self, attrs)``, whose every ``return`` is ``return attrs`` and which never binds
  ``attrs`` again, the only assignment to ``attrs["<field>"]`` (the field's ``source`` or name);
* a statement of the body itself, or the last statement of an ``if`` (no ``else``) testing that
  value (``if attrs.get("label_ids"):``, ``attrs["label_ids"]``, ``"label_ids" in attrs``) whose other
  statements only bind locals read nowhere but in the narrowing's value;
* no ``return`` before it, and no earlier statement reading the field's value (the parsed rows);
* its value is a query chain (``Label.objects.filter(...).values_list(...)``), or ``list``/``set``/
  ``tuple`` of one, on the field's table, and scoped with a value that is not request input (checked
  when the walker evaluates it: ``field_checks.mark_checked``).

A value that keeps the parsed rows beside the query's (``attrs["label_ids"] + extra``), a narrowing
under any other condition, or one that a ``return`` may skip leaves the field reported.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import libcst as cst

from tenantlint.analysis.interp.exprs import dotted, string_value
from tenantlint.analysis.source.children import code_children

_SCOPES = (cst.FunctionDef, cst.ClassDef, cst.Lambda)
_WRAPPERS = frozenset({"list", "set", "tuple"})


def _nodes(node: cst.CSTNode) -> Iterable[cst.CSTNode]:
    """Every node under ``node`` (itself included), outside nested functions, classes and lambdas."""
    todo: list[cst.CSTNode] = [node]
    while todo:
        n = todo.pop()
        yield n
        if type(n) not in _SCOPES:  # an exact type: libcst's node classes are ABCs (slow isinstance)
            todo.extend(code_children(n))


def _key_read(node: cst.CSTNode, attrs: str) -> str | None:
    """``attrs["k"]`` / ``attrs.get("k", ...)`` -> ``k``."""
    if isinstance(node, cst.Subscript) and isinstance(node.value, cst.Name) and node.value.value == attrs \
            and len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
        return string_value(node.slice[0].slice.value)
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == "get" \
            and isinstance(node.func.value, cst.Name) and node.func.value.value == attrs and node.args:
        return string_value(node.args[0].value)
    return None


def _reads(node: cst.CSTNode, attrs: str, key: str) -> bool:
    return any(_key_read(n, attrs) == key for n in _nodes(node))


def _tested(test: cst.BaseExpression, attrs: str) -> str | None:
    """The key an ``if`` tests the value of: ``attrs.get("k")``, ``attrs["k"]``, ``"k" in attrs``."""
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1 \
            and isinstance(test.comparisons[0].operator, cst.In) \
            and isinstance(test.comparisons[0].comparator, cst.Name) \
            and test.comparisons[0].comparator.value == attrs:
        return string_value(test.left)
    return _key_read(test, attrs)


def _narrowing(stmt: cst.BaseStatement, attrs: str) -> tuple[cst.Assign, str, list[cst.Assign]] | None:
    """``attrs["k"] = ...`` (alone, or last in an ``if`` testing ``k``): (the assignment, ``k``, the
    local bindings before it in the ``if``)."""
    lines: list[cst.BaseStatement] = [stmt]
    tested: str | None = None
    if isinstance(stmt, cst.If) and stmt.orelse is None and isinstance(stmt.body, cst.IndentedBlock):
        tested = _tested(stmt.test, attrs)
        lines = list(stmt.body.body)
        if tested is None:
            return None
    smalls: list[cst.Assign] = []
    for line in lines:
        if not isinstance(line, cst.SimpleStatementLine) or len(line.body) != 1 \
                or not isinstance(line.body[0], cst.Assign) or len(line.body[0].targets) != 1:
            return None
        smalls.append(line.body[0])
    last, prelude = smalls[-1], smalls[:-1]
    key = _key_read(last.targets[0].target, attrs)
    if key is None or not isinstance(last.targets[0].target, cst.Subscript) \
            or (tested is not None and tested != key):
        return None
    if any(not isinstance(a.targets[0].target, cst.Name) for a in prelude):
        return None
    return last, key, prelude


def _query_chain(value: cst.BaseExpression, avoid: set[str]) -> bool:
    """``Label.objects.filter(...).values_list(...)`` (or ``list``/``set``/``tuple`` of it): a chain
    of method calls on a dotted name that is none of ``avoid``."""
    if isinstance(value, cst.Call) and isinstance(value.func, cst.Name) and value.func.value in _WRAPPERS \
            and len(value.args) == 1 and not value.args[0].star and value.args[0].keyword is None:
        value = value.args[0].value
    if not (isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute)):
        return False
    node: cst.BaseExpression = value
    while isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
        node = node.func.value
    text = dotted(node, calls=False)
    return text is not None and text != "" and not isinstance(node, cst.Call) \
        and text.split(".", 1)[0] not in avoid


def narrowings(fn: cst.FunctionDef, fields: Mapping[str, object]) -> dict[int, str]:
    """``id`` of each narrowing assignment of ``validate(self, attrs)`` -> the field key it narrows."""
    params = fn.params.params
    if fn.name.value != "validate" or len(params) < 2 or not isinstance(fn.body, cst.IndentedBlock):
        return {}
    attrs = params[1].name.value
    assigned: dict[str, int] = {}
    for node in _nodes(fn.body):
        if isinstance(node, cst.Return) \
                and not (isinstance(node.value, cst.Name) and node.value.value == attrs):
            return {}
        targets: list[cst.BaseExpression] = []
        if isinstance(node, cst.Assign):
            targets = [t.target for t in node.targets]
        elif isinstance(node, cst.AugAssign | cst.AnnAssign):
            targets = [node.target]
        for target in targets:
            if isinstance(target, cst.Name) and target.value == attrs:
                return {}  # ``attrs`` bound again
            key = _key_read(target, attrs)
            if key is not None:
                assigned[key] = assigned.get(key, 0) + 1
    out: dict[int, str] = {}
    body = list(fn.body.body)
    for i, stmt in enumerate(body):
        if any(isinstance(n, cst.Return) for n in _nodes(stmt)):
            break  # a narrowing after it may be skipped
        found = _narrowing(stmt, attrs)
        if found is None:
            continue
        assign, key, prelude = found
        if key not in fields or assigned.get(key) != 1 or any(_reads(s, attrs, key) for s in body[:i]):
            continue
        locals_ = {a.targets[0].target.value for a in prelude if isinstance(a.targets[0].target, cst.Name)}
        if not _query_chain(assign.value, locals_ | {attrs}):
            continue
        if locals_ and not _only_in(fn, locals_, prelude, assign.value):
            continue
        out[id(assign)] = key
    return out


def _only_in(fn: cst.FunctionDef, names: set[str], binders: list[cst.Assign],
             value: cst.BaseExpression) -> bool:
    """``names`` are read nowhere in ``fn`` but in ``value`` (their bindings aside)."""
    inside = {id(n) for n in _nodes(value)}
    bound = {id(a.targets[0].target) for a in binders}
    for node in _nodes(fn.body):
        if isinstance(node, cst.Name) and node.value in names \
                and id(node) not in inside and id(node) not in bound:
            return False
    return True
