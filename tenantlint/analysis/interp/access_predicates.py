"""Tenant guards read from a function's body: which of its answers prove that a row is the tenant's.

A *guard* of a function says that, on the paths where it says yes, one parameter's row has the
tenant of another parameter. Two kinds of "yes" (``guards.py`` applies them at the calls):

* a function that refuses (raises, ``abort(404)``) unless the tenants match: every way out of it
  other than a refusal (a ``return`` of anything, the end of its body) comes after the comparison;
* a *predicate*, which answers ``False``/``None`` instead: every truthy ``return`` comes after the
  comparison, or is itself the comparison. It guards only a call whose "no" leaves the caller.

The row is a parameter (``board``, its tenant ``board.guild_id``, ``board.guild``,
``board.guild.id``) or a row the function fetches by exactly one of its parameters (``dataset =
Dataset.objects.filter(pk=dataset_id).first()``, ``found, dataset = Service.get_by_id(dataset_id)``:
that parameter, an id, is what the guard checks). The tenant it is compared with is another
parameter (``team_id``) or that parameter's tenant (``member.team_id``). What counts as the
comparison, on a path:

* ``if row.team_id != team_id: <refuse or answer no>`` (``is not``, ``not ... ==``, each ``or``-ed
  alternative), or ``if not <comparison>: <refuse or answer no>``, earlier on the path;
* ``if row.team_id == team_id:`` around the ``return`` (``and``-ed with anything else);
* the answer itself: ``return row.team_id == team_id``, or membership of the row's tenant among the
  tenants the function computes from that parameter alone (``joined = teams_of(user_id)``; ``return
  any(t["team_id"] == row.team_id for t in joined)``, ``return row.team_id in joined``), directly or
  through a name bound once to it (``allowed = any(...)``; ``return allowed``).

A truthy ``return`` reached any other way (``if row.public: return True``) leaves the row unchecked
for some callers: no guard, except a *fixed-set admission* (``if row.email in settings.SYSTEM_EMAILS:
return row``, ``fixed_sets.py``): it admits the same server-defined rows to every caller and is no
way out. Purely syntactic (libcst); names bound more than once are not followed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import cast

import libcst as cst

from tenantlint.analysis.interp.confined_lookups import ANSWERS, ROW_OR_NONE, confined_lookup
from tenantlint.analysis.interp.exprs import dotted, is_none
from tenantlint.analysis.interp.fixed_sets import FixedArgs, fixed_admission
from tenantlint.analysis.interp.flag_answers import answer_of, answers_flag, flagged
from tenantlint.analysis.interp.owner_answers import owned_row, user_side
from tenantlint.analysis.interp.refusals import mismatch_sides, refusing_call
from tenantlint.analysis.interp.row_dicts import entry_path, self_conversion
from tenantlint.analysis.source.children import code_children
from tenantlint.crossfn.records import GUARD_ID, GUARD_TRUSTED
from tenantlint.index.relations import OWNER_COLUMNS

ID = GUARD_ID  # the attribute of a guard on an id parameter: the row fetched by it is the checked one
Pair = tuple[str, str, str]  # (checked parameter, tenant attribute or ID, parameter it is checked against)
IGNORED = frozenset({"self", "cls"})
_BINDERS = frozenset({cst.AugAssign, cst.AnnAssign, cst.For, cst.CompFor, cst.With, cst.NamedExpr,
                      cst.ExceptHandler})
_SCOPES = frozenset({cst.FunctionDef, cst.ClassDef, cst.Lambda})


# What a guard's row may be checked against besides a parameter: a trusted value the function reads
# itself (``current_user.id``), or tenants computed from trusted values alone.
TRUSTED = GUARD_TRUSTED
# The guards of the function a call resolves to, bound to the call's arguments: (checked argument,
# attribute or ID, the argument it is checked against or None for TRUSTED, whether a predicate's).
CallGuards = Callable[[cst.Call], Sequence[tuple[cst.BaseExpression, str, "cst.BaseExpression | None", bool]]]


@dataclass
class _Reader:
    params: Sequence[str]
    names: frozenset[str]  # tenant attributes (``team``, ``team_id``)
    # Whether an expression read from no parameter and no local is trusted (``current_user.id``).
    trusted: Callable[[cst.BaseExpression], bool] | None = None
    call_guards: CallGuards | None = None
    fixed_args: FixedArgs | None = None  # what a fixed-set predicate's "yes" proves (``fixed_sets.py``)
    bound: set[str] = field(default_factory=set)  # the names the function binds
    fetched: dict[str, str] = field(default_factory=dict)  # local row -> the parameter it was fetched by
    sets: dict[str, str] = field(default_factory=dict)  # local -> the parameter its tenants come from
    answers: dict[str, frozenset[Pair]] = field(default_factory=dict)  # local -> what it proves
    rows: set[str] = field(default_factory=set)  # locals holding a confined lookup's first row, or None
    # parameters rebound to anything but a dict copy of themselves (``row_dicts.py``): no longer the
    # value the caller passed
    replaced: set[str] = field(default_factory=set)
    tenants: dict[str, tuple[str, str]] = field(default_factory=dict)  # local -> the row tenant it holds
    yes: list[frozenset[Pair]] = field(default_factory=list)  # what each truthy ``return`` proves
    exits: list[frozenset[Pair]] = field(default_factory=list)  # what each non-refusing exit proves
    flag: bool = False  # every ``return`` is a tuple whose first element answers (``flag_answers.py``)

    # -- names the function binds once
    def bind(self, body: Sequence[cst.BaseStatement]) -> None:
        counts: dict[str, int] = {}
        assigns: list[tuple[list[str], cst.BaseExpression]] = []
        for node in _nodes(body):
            kind = type(node)  # exact classes: an ``isinstance`` of a libcst node is an ABC check
            if kind is cst.Assign:
                assign = cast(cst.Assign, node)
                targets = [n for t in assign.targets for n in _target_names(t.target)]
                assigns.append((targets, assign.value))
                converts = len(targets) == 1 and self_conversion(assign.value, targets[0])
            elif kind in _BINDERS:
                targets = _bound_by(node)
                value = getattr(node, "value", None) if kind is cst.AnnAssign else None
                converts = len(targets) == 1 and value is not None and self_conversion(value, targets[0])
            else:
                continue
            if not converts:
                self.replaced.update(n for n in targets if n in self.params)
            # ``kb["tenant_id"] = other``: what the row's entries hold is no longer the caller's
            self.replaced.update(n for n in _written_roots(node) if n in self.params)
            for n in targets:
                counts[n] = counts.get(n, 0) + 1
        self.bound = set(counts)
        for targets, value in assigns:
            if any(counts.get(n, 0) != 1 or n in self.params for n in targets):
                continue
            tenant = self.tenant_of(value) if len(targets) == 1 else None
            if tenant is not None:  # ``kb_tenant_id = kb["tenant_id"]``
                self.tenants[targets[0]] = tenant
                continue
            confined = self.confined(value) if len(targets) == 1 else frozenset()
            if confined:
                self.answers[targets[0]] = confined  # a lookup found only when its row is confined
                if _row_or_none(value):
                    self.rows.add(targets[0])
            only = self._only_param(value)
            if only is not None and isinstance(_unwrap(value), cst.Call):
                for n in targets:
                    self.fetched[n] = only
                    if len(targets) == 1:
                        self.sets[n] = only
            elif len(targets) == 1 and self._from_trusted(value):
                self.sets[targets[0]] = TRUSTED
            elif len(targets) == 1 and not confined:
                proved = self.proves(value)
                if proved:
                    self.answers[targets[0]] = proved

    def param(self, name: str) -> bool:
        """``name`` is a parameter that still holds (a dict copy of) what the caller passed."""
        return name in self.params and name not in IGNORED and name not in self.replaced

    def is_trusted(self, node: cst.BaseExpression) -> bool:
        """A dotted value read from no parameter and no local that the analysis trusts
        (``current_user.id``, ``g.tenant_id``)."""
        text = dotted(node, calls=False)
        if not text or self.trusted is None:
            return False
        root = text.split(".", 1)[0]
        return root not in self.params and root not in self.bound and root not in IGNORED \
            and self.trusted(node)

    def _from_trusted(self, value: cst.BaseExpression) -> bool:
        """A call computing tenants from trusted values alone (``joined_tenant_ids(current_user.id)``)."""
        call = _unwrap(value)
        if not isinstance(call, cst.Call) or not call.args or self._only_param(call) is not None:
            return False
        if {n.value for n in _names(call)} & (set(self.params) | self.bound):
            return False
        return all(not a.star and self.is_trusted(a.value) for a in call.args)

    def _only_param(self, value: cst.BaseExpression) -> str | None:
        used = {n.value for n in _names(value)} & set(self.params)
        used -= IGNORED
        return next(iter(used)) if len(used) == 1 else None

    # -- what an expression proves when it is truthy
    def tenant_of(self, node: cst.BaseExpression) -> tuple[str, str] | None:
        """``row.team_id`` / ``row.team`` / ``row.team.id`` (``row["team_id"]`` of a dict copy, or a
        name bound once to one of those) -> (checked parameter, attr or ID)."""
        if isinstance(node, cst.Name) and node.value in self.tenants:
            return self.tenants[node.value]
        text = entry_path(node)
        parts = text.split(".") if text else []
        if len(parts) == 3 and parts[2] in ("id", "pk"):
            parts = parts[:2]
        if len(parts) != 2 or parts[1] not in self.names:
            return None
        if self.param(parts[0]):
            return parts[0], parts[1]
        if parts[0] in self.fetched:
            return self.fetched[parts[0]], ID
        return None

    def against(self, node: cst.BaseExpression) -> str | None:
        """``team_id`` (a parameter), ``member.team_id`` (a parameter's tenant) or ``team.id`` (a
        parameter's id)."""
        if isinstance(node, cst.Name):
            return node.value if self.param(node.value) else None
        if self.is_trusted(node):
            return TRUSTED
        if isinstance(node, cst.Attribute) and node.attr.value in ("id", "pk") \
                and isinstance(node.value, cst.Name):
            return self.against(node.value)
        found = self.tenant_of(node)
        return found[0] if found is not None and found[1] != ID else None

    def pair(self, a: cst.BaseExpression, b: cst.BaseExpression) -> frozenset[Pair]:
        out: set[Pair] = set()
        for row, other in ((a, b), (b, a)):
            found, against = self.tenant_of(row), self.against(other)
            if found is not None and against is not None and found[0] != against:
                out.add((found[0], found[1], against))
            owned = owned_row(row, self.fetched)  # ``upload.owner == user``: the user's own row
            user = user_side(other, self.against, self.is_trusted) if owned is not None else None
            if owned is not None and user is not None and owned != user:
                out.add((owned, ID, user))
        return frozenset(out)

    def proves(self, node: cst.BaseExpression) -> frozenset[Pair]:
        if isinstance(node, cst.Name):
            return self.answers.get(node.value, frozenset())
        if isinstance(node, cst.BooleanOperation):
            one, two = self.proves(node.left), self.proves(node.right)
            return one | two if isinstance(node.operator, cst.And) else one & two
        if isinstance(node, cst.Comparison) and len(node.comparisons) == 1:
            op, other = node.comparisons[0].operator, node.comparisons[0].comparator
            if isinstance(op, cst.Equal | cst.Is):
                return self.pair(node.left, other)
            if isinstance(op, cst.In):
                return self._member(node.left, other, None)
            if isinstance(op, cst.IsNot) and is_none(other) and self._row_or_none(node.left):
                return self.proves(node.left)  # ``return row is not None`` (a row, or None)
            return frozenset()
        if isinstance(node, cst.Await):
            return self.proves(node.expression)
        if isinstance(node, cst.Call) and dotted(node.func) == "bool" and len(node.args) == 1:
            return self.proves(node.args[0].value)
        if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) \
                and isinstance(node.func.value, cst.Name) and node.func.attr.value in ANSWERS:
            return self.proves(node.func.value)  # ``rows.exists()`` of a confined lookup ``rows``
        if isinstance(node, cst.Call) and dotted(node.func) != "any":
            called = self.called(node, predicates=True) if self.call_guards is not None else frozenset()
            return called | self.confined(node)
        if isinstance(node, cst.Call) and dotted(node.func) == "any" and len(node.args) == 1:
            gen = node.args[0].value
            if isinstance(gen, cst.GeneratorExp | cst.ListComp) and gen.for_in.inner_for_in is None \
                    and not gen.for_in.ifs and isinstance(gen.elt, cst.Comparison) \
                    and len(gen.elt.comparisons) == 1 \
                    and isinstance(gen.elt.comparisons[0].operator, cst.Equal):
                loop = set(_target_names(gen.for_in.target))
                left, right = gen.elt.left, gen.elt.comparisons[0].comparator
                for row, each in ((left, right), (right, left)):
                    if loop & {n.value for n in _names(each)}:
                        found = self._member(row, gen.for_in.iter, loop)
                        if found:
                            return found
        return frozenset()

    def _row_or_none(self, node: cst.BaseExpression) -> bool:
        """A first row or None: only then does ``is not None`` test what the lookup found (a count,
        an ``exists()``, a query or a bool is never None)."""
        return (isinstance(node, cst.Name) and node.value in self.rows) or _row_or_none(node)

    def confined(self, value: cst.BaseExpression) -> frozenset[Pair]:
        """A query keyed by an id parameter and confined to another (``confined_lookups.py``): what
        its truth proves."""
        found = confined_lookup(value, [p for p in self.params if p not in IGNORED],
                                self.names, self.against)
        return frozenset((checked, ID, against) for checked, against in found)

    def called(self, call: cst.Call, predicates: bool) -> frozenset[Pair]:
        """What a call of a function with tenant guards proves here (a predicate's guards only
        where its "yes" is what goes on: ``predicates``): its checked argument is a parameter or a
        row fetched by one, its other one a parameter or trusted."""
        assert self.call_guards is not None
        out: set[Pair] = set()
        for checked, attr, other, predicate in self.call_guards(call):
            if predicate and not predicates:
                continue
            against = TRUSTED if other is None else self.against(other)
            if against is None:
                continue
            key: tuple[str, str] | None = None
            name = checked.value if isinstance(checked, cst.Name) else ""
            if self.param(name):
                key = (name, attr)
            elif name in self.fetched and attr != ID:
                key = (self.fetched[name], ID)
            elif attr == ID and parent_link(checked, self.fetched):
                assert isinstance(checked, cst.Attribute) and isinstance(checked.value, cst.Name)
                key = (self.fetched[checked.value.value], ID)  # through the row's parent
            if key is not None and key[0] != against:
                out.add((key[0], key[1], against))
        return frozenset(out)

    def _member(self, row: cst.BaseExpression, pool: cst.BaseExpression, loop: set[str] | None
                ) -> frozenset[Pair]:
        """The row's tenant among the tenants computed from one parameter alone."""
        found = self.tenant_of(row)
        if found is None or (loop is not None and loop & {n.value for n in _names(row)}):
            return frozenset()
        source: str | None = None
        if isinstance(pool, cst.Name):
            source = self.sets.get(pool.value)
        elif isinstance(pool, cst.Call):
            source = self._only_param(pool) or (TRUSTED if self._from_trusted(pool) else None)
        if source is None or source == found[0]:
            return frozenset()
        return frozenset({(found[0], found[1], source)})

    def mismatch(self, test: cst.BaseExpression) -> frozenset[Pair]:
        """What a test proves false: ``a != b`` alternatives, or ``not <what proves>``."""
        out: set[Pair] = set()
        for a, b in mismatch_sides(test):
            out |= self.pair(a, b)
        if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
            out |= self.proves(test.expression)
        if isinstance(test, cst.Comparison) and len(test.comparisons) == 1 \
                and isinstance(test.comparisons[0].operator, cst.Is) \
                and is_none(test.comparisons[0].comparator) and self._row_or_none(test.left):
            out |= self.proves(test.left)  # ``if row is None: return False``
        if isinstance(test, cst.BooleanOperation) and isinstance(test.operator, cst.Or):
            out |= self.mismatch(test.left) | self.mismatch(test.right)  # false: each alternative is
        return frozenset(out)

    # -- the paths
    def block(self, body: Sequence[cst.BaseStatement | cst.BaseSmallStatement], held: frozenset[Pair]
              ) -> tuple[frozenset[Pair], bool]:
        """Walk statements in order; what holds after them, and whether they can fall through."""
        for stmt in body:
            held, goes_on = self.statement(stmt, held)
            if not goes_on:
                return held, False
        return held, True

    def statement(self, stmt: cst.BaseStatement | cst.BaseSmallStatement, held: frozenset[Pair]
                  ) -> tuple[frozenset[Pair], bool]:
        if isinstance(stmt, cst.SimpleStatementLine):
            return self.block(stmt.body, held)
        if isinstance(stmt, cst.Return):
            value = stmt.value
            self.exits.append(held)  # whatever it answers, a caller that ignores it goes on
            if value is not None and self.flag:
                value = answer_of(value)  # ``return True, row``: the verdict is the first element
            if value is not None and not _falsy(value):
                self.yes.append(held | self.proves(value))
            return held, False
        if isinstance(stmt, cst.Raise):
            return held, False
        if isinstance(stmt, cst.Expr) and _refusing(stmt):
            return held, False
        if isinstance(stmt, cst.Expr) and self.call_guards is not None \
                and isinstance(_unwrap(stmt.value), cst.Call):
            call = _unwrap(stmt.value)
            assert isinstance(call, cst.Call)
            return held | self.called(call, predicates=False), True  # a refusing check: it went on
        if isinstance(stmt, cst.If) and fixed_admission(
                stmt, {*self.fetched, *self.params}, {*self.params, *self.bound}, self.fixed_args):
            return held, True  # admits only rows of a set the server's configuration fixes
        if isinstance(stmt, cst.If):
            inner, then_on = self.block(stmt.body.body, held | self.proves(stmt.test))
            orelse, otherwise = stmt.orelse, held | self.mismatch(stmt.test)  # the test was false
            if isinstance(orelse, cst.If):
                other, else_on = self.statement(orelse, otherwise)
            elif orelse is not None:
                other, else_on = self.block(orelse.body.body, otherwise)
            else:
                other, else_on = otherwise, True
            if then_on and else_on:
                return inner & other, True
            if then_on or else_on:
                return (inner if then_on else other), True
            return held, False
        if isinstance(stmt, cst.FunctionDef | cst.ClassDef):
            return held, True
        if isinstance(stmt, cst.For | cst.While):
            self.block(stmt.body.body, held)
            if stmt.orelse is not None:
                self.block(stmt.orelse.body.body, held)
            return held, True
        if isinstance(stmt, cst.With):
            return self.block(stmt.body.body, held)
        if isinstance(stmt, cst.Try):
            after, body_on = self.block(stmt.body.body, held)
            on = body_on
            for handler in stmt.handlers:
                _, handler_on = self.block(handler.body.body, held)
                on = on or handler_on
                after = after & held if handler_on else after
            if stmt.orelse is not None and body_on:
                after, body_on = self.block(stmt.orelse.body.body, after)
            if stmt.finalbody is not None:
                self.block(stmt.finalbody.body.body, held)
            return after, on
        if isinstance(stmt, cst.BaseCompoundStatement):
            self.exits.append(frozenset())  # ``match`` and the rest: any return in it is unread
            self.yes.append(frozenset())
            return held, True
        return held, True


