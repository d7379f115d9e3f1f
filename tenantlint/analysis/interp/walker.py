"""Statement-order walk of each function: the flow-sensitive part of the analysis.

libcst's ScopeProvider is not flow-sensitive (it does not know which assignment reaches a use), so
values are tracked here: each function body is walked in order, branches are walked on copies of the
environment and merged (the worse value wins), loops are walked once and merged with the state before
them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from functools import partial
from typing import cast

import libcst as cst

from tenantlint.analysis.facts import (
    FunctionFact,
    Provenance,
    RequestReadFact,
)
from tenantlint.analysis.interp import (
    id_sets,
    keyed_fetch,
    later_keys,
    map_keys,
    maybe_none,
    row_maps,
    scoped_ids,
    scoped_keys,
)
from tenantlint.analysis.interp.access_predicates import access_guards
from tenantlint.analysis.interp.after_fetch import (
    checked_after_fetch,
    checked_in_branch,
    own_row,
    refuses,
    yes_then_refusal,
)
from tenantlint.analysis.interp.by_id_rows import by_id_kind
from tenantlint.analysis.interp.call_rows import unpacked_call
from tenantlint.analysis.interp.calls import param_entries, param_keys, resolve_call
from tenantlint.analysis.interp.checked_loops import cancel_touched, each_checked
from tenantlint.analysis.interp.checks import (
    ALL_PARAMS,
    SHARED_HOOKS,
    action_checks,
    decorator_permission_classes,
    permission_classes,
    property_params,
    verified_names,
    verify_earlier,
)
from tenantlint.analysis.interp.cli_commands import COMMAND_LINE, MANAGEMENT_COMMAND, cli_command
from tenantlint.analysis.interp.constant_locals import constant_value
from tenantlint.analysis.interp.constructors import init_of_built
from tenantlint.analysis.interp.declared_checks import (
    permission_answer,
    rows_checked_by,
    statement_call,
)
from tenantlint.analysis.interp.derived_locals import as_constants, derived_value, one_model
from tenantlint.analysis.interp.equal_guard import narrow_equal, narrow_member
from tenantlint.analysis.interp.evaluator import Evaluator
from tenantlint.analysis.interp.executor_calls import inner_call
from tenantlint.analysis.interp.exprs import (
    EACH_PREFIX,
    STORED_PREFIX,
    URL_VERIFIED,
    VERIFIED_PREFIX,
    base_name,
    dotted,
    dotted_name,
    string_value,
    verified_key,
)
from tenantlint.analysis.interp.field_checks import mark_checked, related_fields, validated_fields
from tenantlint.analysis.interp.field_narrowing import narrowings
from tenantlint.analysis.interp.file_context import FileContext
from tenantlint.analysis.interp.filter_dicts import dict_kind
from tenantlint.analysis.interp.fixed_sets import admitted
from tenantlint.analysis.interp.flag_answers import verdict_checked
from tenantlint.analysis.interp.function_state import (
    FunctionState,
    decorator_names,
    function_params,
    merge_env,
)
from tenantlint.analysis.interp.guarded_scope import keep_guarded
from tenantlint.analysis.interp.guards import (
    bound_guards,
    encoded,
    fixed_args,
    fixed_guards,
    is_parameter,
    negated_alternatives,
    pin_guarded,
    tenant_attrs,
)
from tenantlint.analysis.interp.held_models import generic_walks, held_models
from tenantlint.analysis.interp.id_sets import id_sets_kind
from tenantlint.analysis.interp.init_attrs import init_ports
from tenantlint.analysis.interp.inline_check import inline_membership, membership_branch, refusing_membership
from tenantlint.analysis.interp.kept_entries import kept_arg, kept_params
from tenantlint.analysis.interp.keyed_ids import keyed_ids_kind
from tenantlint.analysis.interp.keyword_guards import keyword_guards
from tenantlint.analysis.interp.kwargs_filters import spread_filter, spread_param
from tenantlint.analysis.interp.local_types import expr_type, param_types
from tenantlint.analysis.interp.member_loops import proven_by_member_loop
from tenantlint.analysis.interp.mixin_rows import mark_class_row
from tenantlint.analysis.interp.narrowing import narrowing_names, narrows_only
from tenantlint.analysis.interp.nested import nested_def, nested_keys, settle
from tenantlint.analysis.interp.new_tenant_keys import names_new_tenant
from tenantlint.analysis.interp.own_queryset import keep_own_queryset, own_queryset_first
from tenantlint.analysis.interp.param_models import param_model_walks
from tenantlint.analysis.interp.passes import pass_through, returned_names
from tenantlint.analysis.interp.permission_method import returned_permissions
from tenantlint.analysis.interp.predicates import PredValue
from tenantlint.analysis.interp.receivers import SELF_CLASS
from tenantlint.analysis.interp.returns import NO_VALUE, builder_kind, built_query, return_kind, unexecuted
from tenantlint.analysis.interp.schema_changes import SCHEMA_CHANGE, schema_change
from tenantlint.analysis.interp.signatures import (
    call_signature,
    forwarding_names,
    function_fact,
    renamed_task,
    row_params,
    summary_params,
)
from tenantlint.analysis.interp.startup import (
    MAIN_BLOCK,
    STARTUP,
    app_config_ready,
    hook_decorator,
    is_main_guard,
    registered_hooks,
)
from tenantlint.analysis.interp.startup_hints import MAIN_NAME
from tenantlint.analysis.interp.stored_entries import cancel_stored, keep_stored, store
from tenantlint.analysis.interp.system_handlers import operator_permission, system_handler
from tenantlint.analysis.interp.trusted_context import (
    SCHEDULED,
    SYSTEM_PATH,
    forwarded_parameters,
    in_system_path,
    injected_parameters,
    named_trusted,
    user_annotated,
)
from tenantlint.analysis.interp.unroll import named_items
from tenantlint.analysis.interp.user_lookup import user_lookup_kind
from tenantlint.analysis.interp.values import (
    CONSTANT_ORIGIN,
    DictValue,
    IdSets,
    Instance,
    ModelRef,
    Origin,
    QueryValue,
    RowMapView,
    RowValue,
    ScopedKeys,
    Value,
    empty_dict,
    worse,
)
from tenantlint.analysis.interp.view_methods import view_definition
from tenantlint.analysis.interp.worker_lifecycle import lifecycle_reason
from tenantlint.analysis.plugins import PATH, ClassInfo, HandlerInfo
from tenantlint.analysis.rawsql.constants import module_name, resolve_import
from tenantlint.analysis.rawsql.text import augmented
from tenantlint.analysis.source.positions import code_children
from tenantlint.crossfn.reach import definition
from tenantlint.index.membership import VIEW_PROPERTY
from tenantlint.index.relations import is_user_model


class Walker:
    def __init__(self, ctx: FileContext) -> None:
        self.ctx = ctx
        checks = ctx.settings.membership_checks
        source = ctx.source
        # a file that never spells a membership check's name calls none: no statement is searched
        self.checks = frozenset(checks) if source is None else frozenset(c for c in checks if c in source)
        declared = ctx.settings.last(ctx.settings.config.membership_checks)
        self.declared = self.checks & declared  # named by the user: rows passed to them are checked
        self._registered: dict[str, str] | None = None  # start-up hooks the module registers

    # ----- module and classes ----------------------------------------------------------------
    def walk_module(self) -> None:
        self._collect_classes(self.ctx.module.body)
        system = 1 if in_system_path(self.ctx.path, self.ctx.settings.config) else 0
        state = FunctionState(None, ctx=self.ctx, system_depth=system, scope=module_name(self.ctx.path),
                              system_reason=SYSTEM_PATH if system else "")
        self.block(self.ctx.module.body, state, None)

    def _collect_classes(self, body: object) -> None:
        for stmt in body:  # type: ignore[attr-defined]
            if isinstance(stmt, cst.ClassDef):
                bases = tuple(
                    self.ctx.imports.qualify(t) for a in stmt.bases if (t := base_name(a.value))
                )
                self.ctx.local_classes[stmt.name.value] = ClassInfo(stmt.name.value, bases, stmt)

    def walk_class(self, node: cst.ClassDef, outer: FunctionState) -> None:
        info = self.ctx.local_classes.get(node.name.value)
        if info is None or info.node is not node:
            bases = tuple(self.ctx.imports.qualify(t) for a in node.bases if (t := base_name(a.value)))
            info = ClassInfo(node.name.value, bases, node)
        state = FunctionState(None, dict(outer.env), ctx=self.ctx, system_depth=outer.system_depth,
                              system_reason=outer.system_reason)
        state.class_attrs = {}
        state.owner = info
        state.scope = f"{outer.scope}.{node.name.value}" if outer.scope else ""
        state.models = held_models(self.ctx, info)
        is_view = self.ctx.is_view_class(info)
        from tenantlint.analysis.views import ViewCheck

        view = ViewCheck(self.ctx, info) if is_view else None
        body = node.body.body if isinstance(node.body, cst.IndentedBlock) else ()
        if view is not None:
            # A view's class body runs before any of its methods, and its own ``get_queryset``
            # before the methods calling ``self.get_queryset()`` are read (``own_queryset``).
            body = own_queryset_first(body)
        for stmt in body:
            if isinstance(stmt, cst.FunctionDef):
                walks = generic_walks(self.ctx, info, stmt, state.models) if view is None else []
                kinds: list[tuple[str, str]] = []
                for i, walk in enumerate(walks):  # a generic base method: once per concrete model
                    walked = self.walk_function(stmt, info, state, walk.models, walk.label, record=i == 0)
                    model = walk.models.get(SELF_CLASS)
                    kinds.append((return_kind(walked.returns), model.table if model is not None else ""))
                if walks and state.scope:  # a mixin's scoped row of each model (``mixin_rows.py``)
                    mark_class_row(self.ctx.facts.functions, f"{state.scope}.{stmt.name.value}", stmt, kinds)
                if walks:
                    continue
                fstate = self.walk_function(stmt, info, state)
                if view is not None and stmt.name.value == "get_queryset":
                    view.own_get_queryset(fstate)
                    keep_own_queryset(state.class_attrs, fstate.returns)
            elif isinstance(stmt, cst.ClassDef):
                self.walk_class(stmt, state)
            elif view is not None and isinstance(stmt, cst.SimpleStatementLine):
                if not view.class_assignment(stmt, state):
                    self.statement(stmt, state)
            else:
                self.statement(stmt, state)
        if view is not None:
            view.finish()

    # ----- functions ---------------------------------------------------------------------------
    def handler_for(self, fn: cst.FunctionDef, cls: ClassInfo | None) -> HandlerInfo | None:
        for fw in self.ctx.plugins.frameworks:
            info = fw.handler(self.ctx, fn, cls)
            if info is not None:
                return info
        names = decorator_names(fn)
        if any(n.rsplit(".", 1)[-1] in self.ctx.settings.handler_decorators for n in names):
            params = {
                p.name.value: Value(Provenance.untrusted(f"{PATH} '{p.name.value}'"))
                for p in function_params(fn)
                if p.name.value not in ("self", "cls", "request")
            }
            name = f"{cls.name}.{fn.name.value}" if cls else fn.name.value
            return HandlerInfo(name, "custom", params)
        return None

    def walk_function(
        self, fn: cst.FunctionDef, cls: ClassInfo | None, outer: FunctionState,
        models: dict[str, ModelRef] | None = None, binding: str | None = None,
        bound: dict[str, Value] | None = None, record: bool = False,
    ) -> FunctionState:
        """``record``: the first walk of a generic base method (``binding``) records the function
        (its parameters, for its summary), though not what it returns: that is each walk's own."""
        names = decorator_names(fn)
        handler, env = self._entry_env(fn, cls, outer, names)
        if bound:
            env.update(bound)  # parameters bound to the models the caller passes (``param_models.py``)
        settings = self.ctx.settings
        system = outer.system_depth + (
            1 if any(n.rsplit(".", 1)[-1] in settings.system_handlers for n in names) else 0
        ) + (1 if handler is not None and handler.system else 0)
        qualname = f"{outer.scope}.{fn.name.value}" if outer.scope else None
        reason = outer.system_reason
        if handler is None:
            own = self._system_reason(fn, cls, qualname, names, system)
            if own is not None:
                system += 1
                reason = own
        else:
            permission = operator_permission(self.ctx, cls) if cls is not None else None
            if system > outer.system_depth or permission is not None:  # system code by itself
                system = max(system, outer.system_depth + 1)
                reason = reason or system_handler(names, settings, permission)
        ports = summary_params(fn, names, method=cls is not None) + init_ports(fn, cls.node if cls else None)
        inputs: frozenset[str] = frozenset()
        if cls is not None and handler is None:
            self._method_rows(fn, cls, env)
            inputs = frozenset().union(*(fw.method_inputs(self.ctx, cls, fn)
                                         for fw in self.ctx.plugins.frameworks)) - set(ports)
        if handler is None and fn.decorators:
            for orm in self.ctx.plugins.orms:  # an ORM event listener's ``target`` row
                env.update(orm.function_rows(self.ctx, fn))
        state = FunctionState(handler, env, ctx=self.ctx, system_depth=system,
                              class_attrs=outer.class_attrs if cls is not None else {},
                              owner=cls if cls is not None else outer.owner,
                              models=outer.models if models is None else models,
                              binding=binding or outer.binding, qualname=qualname,
                              params=(frozenset(ports) | inputs) - set(env), system_reason=reason)
        state.types.update(param_types(self.ctx, fn, function_params(fn)))
        if handler is None:
            state.spread = spread_param(fn)
        if outer.scope:
            state.module_env = outer.env
        else:
            enclose(state, outer, fn)
        fact = None
        if qualname is not None and (binding is None or record):
            fact = function_fact(fn, qualname, ports, handler, names, settings.membership_checks,
                                 forwarding_names(self.ctx, fn) if names else frozenset())
            # scheduled, start-up code, a system_scope handler, or in a system_paths file
            fact.system = reason if handler is None or system else ""
            fact.rows = row_params(self.ctx, fn, ports)
            fact.signature = call_signature(fn, names, method=cls is not None)
            fact.open |= init_of_built(fn, cls)  # its constructions may not be all its calls
            if handler is None and not renamed_task(fn):  # what only code naming it can call
                qualified = [self.ctx.imports.qualify(n) for n in names]
                qualified += ["?"] * (len(fn.decorators) - len(names))  # ``@handlers["x"]``: unknown
                fact.definition = view_definition(self.ctx, cls, definition(
                    qualified, method=cls is not None,
                    class_decorators=() if cls is None else self._class_decorators(cls.node)))
                fact.bases = cls.bases if cls is not None else ()
            self.ctx.facts.functions.append(fact)
        for d in fn.decorators:
            state.statement = d
            Evaluator(self.ctx, state).eval(d.decorator, use=False)
        body = fn.body.body if isinstance(fn.body, cst.IndentedBlock) else fn.body.body
        state.body = fn.body
        reads = len(self.ctx.facts.request_reads)
        self.block(body, state, cls)
        settle(state.nested_defs)
        if handler is not None and len(self.ctx.facts.request_reads) > reads:
            self._new_tenant_reads(fn, reads)
        if fact is not None and handler is None:
            self._summarise(fn, cls, state, fact, qualname, generic=binding is not None)
        return state

    def _summarise(self, fn: cst.FunctionDef, cls: ClassInfo | None, state: FunctionState,
                   fact: FunctionFact, qualname: str | None, generic: bool) -> None:
        """What a function that is no handler tells its callers: its guards and what it returns.
        The first walk of a generic base method (``generic``) tells only whether it is a by-id
        getter: its other kinds are each walk's own."""
        if not fact.open:
            fact.keeps = kept_params(fn, fact.params, state.query_calls)
        if generic:
            fact.returns = by_id_kind(state.returns, state.return_nodes, fact.params, generic=True)
            return
        ev = Evaluator(self.ctx, state)
        refusing, predicate, fetched = access_guards(
            fn, fact.params, self._tenant_attrs(), lambda n: ev.eval(n, use=False).trusted,
            lambda call: self._call_guards(state, call),
            lambda call: self._fixed_args(state, call))  # its own fetch, checked by its answer:
        pin_guarded(state, [*refusing, *predicate], fetched, lambda n: ev.eval(cst.Name(n), use=False))
        fact.guards = encoded(refusing, predicate) + fixed_guards(fn, fact.params)
        fact.returns = (return_kind(state.returns)
                        or user_lookup_kind(self.ctx, state.returns, fact.params)
                        or dict_kind(state.returns, frozenset(fact.params))
                        or by_id_kind(state.returns, state.return_nodes, fact.params)
                        or keyed_ids_kind(state.returns, fact.params)
                        or id_sets_kind(state.returns, fact.params))
        built = built_query(state.returns, state.fresh_returns, qualname)
        if built is not None and built.origin is not None:
            fact.built, fact.returns = built.origin.node, builder_kind(built)
        if state.returned_names:
            fact.passes = pass_through(fn, fact.params, state.returned_names, _methods(cls))

    def _system_reason(self, fn: cst.FunctionDef, cls: ClassInfo | None, qualname: str | None,
                       names: list[str], system: int) -> str | None:
        """Why a function that is no handler is system code by itself, if it is."""
        settings = self.ctx.settings
        if qualname is not None and settings.schedules:
            where = settings.schedules.where(qualname)
            if where is not None:  # a scheduler runs it on a timer: no request, no tenant
                return f"{SCHEDULED}{where}"
        if system:
            return None
        command = cli_command(names, self.ctx.imports) if names else None
        if command is not None:  # run by an operator from a shell: every tenant's rows on purpose
            return f"{COMMAND_LINE}{command}"
        if cls is not None:  # ``manage.py`` runs a command class's ``handle``, and so its methods
            for fw in self.ctx.plugins.frameworks:
                base = fw.command_class(self.ctx, cls)
                if base is not None:
                    return f"{MANAGEMENT_COMMAND}{cls.name} ({base})"
            if qualname is not None:  # a queue worker's ``start``/``stop``: run for no event
                lifecycle = lifecycle_reason(settings.facts.named_queues, qualname, cls.node, fn, names)
                if lifecycle is not None:
                    return lifecycle
        change = schema_change(self.ctx, fn)
        if change is not None:  # a migration written as a function: every tenant's rows on purpose
            return f"{SCHEMA_CHANGE}{change}"
        hook = hook_decorator(fn) if names else None
        if hook is None and cls is None and qualname is not None:
            hook = self._hooks().get(fn.name.value)
        if hook is None and cls is not None and app_config_ready(fn, cls.bases):
            hook = f"{cls.name}.ready (a Django AppConfig)"
        if hook is not None:  # runs when the process starts or stops: no request, no tenant
            return f"{STARTUP}{hook}"
        return None

    def _new_tenant_reads(self, fn: cst.FunctionDef, start: int) -> None:
        """The handler's tenant-key reads from ``start`` on that only name a new tenant are no
        choice of tenant (``new_tenant_keys.py``)."""
        reads = self.ctx.facts.request_reads
        reads[start:] = [r for r in reads[start:] if not names_new_tenant(self.ctx, fn.body, r.node, r.key)]

    def _hooks(self) -> dict[str, str]:
        """Module-level functions the module registers as start-up or shutdown hooks -> how."""
        if self._registered is None:
            self._registered = registered_hooks(self.ctx.module, self.ctx.source)
        return self._registered

    def _main_block(self, stmt: cst.If, state: FunctionState) -> None:
        """A module's ``if __name__ == "__main__":`` block, walked as the function ``<module>.__main__``
        in system scope (a script's entry point); its ``else`` is module code as usual."""
        qualname = f"{state.scope}.{MAIN_NAME}"
        inner = FunctionState(None, dict(state.env), ctx=self.ctx, system_depth=state.system_depth + 1,
                              qualname=qualname, system_reason=state.system_reason or MAIN_BLOCK)
        inner.module_env = state.env
        inner.body = stmt.body
        fact = FunctionFact(stmt, qualname, (), None, False, system=inner.system_reason)
        self.ctx.facts.functions.append(fact)
        self.block(stmt.body.body, inner, None)
        if isinstance(stmt.orelse, cst.Else):
            self.block(stmt.orelse.body.body, state, None)
        elif stmt.orelse is not None:
            self.statement(stmt.orelse, state)

    def _call_guards(self, state: FunctionState, call: cst.Call
                     ) -> list[tuple[cst.BaseExpression, str, cst.BaseExpression | None, bool]]:
        """The tenant guards of the project function ``call`` resolves to, bound to its arguments."""
        call = inner_call(self.ctx, state, call) or call  # ``thread_pool_exec(check, pk)``
        params, found = self._guards_of(state, call)
        return bound_guards(params, found, call) if found else []

    def _fixed_args(self, state: FunctionState, call: cst.Call) -> list[cst.BaseExpression]:
        """The arguments of ``call`` its "yes" proves to be in a set the server's configuration fixes,
        if it resolves to a fixed-set predicate of the project (``fixed_sets.py``)."""
        params, found = self._guards_of(state, call)
        return fixed_args(params, found, call) if found else []

    def _guards_of(self, state: FunctionState, call: cst.Call) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The parameters and encoded guards of the project function ``call`` resolves to (none when
        it resolves to none, or no function of the project has guards)."""
        returns = self.ctx.settings.returns
        if not returns.guards and not self.ctx.settings.facts.keyword_lookups:
            return (), ()
        callee = resolve_call(self.ctx, state, call.func)
        if callee is None:
            return (), ()
        params, found = returns.guards_of(callee)
        return params, found + keyword_guards(self.ctx, call, callee)

    def _tenant_attrs(self) -> frozenset[str]:
        memo = self.ctx.settings.memo
        slot = ("guards", "tenant-attrs")
        found = memo.get(slot)
        if not isinstance(found, frozenset):
            found = memo[slot] = tenant_attrs(self.ctx.index)
        return found

    def _entry_env(self, fn: cst.FunctionDef, cls: ClassInfo | None, outer: FunctionState,
                   names: list[str]) -> tuple[HandlerInfo | None, dict[str, Value]]:
        """The handler ``fn`` is (if any) and the environment its body starts with: the enclosing
        one without ``fn``'s parameters, then the handler's parameters and the injected ones."""
        handler = self.handler_for(fn, cls)
        env = dict(outer.env)
        for p in function_params(fn):
            env.pop(p.name.value, None)
        settings = self.ctx.settings
        injected = forwarded_parameters(fn, names, settings.injections)
        injected.update(injected_parameters(names, settings.trusted_parameters))
        if handler is not None:
            injected.update(named_trusted(handler.params, settings.trusted, injected))
            index = settings.index
            url_only = any(fw.url_only_parameters for fw in self.ctx.plugins.frameworks
                           if fw.name == handler.framework)
            for k, v in user_annotated(fn, url_only, handler.params,
                                       lambda name: is_user_model(index, name)).items():
                injected.setdefault(k, v)
            if injected:
                handler = replace(
                    handler, params={k: v for k, v in handler.params.items() if k not in injected},
                    reads=tuple(r for r in handler.reads if not _names_param(r[0], injected)))
            handler = self._handler_params(handler, fn, cls, names, env)
        env.update(injected)
        return handler, env

    def _handler_params(self, handler: HandlerInfo, fn: cst.FunctionDef, cls: ClassInfo | None,
                        names: list[str], env: dict[str, Value]) -> HandlerInfo:
        """Bind the handler's parameters in ``env`` (those its membership checks verified are
        trusted) and record its signature reads; the handler with what its checks verified."""
        settings = self.ctx.settings
        checks = [n.rsplit(".", 1)[-1] for n in names] + decorator_permission_classes(fn)
        if cls is not None:
            declared = permission_classes(self.ctx, cls)
            checks += declared + returned_permissions(self.ctx, cls, lambda: declared)
            if fn.name.value in SHARED_HOOKS and not any(c in settings.check_verifies for c in checks):
                checks += action_checks(cls, settings.check_verifies)
        verified = verified_names(settings.check_verifies, checks)
        through: dict[str, str] = {}  # parameters verified as a property of the view -> its name
        if any(v.startswith(VIEW_PROPERTY) for v in verified):
            through = property_params(self.ctx, cls, verified, handler.params)
            verified = frozenset(v for v in verified if not v.startswith(VIEW_PROPERTY)) | through.keys()
        by = _verified_by(checks, len(names), settings.check_verifies)
        if verified:
            handler = replace(handler, verified=handler.verified | verified, verified_by=by)
        for node, key, kind in handler.reads:
            self.ctx.facts.request_reads.append(RequestReadFact(node, key, kind, handler.name))
        star = fn.params.star_kwarg
        for k, v in handler.params.items():
            if v.untrusted and (ALL_PARAMS in verified or k in verified):
                alias = f" as view.{through[k]}" if k in through else ""
                v = Value(Provenance.trusted(f"{k}{alias}, verified by {by}"))
            elif v.untrusted and verified and isinstance(star, cst.Param) and star.name.value == k:
                # ``**kwargs`` of a view: the URL parameters, those the checks verified trusted
                items = tuple((name, Value(Provenance.trusted(f"{name}, verified by {by}")))
                              for name in sorted(verified))
                v = DictValue(v.prov, items=items)
            env[k] = v
        return handler

    def _method_rows(self, fn: cst.FunctionDef, cls: ClassInfo, env: dict[str, Value]) -> None:
        """Rows a method that is no handler holds: ``self`` of a tenant model, and the rows its
        framework knows (``instance`` of a serializer's ``update``)."""
        own = own_row(self.ctx, cls, fn)
        if own is not None:
            env[own[0]] = own[1]
        for fw in self.ctx.plugins.frameworks:
            env.update(fw.method_rows(self.ctx, cls, fn))

    # ----- statements --------------------------------------------------------------------------
    def block(self, body: object, state: FunctionState, cls: ClassInfo | None) -> None:
        stmts = list(body)  # type: ignore[call-overload]
        for i, stmt in enumerate(stmts):
            # exact classes (libcst's have no subclasses): an ``isinstance`` that fails on one runs
            # ``ABCMeta.__instancecheck__``, four times per simple statement here
            kind = type(stmt)
            if kind is cst.SimpleStatementLine:
                self.statement(stmt, state)
                continue
            yes = kind is cst.If and i + 1 < len(stmts) and yes_then_refusal(stmt, stmts[i + 1])
            if yes:
                state.negated_calls.add(id(yes))  # ``if can_read(...): return row`` then ``raise``
            if isinstance(stmt, cst.FunctionDef):
                walks = param_model_walks(self.ctx, stmt, body) if state.scope == "" else []
                for label, bound in walks:  # ``def count(model): ...`` called with models: once each
                    self.walk_function(stmt, None, state, binding=label, bound=dict(bound))
                if not walks:
                    self.walk_function(stmt, None, state)
            elif isinstance(stmt, cst.ClassDef):
                self.walk_class(stmt, state)
            elif (isinstance(stmt, cst.If) and state.owner is None and state.qualname is None
                  and state.scope and is_main_guard(stmt.test)):
                state.statement = stmt
                self._main_block(stmt, state)
            else:
                self.statement(stmt, state)

    def statement(self, stmt: cst.CSTNode, state: FunctionState) -> None:
        facts, origins = self.ctx.facts, self.ctx.origins
        marks = (len(facts.queries), len(facts.request_reads), len(facts.views), len(facts.sql_problems),
                 len(origins))
        try:
            self._statement(stmt, state)
        finally:
            # Position hints: the statement each new fact was made in (inner statements claim first).
            hints = self.ctx.statement_hints
            for made, mark in ((facts.queries, marks[0]), (facts.request_reads, marks[1]),
                               (facts.views, marks[2]), (facts.sql_problems, marks[3])):
                if len(made) > mark:  # most statements make no fact: no slice, no list
                    for f in made[mark:]:
                        hints.setdefault(id(f.node), stmt)
            for origin in origins[marks[4]:]:
                hints.setdefault(id(origin.node), origin.statement)
                if origin.statement is stmt and origin.function is not None and state.handler is None:
                    self._function_query(origin, state)

    def _class_decorators(self, node: cst.ClassDef) -> list[str]:
        """The dotted names of a class's decorators (``?`` for one with none) that may call its
        methods: a project decorator that only files the class in a dict calls nothing of it
        (``index/registry_decorators.py``) and is left out (``crossfn/reach.py``)."""
        registries = self.ctx.settings.facts.registry_decorators
        out: list[str] = []
        for d in node.decorators:
            name = dotted_name(d.decorator.func if isinstance(d.decorator, cst.Call) else d.decorator)
            if name and not isinstance(d.decorator, cst.Call) and self._qualified(name) in registries:
                continue
            out.append(name or "?")
        return out

    def _qualified(self, name: str) -> str:
        """The qualified name of a module-level name: imported, or defined in this module."""
        imports = self.ctx.imports
        if name.partition(".")[0] in imports.names:
            return resolve_import(imports.qualify(name), self.ctx.path)
        module = module_name(self.ctx.path)
        return f"{module}.{name}" if module else name

    def _function_query(self, origin: Origin, state: FunctionState) -> None:
        """A query made in a function that is no handler: the parameters it is keyed by (judged at
        the function's calls), the keywords its callers spread into it, and whether nothing keys it."""
        model_cls, held = _models_of_cls(self.ctx, state)
        read = param_keys(origin.node, state.params | state.enclosing_params, state.env,
                          model_cls, held, bound=state.held_expr)
        own = state.enclosing is None  # not a query of a nested function
        if read is None and own and (stand_in := as_constants(state.env)) is not None \
                and one_model(origin.node):
            origin.narrowing_keys = param_keys(
                origin.node, state.params | state.enclosing_params, stand_in, model_cls, held)
        origin.keys = nested_keys(state.params, state.enclosing, read, origin, state.own_def)
        spread = spread_filter(origin.node, state.spread) if state.spread and own else None
        # no key at all, the held model included (``objs = cls.model.select()``): asked once
        unkeyed = own and (spread is not None or origin.keys is None) and param_keys(
            origin.node, state.params, state.env, model_cls, held, none_if_empty=False) == ()
        if spread is not None and (read is not None or unkeyed):
            origin.spread = spread  # ``cls.model.get(**kwargs)``: the callers' keywords
        if origin.keys is not None:
            origin.entries = param_entries(origin.node, state.params, state.env)
        elif own:
            origin.bare = unkeyed

    def _statement(self, stmt: cst.CSTNode, state: FunctionState) -> None:
        ev = Evaluator(self.ctx, state)
        state.statement = stmt
        if EACH_PREFIX in state.env:  # a loop-checked ``req["ids"]`` this statement may change
            cancel_touched(state.env, _header(stmt))
        if STORED_PREFIX in state.env:  # a stored ``req["id"]`` this statement may change
            cancel_stored(state.env, _header(stmt), partial(kept_arg, self.ctx, state))
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                self.small(small, state, ev)
                keyed_fetch.dereferenced(state, small)  # ``name = row.name`` raises on None
            self.membership(stmt, state)
        elif isinstance(stmt, cst.If):
            self._if(stmt, state, ev)
        elif isinstance(stmt, cst.For):
            self._for(stmt, state, ev)
        elif isinstance(stmt, cst.While):
            self._while(stmt, state, ev)
        elif isinstance(stmt, cst.With):
            self._with(stmt, state, ev)
        elif isinstance(stmt, cst.Try | cst.TryStar):
            self._try(stmt, state)
        elif isinstance(stmt, cst.Match):
            self._match(stmt, state, ev)
        elif isinstance(stmt, cst.FunctionDef):
            self.walk_function(stmt, None, state)
        elif isinstance(stmt, cst.ClassDef):
            self.walk_class(stmt, state)

    # The compound statements of ``_statement``: branches walked on copies of the environment, merged.
    def _if(self, stmt: cst.If, state: FunctionState, ev: Evaluator) -> None:
        """Both branches from the state before; a branch that leaves the function does not flow on."""
        test = stmt.test
        if self._terminates(stmt.body.body) or refuses(stmt.body.body):
            for call in negated_alternatives(test):
                state.negated_calls.add(id(call))  # a predicate's "no" leaves
        known = len(self.ctx.origins)
        method = (state.qualname or "").rsplit(".", 1)[-1]
        validating = state.owner is not None and method.startswith("validate")
        used = {id(o): len(o.uses) for o in self.ctx.origins} if validating else {}
        ev.eval(stmt.test)
        keyed_fetch.dereferenced(state, stmt.test)  # ``if not row.project_id:`` raises on None
        self.membership(stmt.test, state)
        checked_in_branch(ev, state, stmt)  # ``if found and row.org_id == <trusted>: <row used>``
        then_leaves = self._terminates(stmt.body.body)
        if then_leaves or refuses(stmt.body.body):
            verdict_checked(state, stmt)  # ``if not is_authorized: return`` of a pair answer
            checked_after_fetch(ev, state, stmt.test)
            inline_membership(ev, state, stmt.test)
            # the test's queries: made in it, or kept in a name before it and used in it
            # (``manager = State.objects``, then ``if not manager.filter(...).exists()``)
            # (only a ``validate*`` method snapshots ``used``: elsewhere no earlier query is used here)
            earlier = [o for o in self.ctx.origins[:known]
                       if len(o.uses) > used.get(id(o), len(o.uses))] if used else []
            self._validated(state, stmt.test, earlier + self.ctx.origins[known:])
        before = dict(state.env)
        maybe_none.narrow(state.env, maybe_none.true_names(stmt.test))  # ``if x is not None: …``
        membership_branch(ev, state, stmt.test)  # ``if <caller's membership lookup>: …``
        self._fixed_branch(state, stmt.test)  # ``if is_system_bot_email(email): …``
        self.block(stmt.body.body, state, None)
        after_then = state.env
        state.env = dict(before)
        maybe_none.narrow(state.env, maybe_none.false_names(stmt.test))  # ``if x is None: … else: …``
        narrow_equal(ev, state, stmt.test)  # the test was false: ``if current_user.id != tenant_id: …``
        if then_leaves:
            keyed_fetch.checked(state, stmt.test)  # ``if not row: return``: on the path that goes on
            narrow_member(ev, state, stmt.test)  # ``if tenant_id not in joined: return``
        if isinstance(stmt.orelse, cst.If):
            self.statement(stmt.orelse, state)
        elif stmt.orelse is not None:
            self.block(stmt.orelse.body.body, state, None)
        if then_leaves:
            return  # the then-branch leaves the function: only the else-state flows on
        if isinstance(stmt.orelse, cst.Else) and self._terminates(stmt.orelse.body.body):
            state.env = after_then  # the else-branch leaves: only the then-state flows on
            return
        if stmt.orelse is None:
            keep_guarded(ev, stmt.test, after_then, state.env)  # ``if self.group_id: stmt.filter(...)``
            keep_stored(stmt.test, after_then, state.env)  # ``if req: req["id"] = get_uuid()``
        state.env = merge_env(after_then, state.env, _joined(state))

    def _for(self, stmt: cst.For, state: FunctionState, ev: Evaluator) -> None:
        iterable = ev.eval(stmt.iter, use=False)
        named = named_items(stmt, iterable)
        if named:  # ``for name in ["a", "b"]: tables[name]``: the body once per name
            self._per_name(stmt, state, named)
            return
        if isinstance(iterable, RowMapView) and not row_maps.checks_each(stmt, state.body):
            iterable = Value(iterable.prov)  # a row it may skip stays unchecked: no row of the fetch
        keyed = map_keys.of_view(stmt, state.env) if isinstance(iterable, RowMapView) else None
        element = ev.iterate(iterable)
        before = dict(state.env)
        state.bind_loop(stmt.target, element)
        row_maps.bound(state, stmt, iterable)
        self._loop_body(stmt, state, before, element, keyed)
        map_keys.filled(stmt, state)  # ``kb_map[kb_id] = kb`` for each ``kb_id`` of a list
        found = proven_by_member_loop(self.ctx, state, stmt, lambda n: ev.eval(n, use=False).trusted)
        if found is not None:  # ``for t in my_tenants: if lookup(tenant_id=t.tenant_id, id=x): break``
            state.env[found] = Value(Provenance.trusted(f"{found}, found in a tenant of the caller's"))

    def _per_name(self, stmt: cst.For, state: FunctionState, named: list[tuple[str, Value]]) -> None:
        before, outer = dict(state.env), state.binding
        merged = dict(before)
        for label, value in named:
            state.env = dict(before)
            state.binding = f"{outer}, {label}" if outer else label
            state.bind_loop(stmt.target, value)
            self.block(stmt.body.body, state, None)
            merged = merge_env(merged, state.env, _joined(state))
        state.binding, state.env = outer, merged
        if stmt.orelse is not None:
            self.block(stmt.orelse.body.body, state, None)

    def _while(self, stmt: cst.While, state: FunctionState, ev: Evaluator) -> None:
        ev.eval(stmt.test)
        self._loop_body(stmt, state, dict(state.env))

    def _loop_body(self, stmt: cst.For | cst.While, state: FunctionState, before: dict[str, Value],
                   element: Value | None = None, keyed: tuple[str, Value, str, Value] | None = None
                   ) -> None:
        """The body once, merged with the state before it (it may run zero times), then the else.
        ``element``: what a ``for`` bound its name to; past ``for x in xs: if not check(x): return``,
        ``xs`` holds what each ``x`` was checked against (``checked_loops.py``)."""
        self.block(stmt.body.body, state, None)
        checked = each_checked(stmt, element, state.env) \
            if isinstance(stmt, cst.For) and element is not None else None
        listed = map_keys.proven(keyed, state.env) if keyed is not None else None
        state.env = merge_env(before, state.env, _joined(state))
        if keyed is not None and listed is not None and state.env.get(keyed[0]) is keyed[1]:
            state.env[keyed[0]] = listed  # each element's row checked (``map_keys.py``)
        if checked is not None:
            state.env[checked[0]] = checked[1]
            if checked[0].startswith(EACH_PREFIX):
                state.env[EACH_PREFIX] = Value()
        if stmt.orelse is not None:
            self.block(stmt.orelse.body.body, state, None)

    def _with(self, stmt: cst.With, state: FunctionState, ev: Evaluator) -> None:
        """``with system_scope(): ...``: a context manager the config names makes the body system code."""
        system = False
        for item in stmt.items:
            value = ev.eval(item.item, use=False)
            text = dotted(item.item.func if isinstance(item.item, cst.Call) else item.item) or ""
            if text.rsplit(".", 1)[-1] in self.ctx.settings.system_scope:
                system = True
            if item.asname is not None:
                state.bind(item.asname.name, value)
        state.system_depth += 1 if system else 0
        self.block(stmt.body.body, state, None)
        state.system_depth -= 1 if system else 0

    def _try(self, stmt: cst.Try | cst.TryStar, state: FunctionState) -> None:
        """Each handler from the body's state merged with the state before it; then else, finally."""
        before = dict(state.env)
        self.block(stmt.body.body, state, None)
        merged = merge_env(before, state.env, _joined(state))
        for h in stmt.handlers:
            state.env = dict(merged)
            if h.name is not None:
                state.bind(h.name.name, Value())
            self.block(h.body.body, state, None)
            merged = merge_env(merged, state.env, _joined(state))
        state.env = merged
        if stmt.orelse is not None:
            self.block(stmt.orelse.body.body, state, None)
        if stmt.finalbody is not None:
            self.block(stmt.finalbody.body.body, state, None)

    def _match(self, stmt: cst.Match, state: FunctionState, ev: Evaluator) -> None:
        """Each case from the state before; ``case x:`` / ``case ... as x`` binds the subject."""
        subject = ev.eval(stmt.subject)
        before = dict(state.env)
        merged = dict(before)
        for case in stmt.cases:
            state.env = dict(before)
            if isinstance(case.pattern, cst.MatchAs) and case.pattern.name is not None:
                state.bind(case.pattern.name, subject)
            self.block(case.body.body, state, None)
            merged = merge_env(merged, state.env, _joined(state))
        state.env = merged

    def _validated(self, state: FunctionState, test: cst.BaseExpression, test_origins: list[Origin]) -> None:
        """``if not <scoped query>.filter(pk=attrs.get("parent").id).exists(): raise`` in a
        serializer's ``validate()``: its related field ``parent`` is checked after the fetch."""
        owner, name = state.owner, (state.qualname or "").rsplit(".", 1)[-1]
        if owner is None or not test_origins or not name.startswith("validate"):
            return
        fn = _methods(owner).get(name)
        fields = related_fields(owner) if fn is not None else {}
        if fn is None or not fields:
            return
        params = [p.name.value for p in fn.params.params]
        mark_checked(self.ctx.origins, test_origins, validated_fields(name, params, test, fields))

    def _fixed_branch(self, state: FunctionState, test: cst.BaseExpression) -> None:
        """In the branch of ``if <name's value> in <constant set>:`` (or a fixed-set predicate's "yes"),
        a request value or parameter ``name`` holds one of the values the server's configuration
        fixes: a constant there (``fixed_sets.py``)."""
        local = set(state.params) | {n for n, v in state.env.items() if state.module_env.get(n) is not v}
        name = admitted(test, local, lambda call: self._fixed_args(state, call))
        if name is None:
            return
        held = state.env.get(name)
        if held is None and name not in state.params:
            return
        if held is not None and (isinstance(held, RowValue | QueryValue)
                                 or not (held.untrusted or is_parameter(held))):
            return
        state.env[name] = Value(Provenance.unknown(CONSTANT_ORIGIN))

    def _narrowed(self, state: FunctionState, small: cst.Assign, new_origins: list[Origin]) -> None:
        """``attrs["label_ids"] = list(<scoped query>.filter(id__in=...))`` in a serializer's
        ``validate()``: its related field ``label_ids`` is checked after the fetch
        (``field_narrowing.py``)."""
        owner, name = state.owner, (state.qualname or "").rsplit(".", 1)[-1]
        fn = _methods(owner).get(name) if owner is not None and name == "validate" else None
        fields = related_fields(owner) if fn is not None and owner is not None else {}
        key = narrowings(fn, fields).get(id(small)) if fn is not None and fields else None
        if key is not None:
            mark_checked(self.ctx.origins, new_origins, [fields[key][1]], "narrowed in validate()")

    @staticmethod
    def _terminates(body: object) -> bool:
        for stmt in body:  # type: ignore[attr-defined]
            if type(stmt) is cst.SimpleStatementLine:  # exact types: libcst's classes are ABCs
                for small in stmt.body:
                    if type(small) in _LEAVES:
                        return True
        return False

    def small(self, small: cst.BaseSmallStatement, state: FunctionState, ev: Evaluator) -> None:
        kind = type(small)  # exact classes (``block``): most statements are assignments
        if kind is cst.Expr:
            assert isinstance(small, cst.Expr)
            value = ev.eval(small.value, use=False)
            if isinstance(value, QueryValue) and type(small.value) is not cst.Await:
                if value.origin is not None and unexecuted(value, state.statement):
                    ev.discard(value.origin)  # built and thrown away: never a query
                else:
                    ev.consume(value)
            refusing_membership(ev, state, small.value)
        elif kind is cst.Assign:
            assert isinstance(small, cst.Assign)
            made = len(self.ctx.origins)
            value = ev.eval(small.value, use=False)
            if state.owner is not None and len(self.ctx.origins) > made:
                self._narrowed(state, small, self.ctx.origins[made:])
            if state.params and len(small.targets) == 1 and isinstance(small.targets[0].target, cst.Name):
                ran = len(self.ctx.origins) > made
                value = (constant_value(state, small.value, value, ran)
                         or (derived_value(state, small.value, value, ran) if state.handler is None else None)
                         or value)
            value = maybe_none.bound(small.value, value)  # ``x = None``: told apart at the join
            if state.params and state.handler is None and isinstance(value, QueryValue):
                # ``values = base.filter(user=target_user)``
                value = later_keys.narrowed(small.value, value, state.statement, state.params, state.env,
                                            *_models_of_cls(self.ctx, state))
            refusing_membership(ev, state, small.value)
            earlier = keyed_fetch.receiver_expr(state, small.value)  # ``rows = rows.first()``
            for target in small.targets:
                self.assign(target.target, value, state, ev, small.value)
                keyed_fetch.fetched(state, target.target, small.value, value, self.ctx.index, earlier)
                if state.body is not None and ((isinstance(value, RowValue | QueryValue)
                                                and value.origin is not None)
                                               or len(self.ctx.origins) == made + 1):
                    if state.narrowing is None:
                        state.narrowing = narrowing_names(state.body, self.ctx.source)
                    pinned = narrows_only(state.narrowing, target.target, value, small.value,
                                          self.ctx.origins[made:])
                    if pinned is not None and isinstance(target.target, cst.Name):
                        state.env[target.target.value] = pinned
                if type(target.target) is cst.Tuple:
                    unpacked_call(state, target.target, small.value)  # type: ignore[arg-type]
                if isinstance(target.target, cst.Name):
                    state.bound_exprs[target.target.value] = (small.value, value)
                    typ = expr_type(self.ctx, state, small.value)
                    if typ is not None:
                        state.types[target.target.value] = typ
        elif isinstance(small, cst.AnnAssign):
            if small.value is not None:
                value = ev.eval(small.value, use=False)
                self.assign(small.target, value, state, ev, small.value)
        elif isinstance(small, cst.AugAssign):
            if self._combine_assign(small, state, ev):
                return
            value = ev.eval(small.value)
            if isinstance(small.target, cst.Subscript) and isinstance(small.target.value, cst.Name) \
                    and isinstance(state.env.get(small.target.value.value), IdSets):
                holder = state.env[small.target.value.value]
                assert isinstance(holder, IdSets)  # ``d[k] |= ids``: an entry of a dict of id collections
                state.env[small.target.value.value] = id_sets.augmented(holder, small.operator, value)
            if isinstance(small.target, cst.Name):
                old = state.env.get(small.target.value, Value())
                # ``sql += " AND ..."``; ``ids -= other``: scoped ids while the result holds only those
                grown: Value | None = augmented(old, small.operator, value) or scoped_ids.set_operation(
                    small.operator, old, value, (small.value,))
                if grown is None:
                    grown = scoped_ids.augmented_value(old, value)
                state.env[small.target.value] = grown if grown is not None else worse(old, value)
        elif isinstance(small, cst.Return):
            if isinstance(small.value, cst.Name) and small.value.value == "None":
                state.returns.append(NO_VALUE)
                state.return_nodes.append(small.value)
            elif small.value is not None:
                value = ev.eval(small.value, use=False)
                if state.params:
                    state.returned_names |= returned_names(small.value) & state.params
                    if state.handler is None and isinstance(value, QueryValue):
                        # ``return objs.where(cls.model.id.in_(pids))``
                        value = later_keys.narrowed(small.value, value, state.statement, state.params,
                                                    state.env, *_models_of_cls(self.ctx, state))
                if isinstance(value, QueryValue):
                    if value.origin is not None and not value.origin.uses:
                        state.fresh_returns.append(value)
                    ev.consume(value)
                state.returns.append(value)
                state.return_nodes.append(small.value)
        elif isinstance(small, cst.Raise):
            if small.exc is not None:
                ev.eval(small.exc)
        elif isinstance(small, cst.Assert):
            ev.eval(small.test)
            maybe_none.narrow(state.env, maybe_none.true_names(small.test))  # ``assert x is not None``
        elif isinstance(small, cst.Del):
            pass

    def _combine_assign(self, small: cst.AugAssign, state: FunctionState, ev: Evaluator) -> bool:
        """``q |= Q(...)`` / ``qs &= other``: combined like the binary operator by an ORM plug-in."""
        if not isinstance(small.operator, cst.BitOrAssign | cst.BitAndAssign):
            return False
        if not isinstance(small.target, cst.Name) or small.target.value not in state.env:
            return False
        old = state.env[small.target.value]
        if not isinstance(old, PredValue | QueryValue):
            return False
        family = old.origin.family if isinstance(old, QueryValue) and old.origin is not None else None
        value = ev.eval(small.value, use=False)
        op = "or" if isinstance(small.operator, cst.BitOrAssign) else "and"
        for orm in self.ctx.plugins.orms:
            if family in (None, orm.name):
                combined = orm.combine_values(ev, small.value, op, old, value)
                if combined is not None:
                    state.env[small.target.value] = combined
                    return True
        return False

    def assign(self, target: cst.BaseExpression, value: Value, state: FunctionState, ev: Evaluator,
               node: cst.BaseExpression | None = None) -> None:
        """``target = node`` (``node`` evaluated to ``value``)."""
        if isinstance(target, cst.Name | cst.Tuple | cst.List | cst.StarredElement):
            if type(target) in _SEQUENCE_TARGETS and isinstance(value, QueryValue):
                ev.consume(value)
            state.bind(target, value)
            return
        if isinstance(target, cst.Attribute):
            owner = target.value
            if isinstance(owner, cst.Name) and isinstance(state.env.get(owner.value), Instance):
                inst = state.env[owner.value]
                assert isinstance(inst, Instance)
                if inst.tenant is not None and self._sets_tenant(inst, target.attr.value):
                    state.env[owner.value] = replace(inst, tenant_set=True, tenant_prov=value.prov)
                return
            if isinstance(owner, cst.Name) and owner.value == "self" and state.owner is not None \
                    and state.qualname is not None:
                self.ctx.instance_dicts.assign(state.owner, target.attr.value, value)
            if isinstance(value, QueryValue):
                ev.consume(value)
            ev.eval(owner, use=False)
            return
        if isinstance(value, QueryValue):
            ev.consume(value)
        if isinstance(target, cst.Subscript) and isinstance(target.value, cst.Name):
            holder = state.env.get(target.value.value)
            if isinstance(holder, IdSets):  # ``d[k] = ids``: an entry of a dict of id collections
                state.env[target.value.value] = id_sets.put(holder, value)
                for element in target.slice:
                    if isinstance(element.slice, cst.Index):
                        ev.eval(element.slice.value)
                return
            key = None
            if len(target.slice) == 1 and isinstance(target.slice[0].slice, cst.Index):
                key = string_value(target.slice[0].slice.value)
                rows = None if key is not None or node is None \
                    else row_maps.stored(state, holder, target, node, value)
                if rows is not None:  # ``kb_map[kb_id] = kb``: rows of one fetch, checked later
                    state.env[target.value.value] = rows
                    ev.eval(target.slice[0].slice.value)
                    return
                if key is None and holder is not None and (
                        isinstance(holder, ScopedKeys) or empty_dict(holder)):
                    # ``by_id[row.id] = ...``: a dict keyed by scoped ids while every key put in is one
                    after = scoped_keys.assigned(holder, ev.eval(target.slice[0].slice.value))
                    if after is not None:
                        state.env[target.value.value] = after
                    return
            if isinstance(holder, ScopedKeys):
                state.env[target.value.value] = Value(holder.prov)  # ``d["x"] = ...``, ``d[a:b] = ...``
            if isinstance(holder, DictValue) and key is not None:
                state.env[target.value.value] = holder.with_item(key, value)
                return
            if key is not None and not isinstance(value, QueryValue):
                store(state.env, target, value)  # later reads of ``req["id"]`` are ``value``
        if isinstance(target, cst.Subscript):
            # ``data["org_id"] = ...`` writes the key: evaluate the container and the index
            # expressions for their own reads, not ``data["org_id"]`` as a read of the request.
            ev.eval(target.value, use=False)
            for element in target.slice:
                index = element.slice
                parts = ([index.value] if isinstance(index, cst.Index)
                         else [index.lower, index.upper, index.step] if isinstance(index, cst.Slice)
                         else [])
                for part in parts:
                    if part is not None:
                        ev.eval(part)
            return
        ev.eval(target, use=False)

    @staticmethod
    def _sets_tenant(inst: Instance, attr: str) -> bool:
        assert inst.tenant is not None
        return attr in inst.tenant.insert_names()

    def membership(self, node: cst.CSTNode, state: FunctionState) -> None:
        checks = self.checks
        if not checks:
            return
        for call in _calls(node):
            name = dotted(call.func) or ""
            if name.rsplit(".", 1)[-1] in self.declared:  # a row passed to a check the user names
                value_of = partial(Evaluator(self.ctx, state).eval, use=False)
                leaves = id(call) in statement_call(node) or id(call) in permission_answer(node, state)
                rows_checked_by(state, call, name, leaves, value_of)
            if name.rsplit(".", 1)[-1] in checks:
                verified: set[Provenance] = set()
                for arg in call.args:
                    if isinstance(arg.value, cst.Name) and arg.value.value in state.env:
                        v = state.env[arg.value.value]
                        if v.untrusted:
                            verified.add(v.prov)
                            checked = Value(Provenance.trusted(f"{arg.value.value}, verified by {name}()"))
                            state.env[arg.value.value] = checked
                            if v.prov.source == f"{PATH} '{arg.value.value}'":  # the handler's own
                                state.env[URL_VERIFIED + arg.value.value] = checked  # ``self.kwargs[...]``
                    elif isinstance(arg.value, cst.Subscript | cst.Attribute):
                        # ``check(user, self.kwargs["pk"])``: that expression is trusted from now on.
                        code = _CODE.code_for_node(arg.value)
                        state.env[verified_key(code)] = Value(
                            Provenance.trusted(f"{code}, verified by {name}()"))
                        state.env[VERIFIED_PREFIX] = Value()
                if verified:
                    verify_earlier(self.ctx, state, frozenset(verified), name)


_CODE = cst.Module(body=[])


def _header(stmt: cst.CSTNode) -> cst.CSTNode:
    """What of ``stmt`` runs before its body: a compound statement's body is walked statement by
    statement (a ``try`` has nothing of its own; an ``elif`` test is judged with its ``if``)."""
    if isinstance(stmt, cst.If | cst.While):
        return stmt.test
    if isinstance(stmt, cst.For):
        return cst.Tuple([cst.Element(stmt.target), cst.Element(stmt.iter)])
    if isinstance(stmt, cst.With):
        return cst.Tuple([cst.Element(item.item) for item in stmt.items])
    if isinstance(stmt, cst.Match):
        return stmt.subject
    if isinstance(stmt, cst.Try | cst.TryStar):
        return cst.Pass()
    return stmt


_LEAVES = (cst.Return, cst.Raise, cst.Continue, cst.Break)  # compared by class, exactly
_SEQUENCE_TARGETS = (cst.Tuple, cst.List)  # ``a, b = ...``: compared by class, exactly


def _calls(node: cst.CSTNode) -> list[cst.Call]:
    """The calls in ``node`` outside nested function definitions, in source order (a walk over the
    fields: a visitor costs several times more, and this runs on every statement)."""
    out: list[cst.Call] = []
    stack = [node]
    while stack:
        current = stack.pop()
        kind = type(current)
        if kind is cst.Call:
            out.append(cast(cst.Call, current))
        elif kind is cst.FunctionDef:
            continue
        children = code_children(current)
        children.reverse()
        stack.extend(children)
    return out


def _verified_by(checks: list[str], decorators: int,
                 check_verifies: Mapping[str, frozenset[str] | None]) -> str:
    """How a verified parameter names its check: ``@require_member`` for a decorator, the bare
    name for a permission class (``checks[decorators:]``); "" without a check."""
    found = [c for c in checks if c in check_verifies]
    if not found:
        return ""
    return f"@{found[0]}" if found[0] not in checks[decorators:] else found[0]


def _names_param(node: cst.CSTNode, params: dict[str, Value]) -> bool:
    """A signature read (``cst.Param``) of one of ``params``."""
    return isinstance(node, cst.Param) and node.name.value in params


def _methods(cls: ClassInfo | None) -> dict[str, cst.FunctionDef]:
    if cls is None or not isinstance(cls.node.body, cst.IndentedBlock):
        return {}
    return {s.name.value: s for s in cls.node.body.body if isinstance(s, cst.FunctionDef)}


def _cls_is_model(ctx: FileContext, state: FunctionState) -> bool:
    """``cls`` in this function is a model class (a classmethod of a model, or of a mixin walked
    once per model)."""
    if SELF_CLASS in state.models:
        return True
    return state.owner is not None and state.owner.name in ctx.index.by_model


def _joined(state: FunctionState) -> frozenset[str]:
    """The parameters ``merge_env`` gives back their callers' values on a path that did not rebind
    them (a function that is no handler: a handler's are request input, bound from the start)."""
    return state.params if state.handler is None else frozenset()


def _models_of_cls(ctx: FileContext, state: FunctionState) -> tuple[bool, frozenset[str]]:
    """What ``calls.param_keys`` needs of ``cls``: whether it is the model, and the models it (or
    ``self``) holds (``cls.model.id`` is a column, no key)."""
    return _cls_is_model(ctx, state), frozenset(state.models).difference((SELF_CLASS,))


def enclose(state: FunctionState, outer: FunctionState, fn: cst.FunctionDef) -> None:
    """``state`` of ``fn``, a function defined in ``outer`` (no handler): what it reads of the
    enclosing function's parameters keys its queries as it keys that function's."""
    if state.qualname is not None or state.handler is not None or outer.handler is not None \
            or (outer.qualname or outer.enclosing) is None:
        return
    state.enclosing = outer.qualname or outer.enclosing
    state.enclosing_params = (outer.params | outer.enclosing_params) - set(state.params) \
        - {p.name.value for p in function_params(fn)}
    if outer.qualname is not None:  # its calls bind its own parameters to the enclosing's
        state.own_def = outer.nested_defs[fn.name.value] = nested_def(fn, outer.body)
