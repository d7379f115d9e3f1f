"""Rows fetched only to narrow other queries: they read nothing out.

::

    issue = Issue.objects.filter(pk=issue_id).first()
    if issue:
        issues = issues.filter(~Q(pk=issue.parent_id))

``issue`` is fetched without a tenant filter, but nothing of it leaves the function: it is read in
the arguments of negated predicates (``~Q(...)``, ``.exclude(...)``), which only remove rows from
another query (judged on its own), and in the tests (as itself, its attributes, comparisons and
``not``/``and``/``or`` of them, outside any call) of ``if`` statements with no ``else`` whose body
only narrows a query kept in a name (``qs = qs.filter(...)``/``.exclude(...)``).
A name bound more than once, or read anywhere else (returned, passed to a call, kept in a
container, read in a nested function), is not such a row.

The same holds for a query kept in a name and read only that way (an exclusion-only use)::

    related = Relation.objects.filter(issue=issue).values_list("issue_id", "related_id")
    related = [i for pair in related for i in pair]
    related.append(issue_id)
    issues = issues.exclude(pk__in=related)

Rebinding the name to a comprehension over itself (flattening the pairs) and growing it in place
(``append``, ``extend``) keep it such a name: only the exclusion reads it.
"""

from __future__ import annotations

import re
from functools import lru_cache

import libcst as cst

from tenantlint.analysis.facts import Provenance, QueryKind, Scoping
from tenantlint.analysis.interp.values import Pin, QueryValue, RowValue, Value
from tenantlint.analysis.source.visit import visit

# A name is read without escaping only inside a negated predicate (``.exclude(...)``, ``~Q(...)``),
# in the test of an ``if`` whose body narrows with ``.filter``/``.exclude``, or grown in place
# (``append``/``extend``): a module whose text spells none of these has no narrowing name, and its
# functions are not scanned for them (a function of 50,000 queries: one walk of it less).
_NARROWING_WORDS = re.compile(r"exclude|~|append|extend")
_IF_WORD = re.compile(r"\bif\b")


@lru_cache(maxsize=4)  # asked once per function of the same text: searched once
def may_narrow(text: str | None) -> bool:
    """False only when ``text`` (a module's source; None: not known) can hold no narrowing name."""
    if text is None or _NARROWING_WORDS.search(text):
        return True
    return "filter" in text and _IF_WORD.search(text) is not None


def narrowing_names(body: cst.CSTNode, text: str | None = None) -> frozenset[str]:
    """Names bound once by ``name = ...`` in ``body`` and read only to narrow other queries.
    ``text``: the module's source, when known (see :func:`may_narrow`)."""
    if not may_narrow(text):
        return frozenset()
    scan = _Scan()
    visit(body, scan)
    return frozenset(n for n, count in scan.bound.items()
                     if count == 1 and n not in scan.escaping and n in scan.read)


class _Scan(cst.CSTVisitor):
    def __init__(self) -> None:
        self.bound: dict[str, int] = {}
        self.read: set[str] = set()
        self.escaping: set[str] = set()
        self.narrow = 0  # inside a negated predicate's arguments
        self.test = 0  # inside an ``if``/``while`` test, outside any call

    # bindings
    def visit_Assign(self, node: cst.Assign) -> bool:
        if len(node.targets) == 1 and _self_derived(node.targets[0].target, node.value):
            return False  # ``ids = [i for pair in ids for i in pair]``: the same values, reshaped
        for t in node.targets:
            if isinstance(t.target, cst.Name):
                self.bound[t.target.value] = self.bound.get(t.target.value, 0) + 1
            else:
                self._bind_other(t.target)
        visit(node.value, self)
        return False

    def _bind_other(self, target: cst.CSTNode) -> None:
        for sub in _names(target):
            self.bound[sub] = self.bound.get(sub, 0) + 2  # unpacking, attributes: never "once"

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._bind_other(node.target)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._bind_other(node.target)

    def visit_For(self, node: cst.For) -> None:
        self._bind_other(node.target)

    def visit_AsName(self, node: cst.AsName) -> None:
        self._bind_other(node.name)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._bind_other(node.target)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        for name in _names(node.body):
            self.escaping.add(name)  # read by a nested function: it may run anywhere
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        for name in _names(node.body):
            self.escaping.add(name)
        return False

    # contexts
    def visit_If(self, node: cst.If) -> bool:
        if node.orelse is None and _narrows(node.body):
            self.test += 1
            visit(node.test, self)
            self.test -= 1
        else:
            visit(node.test, self)
        visit(node.body, self)
        if node.orelse is not None:
            visit(node.orelse, self)
        return False

    def visit_Call(self, node: cst.Call) -> bool:
        negated = isinstance(node.func, cst.Attribute) and node.func.attr.value == "exclude"
        saved = self.test
        self.test = 0  # a call in a test may hand the row on
        func = node.func
        if (isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name)
                and func.attr.value in GROWING_METHODS and not saved and not self.narrow):
            self.read.add(func.value.value)  # ``ids.append(x)``: grown in place, not handed on
        else:
            visit(func, self)
        if negated:
            self.narrow += 1
        for arg in node.args:
            visit(arg, self)
        if negated:
            self.narrow -= 1
        self.test = saved
        return False

    def visit_UnaryOperation(self, node: cst.UnaryOperation) -> bool:
        if isinstance(node.operator, cst.BitInvert) and isinstance(node.expression, cst.Call):
            self.narrow += 1
            visit(node.expression, self)
            self.narrow -= 1
            return False
        return True

    def visit_Name(self, node: cst.Name) -> None:
        self.read.add(node.value)
        if not self.narrow and not self.test:
            self.escaping.add(node.value)

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        visit(node.value, self)  # ``issue.parent_id``: the attribute name is no read
        return False

    def visit_Arg(self, node: cst.Arg) -> bool:
        visit(node.value, self)  # not the keyword
        return False