def access_guards(fn: cst.FunctionDef, params: Sequence[str], names: frozenset[str],
                  trusted: Callable[[cst.BaseExpression], bool] | None = None,
                  call_guards: CallGuards | None = None, fixed_args: FixedArgs | None = None
                  ) -> tuple[list[Pair], list[Pair], dict[str, str]]:
    """(refusing guards, predicate guards, local row -> the parameter it is fetched by) of ``fn``.
    ``trusted``: whether a value read from no parameter and no local is trusted; ``call_guards``: the
    guards of a called function, bound to the call's arguments; ``fixed_args``: the arguments of a call
    that its "yes" proves to be in a set the server's configuration fixes."""
    body = fn.body.body if isinstance(fn.body, cst.IndentedBlock) else ()
    reader = _Reader(params, names, trusted, call_guards, fixed_args)
    reader.flag = answers_flag(body)
    reader.bind(body)
    held, goes_on = reader.block(body, frozenset())
    if goes_on:
        reader.exits.append(held)
    refusing = _common(reader.exits) if reader.exits else frozenset()
    predicate = _common(reader.yes) if reader.yes else frozenset()
    if reader.flag:  # the row goes back on "no" too: the guard holds only where the verdict is read
        predicate = frozenset((flagged(c), a, o) for c, a, o in predicate - refusing)
    return sorted(refusing), sorted(predicate - refusing), dict(reader.fetched)


