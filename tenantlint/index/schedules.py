"""Functions a scheduler runs on a timer: scheduled (periodic) tasks, read with CPython ``ast``.

A task a scheduler starts has no request and no tenant: like a management command it is deliberately
cross-tenant, so the analysis runs it in system scope (``analysis/interp/walker.py``). What registers
one, statically:

- Celery beat: a dict literal with a ``"task"`` name and a ``"schedule"`` (``beat_schedule = {...}``,
  ``CELERY_BEAT_SCHEDULE``, ``beat_schedule.update(...)``); ``sender.add_periodic_task(schedule,
  task.s())`` (also ``task``, ``task.si()``, ``signature("name")``, ``sig=``); ``@periodic_task``.
  A task's name is its module path and function name unless ``@shared_task(name=...)`` /
  ``@app.task(name=...)`` gives one (``task_names``).
- APScheduler: ``scheduler.add_job(func, "cron"|"interval", ...)`` (or ``trigger=``, a
  ``CronTrigger``/``IntervalTrigger``), ``@scheduler.scheduled_job(...)``.
- rq-scheduler: ``scheduler.cron(cron_string, func=f)``, ``scheduler.schedule(..., func=f,
  interval=...)``, and job definitions ``{"func": f, "interval": ...}`` (or ``"cron_string"``).
- Huey ``@periodic_task``/``@db_periodic_task``, ``schedule.every(...).do(f)``, ``@repeat_every(...)``.
- A registration call whose name says the period: ``register_daily(f, g)``, ``add_hourly(f)``.

Each registration maps the function it names (qualified through the file's imports: ``pkg.tasks.f``)
or the task name (Celery) to where it was registered (``app/celery.py:33``).
"""

from __future__ import annotations

import ast
import re

from tenantlint.analysis.source.ast_imports import bound_names, is_package_init
from tenantlint.index.ast_util import dotted

# Cheap text test: a file that spells none of these registers nothing (and names no task).
HINT = re.compile(
    r"\b(?:schedule|periodic|scheduled_job|add_job|cron|every|repeat_every|interval|"
    r"\w+_(?:daily|hourly|minutely|weekly|monthly|nightly))|(?:task|actor)\([^)]*\bname\s*="
)
# Every match of HINT holds one of these (a text with none is not searched: 0.1 s for 2 MB)
HINT_WORDS = ("schedule", "periodic", "add_job", "cron", "every", "interval", "_daily", "_hourly",
              "_minutely", "_weekly", "_monthly", "_nightly", "task(", "actor(")
_PERIOD_CALL = re.compile(r"^(?:register|add|schedule|run)_(?:daily|hourly|minutely|weekly|monthly|nightly)$")
_PERIODIC_DECORATORS = frozenset({"periodic_task", "db_periodic_task", "scheduled_job", "repeat_every"})
_TASK_DECORATORS = frozenset({"task", "shared_task", "actor"})
_TRIGGERS = frozenset({"cron", "interval"})
_TRIGGER_CLASSES = frozenset({"CronTrigger", "IntervalTrigger"})
_SIGNATURE_METHODS = frozenset({"s", "si", "signature"})


