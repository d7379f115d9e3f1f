"""Functions no request can reach: helpers no product code calls or names.

A function is *unreached* when the project's product code (the files the pre-pass counted names in:
neither excluded — tests, migrations — nor under ``system_paths``) has no way to call it:

- every spelling of its name there is a resolved call or reference of another function (the test
  that makes a caller set known, ``combine.Project.spelled``/``used``), and none resolves to it;
- no string literal names it (``getattr(obj, "fix")``, ``"app.tasks.fix"``) or starts a name built
  at run time that it may be (``f"handle_{kind}"``; ``index/string_names.py``);
- nothing else calls it by its definition: it is a module-level function or a method of a top-level
  class (no nested function), no request handler, registered by no decorator (only
  ``@classmethod``, ``@staticmethod`` and a few wrappers that register nothing are allowed), no
  dunder, no method a framework calls by name (:data:`HOOKS`), no override of a method of a project
  base class (a call of the base's may run it); a method of a class with a base outside the
  project (a model, a serializer, a view) only when it is a classmethod or a staticmethod, whose
  name no framework calls (:func:`framework_may_call`), or a method of a view class whose bases
  outside the project are all framework views, of a name the framework never calls (:data:`VIEW`,
  ``view_bases.py``);
- something of its module is used from elsewhere in the project (a function of it has a call site
  in another module), or, for a method, its class's name is spelled: a module nothing imports may
  be loaded by other means (a plug-in, a module a framework discovers). A task of a task queue
  (``@shared_task``, ``@app.task``, not renamed) needs no such use: loading its module only
  registers it, and it runs only when a producer names it (its function, or its dotted path).

Its queries are then system code (``combine.Combiner.system_helpers``): a careful reviewer dismisses a
helper no request can reach, and so does tenantlint, listing its queries in the audit as system
scope with the reason. A function only unreached (or system) functions call is system code in turn.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from tenantlint.analysis.source.ast_imports import resolve_import
from tenantlint.crossfn import view_bases
from tenantlint.crossfn.records import (
    ANY_METHOD,
    ANY_MODULE,
    CLASS_NAME,
    DYNAMIC,
    PREFIX,
    STRING,
    SUFFIX,
    Callees,
    Summary,
    short,
)

if TYPE_CHECKING:
    from tenantlint.crossfn.combine import Project

FUNCTION, METHOD, STATIC = "function", "method", "static"  # ``Summary.definition``
# A plain method of a class whose bases outside the project are all framework view classes
# (``analysis/interp/view_methods.py``): the framework calls only the names it dispatches or hooks
VIEW = "view-method"
TASK = "task"  # a module-level function a task queue registers (``_TASKS``)
# Decorators that register the function nowhere and leave it callable only by its name, by their
# qualified names (a project's own ``cache`` decorator may register what it wraps)
_PLAIN = frozenset({"classmethod", "staticmethod", "functools.lru_cache", "functools.cache",
                    "django.db.transaction.atomic"})
# Methods of a database object that wrap a function in a transaction or a connection (peewee
# ``@DB.atomic()``, ``@DB.connection_context()``), whatever object they are called on
_PLAIN_METHODS = frozenset({"atomic", "connection_context"})
# A task queue's ``@shared_task``/``@app.task`` registers the function under its own dotted name
# (``app.tasks.refresh``): a producer calls it by its name (``refresh.delay(...)``) or by that path,
# a string literal naming it. Loading its module (Celery's autodiscovery, ``CELERY_IMPORTS``) only
# registers it. One renamed (``@shared_task(name=...)``) is not plain (``signatures.renamed_task``).
_TASKS = frozenset({"celery.shared_task", "celery.task"})
_TASK_METHODS = frozenset({"task"})  # ``@app.task``: a method of the queue's application object
_STATIC = frozenset({"classmethod", "staticmethod"})
# Class decorators that hand the class to nothing that could call its methods (SQLAlchemy-Utils'
# ``generic_repr`` only adds a ``__repr__``)
_PLAIN_CLASS = frozenset({"dataclass", "total_ordering", "final", "unique", "generic_repr"})
# Bases that bring no method a framework calls
_NEUTRAL = frozenset({"object", "ABC", "abc.ABC", "Generic", "typing.Generic"})
MAX_DEPTH = 8  # base classes followed at most this deep
# Method names a framework or the language calls on an object it was handed, whatever its class
# (Django, DRF, SQLAlchemy, peewee, Celery, logging, unittest, context managers): never unreached.
HOOKS = frozenset({
    "save", "delete", "clean", "full_clean", "clean_fields", "validate_unique", "get_queryset",
    "get_object", "get_serializer", "get_serializer_class", "get_serializer_context",
    "perform_create", "perform_update", "perform_destroy", "to_representation", "to_internal_value",
    "create", "update", "validate", "from_db", "check", "as_view", "as_manager", "get_extra_actions",
    "get_extra_action_url_map", "many_init", "get_absolute_url", "natural_key", "get_by_natural_key",
    "setUp", "tearDown", "setUpClass", "tearDownClass", "setUpTestData", "run", "handle", "execute",
    "dispatch", "process_request", "process_response", "process_view", "process_exception",
    "has_permission", "has_object_permission", "authenticate", "authenticate_header", "get_user",
    "get_permissions", "list", "retrieve", "partial_update", "destroy", "get", "post", "put",
    "patch", "head", "options", "initial", "get_context_data", "form_valid", "get_success_url",
    "ready", "default", "emit", "format", "filter", "consume", "consume_batch", "on_success",
    "on_failure", "on_retry", "after_return", "select", "insert", "get_or_none", "get_by_id",
    "get_or_create", "replace", "insert_many", "bulk_create", "bulk_update", "raw", "alias",
    "to_python", "db_value", "python_value", "get_prep_value", "from_db_value", "deconstruct",
    "contribute_to_class", "formfield", "process_bind_param", "process_result_value", "load", "dump",
})
# Name starts a framework calls on a class's classmethods (Django's ``_check_*``, form and
# serializer ``validate_*``/``clean_*``)
HOOK_PREFIXES = ("_", "validate", "clean")
UNREACHED = "unreached: no product code calls or names {name} (tests, migrations and system_paths aside)"


def definition(decorators: Sequence[str], method: bool, class_decorators: Sequence[str] = ()) -> str:
    """``Summary.definition`` of a function that is no handler, from its decorators' qualified names
    (``?`` for one with no dotted name) and, for a method, its class's: a class a decorator
    registers, ``@registry.register``, ``@strawberry.type``, has its methods called by whatever it
    was handed to."""
    last = [n.rsplit(".", 1)[-1] for n in decorators]
    task = not method and any(_task(n) for n in decorators)
    if not all(_plain(n) or (task and _task(n)) for n in decorators) or any(
            n.rsplit(".", 1)[-1] not in _PLAIN_CLASS for n in class_decorators):
        return ""
    if task:
        return TASK
    if any(n in _STATIC for n in last):
        return STATIC
    return METHOD if method else FUNCTION


def _plain(name: str) -> bool:
    return name in _PLAIN or ("." in name and name.rsplit(".", 1)[-1] in _PLAIN_METHODS)


def _task(name: str) -> bool:
    return name in _TASKS or ("." in name and name.rsplit(".", 1)[-1] in _TASK_METHODS)


def framework_may_call(name: str, external: bool) -> bool:
    """A framework may call a method of this name (``external``: its class has a base outside
    the project) without any spelling of it in the project."""
    if name in HOOKS or (name.startswith("__") and name.endswith("__")):
        return True
    return external and name.startswith(HOOK_PREFIXES)


def unreached(p: Project) -> dict[str, str]:
    """The project's unreached functions (qualified name -> why); none unless the project is a
    whole application (the ``whole_application`` setting) indexed whole (its name counts)."""
    counts = p.name_counts
    if counts is None or not p.whole_application:
        return {}
    prefixes = tuple(key[len(PREFIX):] for key in counts if key.startswith(PREFIX))
    dynamic = frozenset(key[len(DYNAMIC):] for key in counts if key.startswith(DYNAMIC))
    classes = Classes(p.funcs.values(), p.module_of)
    live = _live(p)
    out: dict[str, str] = {}
    for q, fn in p.funcs.items():
        if not fn.definition or fn.handler is not None or fn.open or fn.system:
            continue
        owner = q.rpartition(".")[0]
        if fn.definition != TASK and owner not in live and p.module_of.get(q, "") not in live and not (
                owner != p.module_of.get(q, "") and counts.get(CLASS_NAME + owner.rpartition(".")[2])):
            continue  # nothing of its module (its class) is used from elsewhere: maybe loaded so
        if p.sites_of.get(q) or p.refs_of.get(q):
            continue
        name = fn.name
        if counts.get(STRING + name) or name.startswith(prefixes) or not _callable_by_name(p, fn, classes):
            continue
        if dynamic and _named_at_run_time(dynamic, fn, p.module_of.get(q, ""), classes):
            continue
        if p.spelled(fn, local=True) != p.used(fn, refs=True):
            continue
        out[q] = UNREACHED.format(name=short(q))
    return out


def _named_at_run_time(keys: frozenset[str], fn: Summary, module: str, classes: Classes) -> bool:
    """A ``getattr`` by a name that is no literal may return ``fn``: one on its module
    (``getattr(services, op)``, or on any module loaded at run time), or, for a method, on its
    class, a subclass or a base (``getattr(self, op)`` in one of their methods), or on a value of
    unknown class (not for a view's method: only one on a ``view``, ``view_bases.VIEW_RECEIVER``).
    One whose name ends in a literal (``name + "_id"``) names only what ends so."""
    dynamic = frozenset(receiver for receiver, _, ending in (k.partition(SUFFIX) for k in keys)
                        if fn.name.endswith(ending))
    if not dynamic:
        return False
    owner = fn.qualname.rpartition(".")[0]
    if fn.definition in (FUNCTION, TASK):
        return ANY_MODULE in dynamic or module.rpartition(".")[2] in dynamic
    if fn.definition == VIEW:  # a view instance is no object of unknown class (``view_bases.py``)
        return view_bases.VIEW_RECEIVER in dynamic or not dynamic.isdisjoint(classes.related(owner))
    return ANY_METHOD in dynamic or not dynamic.isdisjoint(classes.related(owner))


def _live(p: Project) -> set[str]:
    """The modules and classes product code uses from outside: a function of the module (a method of
    the class) has a resolved call site in another module (outside the class). A module nothing
    imports may be loaded by other means (a plug-in, a module a framework discovers, a library's
    API used outside the scanned tree): its functions are not judged unreached."""
    out: set[str] = set()
    for target, sites in p.sites_of.items():
        owner = target.rpartition(".")[0]
        module = p.module_of.get(target, "")
        for site in sites:
            if site.system or site.caller is None:
                continue
            if not site.caller.startswith(owner + "."):
                out.add(owner)
                if owner != module and not site.caller.startswith(module + "."):
                    out.add(module)
    return out


def _callable_by_name(p: Project, fn: Summary, classes: Classes) -> bool:
    """Only code naming ``fn`` can call it (its definition, class and name say so)."""
    module = p.module_of.get(fn.qualname, "")
    owner = fn.qualname.rpartition(".")[0]
    if fn.definition in (FUNCTION, TASK):
        return owner == module and not (fn.name.startswith("__") and fn.name.endswith("__"))
    if owner.rpartition(".")[0] != module:
        return False  # a method of a nested class, or a nested function
    external = classes.external(owner)
    if framework_may_call(fn.name, external) or classes.overrides(owner, fn.name):
        return False
    return fn.definition == STATIC or not external or (
        fn.definition == VIEW and not view_bases.framework_calls(fn.name))


class Classes:
    """The project's classes (those with a method summarised) and their bases: whether one has a
    base outside the project, transitively."""

    def __init__(self, funcs: Iterable[Summary], module_of: Mapping[str, str]) -> None:
        self._bases: dict[str, tuple[str, ...]] = {}
        self._module: dict[str, str] = {}
        self._path: dict[str, str] = {}
        self._methods: dict[str, set[str]] = {}
        for fn in funcs:
            if fn.definition in (METHOD, STATIC, VIEW) or fn.bases:
                owner = fn.qualname.rpartition(".")[0]
                self._methods.setdefault(owner, set()).add(fn.name)
                self._bases.setdefault(owner, fn.bases)
                self._module.setdefault(owner, module_of.get(fn.qualname, ""))
                self._path.setdefault(owner, fn.path)
        self._callees = Callees(self._bases, self._module)
        self._memo: dict[str, bool] = {}
        self._subs: dict[str, list[str]] | None = None  # project class -> its direct subclasses

    def external(self, cls: str, depth: int = 0) -> bool:
        """``cls`` has a base that is not a class of the project (nor ``object``)."""
        if cls in self._memo:
            return self._memo[cls]
        self._memo[cls] = True  # a cycle, or too deep: outside the project, as far as known
        found = depth < MAX_DEPTH and all(self._inside(base, cls, depth) for base in self._bases.get(cls, ()))
        self._memo[cls] = not found
        return not found

    def overrides(self, cls: str, name: str) -> bool:
        """A project base class of ``cls`` (transitively) has a method ``name``: a call spelled
        on the base, or made in it through ``self``/``cls``, may run this one."""
        todo, seen = [cls], {cls}
        while todo and len(seen) <= MAX_DEPTH * 4:
            here = todo.pop()
            for base in self._bases.get(here, ()):
                sub = self._project(base, here)
                if sub is None or sub in seen:
                    continue
                if name in self._methods.get(sub, ()):
                    return True
                seen.add(sub)
                todo.append(sub)
        return False

    def related(self, cls: str) -> set[str]:
        """The simple names of ``cls``, its project bases and its project subclasses (transitively):
        the classes whose ``self`` may hold an instance running a method of ``cls``."""
        if self._subs is None:
            self._subs = {}
            for sub in self._bases:
                for base in self._bases[sub]:
                    found = self._project(base, sub)
                    if found is not None:
                        self._subs.setdefault(found, []).append(sub)
        out = {cls}
        for step in (self._project_bases, lambda c: (self._subs or {}).get(c, [])):
            todo, seen = [cls], {cls}
            while todo and len(seen) <= MAX_DEPTH * 4:
                for other in step(todo.pop()):
                    if other not in seen:
                        seen.add(other)
                        todo.append(other)
            out |= seen
        return {c.rpartition(".")[2] for c in out}

    def _project_bases(self, cls: str) -> list[str]:
        return [b for b in (self._project(base, cls) for base in self._bases.get(cls, ())) if b is not None]

    def _inside(self, base: str, cls: str, depth: int) -> bool:
        """``base`` of ``cls`` brings no method from outside the project."""
        if base in _NEUTRAL:
            return True
        sub = self._project(base, cls)
        return sub is not None and not self.external(sub, depth + 1)

    def _project(self, base: str, cls: str) -> str | None:
        """The project class ``base`` (as qualified in the module of ``cls``) names, if any: a name
        with no dot is a class of that module (an imported one is qualified)."""
        module = self._module.get(cls, "")
        if base.startswith("."):
            base = resolve_import(base, self._path.get(cls, ""))
        elif "." not in base:
            base = f"{module}.{base}" if module else base
        return self._callees.resolve(base)
