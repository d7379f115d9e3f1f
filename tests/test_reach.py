"""Functions no request can reach (``crossfn/reach.py``, the ``whole_application`` setting): string
literals that may name a function (``index/string_names.py``), what a definition allows, and the
rule over a small project."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest

from tenantlint.api import check_paths, load_config
from tenantlint.crossfn.reach import FUNCTION, METHOD, STATIC, TASK, definition, framework_may_call
from tenantlint.crossfn.records import ANY_METHOD, ANY_MODULE, DYNAMIC, PREFIX, STRING, SUFFIX
from tenantlint.prepass import name_counts
from tenantlint.results import RunResult
from tests.test_crossfn import chdir


def _counts(code: str) -> dict[str, int]:
    return dict(name_counts(ast.parse(textwrap.dedent(code))))


@pytest.mark.parametrize(("code", "key"), [
    ('getattr(service, "refresh")()', STRING + "refresh"),
    ('app.send_task("app.tasks.refresh")', STRING + "refresh"),
    ('ENTRY = "app.jobs:refresh"', STRING + "refresh"),
    ('getattr(self, f"handle_{kind}")', PREFIX + "handle_"),
    ('getattr(self, "handle_" + kind)', PREFIX + "handle_"),
    ('getattr(self, "handle_%s" % kind)', PREFIX + "handle_"),
    ('getattr(self, "handle_{}".format(kind))', PREFIX + "handle_"),
    ('NAME = f"app.jobs.handle_{kind}"', PREFIX + "handle_"),
])
def test_string_literals_that_may_name_a_function(code: str, key: str) -> None:
    assert _counts(code).get(key) == 1


@pytest.mark.parametrize(("code", "key"), [
    ("getattr(services, op)()", DYNAMIC + "services"),
    ("import app.services as svc\ngetattr(svc, op)()", DYNAMIC + "services"),
    ("from app import services as svc\ngetattr(svc, op)", DYNAMIC + "services"),
    ("getattr(jobs.Runner, op)", DYNAMIC + "Runner"),
    ("class Worker:\n    def perform(self, op):\n        return getattr(self, op)()", DYNAMIC + "Worker"),
    ("def load(path, op):\n    m = importlib.import_module(path)\n    return getattr(m, op)",
     DYNAMIC + ANY_MODULE),
    ("getattr(sys.modules[__name__], op)()", DYNAMIC + ANY_MODULE),
    ("getattr(importlib.import_module(path), op)()", DYNAMIC + ANY_MODULE),
    ("globals()[name]()", DYNAMIC + ANY_MODULE),
    ("def act(service, op):\n    return getattr(service, op)()", DYNAMIC + ANY_METHOD),
    ("def act(service, op):\n    h = getattr(service, op)\n    return h()", DYNAMIC + ANY_METHOD),
    ("getattr(Tools(), op)()", DYNAMIC + ANY_METHOD),
    ("getattr(handlers[kind], op)()", DYNAMIC + ANY_METHOD),
    ("class W:\n    def run(self, op):\n        return getattr(self.exporter, op)()", DYNAMIC + "exporter"),
    ("operator.methodcaller(op)(tools)", DYNAMIC + ANY_METHOD),
    ("from operator import methodcaller\nmethodcaller(op)(tools)", DYNAMIC + ANY_METHOD),
])
def test_a_getattr_by_a_computed_name(code: str, key: str) -> None:
    assert _counts(code).get(key)


def test_an_alias_of_a_local_holds_no_module() -> None:
    counts = _counts('''
        def resolve_path(obj, path):
            current = obj
            for part in path.split("."):
                current = getattr(current, part)
            return current
    ''')
    assert DYNAMIC + ANY_MODULE not in counts  # an object's attributes, not a module's functions
    counts = _counts('''
        from app import jobs


        def run(op):
            handlers = jobs
            return getattr(handlers, op)()
    ''')
    assert counts.get(DYNAMIC + ANY_MODULE)  # an alias of an imported module holds the module


def test_a_related_name_template_starts_no_function_name() -> None:
    counts = _counts('''
        class Owned(models.Model):
            org = models.ForeignKey(Org, related_name="stale_%(class)s", related_query_name="x_%(class)s")
    ''')
    assert not any(k.startswith(PREFIX) for k in counts)
    assert _counts('label = "stale_%(class)s" % names').get(PREFIX + "stale_")


def test_a_getattr_that_names_nothing_new() -> None:
    counts = _counts('''
        from app import services
        value = getattr(row, field)  # an attribute read, not called: no method of an unknown class
        getattr(services, "fix")()  # a literal: counted as such
        getattr(self, f"handle_{kind}")()  # a prefix: counted as such
        getattr(services, op)()  # an imported module: its functions only
        value = getattr(row, other)  # held, but never called
        for attr in ("stop", "disconnect"):  # one of these literals, counted as such
            fn = getattr(client, attr, None)
            fn()
        for name in ("close", "flush"):  # the same, called at once
            getattr(client, name)()
        operator.methodcaller("refresh")  # a literal
    ''')
    assert DYNAMIC + ANY_METHOD not in counts and DYNAMIC + ANY_MODULE not in counts
    assert not any(k.startswith(DYNAMIC + "?") for k in counts)


def test_a_computed_name_with_a_literal_ending_names_only_what_ends_so() -> None:
    counts = _counts('''
        def using(groups, setting_name):
            for group in groups:  # a loop target: it may hold a module
                if getattr(group, setting_name + "_id"):
                    return group
                if getattr(group, f"{setting_name}_id"):
                    return group
    ''')
    assert counts.get(DYNAMIC + ANY_MODULE + SUFFIX + "_id") == 2
    assert DYNAMIC + ANY_MODULE not in counts
    # an ending that is no identifier's tail names anything (the name is any text)
    assert _counts("def f(m, n):\n    for m in ms:\n        getattr(m, n + '.x')").get(DYNAMIC + ANY_MODULE)
    # on a value of a class not known, called at once: any method ending so
    assert _counts("def act(service, op):\n    return getattr(service, op + '_all')()").get(
        DYNAMIC + ANY_METHOD + SUFFIX + "_all")


def test_a_loop_over_literal_pairs_gives_literal_names() -> None:
    counts = _counts('''
        def changed(pairs):
            for old, new in pairs:
                for old_attr, new_attr in [("host", "host"), ("name", "title")]:
                    if getattr(old, old_attr) != getattr(new, new_attr):
                        return True
    ''')
    assert not any(k.startswith(DYNAMIC) for k in counts)
    assert counts.get(STRING + "host") == 2
    counts = _counts('''
        def changed(pairs, rows):
            for old, new in pairs:
                for old_attr, new_attr in [("host", "host"), rows[0]]:  # one pair is no literal
                    getattr(old, old_attr)
    ''')
    assert counts.get(DYNAMIC + ANY_MODULE)


def test_prose_and_bare_module_paths_name_nothing() -> None:
    counts = _counts('''
        log.info("refresh failed for %s", x)
        url = f"https://example.com/{x}"
        name = f"app.jobs.{kind}"
    ''')
    assert not any(k.startswith((STRING + "refresh", PREFIX)) for k in counts if counts[k])


@pytest.mark.parametrize(("decorators", "method", "kind"), [
    ([], False, FUNCTION),
    ([], True, METHOD),
    (["classmethod"], True, STATIC),
    (["staticmethod"], True, STATIC),
    (["classmethod", "DB.connection_context"], True, STATIC),
    (["transaction.atomic"], False, FUNCTION),
    (["django.db.transaction.atomic"], False, FUNCTION),
    (["functools.lru_cache"], False, FUNCTION),
    (["functools.cache"], False, FUNCTION),
    (["cache"], False, ""),  # the project's own ``cache``: may register what it wraps
    (["app.hooks.cache"], False, ""),
    (["?"], False, ""),  # ``@hooks["x"]``: no dotted name, unknown
    # a task: a worker runs it when a producer names it (its function or its dotted path)
    (["app.task"], False, TASK),
    (["celery.shared_task"], False, TASK),
    (["celery.shared_task", "django.db.transaction.atomic"], False, TASK),
    (["shared_task"], False, ""),  # the project's own ``shared_task``: may register what it wraps
    (["app.task"], True, ""),  # a method registered as a task: its class is not known to the worker
    (["celery.shared_task", "receiver"], False, ""),
    (["property"], True, ""),  # read as an attribute, by templates too
    (["receiver"], False, ""),
])
def test_definition(decorators: list[str], method: bool, kind: str) -> None:
    assert definition(decorators, method) == kind


def test_a_method_of_a_registered_class_is_reached() -> None:
    assert definition([], True, ["registry.register"]) == ""  # handed to what calls its methods
    assert definition(["classmethod"], True, ["strawberry.type"]) == ""
    assert definition([], True, ["dataclass"]) == METHOD
    # SQLAlchemy-Utils' ``generic_repr`` adds a ``__repr__`` and hands the class to nothing
    assert definition(["classmethod"], True, ["sqlalchemy_utils.generic_repr"]) == STATIC
    assert definition(["classmethod"], True, ["generic_repr", "gfk_type"]) == ""


def test_framework_hooks() -> None:
    assert framework_may_call("save", external=False)
    assert framework_may_call("__str__", external=False)
    assert framework_may_call("validate_email", external=True)
    assert not framework_may_call("validate_email", external=False)
    assert not framework_may_call("get_by_name", external=True)


MODELS = """
from django.db import models