def _common(sets: Iterable[frozenset[Pair]]) -> frozenset[Pair]:
    out: frozenset[Pair] | None = None
    for s in sets:
        out = s if out is None else out & s
    return out or frozenset()


def _falsy(node: cst.BaseExpression) -> bool:
    if isinstance(node, cst.Name):
        return node.value in ("False", "None")
    return isinstance(node, cst.Integer) and node.value == "0"


def parent_link(node: cst.BaseExpression, fetched: Mapping[str, str]) -> bool:
    """``doc.kb_id``: the id of its parent that a row fetched by a parameter holds (a column named
    ``<parent>_id``, not an owner's). An id guard's "yes" on it puts the parent, and so the row
    reached through it, in the tenant it was checked against: ``return
    KnowledgebaseService.accessible(doc.kb_id, user_id)`` checks ``doc_id``."""
    if not (isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name)
            and node.value.value in fetched):
        return False
    attr = node.attr.value
    return attr.endswith("_id") and len(attr) > 3 and attr not in OWNER_COLUMNS


def _refusing(stmt: cst.Expr) -> bool:
    return refusing_call(stmt)


def _unwrap(node: cst.BaseExpression) -> cst.BaseExpression:
    """``await x.first()`` -> the call."""
    return node.expression if isinstance(node, cst.Await) else node


