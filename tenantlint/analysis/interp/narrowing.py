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
(``append``, ``extend``) keep it such a name: only the exclusion reads it. ``issue`` above, read in
the filters of that reading query (``Relation.objects.filter(Q(issue=issue) | Q(related=issue))``:
:func:`read_query`) and in the ``if`` test, narrows through it: only whether rows exist is learnt.

A query read only by membership tests of a comprehension's loop variable chooses which values of
another collection stay, and reads nothing out either::

    done = set(Message.objects.filter(id__in=ids, stream__private=True).values_list("id", flat=True))
    ids = [i for i in ids if i not in done]
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

import libcst as cst

from tenantlint.analysis.facts import Provenance, QueryKind, Scoping
from tenantlint.analysis.interp.values import Origin, Pin, QueryValue, RowValue, Value
from tenantlint.analysis.source.visit import visit

# A name is read without escaping only inside a negated predicate (``.exclude(...)``, ``~Q(...)``),
# in the test of an ``if`` whose body narrows with ``.filter``/``.exclude``, or grown in place
# (``append``/``extend``): a module whose text spells none of these has no narrowing name, and its
# functions are not scanned for them (a function of 50,000 queries: one walk of it less).
_NARROWING_WORDS = re.compile(r"exclude|~|append|extend")
_IF_WORD = re.compile(r"\bif\b")
# ... or in a membership test of a comprehension's condition (``if i not in done``)
_MEMBERSHIP_TEST = re.compile(r"\bif\s+(?:not\s+)?\(?\s*\w+\s+(?:not\s+)?in\b")


@lru_cache(maxsize=4)  # asked once per function of the same text: searched once
def may_narrow(text: str | None) -> bool:
    """False only when ``text`` (a module's source; None: not known) can hold no narrowing name."""
    if text is None or _NARROWING_WORDS.search(text) or _MEMBERSHIP_TEST.search(text):
        return True
    return "filter" in text and _IF_WORD.search(text) is not None


def narrowing_names(body: cst.CSTNode, text: str | None = None) -> frozenset[str]:
    """Names bound once by ``name = ...`` in ``body`` and read only to narrow other queries (also
    through the query defining another such name: its rows narrow, so what chose them does too).
    ``text``: the module's source, when known (see :func:`may_narrow`)."""
    if not may_narrow(text):
        return frozenset()
    scan = _Scan()
    visit(body, scan)
    names = {n for n, count in scan.bound.items()
             if count == 1 and n not in scan.escaping and n in scan.read}
    while True:
        kept = {n for n in names if scan.feeds.get(n, set()) <= names}
        if kept == names:
            return frozenset(names)
        names = kept


class _Scan(cst.CSTVisitor):
    def __init__(self) -> None:
        self.bound: dict[str, int] = {}
        self.read: set[str] = set()
        self.escaping: set[str] = set()
        # name -> the names whose defining query reads it (in its filters): it narrows when they do
        self.feeds: dict[str, set[str]] = {}
        self.narrow = 0  # inside a negated predicate's arguments
        self.test = 0  # inside an ``if``/``while`` test, outside any call
        self.feeding: str | None = None  # inside the filters of the query defining this name

    # bindings
    def visit_Assign(self, node: cst.Assign) -> bool:
        if len(node.targets) == 1 and _self_derived(node.targets[0].target, node.value):
            return False  # ``ids = [i for pair in ids for i in pair]``: the same values, reshaped
        for t in node.targets:
            if isinstance(t.target, cst.Name):
                self.bound[t.target.value] = self.bound.get(t.target.value, 0) + 1
            else:
                self._bind_other(t.target)
        target = node.targets[0].target if len(node.targets) == 1 else None
        if isinstance(target, cst.Name) and not self.narrow and not self.test and self.feeding is None \
                and read_query(node.value):
            self.feeding = target.value  # ``related = Relation.objects.filter(issue=issue)``
            visit(node.value, self)
            self.feeding = None
            return False
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
        if self.narrow or self.test:
            return
        if self.feeding is not None and self.feeding != node.value:
            self.feeds.setdefault(node.value, set()).add(self.feeding)
        else:
            self.escaping.add(node.value)

    def visit_ListComp(self, node: cst.ListComp) -> bool:
        return self._comprehension(node)

    def visit_SetComp(self, node: cst.SetComp) -> bool:
        return self._comprehension(node)

    def visit_GeneratorExp(self, node: cst.GeneratorExp) -> bool:
        return self._comprehension(node)

    def _comprehension(self, node: cst.ListComp | cst.SetComp | cst.GeneratorExp) -> bool:
        """``[m for m in ids if m not in found]``: ``found`` only chooses which of ``ids`` stay (a
        membership test of a loop variable in a condition); the result holds values of ``ids``."""
        visit(node.elt, self)
        loop: set[str] = set()
        clause: cst.CompFor | None = node.for_in
        while clause is not None:
            visit(clause.iter, self)
            visit(clause.target, self)
            loop |= _names(clause.target)
            for cond in clause.ifs:
                held = _membership(cond.test, loop)
                if held is None:
                    visit(cond.test, self)
                    continue
                visit(held[0], self)
                self.narrow += 1
                visit(held[1], self)
                self.narrow -= 1
            clause = clause.inner_for_in
        return False

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        visit(node.value, self)  # ``issue.parent_id``: the attribute name is no read
        return False

    def visit_Arg(self, node: cst.Arg) -> bool:
        visit(node.value, self)  # not the keyword
        return False