class _Reader:
    def __init__(self, rel: str, module: str, tree: ast.Module) -> None:
        self.rel = rel
        self.module = module
        self.names = bound_names(tree, module, package_init=is_package_init(rel))
        self.scheduled: dict[str, str] = {}
        self.task_names: dict[str, str] = {}

    def qualify(self, node: ast.expr) -> str | None:
        """A reference to a function (``tasks.f``, ``f``, ``f.s(...)``, ``signature("name")``) as a
        qualified name, or a Celery task name."""
        if isinstance(node, ast.Call):
            last = (dotted(node.func) or "").rsplit(".", 1)[-1]
            if last == "signature" and node.args:
                return _string(node.args[0])
            if last in _SIGNATURE_METHODS and isinstance(node.func, ast.Attribute):
                return self.qualify(node.func.value)
            return None
        text = _string(node)
        if text is not None:
            return text  # a dotted name in a string: a Celery task name
        ref = dotted(node, calls="reject")
        if not ref:
            return None
        head, _, rest = ref.partition(".")
        base = self.names.get(head)
        if base is not None:
            return f"{base}.{rest}" if rest else base
        return f"{self.module}.{ref}" if self.module else ref

    def add(self, node: ast.expr | None, line: int, how: str) -> None:
        target = self.qualify(node) if node is not None else None
        if target:
            self.scheduled.setdefault(target, f"{self.rel}:{line} ({how})")

    def visit(self, tree: ast.Module) -> None:
        for node in ast.walk(tree):
            if isinstance(node, ast.Dict):
                self.dict_literal(node)
            elif isinstance(node, ast.Call):
                self.call(node)
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                self.decorated(node)

    def dict_literal(self, node: ast.Dict) -> None:
        keys = {_string(k): v for k, v in zip(node.keys, node.values, strict=True) if k is not None}
        if _string(keys.get("task")) and "schedule" in keys:
            self.add(keys["task"], keys["task"].lineno, "celery beat")
        elif "func" in keys and ("interval" in keys or "cron_string" in keys):
            self.add(keys["func"], keys["func"].lineno, "rq-scheduler")

    def call(self, node: ast.Call) -> None:
        name = dotted(node.func) or ""
        last = name.rsplit(".", 1)[-1] if name else (
            node.func.attr if isinstance(node.func, ast.Attribute) else "")
        kw = {k.arg: k.value for k in node.keywords if k.arg}
        line = node.lineno
        if last == "add_periodic_task":
            self.add(kw.get("sig") or (node.args[1] if len(node.args) > 1 else None), line, "celery beat")
        elif last == "add_job" and _has_trigger(node, kw):
            self.add(kw.get("func") or (node.args[0] if node.args else None), line, "APScheduler")
        elif last in ("cron", "schedule") and isinstance(node.func, ast.Attribute) and "func" in kw \
                and (last == "cron" or "interval" in kw):
            self.add(kw["func"], line, "rq-scheduler")
        elif last == "do" and isinstance(node.func, ast.Attribute) and _chain_has(node.func.value, "every"):
            self.add(node.args[0] if node.args else kw.get("job_func"), line, "schedule")
        elif _PERIOD_CALL.match(last):
            for arg in node.args:
                self.add(arg, line, last)

    def decorated(self, fn: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        qualname = f"{self.module}.{fn.name}" if self.module else fn.name
        for d in fn.decorator_list:
            call = d if isinstance(d, ast.Call) else None
            name = dotted(call.func if call is not None else d) or ""
            last = name.rsplit(".", 1)[-1]
            if last in _PERIODIC_DECORATORS:
                self.scheduled.setdefault(qualname, f"{self.rel}:{d.lineno} (@{last})")
            elif last in _TASK_DECORATORS and call is not None:
                kw = {k.arg: k.value for k in call.keywords if k.arg}
                explicit = _string(kw["name"]) if "name" in kw else None
                if explicit:
                    self.task_names[explicit] = qualname
                if "periodic" in kw:  # periodiq: ``@dramatiq.actor(periodic=cron(...))``
                    self.scheduled.setdefault(qualname, f"{self.rel}:{d.lineno} (@{last}(periodic=))")


def _string(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _has_trigger(node: ast.Call, kw: dict[str, ast.expr]) -> bool:
    trigger = kw.get("trigger") or (node.args[1] if len(node.args) > 1 else None)
    if _string(trigger) in _TRIGGERS:
        return True
    if isinstance(trigger, ast.Call):
        return (dotted(trigger.func) or "").rsplit(".", 1)[-1] in _TRIGGER_CLASSES
    return False


def _chain_has(node: ast.expr, method: str) -> bool:
    while True:
        if isinstance(node, ast.Call):
            if isinstance(node.func, ast.Attribute) and node.func.attr == method:
                return True
            if isinstance(node.func, ast.Name) and node.func.id == method:
                return True
            node = node.func
        elif isinstance(node, ast.Attribute):
            node = node.value
        else:
            return False


def module_schedules(rel: str, module: str, tree: ast.Module) -> tuple[dict[str, str], dict[str, str]]:
    """(scheduled: function or task name -> ``path:line (how)``, task_names: Celery name -> function)."""
    reader = _Reader(rel, module, tree)
    reader.visit(tree)
    return reader.scheduled, reader.task_names


class Schedules:
    """The project's registrations, asked once per function walked."""

    def __init__(self, scheduled: dict[str, str], task_names: dict[str, str]) -> None:
        self.scheduled = scheduled
        self.by_function = {task_names[n]: w for n, w in scheduled.items() if n in task_names}
        self.by_last: dict[str, list[tuple[str, str]]] = {}
        for name, where in sorted(scheduled.items()):
            if name not in task_names:
                self.by_last.setdefault(name.rsplit(".", 1)[-1], []).append((name, where))

    def __bool__(self) -> bool:
        return bool(self.scheduled)

    def where(self, qualname: str) -> str | None:
        """Where ``qualname`` (``pkg.tasks.cleanup.purge``) was registered with a scheduler, if it
        was: by its own name, by a Celery task name naming it, by a package that re-exports it
        (``pkg.tasks.purge``), or by a task name relative to another root (``tasks.cleanup.purge``)."""
        found = self.scheduled.get(qualname) or self.by_function.get(qualname)
        if found is not None:
            return found
        module = qualname.rsplit(".", 1)[0] if "." in qualname else ""
        for name, where in self.by_last.get(qualname.rsplit(".", 1)[-1], ()):
            package = name.rsplit(".", 1)[0] if "." in name else ""
            if package and (module.startswith(package + ".") or qualname.endswith("." + name)):
                return where
        return None