def _target_names(target: cst.BaseExpression) -> list[str]:
    if isinstance(target, cst.Name):
        return [target.value]
    if isinstance(target, cst.Tuple | cst.List):
        return [n for el in target.elements for n in _target_names(el.value)]
    return ["<other>"]  # an attribute or subscript: binds no local, but counts as a binding


def _written_roots(node: cst.CSTNode) -> list[str]:
    """The names whose entries or attributes an assignment writes (``kb["tenant_id"] = x``,
    ``kb.tenant_id = x``, ``kb["n"] += 1``)."""
    targets: list[cst.BaseExpression]
    if isinstance(node, cst.Assign):
        targets = [t.target for t in node.targets]
    elif isinstance(node, cst.AugAssign | cst.AnnAssign):
        targets = [node.target]
    else:
        return []
    out: list[str] = []
    while targets:
        target = targets.pop()
        if isinstance(target, cst.Tuple | cst.List):
            targets.extend(el.value for el in target.elements)
        elif isinstance(target, cst.Subscript | cst.Attribute):
            root: cst.BaseExpression = target
            while isinstance(root, cst.Subscript | cst.Attribute):
                root = root.value
            if isinstance(root, cst.Name):
                out.append(root.value)
    return out


def _bound_by(node: cst.CSTNode) -> list[str]:
    if isinstance(node, cst.AugAssign | cst.AnnAssign):
        return _target_names(node.target)
    if isinstance(node, cst.For | cst.CompFor):
        return _target_names(node.target)
    if isinstance(node, cst.With):
        return [n for item in node.items if item.asname is not None for n in _target_names(item.asname.name)]
    if isinstance(node, cst.NamedExpr):  # ``(kb := default_kb(other))``
        return _target_names(node.target)
    if isinstance(node, cst.ExceptHandler) and node.name is not None:
        return _target_names(node.name.name)
    return []


def _names(node: cst.CSTNode) -> Iterable[cst.Name]:
    todo: list[cst.CSTNode] = [node]
    while todo:
        n = todo.pop()
        # exact types: libcst's node classes are ABCs (a slow isinstance)
        if type(n) is cst.Name:
            yield n
        elif type(n) is cst.Attribute:
            todo.append(n.value)  # ``row.team_id``: ``row``, not ``team_id``
        elif type(n) is cst.Arg:
            todo.append(n.value)  # ``get(pk=...)``: not the keyword
        else:
            todo.extend(code_children(n))


def _nodes(body: Sequence[cst.CSTNode]) -> Iterable[cst.CSTNode]:
    """Every node of the body in source order, outside nested functions, classes and lambdas."""
    todo: list[cst.CSTNode] = list(reversed(body))
    while todo:
        n = todo.pop()
        yield n
        if type(n) in _SCOPES:
            continue
        todo.extend(reversed(code_children(n)))


def _row_or_none(node: cst.BaseExpression) -> bool:
    """A query chain whose last method returns one row or None (``first``, ``get_or_none``; ``get``
    raises when nothing is found)."""
    node = node.expression if isinstance(node, cst.Await) else node
    return (isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute)
            and node.func.attr.value in ROW_OR_NONE)