class Org(models.Model):
    name = models.CharField(max_length=100)


class Invoice(models.Model):
    org = models.ForeignKey(Org, on_delete=models.CASCADE)
    total = models.IntegerField(null=True)

    @classmethod
    def null_totals(cls):
        return list(cls.objects.filter(total__isnull=True))

    def totals_like_mine(self):
        return Invoice.objects.filter(total=self.total)
"""

SERVICES = """
from app.models import Invoice


class Base:
    @classmethod
    def wipe(cls):
        Invoice.objects.all().delete()


class Service(Base):
    @classmethod
    def wipe(cls):
        Invoice.objects.all().delete()

    @classmethod
    def tally(cls):
        return Invoice.objects.count()


def used(org):
    return Invoice.objects.filter(org=org)


def dead():
    return helper()


def helper():
    return Invoice.objects.filter(total=0)
"""

VIEWS = """
from app import services
from app.models import Invoice


def show(request):
    rows = services.used(request.user.org)
    return [r.totals_like_mine() for r in rows] + [Invoice.objects.filter(org=request.user.org)]
"""

LOOSE = """
from app.models import Invoice


def nothing_imports_me():
    return Invoice.objects.filter(total=1)
"""


def _run(tmp_path: Path, whole: bool, files: dict[str, str] | None = None) -> RunResult:
    config = 'global_tables = ["Org"]\n' + ("whole_application = true\n" if whole else "")
    (tmp_path / "tenantlint.toml").write_text(config)
    tree = {"app/__init__.py": "", "app/models.py": MODELS, "app/services.py": SERVICES,
            "app/views.py": VIEWS, "app/loose.py": LOOSE, **(files or {})}
    for name, text in tree.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"))
    with chdir(tmp_path):
        return check_paths([Path(".")], load_config(tmp_path), want_sites=True)


def _found(result: RunResult) -> list[tuple[str, int]]:
    return sorted((f.path, f.line) for f in result.findings)


def test_a_library_reports_every_helper(tmp_path: Path) -> None:
    assert _found(_run(tmp_path, whole=False)) == [
        ("app/loose.py", 5), ("app/models.py", 14), ("app/models.py", 17), ("app/services.py", 7),
        ("app/services.py", 13), ("app/services.py", 17), ("app/services.py", 29)]


def test_a_whole_application_leaves_out_what_no_request_reaches(tmp_path: Path) -> None:
    result = _run(tmp_path, whole=True)
    # kept: a module nothing imports, an instance method of a model (a framework may call it), an
    # override (a call spelled on its base class may run it)
    assert _found(result) == [("app/loose.py", 5), ("app/models.py", 17), ("app/services.py", 13)]
    system = {(s.path, s.line): s.detail for s in result.query_sites if s.scoping == "system-scope"}
    assert system == {
        ("app/models.py", 14): "unreached: no product code calls or names Invoice.null_totals (tests, "
                               "migrations and system_paths aside)",
        ("app/services.py", 7): "unreached: no product code calls or names Base.wipe (tests, migrations "
                                "and system_paths aside)",
        ("app/services.py", 17): "unreached: no product code calls or names Service.tally (tests, "
                                 "migrations and system_paths aside)",
        ("app/services.py", 29): "called only by services.dead, unreached: no product code calls or "
                                 "names services.dead (tests, migrations and system_paths aside)",
    }


def test_a_name_in_a_string_reaches_the_function(tmp_path: Path) -> None:
    jobs = """
        from app import services

        TASKS = {"count": "app.services.Service.tally"}


        def run(name):
            return getattr(services, "dead")()
    """
    result = _run(tmp_path, whole=True, files={"app/jobs.py": jobs})
    assert ("app/services.py", 17) in _found(result)
    assert ("app/services.py", 29) in _found(result)


def test_a_getattr_by_a_computed_name_reaches_the_functions_it_may_return(tmp_path: Path) -> None:
    jobs = """
        from app import services


        def run(request):
            return getattr(services, request.GET["op"])()
    """
    result = _run(tmp_path, whole=True, files={"app/jobs.py": jobs})
    assert ("app/services.py", 29) in _found(result)  # dead() may be the one named: helper() too
    assert ("app/models.py", 14) not in _found(result)  # a method of a model: no function of services


def test_a_getattr_with_an_ending_reaches_only_the_functions_ending_so(tmp_path: Path) -> None:
    jobs = """
        from app import services


        def run(request):
            return getattr(services, request.GET["op"] + "_helper")()
    """
    result = _run(tmp_path, whole=True, files={"app/jobs.py": jobs})
    assert ("app/services.py", 29) not in _found(result)  # dead() ends in no "_helper"
    jobs = jobs.replace("_helper", "ead")
    (tmp_path / "again").mkdir()
    result = _run(tmp_path / "again", whole=True, files={"app/jobs.py": jobs})
    assert ("app/services.py", 29) in _found(result)  # dead() ends in "ead": it may be named


def test_a_relative_base_is_read_from_the_importing_module() -> None:
    from tenantlint.analysis.rawsql.constants import resolve_import  # what Classes reads bases by

    assert resolve_import(".base.Service", "app/services.py") == "app.base.Service"
    assert resolve_import("..x.Y", "app/sub/__init__.py") == "app.x.Y"


def test_a_held_getattr_on_a_loaded_module_names_its_functions_only() -> None:
    counts = _counts('''
        def decrypt(path, name, key):
            fun = getattr(importlib.import_module(path), name)
            return fun(key)
    ''')
    assert counts.get(DYNAMIC + ANY_MODULE) and DYNAMIC + ANY_METHOD not in counts


TASKS = """
from celery import shared_task

