"""Application start-up code: what runs when the process starts or stops, never for a tenant's request.

- A module's ``if __name__ == "__main__":`` block (a script's entry point) is walked as a function of
  its own, ``<module>.__main__``, in system scope: the functions it calls are called by system code.
- A function registered as a start-up or shutdown hook: passed as ``lifespan=`` or in
  ``on_startup=[...]``/``on_shutdown=[...]`` to a call of the module (``FastAPI(lifespan=...)``,
  ``Starlette(...)``, ``APIRouter(...)``), to ``<app>.add_event_handler("startup", fn)``, or decorated
  ``@<app>.on_event("startup")``/``("shutdown")``, Flask's ``@<app>.before_first_request``, Quart's
  ``@<app>.before_serving``/``after_serving``; and the ``ready`` method of a Django ``AppConfig``.

The walker walks such code in system scope, with the hook as the reason, as it does a scheduled task;
the audit lists it among the deliberate bypasses. A request handler is never start-up code, and a
function a hook calls is system code only when every one of its callers is (``crossfn/combine.py``).
"""

from __future__ import annotations

import libcst as cst

from tenantlint.analysis.interp.exprs import dotted
from tenantlint.analysis.interp.startup_hints import BARE_HOOKS, HOOK_KEYWORDS, MAIN_NAME, REGISTRATIONS

STARTUP = "application start-up: "  # why the queries of such a function are system code
MAIN_BLOCK = 'a script entry point: if __name__ == "__main__"'
_HOOK_KEYWORDS = frozenset(HOOK_KEYWORDS)
_EVENTS = frozenset({"startup", "shutdown"})
_BARE_HOOKS = frozenset(BARE_HOOKS)
_HINTS = REGISTRATIONS  # a cheap test over the source before the module is searched for them


def is_main_guard(test: cst.BaseExpression) -> bool:
    """``__name__ == "__main__"`` (either way round)."""
    if not isinstance(test, cst.Comparison) or len(test.comparisons) != 1:
        return False
    target = test.comparisons[0]
    if not isinstance(target.operator, cst.Equal):
        return False
    sides = (test.left, target.comparator)
    return (any(isinstance(s, cst.Name) and s.value == "__name__" for s in sides)
            and any(isinstance(s, cst.SimpleString) and s.evaluated_value == MAIN_NAME for s in sides))


def _event(arg: cst.Arg | None) -> str | None:
    if arg is None or not isinstance(arg.value, cst.SimpleString):
        return None
    value = arg.value.evaluated_value
    return value if isinstance(value, str) and value in _EVENTS else None


class _Registrations(cst.CSTVisitor):
    """Names of functions a call of the module registers as start-up or shutdown hooks -> how."""

    def __init__(self) -> None:
        self.found: dict[str, str] = {}

    def visit_Call(self, node: cst.Call) -> None:
        func = dotted(node.func) or ""
        if func.rsplit(".", 1)[-1] == "add_event_handler" and len(node.args) >= 2:
            event, target = _event(node.args[0]), node.args[1].value
            if event is not None and isinstance(target, cst.Name):
                self.found.setdefault(target.value, f'{func}("{event}", {target.value})')
            return
        for arg in node.args:
            if arg.keyword is None or arg.keyword.value not in _HOOK_KEYWORDS:
                continue
            value = arg.value
            items = ([e.value for e in value.elements] if isinstance(value, cst.List | cst.Tuple)
                     else [value])
            for item in items:
                if isinstance(item, cst.Name):
                    self.found.setdefault(item.value, f"{arg.keyword.value}={item.value}")


def registered_hooks(module: cst.Module, source: str | None) -> dict[str, str]:
    """Names the module registers as start-up or shutdown hooks -> how (``lifespan=lifespan_fn``)."""
    if source is not None and not any(h in source for h in _HINTS):
        return {}
    visitor = _Registrations()
    module.visit(visitor)
    return visitor.found


def hook_decorator(fn: cst.FunctionDef) -> str | None:
    """The decorator that makes ``fn`` a start-up or shutdown hook, as written, if any."""
    for d in fn.decorators:
        expr = d.decorator
        func = expr.func if isinstance(expr, cst.Call) else expr
        name = dotted(func) or ""
        last = name.rsplit(".", 1)[-1]
        if "." not in name:
            continue  # ``@<app>.on_event``: a method of the application object
        if last == "on_event" and isinstance(expr, cst.Call) and expr.args:
            event = _event(expr.args[0])
            if event is not None:
                return f'@{name}("{event}")'
        if last in _BARE_HOOKS and not isinstance(expr, cst.Call):
            return f"@{name}"
    return None


def app_config_ready(fn: cst.FunctionDef, bases: tuple[str, ...]) -> bool:
    """``ready`` of a Django ``AppConfig`` subclass (bases qualified by the module's imports)."""
    return fn.name.value == "ready" and any(b.endswith(".AppConfig") or b == "AppConfig" for b in bases)
