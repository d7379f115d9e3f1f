"""Per-table tenant verdicts for one query, over sqlglot scopes.

Each column is a key ``(kind, id(source), column)``. A mandatory equality in a clause adds directed
edges "the constrained side takes the other side's labels"; a clause constrains only the sources it
filters (WHERE and inner-join ON: every source of the scope; LEFT JOIN ON: the joined source).
Labels are tenant pins (a placeholder or literal) and "holds ids of scoped rows of table T" (for
via-scoped tables). Labels spread to a fixed point; a table is scoped when its tenant column is
pinned, or a foreign key of it to a tenant table (the via hop or any other) holds ids of scoped rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlglot import exp
from sqlglot.optimizer.scope import Scope, build_scope

from tenantlint.analysis.facts import Scoping
from tenantlint.sqlcheck import dialect_keys as k
from tenantlint.sqlcheck.pins import Pin, constant, pin_order, unwrap, weak_reason
from tenantlint.sqlcheck.tenant_tables import SqlTenancy, normalize_table
from tenantlint.sqlcheck.verdict import ParamRef, SqlTableUse

Key = tuple[str, int, str]
Label = tuple[str, object, int]  # ("tenant", pin, 0) | ("row", table, id(table node))


@dataclass(frozen=True, slots=True)
class QueryVerdict:
    uses: tuple[SqlTableUse, ...]
    projection_pins: tuple[tuple[Pin, ...], ...]  # per root select-list item: pins reaching it


@dataclass(frozen=True, slots=True)
class _Ref:
    node: exp.Table
    table: str


@dataclass
class _Analyzer:
    """Working state of one analysis (never shared between calls)."""

    tenancy: SqlTenancy
    by_expr: dict[int, Scope] = field(default_factory=dict)
    edges: dict[Key, set[Key]] = field(default_factory=dict)
    labels: dict[Key, set[Label]] = field(default_factory=dict)
    weak: dict[int, str] = field(default_factory=dict)
    refs: list[_Ref] = field(default_factory=list)
    linked: set[Key] = field(default_factory=set)

    # -- tenancy of a table ------------------------------------------------------------
    def _tenant_cols(self, table: str) -> set[str]:
        cols = {fk for fk, _ in self.tenancy.via(table) or ()}
        cols.update(self.tenancy.tenant_columns_of(table))
        return cols

    # -- keys ----------------------------------------------------------------------------
    def _source_key(self, source: object, col: str) -> Key | None:
        if isinstance(source, exp.Table):
            return ("t", id(source), col)
        if isinstance(source, Scope):
            key: Key = ("d", id(source.expression), col)
            self._link_derived(source, col, key)
            return key
        return None

    def _lookup_alias(self, scope: Scope | None, alias: str) -> object:
        while scope is not None:
            sources = scope.selected_sources
            if alias in sources:
                return sources[alias][1]
            lowered = {a.lower(): v for a, v in sources.items()}
            if alias.lower() in lowered:
                return lowered[alias.lower()][1]
            scope = scope.parent
        return None

    def key(self, node: exp.Expr, scope: Scope) -> Key | None:
        node = unwrap(node)
        if isinstance(node, exp.Subquery):
            inner = self.by_expr.get(id(node.this))
            if inner is None or not isinstance(inner.expression, exp.Select):
                return None
            items = inner.expression.expressions
            if len(items) != 1:
                return None
            item = items[0]
            return self.key(item.this if isinstance(item, exp.Alias) else item, inner)
        if not isinstance(node, exp.Column) or isinstance(node.this, exp.Star):
            return None
        col = node.name.lower()
        if node.table:
            return self._source_key(self._lookup_alias(scope, node.table), col)
        sources = [src for _, src in scope.selected_sources.values()]
        owners = [
            s
            for s in sources
            if isinstance(s, exp.Table) and col in self._tenant_cols(normalize_table(s.name))
        ]
        if len(owners) == 1:
            return self._source_key(owners[0], col)
        if len(sources) == 1:
            return self._source_key(sources[0], col)
        return None

    def _link_derived(self, inner: Scope, col: str, dkey: Key) -> None:
        if dkey in self.linked:
            return
        self.linked.add(dkey)
        select = inner.expression
        if not isinstance(select, exp.Select):
            return  # set operations: a column is pinned only if every branch pins it (not tracked)
        star: exp.Expr | None = None
        for item in select.expressions:
            if isinstance(item, exp.Star) or (
                isinstance(item, exp.Column) and isinstance(item.this, exp.Star)
            ):
                star = item
                continue
            if item.alias_or_name.lower() != col:
                continue
            value = item.this if isinstance(item, exp.Alias) else item
            pin = constant(value)
            if pin is not None:
                self._seed(dkey, pin)
            src = self.key(value, inner)
            if src is not None:
                self._edge(src, dkey)
            return
        if star is not None:
            table = star.table if isinstance(star, exp.Column) else ""
            src = self.key(exp.column(col, table=table or None), inner)
            if src is not None:
                self._edge(src, dkey)

    # -- graph ---------------------------------------------------------------------------
    def _edge(self, src: Key, dst: Key) -> None:
        self.edges.setdefault(src, set()).add(dst)

    def _seed(self, key: Key, pin: Pin) -> None:
        self.labels.setdefault(key, set()).add(("tenant", pin, 0))

    # -- clauses -------------------------------------------------------------------------
    def conjunct(self, node: exp.Expr, scope: Scope, applies: frozenset[int]) -> None:
        node = (
            node.this if isinstance(node, exp.Paren) and isinstance(node.this, exp.Expr) else node
        )
        if isinstance(node, exp.And):
            for part in node.flatten():
                self.conjunct(part, scope, applies)
        elif isinstance(node, exp.EQ):
            self._equal(node.this, node.expression, scope, applies)
        elif isinstance(node, exp.In):
            self._in(node, scope, applies)
        else:
            reason = weak_reason(node)
            if reason is not None:
                self._mark_weak(node, scope, applies, reason)

    def _equal(
        self, left: exp.Expr, right: exp.Expr, scope: Scope, applies: frozenset[int]
    ) -> None:
        kl, kr = self.key(left, scope), self.key(right, scope)
        cl, cr = constant(left), constant(right)
        if kl is not None and kl[1] in applies:
            if cr is not None:
                self._seed(kl, cr)
            if kr is not None:
                self._edge(kr, kl)
        if kr is not None and kr[1] in applies:
            if cl is not None:
                self._seed(kr, cl)
            if kl is not None:
                self._edge(kl, kr)

    def _in(self, node: exp.In, scope: Scope, applies: frozenset[int]) -> None:
        target = self.key(node.this, scope)
        if target is None or target[1] not in applies:
            return
        query = k.expr_arg(node, k.QUERY)
        if query is not None:
            src = self.key(
                query if isinstance(query, exp.Subquery) else exp.Subquery(this=query), scope
            )
            if src is not None:
                self._edge(src, target)
            return
        values = k.list_arg(node, k.EXPRESSIONS)
        fld = k.expr_arg(node, k.FIELD)
        if fld is not None:
            values.append(fld)
        pins = [constant(v) for v in values]
        if values and all(p is not None for p in pins):
            for p in pins:
                if p is not None:
                    self._seed(target, p)

    def _mark_weak(
        self, node: exp.Expr, scope: Scope, applies: frozenset[int], reason: str
    ) -> None:
        for col in node.find_all(exp.Column):
            if any(isinstance(a, (exp.Select, exp.Subquery)) for a in _ancestors(col, node)):
                continue
            key = self.key(col, scope)
            if key is None or key[0] != "t" or key[1] not in applies:
                continue
            ref = self._ref_by_id(key[1])
            if ref is not None and key[2] in self._tenant_cols(ref.table):
                self.weak.setdefault(key[1], reason)

    def _ref_by_id(self, ident: int) -> _Ref | None:
        for ref in self.refs:
            if id(ref.node) == ident:
                return ref
        return None

    # -- scopes --------------------------------------------------------------------------
    def walk_scope(self, scope: Scope) -> None:
        select = scope.expression
        if not isinstance(select, exp.Select):
            return
        ids: dict[str, int] = {}
        for alias, (_, source) in scope.selected_sources.items():
            if isinstance(source, exp.Table):
                ids[alias] = id(source)
            elif isinstance(source, Scope):
                ids[alias] = id(source.expression)
        everything = frozenset(ids.values())
        where = k.expr_arg(select, k.WHERE)
        if where is not None and where.this is not None:
            self.conjunct(where.this, scope, everything)
        seen: set[int] = set()
        from_ = k.expr_arg(select, k.FROM)
        if from_ is not None:
            first = k.expr_arg(from_, k.THIS)
            if first is not None:
                seen.add(ids.get(first.alias_or_name, 0))
        for join in k.list_arg(select, k.JOINS):
            joined = ids.get(join.alias_or_name, 0)
            side = str(join.args.get("side") or "").upper()
            if side == "LEFT":
                applies = frozenset({joined})
            elif side == "RIGHT":
                applies = frozenset(seen)
            elif side == "FULL":
                applies = frozenset()
            else:
                applies = everything
            on = k.expr_arg(join, k.ON)
            if on is not None:
                self.conjunct(on, scope, applies)
            for using in k.list_arg(join, k.USING):
                name = using.name
                right = exp.column(name, table=join.alias_or_name)
                for alias, ident in ids.items():
                    if ident in seen:
                        self._equal(right, exp.column(name, table=alias), scope, applies)
            seen.add(joined)

    # -- fixed point ---------------------------------------------------------------------
    def _spread(self) -> None:
        work = list(self.labels)
        while work:
            src = work.pop()
            for dst in self.edges.get(src, ()):
                new = self.labels.get(src, set()) - self.labels.get(dst, set())
                if new:
                    self.labels.setdefault(dst, set()).update(new)
                    work.append(dst)

    def _scoped(self, ref: _Ref) -> bool:
        for col in self.tenancy.tenant_columns_of(ref.table):
            if any(lab[0] == "tenant" for lab in self.labels.get(("t", id(ref.node), col), ())):
                return True
        for fk, parent in self.tenancy.links(ref.table):
            labels = self.labels.get(("t", id(ref.node), fk), ())
            if any(lab[0] == "row" and lab[1] == parent for lab in labels):
                return True
        return False

    def solve(self) -> None:
        done: set[int] = set()
        while True:
            self._spread()
            fresh = [r for r in self.refs if id(r.node) not in done and self._scoped(r)]
            if not fresh:
                return
            for ref in fresh:
                done.add(id(ref.node))
                key: Key = ("t", id(ref.node), "id")
                self.labels.setdefault(key, set()).add(("row", ref.table, id(ref.node)))

    def pins_of(self, ref: _Ref, seen: frozenset[int] = frozenset()) -> tuple[Pin, ...]:
        pins: list[Pin] = []
        for col in self.tenancy.tenant_columns_of(ref.table):
            for lab in self.labels.get(("t", id(ref.node), col), ()):
                if lab[0] == "tenant" and isinstance(lab[1], (ParamRef, str)):
                    pins.append(lab[1])
        for fk, parent in self.tenancy.links(ref.table):
            for lab in self.labels.get(("t", id(ref.node), fk), ()):
                if lab[0] == "row" and lab[1] == parent and lab[2] not in seen:
                    parent_ref = self._ref_by_id(lab[2])
                    if parent_ref is not None:
                        pins.extend(self.pins_of(parent_ref, seen | {id(ref.node)}))
        return tuple(sorted(set(pins), key=pin_order))

    def verdict(self, ref: _Ref) -> SqlTableUse:
        if self._scoped(ref):
            pins = self.pins_of(ref)
            params = tuple(p for p in pins if isinstance(p, ParamRef))
            literals = [p for p in pins if isinstance(p, str)]
            if params:
                detail = "tenant column pinned to a parameter"
            elif literals:
                detail = f"tenant column pinned to literal {literals[0]}"
            else:
                detail = "scoped"
            if self.tenancy.via(ref.table) and not self.tenancy.tenant_column_of(ref.table):
                detail += " through its parent"
            return SqlTableUse(ref.table, Scoping.TRUSTED_FILTER, params, detail)
        reason = self.weak.get(id(ref.node))
        if reason is not None:
            return SqlTableUse(ref.table, Scoping.WEAKENED, (), f"tenant predicate {reason}")
        return SqlTableUse(ref.table, Scoping.UNSCOPED, (), "no tenant predicate")


def _ancestors(node: exp.Expr, stop: exp.Expr) -> list[exp.Expr]:
    out: list[exp.Expr] = []
    cur = node.parent
    while cur is not None and cur is not stop:
        out.append(cur)
        cur = cur.parent
    return out


def analyze_query(root: exp.Expr, tenancy: SqlTenancy) -> QueryVerdict:
    """Verdicts for every tenant-table reference of a SELECT / set operation (or DML rewritten)."""
    top = build_scope(root)
    if top is None:
        return QueryVerdict((), ())
    scopes = list(top.traverse())
    state = _Analyzer(tenancy)
    for scope in scopes:
        state.by_expr[id(scope.expression)] = scope
        if isinstance(scope.expression, exp.Select):
            for _, source in scope.selected_sources.values():
                if isinstance(source, exp.Table) and source.name:
                    state.refs.append(_Ref(source, normalize_table(source.name)))
    for scope in scopes:
        state.walk_scope(scope)
    state.solve()
    uses = tuple(state.verdict(r) for r in state.refs if tenancy.is_tenant(r.table))
    pins: list[tuple[Pin, ...]] = []
    if isinstance(root, exp.Select):
        for item in root.expressions:
            value = item.this if isinstance(item, exp.Alias) else item
            pin = constant(value)
            key = state.key(value, top)
            found = {pin} if pin is not None else set()
            if key is not None:
                found.update(
                    lab[1]
                    for lab in state.labels.get(key, ())
                    if lab[0] == "tenant" and isinstance(lab[1], (ParamRef, str))
                )
            pins.append(tuple(sorted(found, key=pin_order)))
    return QueryVerdict(uses, tuple(pins))
