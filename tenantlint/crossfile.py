"""Facts one file contributes to the analysis of the others: one record, one merge, one hash.

The pre-pass (``prepass.py``) makes one :class:`CrossFileFacts` per file; ``scan.merge`` folds them in
path order with :meth:`CrossFileFacts.merge`; the runner hashes the result into the result-cache key
(:meth:`CrossFileFacts.hash_parts`); the analysis reads it as ``Settings.facts`` and the prefilter as
``Prefilter.build(..., facts)``. Adding a cross-file fact is a field here and the reader that fills it
in ``prepass.py``: the merge and the hash go over every field.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields

from tenantlint.index.delegated_checks import DelegatedCandidate  # at run time: the cache codec
from tenantlint.index.membership import CheckCandidate  # at run time: the cache codec reads the hints


@dataclass(frozen=True)
class CrossFileFacts:
    # Project classes (views, mixins) whose get_queryset applies a trusted tenant filter.
    scoped_view_bases: frozenset[str] = frozenset()
    # DRF ModelSerializer class name -> model class name.
    serializer_models: dict[str, str] = field(default_factory=dict)
    # Model serializer name -> comma-joined keywords its own ``create()`` passes to the insert of its
    # model (``index/readers.py``): ``save()`` of such a serializer inserts as that ``create()`` does.
    serializer_inserts: dict[str, str] = field(default_factory=dict)
    # Serializer class name -> ``context`` keys some construction sets from request input (the
    # body or query string), joined with ``,`` (and ``|`` across files; ``index/readers.py``).
    body_context: dict[str, str] = field(default_factory=dict, metadata={"merge": "join"})
    # Serializer class name -> ``caller`` (every use in the file constructs it for the authenticated
    # user) or ``other``, joined with ``|`` across files (``index/caller_serializers.py``).
    caller_serializers: dict[str, str] = field(default_factory=dict, metadata={"merge": "join"})
    # Project string constants (``pkg.module.NAME``, ``pkg.module.Class.NAME`` -> text): raw SQL
    # imported from another module (``analysis/rawsql/constants.py``).
    sql_constants: dict[str, str] = field(default_factory=dict)
    # Module-level FastAPI parameter aliases (``pkg.module.NAME`` -> expression source, e.g.
    # ``Annotated[User, Depends(get_current_user)]``; ``analysis/frameworks/param_aliases.py``).
    param_aliases: dict[str, str] = field(default_factory=dict)
    # Functions registered as route endpoints from another module (``pkg.module.fn`` -> URL rule;
    # ``analysis/frameworks/route_index.py``).
    routes: dict[str, str] = field(default_factory=dict)
    # The framework whose registration call (``add_api_route``, ``add_url_rule``) names the endpoint.
    route_frameworks: dict[str, str] = field(default_factory=dict)
    # Dependencies a FastAPI router is included with in another module (``pkg.module.router`` ->
    # comma-joined names, joined with ``|`` across files): ``app.include_router(r, dependencies=[...])``.
    router_dependencies: dict[str, str] = field(default_factory=dict, metadata={"merge": "join"})
    # Project classes (``pkg.module.Class`` -> comma-joined qualified bases), for views whose base
    # class is defined in another module (``analysis/interp/class_bases.py``).
    class_bases: dict[str, str] = field(default_factory=dict)
    # Service/repository classes' models (``analysis/interp/class_models.py``): model attributes,
    # ``__init__`` slots, and constructor calls passing a class (joined with ``|`` across files).
    class_attrs: dict[str, str] = field(default_factory=dict)
    class_slots: dict[str, str] = field(default_factory=dict)
    class_calls: dict[str, str] = field(default_factory=dict, metadata={"merge": "join"})
    # Method names spelled on classes -> comma-joined class short names (``*``: on anything else),
    # joined with ``|`` across files (``analysis/interp/method_refs.py``).
    method_refs: dict[str, str] = field(default_factory=dict, metadata={"merge": "join"})
    # Functions (or Celery task names) registered with a scheduler -> ``path:line (how)``, and
    # Celery task names given explicitly -> the function (``index/schedules.py``).
    scheduled: dict[str, str] = field(default_factory=dict)
    task_names: dict[str, str] = field(default_factory=dict)
    # Instance types of class members and what functions return (``pkg.mod.Class.attr`` ->
    # ``KIND:TYPE``; ``analysis/interp/member_types.py``): calls through ``self.repos.x.get(...)``.
    member_types: dict[str, str] = field(default_factory=dict)
    # Decorators that pass the function they wrap a trusted value (``index/injection.py``):
    # ``pkg.module.decorator`` -> ``"1=user_profile;user=request.user"``.
    injecting_decorators: dict[str, str] = field(default_factory=dict)
    # Decorators that only wrap (``index/forwarding.py``): ``pkg.module.decorator`` -> ``plain`` or
    # ``factory``; the function they decorate keeps its callers.
    forwarding_decorators: dict[str, str] = field(default_factory=dict)
    # Executor wrappers (``index/executors.py``): ``pkg.module.name`` of a function that runs the
    # function it is given with the arguments after it (``thread_pool_exec(func, *args, **kwargs)``).
    executor_wrappers: frozenset[str] = frozenset()
    # Keyword filter lookups (``index/keyword_lookups.py``): ``pkg.module.Class.method`` -> ``build``
    # or ``pass:<method>`` for a method taking its ``**kwargs`` as column filters.
    keyword_lookups: dict[str, str] = field(default_factory=dict)
    # Project manager/queryset methods filtering by their parameters (``index/manager_methods.py``):
    # ``Class.method`` -> encoded summary, and ``Model.attr`` -> comma-joined classes of its manager
    # (both joined with ``|`` across files: a name defined twice differently is not read).
    manager_methods: dict[str, str] = field(default_factory=dict, metadata={"merge": "join"})
    model_managers: dict[str, str] = field(default_factory=dict, metadata={"merge": "join"})
    # DRF viewset methods routed by hand (``Cls.as_view({"post": "archive"})``; ``index/readers.py``):
    # view class name -> comma-joined method names (joined with ``|`` across files).
    viewset_actions: dict[str, str] = field(default_factory=dict, metadata={"merge": "join"})
    # URL keyword arguments of class-based views (``index/url_kwargs.py``): view class name ->
    # comma-joined parameter names of its routes (joined with ``|`` across files; ``*``: not known).
    view_url_kwargs: dict[str, str] = field(default_factory=dict, metadata={"merge": "join"})
    # View properties returning URL parameters (``index/view_properties.py``): ``pkg.mod.Class.prop``
    # -> comma-joined parameter names (``view.project_id`` in a permission class).
    kwarg_properties: dict[str, str] = field(default_factory=dict)
    # Named queues (``index/named_queues.py``): queue name -> ``pkg.module.Class.consume``, the
    # method run with each event put on it (joined with ``|`` across files: several, ambiguous).
    named_queues: dict[str, str] = field(default_factory=dict, metadata={"merge": "join"})
    # Class decorators that only file the class in a module dict (``index/registry_decorators.py``):
    # ``pkg.module.decorator`` -> ``registry``.
    registry_decorators: dict[str, str] = field(default_factory=dict)
    # Candidate membership checks (``index/membership.py``), in path order.
    check_candidates: tuple[CheckCandidate, ...] = ()
    # Permission classes refusing unless a membership check passes for a URL value
    # (``index/delegated_checks.py``), in path order.
    delegated_checks: tuple[DelegatedCandidate, ...] = ()

    @classmethod
    def merge(cls, parts: Iterable[CrossFileFacts]) -> CrossFileFacts:
        """Fold per-file facts in path order: sets are united, and a later file wins on an equal key
        (or, for a ``merge: join`` field, is appended to it after ``|``)."""
        names = [f.name for f in fields(cls)]
        joined = {f.name for f in fields(cls) if f.metadata.get("merge") == "join"}
        sets: dict[str, set[str]] = {n: set() for n in names if isinstance(getattr(EMPTY, n), frozenset)}
        seqs: dict[str, list[object]] = {n: [] for n in names if isinstance(getattr(EMPTY, n), tuple)}
        maps: dict[str, dict[str, str]] = {n: {} for n in names if n not in sets and n not in seqs}
        for part in parts:
            for name, into_seq in seqs.items():
                into_seq.extend(getattr(part, name))
            for name, into in sets.items():
                into.update(getattr(part, name))
            for name, into_map in maps.items():
                if name in joined:
                    for key, value in getattr(part, name).items():
                        into_map[key] = f"{into_map[key]}|{value}" if key in into_map else value
                else:
                    into_map.update(getattr(part, name))
        values: dict[str, object] = {k: frozenset(v) for k, v in sets.items()}
        values.update({k: tuple(v) for k, v in seqs.items()})
        values.update(maps)
        return cls(**values)  # type: ignore[arg-type]

    def hash_parts(self) -> tuple[str, ...]:
        """A deterministic text per field (the result cache's key depends on every fact)."""
        out = []
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, tuple):
                out.append(repr(value))  # in path order already
            else:
                out.append(repr(sorted(value.items() if isinstance(value, Mapping) else value)))
        return tuple(out)


EMPTY = CrossFileFacts()
