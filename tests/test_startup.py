"""Start-up code is system code (``analysis/interp/startup.py``): a module's ``__main__`` block,
functions registered as start-up hooks, Django's ``AppConfig.ready``; and a handler in system scope
by itself is a system caller of its helpers (``analysis/interp/system_handlers.py``)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import libcst as cst

from tenantlint.analysis.interp.startup import (
    app_config_ready,
    hook_decorator,
    is_main_guard,
    registered_hooks,
)
from tenantlint.api import check_paths, load_config
from tenantlint.results import RunResult
from tests.test_crossfn import chdir
from tests.test_system_callers import MODELS


def _expr(text: str) -> cst.BaseExpression:
    return cst.parse_expression(text)


def _fn(text: str) -> cst.FunctionDef:
    node = cst.parse_module(textwrap.dedent(text)).body[0]
    assert isinstance(node, cst.FunctionDef)
    return node


def test_main_guard_either_way_round_and_nothing_else() -> None:
    assert is_main_guard(_expr('__name__ == "__main__"'))
    assert is_main_guard(_expr("'__main__' == __name__"))
    assert not is_main_guard(_expr('__name__ != "__main__"'))
    assert not is_main_guard(_expr('__name__ == "app"'))
    assert not is_main_guard(_expr('name == "__main__"'))


def test_registered_hooks_by_keyword_list_and_event_handler() -> None:
    module = cst.parse_module(textwrap.dedent("""
        app = FastAPI(lifespan=lifespan_fn)
        other = Starlette(on_startup=[warm, load], on_shutdown=(flush,))
        app.add_event_handler("startup", seed)
        app.add_event_handler("request", not_a_hook)
        router = APIRouter(lifespan=make_lifespan())
    """))
    assert registered_hooks(module, None) == {
        "lifespan_fn": "lifespan=lifespan_fn", "warm": "on_startup=warm", "load": "on_startup=load",
        "flush": "on_shutdown=flush", "seed": 'app.add_event_handler("startup", seed)'}
    assert registered_hooks(module, "no hint in this text") == {}


def test_hook_decorators() -> None:
    assert hook_decorator(_fn('@app.on_event("startup")\ndef f(): pass\n')) == '@app.on_event("startup")'
    assert hook_decorator(_fn('@app.on_event("shutdown")\ndef f(): pass\n')) == '@app.on_event("shutdown")'
    assert hook_decorator(_fn("@app.before_first_request\ndef f(): pass\n")) == "@app.before_first_request"
    assert hook_decorator(_fn('@app.on_event("custom")\ndef f(): pass\n')) is None
    assert hook_decorator(_fn("@on_event('startup')\ndef f(): pass\n")) is None  # no application object
    assert hook_decorator(_fn("@app.get('/')\ndef f(): pass\n")) is None


def test_app_config_ready() -> None:
    ready = _fn("def ready(self): pass\n")
    assert app_config_ready(ready, ("django.apps.AppConfig",))
    assert not app_config_ready(ready, ("app.base.Worker",))
    assert not app_config_ready(_fn("def setup(self): pass\n"), ("django.apps.AppConfig",))


FIXES = """
from app.models import Invoice


def zero_totals():
    Invoice.objects.filter(total__isnull=True).update(total=0)


def count_invoices():
    return Invoice.objects.count()
"""

APPS = """
from django.apps import AppConfig

from app import fixes


class BillingConfig(AppConfig):
    name = "app"

    def ready(self):
        fixes.zero_totals()
"""

SCRIPT = """
from app.fixes import count_invoices

if __name__ == "__main__":
    print(count_invoices())
"""


def _run(tmp_path: Path, files: dict[str, str]) -> RunResult:
    (tmp_path / "tenantlint.toml").write_text('global_tables = ["Org"]\n')
    for name, text in {"app/__init__.py": "", "app/models.py": MODELS, "app/fixes.py": FIXES,
                       **files}.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"))
    with chdir(tmp_path):
        return check_paths([Path(".")], load_config(tmp_path), want_sites=True)


def test_helpers_only_start_up_code_calls_are_system_scope_with_the_hook_named(tmp_path: Path) -> None:
    result = _run(tmp_path, {"app/apps.py": APPS, "app/report.py": SCRIPT})
    assert [(f.path, f.line, f.code) for f in result.findings] == []
    system = sorted((s.line, s.detail) for s in result.query_sites
                    if s.scoping == "system-scope" and s.path == "app/fixes.py")
    ready = "application start-up: BillingConfig.ready (a Django AppConfig)"
    assert system == [
        (5, f"called only by BillingConfig.ready, {ready}"),
        (9, 'called only by report.__main__, a script entry point: if __name__ == "__main__"')]


def test_one_call_from_a_view_keeps_the_finding(tmp_path: Path) -> None:
    view = """
        from app.fixes import count_invoices


        def total(request):
            return count_invoices()
    """
    result = _run(tmp_path, {"app/apps.py": APPS, "app/report.py": SCRIPT, "app/views.py": view})
    assert [(f.path, f.line, f.code) for f in result.findings] == [("app/fixes.py", 9, "TNT101")]


VIEWS = """
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.views import APIView

from app.fixes import count_invoices
from app.models import Invoice


class InstanceAdminPermission(BasePermission):
    def has_permission(self, request, view):
        return request.user.is_superuser


class StatusView(APIView):
    permission_classes = [InstanceAdminPermission]

    def get(self, request):
        return {"invoices": count_invoices(), "rows": list(Invoice.objects.all())}


class PerActionView(APIView):
    permission_classes = [InstanceAdminPermission]

    def get_permissions(self):
        return [IsAuthenticated()]

    def get(self, request):
        return list(Invoice.objects.all())
"""


def test_operator_only_handlers_and_their_helpers_are_system_scope(tmp_path: Path) -> None:
    result = _run(tmp_path, {"app/views.py": VIEWS})
    assert [(f.path, f.line, f.code) for f in result.findings] == [  # no operator_checks yet
        ("app/fixes.py", 5, "TNT102"), ("app/fixes.py", 9, "TNT101"), ("app/views.py", 17, "TNT101"),
        ("app/views.py", 27, "TNT101")]
    (tmp_path / "tenantlint.toml").write_text(
        'global_tables = ["Org"]\noperator_checks = ["InstanceAdminPermission"]\n')
    with chdir(tmp_path):
        result = check_paths([Path(".")], load_config(tmp_path), want_sites=True)
    assert [(f.path, f.line, f.code) for f in result.findings] == [
        ("app/fixes.py", 5, "TNT102"), ("app/views.py", 27, "TNT101")]
    why = "an operator-only handler: permission_classes InstanceAdminPermission"
    system = sorted((s.path, s.line, s.detail) for s in result.query_sites if s.scoping == "system-scope")
    assert system == [("app/fixes.py", 9, f"called only by StatusView.get, {why}"),
                      ("app/views.py", 17, why)]
