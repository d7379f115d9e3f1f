"""Django ORM: managers, queryset chains, lookups, ``Q``, shortcuts, creates."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import libcst as cst

from tenantlint.analysis.facts import Provenance, QueryKind, Scoping
from tenantlint.analysis.interp.literals import string_literal
from tenantlint.analysis.interp.own_id import own_id_pin, own_row_table
from tenantlint.analysis.interp.predicates import Junction, Leaf, Pred, PredValue, conj
from tenantlint.analysis.interp.scoped_ids import operator_value, union_with_scoped
from tenantlint.analysis.interp.values import (
    UNKNOWN,
    DictValue,
    Instance,
    ModelRef,
    Pin,
    QueryState,
    QueryValue,
    Value,
)
from tenantlint.analysis.orm import unresolved
from tenantlint.analysis.orm.anchors import anchored, fk_key
from tenantlint.analysis.orm.capability import capability_pin
from tenantlint.analysis.orm.carried import OUTER_ROW, carried_pin
from tenantlint.analysis.orm.django_inserts import DjangoInserts
from tenantlint.analysis.orm.generic import content_type, generic_parents
from tenantlint.analysis.orm.inserts import NEW_ROW, insert_names, new_row
from tenantlint.analysis.orm.late_parents import latent_parents
from tenantlint.analysis.orm.lookups import split_lookup
from tenantlint.analysis.orm.manager_calls import bound_leaves, summary_of
from tenantlint.analysis.orm.owner import CONFINING, owned_row, owner_pin, tenant_pins
from tenantlint.analysis.orm.parent_table import foreign_row_key
from tenantlint.analysis.plugins import OrmPlugin
from tenantlint.index.records import ModelInfo, ProjectIndex, TenantTable
from tenantlint.index.relations import is_membership_join, lookup_paths

if TYPE_CHECKING:
    from tenantlint.analysis.plugins import Evaluation

CHAIN = frozenset(
    {"all", "order_by", "select_related", "prefetch_related", "annotate", "distinct", "only", "defer",
     "using", "select_for_update", "values", "values_list", "reverse", "none", "alias", "dates",
     "datetimes", "extra", "filter", "exclude", "complex_filter", "get_queryset", "iterator"}
)
ROW_READS = frozenset({"get", "first", "last", "earliest", "latest", "aget", "afirst", "alast",
                       "aearliest", "alatest", "get_or_none"})
READS = frozenset({"count", "exists", "aggregate", "in_bulk", "contains", "explain", "acount",
                   "aexists", "aaggregate", "ain_bulk", "acontains", "aiterator"})
WRITES = frozenset({"update", "delete", "aupdate", "adelete"})
CREATES = frozenset({"create", "acreate"})
GET_OR_CREATE = frozenset({"get_or_create", "update_or_create", "aget_or_create", "aupdate_or_create"})
BULK_CREATE = frozenset({"bulk_create", "abulk_create"})
# ``bulk_update(objs, fields)`` writes the given instances by primary key: like ``obj.save()`` on
# rows fetched (and judged) elsewhere, it is neither a read nor a filter-based bulk update.
BULK_UPDATE = frozenset({"bulk_update", "abulk_update"})
NOT_MANAGERS = frozenset({"DoesNotExist", "MultipleObjectsReturned", "_meta", "pk", "objects_set"})
MANAGERS = frozenset({"objects", "_default_manager", "_base_manager"})


QUERY_METHODS = (CHAIN | ROW_READS | READS | WRITES | CREATES | GET_OR_CREATE | BULK_CREATE | BULK_UPDATE
                 | {"union", "intersection", "difference", "raw", "update_or_create"})



def _is_django_models(qualname: str, last: str) -> bool:
    return qualname == last or qualname == f"django.db.models.{last}" or qualname.endswith(f"models.{last}")


def _string(node: cst.BaseExpression) -> str | None:
    value = string_literal(node) if isinstance(node, cst.SimpleString) else None
    return value if isinstance(value, str) else None


def _tenant_paths(index: ProjectIndex, table: str, depth: int = 0) -> frozenset[str]:
    t = index.tenant_table(table)
    if t is None or depth > 6:
        return frozenset()
    if not t.via:
        return t.tenant_names()
    model = index.model(t.models[0]) if t.models else None
    if model is None:
        return frozenset()
    first = t.via[0]
    fk = next((f for f in model.fields if f.name == first), None)
    if fk is None or fk.fk_target is None:
        return frozenset()
    parent = index.table_of_model(fk.fk_target) or fk.fk_target
    return frozenset(f"{first}__{p}" for p in _tenant_paths(index, parent, depth + 1))


class DjangoOrm(DjangoInserts, OrmPlugin):
    name = "django"
    families = frozenset({"django"})
    queryset_classes = frozenset({"django.db.models.QuerySet", "django.db.models.query.QuerySet"})

    # ----- predicates -------------------------------------------------------------------------
    def leaves(self, ev: Evaluation, call: cst.Call, skip: tuple[str, ...] = ()) -> list[Pred]:
        preds: list[Pred] = []
        for arg in call.args:
            if arg.keyword is None:
                if arg.star == "**":
                    spread = ev.eval(arg.value)
                    if isinstance(spread, DictValue):
                        for key, v in spread.items:
                            path, op = split_lookup(key)
                            preds.append(Leaf(path, v, None, op))
                    continue
                v = ev.eval(arg.value)
                if isinstance(v, PredValue) and v.pred is not None:
                    preds.append(v.pred)
                continue
            key = arg.keyword.value
            if key in skip:
                continue
            v = ev.eval(arg.value)
            path, op = split_lookup(key)
            preds.append(Leaf(path, v, None, op, own_row_table(ev.fn.env, path, op, arg.value)))
        return preds

    def apply(self, ev: Evaluation, q: QueryValue, pred: Pred | None, negate: bool = False) -> QueryState:
        if pred is None or q.origin is None:
            return q.state
        if negate:
            pred = Junction("not", (pred,))
        tenant = q.origin.tenant
        if tenant is None:
            values = [leaf.value for leaf in _leaves(pred)]
            if not values:
                return q.state
            owned = owned_row(ev, q.origin.table, pred) if not negate else None
            if owned is not None:  # ``get_object_or_404(Project, code=code, owner=request.user)``
                return replace(q.state, key_prov=owned)
            from tenantlint.analysis.interp.exprs import merge_prov

            return replace(q.state, key_prov=merge_prov(values))
        cache = ev.ctx.settings.memo
        key = ("django-paths", tenant.table)
        if key not in cache:
            extra = frozenset(ev.ctx.config.tenant_lookup_fields)
            cache[key] = _tenant_paths(ev.ctx.index, tenant.table) | lookup_paths(
                ev.ctx.index, tenant, extra)
        paths: frozenset[str] = cache[key]  # type: ignore[assignment]
        fk_parents = self.fk_to_tenant(ev, tenant)
        generic = frozenset(key for key, table in generic_parents(ev, tenant, _leaves(pred)).items()
                            if ev.ctx.index.tenant_table(table) is not None)

        def test(leaf: Leaf) -> Pin | None:
            if leaf.key in paths:
                return Pin(leaf.value.prov, Scoping.TRUSTED_FILTER, f"filter {leaf.key}")
            if "__" in leaf.key and leaf.op == "eq":
                link = membership_join(ev, tenant, leaf.key)
                if link is not None:
                    return Pin(leaf.value.prov, Scoping.TRUSTED_FILTER, f"membership join through {link}",
                               confines=not leaf.value.untrusted)
            head = leaf.key.split("__")[0]
            # the id of a scoped row of another table than the parent's: no row of that parent
            parent = leaf.key in fk_parents or head in fk_parents
            foreign = parent and foreign_row_key(ev, tenant, leaf.key, leaf.value)
            if parent and not foreign:
                if leaf.value.scoped_row_of or _scoped_query(leaf.value):
                    return Pin(leaf.value.prov, Scoping.SCOPED_PARENT, f"parent {head}")
            if leaf.key in fk_parents and leaf.value.trusted and not isinstance(leaf.value, QueryValue) \
                    and not foreign:
                # A trusted row of a tenant table (or its id) carries its tenant.
                return Pin(leaf.value.prov, Scoping.SCOPED_PARENT, f"trusted row {leaf.key}")
            if leaf.key in generic and leaf.op == "eq" and not isinstance(leaf.value, QueryValue) \
                    and (leaf.value.trusted or leaf.value.scoped_row_of):
                # ``content_type=<Invite's>, object_id=invite.id``: the rows of a trusted row.
                return Pin(leaf.value.prov, Scoping.SCOPED_PARENT, f"generic relation {leaf.key}")
            carried = carried_pin(ev, tenant, leaf) or own_id_pin(leaf, tenant.table)
            if carried is not None:
                return carried
            return owner_pin(ev, tenant.table, tenant.models, leaf) or capability_pin(ev, tenant, leaf)

        result = tenant_pins(pred, test, lambda leaf: leaf.key in paths)
        state = q.state
        for pin in result.pins:
            state = state.add_pin(pin)
        if not result.pins and result.weakened and not state.weakened:
            state = replace(state, weakened=result.weakened)
        if not result.pins and not negate and ev.fn.handler is None:
            state = anchored(state, pred, lambda leaf: fk_key(leaf.key, fk_parents | generic))
        if not negate and ev.fn.handler is not None:
            latent = latent_parents(pred, fk_parents)
            if latent:
                state = replace(state, latent=state.latent + latent)
        return state

    def fk_to_tenant(self, ev: Evaluation, tenant: TenantTable) -> frozenset[str]:
        """FK fields (and their ``_id`` columns) of the model that point to tenant tables; once per
        table and file (the index does not change during a file's walk)."""
        memo = ev.ctx.plugin_memo.setdefault("django.fk-to-tenant", {})
        assert isinstance(memo, dict)
        held = memo.get(id(tenant))
        if held is not None and held[0] is tenant:
            return held[1]  # type: ignore[no-any-return]
        found = self._fk_to_tenant(ev, tenant)
        memo[id(tenant)] = (tenant, found)
        return found

    def _fk_to_tenant(self, ev: Evaluation, tenant: TenantTable) -> frozenset[str]:
        out: set[str] = set()
        for model_name in tenant.models:
            model = ev.ctx.index.model(model_name)
            if model is None:
                continue
            for f in model.fields:
                if f.fk_target and ev.ctx.index.tenant_table_of_model(f.fk_target) is not None:
                    out.update({f.name, f.column})
                elif f.fk_target and ev.ctx.index.tenant_table(f.fk_target) is not None:
                    out.update({f.name, f.column})
        return frozenset(out)

    # ----- plug-in hooks ---------------------------------------------------------------------------
    def model_attribute(self, ev: Evaluation, model: ModelRef,
                        attr: str, node: cst.Attribute) -> Value | None:
        if attr in NOT_MANAGERS or attr.startswith("__"):
            return Value()
        info = ev.ctx.index.model(model.model)
        if info is not None and any(f.name == attr for f in info.fields):
            return Value()
        settings = ev.ctx.settings
        qualified = f"{model.model}.{attr}"
        if attr in settings.system_scope or qualified in ev.ctx.config.system_scope:
            return ev.new_query(node, "django", model.table, model.tenant,
                                QueryState(bypass=Scoping.SYSTEM_SCOPE))
        if attr in settings.auto_scoped or qualified in ev.ctx.config.auto_scoped_managers or (
                info is not None and attr in info.scoped_managers):
            return ev.new_query(node, "django", model.table, model.tenant,
                                QueryState(bypass=Scoping.AUTO_SCOPED))
        return self.entry_point(ev, model, info, attr, node)

    def entry_point(self, ev: Evaluation, model: ModelRef, info: ModelInfo | None, attr: str,
                    node: cst.Attribute) -> Value:
        """Only a manager starts a query. A constant or nested enum (``Model.ROLE_GUEST``,
        ``Model.Role.choices``) is a plain value. Any other name (a classmethod, a property, a
        manager of a base class the index cannot see) is a query only once a queryset method is
        applied to it or to what it returns (``Model.locked().filter(...)``)."""
        if attr in MANAGERS or (info is not None and attr in info.managers):
            return ev.new_query(node, "django", model.table, model.tenant)
        if attr[:1].isupper():
            return Value()  # ``Model.Role``, ``Model.ROLE_GUEST``: never a manager
        q = ev.new_query(node, "django", model.table, model.tenant)
        if q.origin is not None:
            q.origin.tentative = True
        return q

    def model_call(self, ev: Evaluation, model: ModelRef, call: cst.Call) -> Value | None:
        tenant_set, prov = self.sets_tenant(ev, model.tenant, call)
        fresh = new_row(model, call, ev)
        return Instance(NEW_ROW if fresh else UNKNOWN, model.table if fresh else None,
                        model=model.model, table=model.table, tenant=model.tenant, tenant_set=tenant_set,
                        tenant_prov=prov, node=call)

    def query_method(self, ev: Evaluation, q: QueryValue, method: str, call: cst.Call) -> Value | None:
        settings = ev.ctx.settings
        if q.origin is not None and q.origin.tentative:
            if method not in QUERY_METHODS and method not in settings.scoping_methods \
                    and method not in settings.system_scope:
                ev.eval_args(call)
                if q.origin.node is call.func:  # ``Model.helper()``: what it returns may be a queryset
                    return ev.derive(q, call)
                return Value()  # ``Model.path_template.format(...)``: not a query after all
            q.origin.tentative = False
        if method == "none":
            return self.empty(ev, q, call)
        if method in settings.scoping_methods:
            args = ev.eval_args(call)
            prov = args[0].prov if args else Provenance.trusted(method)
            return ev.derive(q, call, q.state.add_pin(Pin(prov, Scoping.SCOPING_METHOD, method)))
        if method in settings.system_scope:
            ev.eval_args(call)
            return ev.derive(q, call, replace(q.state, bypass=Scoping.SYSTEM_SCOPE))
        if method == "filter" or method == "exclude":
            preds = self.leaves(ev, call)
            state = self.apply(ev, q, conj(*preds) if preds else None, negate=method == "exclude")
            return ev.derive(q, call, state)
        if method in ("union", "intersection", "difference"):
            for arg in call.args:
                ev.eval(arg.value)
            return ev.derive(q, call)
        if method in ROW_READS:
            preds = self.leaves(ev, call)
            state = self.apply(ev, q, conj(*preds) if preds else None)
            final = ev.derive(q, call, state)
            ev.consume(final)
            return ev.row_of(final)
        if method in READS:
            ev.eval_args(call)
            final = ev.derive(q, call)
            ev.consume(final)
            return Value()
        if method in WRITES:
            state = q.state
            if q.origin is not None and method.lstrip("a") == "update":
                names = insert_names(q.origin.tenant)
                for arg in call.args:
                    v = ev.eval(arg.value)
                    if arg.keyword is not None and arg.keyword.value in names and v.untrusted:
                        state = replace(state, written_untrusted=v.prov)
            final = ev.derive(q, call, state)
            ev.consume(final, QueryKind.WRITE)
            return Value()
        if method in CREATES or method in GET_OR_CREATE:
            return self.create(ev, q, call, method in GET_OR_CREATE)
        if method in BULK_CREATE:
            return self.bulk_create(ev, q, call)
        if method in BULK_UPDATE:
            ev.eval_args(call)
            if q.origin is not None:
                q.origin.internal = True
            return Value()
        if method in ("raw",):
            if q.origin is not None:
                q.origin.internal = True
            return None
        if method not in QUERY_METHODS and (summary := summary_of(ev, q, method, call)) is not None:
            # ``Model.objects.live(environment=env)``: the project method's filter, bound to the call
            preds = bound_leaves(ev, summary, call, ev.eval_args(call))
            return ev.derive(q, call, self.apply(ev, q, conj(*preds)) if preds else None)
        if method in CHAIN or method not in ("save",):
            ev.eval_args(call)
            return ev.derive(q, call)
        return None

    def empty(self, ev: Evaluation, q: QueryValue, call: cst.Call) -> Value:
        """``qs.none()`` fetches nothing: not a query. A queryset built in this very statement and
        not used otherwise is dropped; an earlier one keeps the uses it had."""
        ev.eval_args(call)
        origin = q.origin
        if origin is not None and not origin.uses and origin.statement is ev.fn.statement:
            ev.discard(origin)
        return Value()

    def function_call(self, ev: Evaluation, qualname: str, call: cst.Call) -> Value | None:
        last = qualname.rsplit(".", 1)[-1]
        if last in ("get_object_or_404", "get_list_or_404", "aget_object_or_404", "aget_list_or_404"):
            if not call.args:
                return None
            target = ev.eval(call.args[0].value, use=False)
            if isinstance(target, ModelRef):
                q = ev.new_query(call, "django", target.table, target.tenant)
            elif isinstance(target, QueryValue):
                q = target
            else:
                ev.eval_args(call)
                return Value()
            rest = cst.Call(func=call.func, args=call.args[1:])
            preds = self.leaves(ev, rest)
            state = self.apply(ev, q, conj(*preds) if preds else None)
            final = ev.derive(q, call, state)
            ev.consume(final)
            return ev.row_of(final) if "object" in last else Value()
        if last in ("OuterRef", "Prefetch") and _is_django_models(qualname, last):
            return self._outer_row(ev, call) if last == "OuterRef" else self._prefetch(ev, call)
        if last == "get_for_model":
            return content_type(ev, qualname, call)
        if last == "Q" and (qualname in ("Q", "django.db.models.Q") or qualname.endswith("models.Q")):
            preds = self.leaves(ev, call)
            return PredValue(pred=conj(*preds) if preds else None)
        return None

    def _outer_row(self, ev: Evaluation, call: cst.Call) -> Value:
        """``OuterRef("id")``: the row of the enclosing query. That query is judged on its own, so
        a subquery pinning a foreign key (or the tenant column) to it is scoped through it."""
        ev.eval_args(call)
        field = _string(call.args[0].value) if call.args and call.args[0].keyword is None else None
        # ``key_field``: the outer row's field it names (``pk``: its primary key, ``orm/carried.py``)
        return Value(Provenance.trusted("row of the outer query"), scoped_row_of=OUTER_ROW,
                     key_field=field or "")

    def _prefetch(self, ev: Evaluation, call: cst.Call) -> Value:
        """``Prefetch("rel", queryset=qs)``: Django confines ``qs`` to the rows related to those of
        the outer query (a related manager in bulk), which is judged on its own."""
        for i, arg in enumerate(call.args):
            is_queryset = arg.keyword.value == "queryset" if arg.keyword else i == 1
            value = ev.eval(arg.value, use=not is_queryset)
            if is_queryset and isinstance(value, QueryValue) and value.origin is not None:
                lookup = _string(call.args[0].value) if call.args else None
                pin = Pin(Provenance.trusted("prefetch"), Scoping.SCOPED_PARENT,
                          f"prefetched via {lookup or 'relation'}")
                ev.consume(ev.derive(value, value.origin.node, value.state.add_pin(pin)))
            elif is_queryset and isinstance(value, QueryValue):
                ev.consume(value)
        return Value()

    def combine(self, ev: Evaluation, node: cst.BinaryOperation) -> Value | None:
        if not isinstance(node.operator, cst.BitOr | cst.BitAnd):
            return None
        left = ev.eval(node.left, use=False)
        right = ev.eval(node.right, use=False)
        op = "or" if isinstance(node.operator, cst.BitOr) else "and"
        return self.combine_values(ev, node, op, left, right)

    def combine_values(self, ev: Evaluation, node: cst.CSTNode, op: str, left: Value, right: Value) -> Value:
        """``left | right`` / ``left & right`` (also ``left |= right``) on evaluated operands."""
        if isinstance(left, PredValue) and isinstance(right, PredValue):
            if left.pred is None or right.pred is None:
                return PredValue(pred=left.pred or right.pred)
            return PredValue(pred=Junction(op, (left.pred, right.pred)))
        if isinstance(left, QueryValue) and isinstance(right, QueryValue) and left.origin is not None:
            other = right.origin
            if other is not None and other is not left.origin:
                ev.discard(other)
            if op == "and":
                state = left.state
                for pin in right.state.pins:
                    state = state.add_pin(pin)
                return ev.derive(left, node, state)
            ls, rs = left.state, right.state
            if ls.pins and rs.pins:
                return ev.derive(left, node, QueryState(pins=ls.pins + rs.pins))
            if any(p.how not in CONFINING for p in ls.pins + rs.pins):
                return ev.derive(left, node, QueryState(weakened="under OR"))
            return ev.derive(left, node, QueryState())
        united = union_with_scoped(ev, op, left, right)
        if united is not None:
            return united
        if isinstance(left, QueryValue):
            ev.consume(left)
        if isinstance(right, QueryValue):
            ev.consume(right)
        if isinstance(node, cst.BinaryOperation):  # sets of ids: ``scoped_ids & wanted``
            return operator_value(node.operator, left, right, (node.left, node.right))
        from tenantlint.analysis.interp.exprs import merge_prov

        return Value(merge_prov([left, right]))

    def save_instance(self, ev: Evaluation, inst: Instance, call: cst.Call) -> bool:
        """``invoice.save()``: an instance with no constructing node is a row that already exists
        (``objects.create()`` returned it): saving it again updates that row, it inserts nothing."""
        if inst.node is not None:
            ev.record_insert(inst.node, inst.table, inst.tenant is not None, inst.tenant_set,
                             inst.tenant_prov, "django")
        return True

    def negate(self, ev: Evaluation, node: cst.UnaryOperation) -> Value | None:
        if not isinstance(node.operator, cst.BitInvert):
            return None
        inner = ev.eval(node.expression, use=False)
        if isinstance(inner, PredValue) and inner.pred is not None:
            return PredValue(pred=Junction("not", (inner.pred,)))
        return Value(inner.prov if not isinstance(inner, QueryValue) else UNKNOWN)

    def query_like(self, ev: Evaluation, call: cst.Call, qualname: str) -> str | None:
        func = call.func
        return unresolved.method_call(ev, func, MANAGERS) if isinstance(func, cst.Attribute) else None

    def compare(self, ev: Evaluation, node: cst.Comparison) -> Value | None:
        return None


def membership_join(ev: Evaluation, tenant: TenantTable, key: str) -> str | None:
    """The membership table of ``project__members__member``-style lookups (memoised per run)."""
    memo = ev.ctx.settings.memo
    slot = ("membership-join", f"{tenant.table}|{key}")
    if slot not in memo:
        memo[slot] = next(
            (link for m in tenant.models if (link := is_membership_join(ev.ctx.index, m, key))), None)
    found = memo[slot]
    return found if isinstance(found, str) else None


def _leaves(pred: Pred) -> list[Leaf]:
    if isinstance(pred, Leaf):
        return [pred]
    return [leaf for child in pred.children for leaf in _leaves(child)]


def _scoped_query(value: Value) -> bool:
    """A scoped queryset used as a parent filter (``invoice__in=scoped_invoices``)."""
    if not isinstance(value, QueryValue) or value.origin is None or value.origin.tenant is None:
        return False
    scoping, untrusted, _ = value.state.verdict()
    return scoping.is_safe and untrusted is None


ORM = DjangoOrm()