NARROWING_METHODS = frozenset({"filter", "exclude"})
GROWING_METHODS = frozenset({"append", "extend"})  # list methods: no query, no manager has them
_COMPREHENSIONS = (cst.ListComp, cst.SetComp, cst.GeneratorExp)


def _self_derived(target: cst.BaseAssignTargetExpression, value: cst.BaseExpression) -> bool:
    """``name = [e for x in name for e in x]``: a comprehension whose first iterable is ``name``
    itself, whose other iterables and element read only its own loop variables, and which has no
    condition: the name keeps the values it held (reshaped)."""
    if not isinstance(target, cst.Name) or not isinstance(value, _COMPREHENSIONS):
        return False
    loop: set[str] = set()
    clause: cst.CompFor | None = value.for_in
    first = True
    while clause is not None:
        if clause.ifs or clause.asynchronous is not None:
            return False
        iterable = _names(clause.iter)
        if first and not (isinstance(clause.iter, cst.Name) and clause.iter.value == target.value):
            return False
        if not first and not iterable <= loop:
            return False
        loop |= _names(clause.target)
        first = False
        clause = clause.inner_for_in
    return _names(value.elt) <= loop


def _narrows(block: cst.BaseSuite) -> bool:
    """Every statement of ``block`` narrows a query kept in a name: ``qs = qs.filter(...)``,
    ``qs = qs.exclude(...).filter(...)``."""
    if not isinstance(block, cst.IndentedBlock):
        return False
    for stmt in block.body:
        if not isinstance(stmt, cst.SimpleStatementLine):
            return False
        for small in stmt.body:
            if not isinstance(small, cst.Assign) or len(small.targets) != 1:
                return False
            target = small.targets[0].target
            if not isinstance(target, cst.Name):
                return False
            value: cst.BaseExpression = small.value
            steps = 0
            while isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute) \
                    and value.func.attr.value in NARROWING_METHODS:
                value = value.func.value
                steps += 1
            if not steps or not isinstance(value, cst.Name) or value.value != target.value:
                return False
    return True


def _names(node: cst.CSTNode) -> set[str]:
    out: set[str] = set()
    todo = [node]
    while todo:
        current = todo.pop()
        if isinstance(current, cst.Name):
            out.add(current.value)
        todo.extend(current.children)
    return out


def narrows_only(names: frozenset[str], target: cst.BaseExpression, value: Value) -> Value | None:
    """``row = <unscoped fetch>`` (or a query kept unevaluated) of a name read only to narrow other
    queries: the fetch reads nothing out, so its query gets a pin saying so. Returns the query value
    to keep in the name (with the pin, for its later evaluation), else None."""
    if not isinstance(target, cst.Name) or target.value not in names:
        return None
    if not isinstance(value, RowValue | QueryValue) or value.origin is None or value.origin.tenant is None:
        return None
    origin = value.origin
    pin = Pin(Provenance.trusted(f"{target.value}, read only to narrow other queries"),
              Scoping.SCOPED_PARENT, f"{target.value} only narrows other queries")
    origin.uses = [(k, s.add_pin(pin) if k is QueryKind.READ else s) for k, s in origin.uses]
    if origin.latest is not None:
        origin.latest = origin.latest.add_pin(pin)
    if isinstance(value, QueryValue):
        return value.with_state(value.state.add_pin(pin))
    return None