NARROWING_METHODS = frozenset({"filter", "exclude"})
# Methods of a query chain that read rows (or narrow, shape, order them) and write nothing.
_READ_METHODS = frozenset({"filter", "exclude", "values_list", "values", "distinct", "order_by", "only",
                           "defer", "select_related", "prefetch_related", "all", "first", "last"})
_PREDICATES = frozenset({"Q"})  # calls a filter argument may hold: predicates, no code of the project
_CONVERSIONS = frozenset({"set", "list", "frozenset", "tuple"})


def read_query(value: cst.BaseExpression) -> bool:
    """``Model.objects.filter(...).values_list(...)`` (also inside ``set(...)``, ``list(...)``): a chain
    of reading methods on a model's manager, whose arguments hold no call but a predicate's (``Q``):
    what its arguments read only chooses its rows."""
    if isinstance(value, cst.Call) and isinstance(value.func, cst.Name) \
            and value.func.value in _CONVERSIONS and len(value.args) == 1 and not value.args[0].keyword:
        value = value.args[0].value
    steps = 0
    while isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute) \
            and value.func.attr.value in _READ_METHODS:
        if any(not _plain(a.value) for a in value.args):
            return False
        value = value.func.value
        steps += 1
    return bool(steps) and isinstance(value, cst.Attribute) and isinstance(value.value, cst.Name)


def _plain(node: cst.CSTNode) -> bool:
    """No call in ``node`` but of a predicate (``Q(...)``)."""
    if isinstance(node, cst.Call) and not (isinstance(node.func, cst.Name)
                                           and node.func.value in _PREDICATES):
        return False
    return all(_plain(c) for c in node.children)


def _membership(test: cst.BaseExpression, loop: set[str]
                ) -> tuple[cst.BaseExpression, cst.Name] | None:
    """``m in found`` / ``m not in found`` / ``not (m in found)`` with ``m`` a loop variable: the
    left side and ``found``."""
    while isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        test = test.expression
    if not isinstance(test, cst.Comparison) or len(test.comparisons) != 1:
        return None
    comp = test.comparisons[0]
    if not isinstance(comp.operator, cst.In | cst.NotIn) or not isinstance(comp.comparator, cst.Name):
        return None
    if not (isinstance(test.left, cst.Name) and test.left.value in loop):
        return None
    return test.left, comp.comparator
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


def narrows_only(names: frozenset[str], target: cst.BaseExpression, value: Value,
                 expr: cst.BaseExpression | None = None, made: Sequence[Origin] = ()) -> Value | None:
    """``row = <unscoped fetch>`` (or a query kept unevaluated) of a name read only to narrow other
    queries: the fetch reads nothing out, so its query gets a pin saying so. Returns the query value
    to keep in the name (with the pin, for its later evaluation), else None. A conversion of a query
    (``found = set(Model.objects.filter(...).values_list("id", flat=True))``, its rows evaluated in
    ``expr``) pins the one query ``made`` in it."""
    if not isinstance(target, cst.Name) or target.value not in names:
        return None
    if not isinstance(value, RowValue | QueryValue) or value.origin is None:
        if expr is not None and len(made) == 1 and read_query(expr):
            if made[0].tenant is not None and not _tenant_from_request(made[0]):
                _pin(made[0], target.value)
        return None
    if value.origin.tenant is None or _tenant_from_request(value.origin):
        return None
    pin = _pin(value.origin, target.value)
    if isinstance(value, QueryValue):
        return value.with_state(value.state.add_pin(pin))
    return None


def _tenant_from_request(origin: Origin) -> bool:
    """The query's tenant filter takes request input (TNT103): the request chooses whose rows are
    compared, reported whatever the rows are used for."""
    states = [s for _, s in origin.uses] or ([origin.latest] if origin.latest is not None else [])
    return any(s.verdict()[1] is not None for s in states)


def _pin(origin: Origin, name: str) -> Pin:
    pin = Pin(Provenance.trusted(f"{name}, read only to narrow other queries"),
              Scoping.SCOPED_PARENT, f"{name} only narrows other queries")
    origin.uses = [(k, s.add_pin(pin) if k is QueryKind.READ else s) for k, s in origin.uses]
    if origin.latest is not None:
        origin.latest = origin.latest.add_pin(pin)
    return pin