from app.models import Invoice


@shared_task
def forgotten(invoice_id):
    return Invoice.objects.get(pk=invoice_id)


@shared_task(name="billing.sweep")
def sweep():
    return list(Invoice.objects.values("total"))
"""


def test_a_task_no_producer_names_is_unreached(tmp_path: Path) -> None:
    # nothing imports app/tasks.py (a worker's autodiscovery loads it): registering is no call
    result = _run(tmp_path, whole=True, files={"app/tasks.py": TASKS})
    found = [f for f in _found(result) if f[0] == "app/tasks.py"]
    assert found == [("app/tasks.py", 13)]  # renamed: a producer may send "billing.sweep"
    system = {(s.path, s.line): s.detail for s in result.query_sites if s.scoping == "system-scope"}
    assert system[("app/tasks.py", 8)].startswith("unreached: no product code calls or names tasks.forgotten")


def test_a_task_a_producer_names_is_reached(tmp_path: Path) -> None:
    jobs = """
        SCHEDULE = {"forget": {"task": "app.tasks.forgotten"}}
    """
    result = _run(tmp_path, whole=True, files={"app/tasks.py": TASKS, "app/jobs.py": jobs})
    assert ("app/tasks.py", 8) in _found(result)


COMMAND_BASE = """
from django.core.management.base import BaseCommand

from app.models import Invoice


class AppCommand(BaseCommand):
    def invoices(self, options):
        return Invoice.objects.all()


class Lookup:
    def invoices(self, options):
        return Invoice.objects.filter(pk__in=options["ids"])
"""


def test_a_method_of_a_command_base_class_is_system_code(tmp_path: Path) -> None:
    # ``source.invoices`` (any object) leaves the callers of both methods open: only the command
    # base's method is system code by itself, as a command under management/commands is
    exports = """
        def export(source, options):
            return list(source.invoices(options))
    """
    files = {"app/lib/__init__.py": "", "app/lib/management.py": COMMAND_BASE, "app/exports.py": exports}
    result = _run(tmp_path, whole=False, files=files)
    assert [f for f in _found(result) if f[0] == "app/lib/management.py"] == [("app/lib/management.py", 13)]
    system = {(s.path, s.line): s.detail for s in result.query_sites if s.scoping == "system-scope"}
    assert system[("app/lib/management.py", 8)] == (
        "a method of a Django management command: AppCommand (django.core.management.base.BaseCommand)")
