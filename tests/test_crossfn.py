"""Across functions: summaries, call resolution and where the findings go (tenantlint/crossfn/)."""

from __future__ import annotations

import json
import os
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tenantlint.api import check_paths, load_config
from tenantlint.reporters.registry import get_reporter
from tenantlint.results import RunResult

MODELS = """
from django.db import models


class Organization(models.Model):
    name = models.CharField(max_length=100)


class Invoice(models.Model):
    org = models.ForeignKey(Organization, on_delete=models.CASCADE)
    number = models.CharField(max_length=20)
"""

HELPERS = """
from app.models import Invoice


def get_invoice(pk):
    return Invoice.objects.get(pk=pk)
"""


@contextmanager
def chdir(path: Path) -> Iterator[None]:
    old = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


def run(tmp_path: Path, files: dict[str, str]) -> RunResult:
    config = tmp_path / "tenantlint.toml"
    if not config.exists():
        config.write_text('global_tables = ["Organization"]\n')
    (tmp_path / "app").mkdir(exist_ok=True)
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "models.py").write_text(MODELS)
    for name, text in files.items():
        (tmp_path / name).write_text(textwrap.dedent(text).lstrip("\n"))
    with chdir(tmp_path):
        return check_paths([Path(".")], load_config(tmp_path))


def found(result: RunResult) -> list[tuple[str, int, str]]:
    return sorted((f.path, f.line, f.code) for f in result.findings)


def test_helper_called_only_with_scoped_ids_is_not_reported(tmp_path: Path) -> None:
    result = run(tmp_path, {"app/helpers.py": HELPERS, "app/views.py": """
        from app.helpers import get_invoice
        from app.models import Invoice


        def view(request):
            inv = Invoice.objects.get(org=request.user.org, pk=request.GET["id"])
            return get_invoice(inv.pk)
        """})
    assert found(result) == []


def test_request_input_into_id_keyed_helper_is_reported_at_the_argument(tmp_path: Path) -> None:
    result = run(tmp_path, {"app/helpers.py": HELPERS, "app/views.py": """
        from app import helpers


        def view(request):
            return helpers.get_invoice(request.GET["id"])
        """})
    assert found(result) == [("app/views.py", 5, "TNT101")]
    finding = result.findings[0]
    assert "helpers.get_invoice (app/helpers.py:5)" in finding.message
    assert "Invoice.objects.get" in finding.message
    hops = [(h.path, h.line, h.function) for h in finding.trace]
    assert hops == [("app/helpers.py", 5, "app.helpers.get_invoice")]
    assert finding.column == 32  # the argument, not the call


def test_helper_without_call_site_stays_reported_at_the_query(tmp_path: Path) -> None:
    result = run(tmp_path, {"app/helpers.py": HELPERS})
    assert found(result) == [("app/helpers.py", 5, "TNT101")]
    assert result.findings[0].trace == ()


def test_a_reference_that_is_not_a_call_leaves_the_callers_open(tmp_path: Path) -> None:
    result = run(tmp_path, {"app/helpers.py": HELPERS, "app/views.py": """
        from app.helpers import get_invoice

        HANDLERS = {"invoice": get_invoice}


        def job():
            return get_invoice(3)
        """})
    assert found(result) == [("app/helpers.py", 5, "TNT101")]


def test_unresolved_call_site_keeps_the_query_reported(tmp_path: Path) -> None:
    # ``loader`` may be the module itself: the project uses it as a value (``job(helpers)``)
    result = run(tmp_path, {"app/helpers.py": HELPERS, "app/views.py": """
        from app import helpers
        from app.helpers import get_invoice


        def job(loader):
            get_invoice(3)
            return loader.get_invoice(4)


        def run():
            return job(helpers)
        """})
    assert found(result) == [("app/helpers.py", 5, "TNT101")]


@pytest.mark.parametrize("held", ["import app", "from . import helpers as h"])
def test_a_module_used_as_a_value_anywhere_leaves_its_functions_open(tmp_path: Path, held: str) -> None:
    name = held.rsplit(" ", 1)[-1]
    result = run(tmp_path, {"app/helpers.py": HELPERS, "app/views.py": """
        from app.helpers import get_invoice


        def job(loader):
            get_invoice(3)
            return loader.get_invoice(4)
        """, "app/other.py": f"""
        {held}

        KEEP = [{name}]
        """})
    assert found(result) == [("app/helpers.py", 5, "TNT101")]


def test_a_method_of_an_object_is_no_call_of_a_module_function(tmp_path: Path) -> None:
    # ``loader``/``self.store`` hold objects (no module is used as a value anywhere): their
    # ``get_invoice`` is a method, and the module-level helper's every call site is known
    result = run(tmp_path, {"app/helpers.py": HELPERS, "app/views.py": """
        from app.helpers import get_invoice


        def job(loader):
            get_invoice(3)
            return loader.get_invoice(4)


        class Service:
            def load(self):
                return self.store.get_invoice(5)
        """})
    assert found(result) == []


def test_chain_through_a_parameter_of_a_helper(tmp_path: Path) -> None:
    result = run(tmp_path, {"app/helpers.py": HELPERS, "app/services.py": """
        from app.helpers import get_invoice


        def load(invoice_id):
            return get_invoice(invoice_id)
        """, "app/views.py": """
        from app.services import load


        def view(request, pk):
            return load(pk)
        """})
    assert found(result) == [("app/views.py", 5, "TNT101")]
    assert [h.function for h in result.findings[0].trace] == ["app.services.load", "app.helpers.get_invoice"]


def test_celery_delay_and_apply_async_are_call_sites(tmp_path: Path) -> None:
    result = run(tmp_path, {"app/tasks.py": """
        from celery import shared_task

        from app.models import Invoice


        @shared_task(bind=True)
        def close(self, invoice_id):
            Invoice.objects.filter(pk=invoice_id).delete()


        @shared_task
        def render(invoice_id):
            return Invoice.objects.get(pk=invoice_id)
        """, "app/views.py": """
        from app.models import Invoice
        from app.tasks import close, render


        def view(request):
            close.apply_async(args=(request.POST["id"],))
            inv = Invoice.objects.get(org=request.user.org, pk=1)
            render.delay(inv.pk)
        """})
    assert found(result) == [("app/views.py", 6, "TNT102")]


def test_request_input_into_a_tenant_parameter_is_tnt103(tmp_path: Path) -> None:
    result = run(tmp_path, {"app/helpers.py": """
        from app.models import Invoice


        def invoices_of(org_id):
            return Invoice.objects.filter(org_id=org_id)
        """, "app/views.py": """
        from app.helpers import invoices_of


        def mine(request):
            return invoices_of(request.user.org_id)


        def theirs(request):
            return invoices_of(org_id=request.data["org"])
        """})
    assert ("app/views.py", 9, "TNT103") in found(result)
    assert all(line != 5 for _, line, _ in found(result))


def test_trace_in_json_and_sarif(tmp_path: Path) -> None:
    result = run(tmp_path, {"app/helpers.py": HELPERS, "app/views.py": """
        from app import helpers


        def view(request):
            return helpers.get_invoice(request.GET["id"])
        """})
    from tenantlint.reporters.base import ReportOptions

    options = ReportOptions()
    as_json = json.loads(get_reporter("json").render(result, options))
    assert as_json["findings"][0]["trace"] == [
        {"path": "app/helpers.py", "line": 5, "function": "app.helpers.get_invoice"}]
    sarif = json.loads(get_reporter("sarif").render(result, options))
    flow = sarif["runs"][0]["results"][0]["codeFlows"][0]["threadFlows"][0]["locations"]
    assert [step["nestingLevel"] for step in flow] == [0, 1]
    assert flow[1]["location"]["physicalLocation"]["region"]["startLine"] == 5


def test_arguments_of_a_membership_check_are_never_tnt103(tmp_path: Path) -> None:
    (tmp_path / "tenantlint.toml").write_text(
        'global_tables = ["Organization"]\nmembership_checks = ["ensure_member"]\n')
    result = run(tmp_path, {"app/helpers.py": """
        from app.models import Invoice


        def ensure_member(user, org_id):
            return Invoice.objects.filter(org_id=org_id).exists()
        """, "app/views.py": """
        from app.helpers import ensure_member


        def view(request, org_id):
            ensure_member(request.user, org_id)
        """})
    assert found(result) == []


def test_noqa_on_the_call_line_silences_a_call_site_finding(tmp_path: Path) -> None:
    result = run(tmp_path, {"app/helpers.py": HELPERS, "app/views.py": """
        from app import helpers


        def view(request):
            return helpers.get_invoice(request.GET["id"])  # noqa: TNT101


        def other(request):
            return helpers.get_invoice(request.GET["id"])  # noqa: TNT103
        """})
    # line 5: silenced, and the noqa is used (no TNT902); line 9: the noqa names another code
    assert found(result) == [("app/views.py", 9, "TNT101"), ("app/views.py", 9, "TNT902")]
    assert [(f.line, f.code, f.suppression and f.suppression.kind) for f in result.suppressed] == [
        (5, "TNT101", "noqa")]


def test_tenantlint_ignore_covers_a_multiline_call(tmp_path: Path) -> None:
    result = run(tmp_path, {"app/helpers.py": HELPERS, "app/views.py": """
        from app import helpers


        def view(request):
            return helpers.get_invoice(
                request.GET["id"],
            )  # tenantlint: ignore[TNT101] the id is checked by the caller's middleware
        """})
    assert found(result) == []
    assert [f.suppression.reason for f in result.suppressed if f.suppression] == [
        "the id is checked by the caller's middleware"]


RETURNS_MODELS = """
from django.db import models


class Organization(models.Model):
    name = models.CharField(max_length=100)


class Project(models.Model):
    org = models.ForeignKey(Organization, on_delete=models.CASCADE)


class Task(models.Model):
    org = models.ForeignKey(Organization, on_delete=models.CASCADE)
    project = models.ForeignKey(Project, on_delete=models.CASCADE)
"""

RETURNS_HELPERS = """
from flask import request

from app.models import Project


def project_of(user, pk):
    return Project.objects.get(org=user.org, pk=pk)


def org_from_body():
    return request.json["org"]


def projects_for(user):
    return Project.objects.filter(org=user.org)


def any_project(pk):
    return Project.objects.get(pk=pk)
"""


def test_returned_scoped_rows_scope_and_returned_request_input_is_untrusted(tmp_path: Path) -> None:
    (tmp_path / "app").mkdir(exist_ok=True)
    files = {"app/helpers.py": RETURNS_HELPERS, "app/views.py": """
        from django.http import JsonResponse

        from app.helpers import any_project, org_from_body, project_of, projects_for
        from app.models import Project, Task


        def by_row(request, pk):
            project = project_of(request.user, pk)
            return JsonResponse({"n": Task.objects.filter(project=project).count()})


        def by_id(request, pk):
            project = project_of(request.user, pk)
            return JsonResponse({"n": Task.objects.filter(project_id=project.id).count()})


        def by_queryset(request):
            return JsonResponse({"n": Task.objects.filter(project__in=projects_for(request.user)).count()})


        def from_body(request):
            return JsonResponse({"n": Project.objects.filter(org_id=org_from_body()).count()})


        def unscoped_row(request, pk):
            project = any_project(int(request.user.id))
            return JsonResponse({"n": Task.objects.filter(project=project).count()})
        """}
    config = tmp_path / "tenantlint.toml"
    config.write_text('global_tables = ["Organization"]\n')
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "models.py").write_text(RETURNS_MODELS)
    for name, text in files.items():
        (tmp_path / name).write_text(textwrap.dedent(text).lstrip("\n"))
    with chdir(tmp_path):
        result = check_paths([Path(".")], load_config(tmp_path))
    views = [(line, code) for path, line, code in found(result) if path == "app/views.py"]
    # by_row, by_id, by_queryset: scoped through the helper's return; from_body: request input
    # returned by the helper; unscoped_row: a row of an id-keyed lookup scopes nothing.
    assert views == [(22, "TNT103"), (27, "TNT101")]
    message = next(f.message for f in result.findings if f.line == 22)
    assert "returned by helpers.org_from_body()" in message


def test_unresolved_calls_carrying_request_input_or_parameters_are_counted(tmp_path: Path) -> None:
    result = run(tmp_path, {"app/helpers.py": HELPERS, "app/views.py": """
        from app import helpers


        def view(request, make):
            service = make()
            service.load(request.GET["id"])  # a method of a local value: unresolved, counted
            service.close()  # nothing passed on: not counted
            return helpers.get_invoice(request.GET["id"])


        def relay(loader, pk):
            return loader.fetch(pk)  # a helper's parameter into an unresolved call: counted
        """})
    assert result.stats.unresolved_calls == 2
    assert result.to_json()["stats"]["unresolved_calls"] == 2


def test_functions_called_through_a_dispatch_table_have_known_call_sites(tmp_path: Path) -> None:
    tasks = """
        from celery import shared_task

        from app.models import Invoice


        def close_invoice(invoice_id):
            Invoice.objects.filter(pk=invoice_id).update(number="closed")


        def read_invoice(invoice_id):
            return Invoice.objects.get(pk=invoice_id)


        @shared_task
        def activity(kind, invoice_id):
            mapper = {"close": close_invoice, "read": read_invoice}
            func = mapper.get(kind)
            if func is not None:
                func(invoice_id=invoice_id)
        """
    (tmp_path / "safe").mkdir()
    (tmp_path / "unsafe").mkdir()
    safe = run(tmp_path / "safe", {"app/tasks.py": tasks, "app/views.py": """
        from app.models import Invoice
        from app.tasks import activity


        def view(request):
            inv = Invoice.objects.get(org=request.user.org, pk=request.GET["id"])
            activity.delay("close", inv.pk)
        """})
    assert found(safe) == []  # every call site known, none passes request input
    unsafe = run(tmp_path / "unsafe", {"app/tasks.py": tasks, "app/views.py": """
        from app.tasks import activity


        def view(request):
            activity.delay("close", request.GET["id"])
        """})
    # The literal "close" selects close_invoice (a write): read_invoice is never reached from this call.
    assert found(unsafe) == [("app/views.py", 5, "TNT102")]
    assert "tasks.activity" in unsafe.findings[0].message
    (tmp_path / "either").mkdir()
    either = run(tmp_path / "either", {"app/tasks.py": tasks, "app/views.py": """
        from app.tasks import activity


        def view(request):
            activity.delay(request.GET["kind"], request.GET["id"])
        """})
    # A kind that is no literal may select either function.
    assert found(either) == [("app/views.py", 5, "TNT101"), ("app/views.py", 5, "TNT102")]


def test_a_local_variable_named_like_a_helper_leaves_its_callers_known(tmp_path: Path) -> None:
    result = run(tmp_path, {"app/helpers.py": HELPERS, "app/views.py": """
        from app.helpers import get_invoice
        from app.models import Invoice


        def view(request):
            inv = Invoice.objects.get(org=request.user.org, pk=request.GET["id"])
            return get_invoice(inv.pk)


        def other(rows):
            for get_invoice in rows:  # a local of the same name: not a reference to the helper
                get_invoice.refresh()
        """})
    assert found(result) == []


LINES = """
from django.db import models

from app.models import Invoice


class Line(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE)
    sku = models.CharField(max_length=20)


def drop_lines(invoice, skus):
    Line.objects.filter(invoice=invoice, sku__in=skus).delete()


def drop_all(invoice_id, skus):
    drop_lines_by_id([invoice_id], skus)


def drop_lines_by_id(invoice_ids, skus):
    Line.objects.filter(invoice_id__in=invoice_ids, sku__in=skus).delete()
"""


def test_a_trusted_row_passed_into_a_foreign_key_parameter_confines_the_helper(tmp_path: Path) -> None:
    result = run(tmp_path, {"app/lines.py": LINES, "app/views.py": """
        from app.lines import drop_all, drop_lines
        from app.models import Invoice


        def mine(request):
            invoice = Invoice.objects.get(org=request.user.org, pk=request.POST["id"])
            drop_lines(invoice, request.POST.getlist("skus"))
            drop_all(invoice.pk, request.POST.getlist("skus"))


        def anyones(request):
            drop_lines(request.POST["invoice"], request.POST.getlist("skus"))
            drop_all(request.POST["invoice"], [])
        """})
    # Request keys beside a trusted row only narrow its rows; a request id as the row is reported
    # at that argument, through a helper passing its parameter on in a list.
    assert found(result) == [("app/views.py", 12, "TNT102"), ("app/views.py", 13, "TNT102")]
    assert result.findings[0].column == 16
    assert "passed as 'invoice'" in result.findings[0].message
    assert "passed as 'invoice_id'" in result.findings[1].message


def test_benchmark_switch_turns_the_summaries_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``TENANTLINT_BENCH_NO_SUMMARIES=1`` (a measurement aid, crossfn/switch.py): no summary, no call
    site, nothing joined, so the helper's query is reported where it is and the call is not."""
    from tenantlint.crossfn.switch import ENV

    views = """
        from app import helpers


        def view(request):
            return helpers.get_invoice(request.GET["id"])
        """
    monkeypatch.setenv(ENV, "1")
    off = run(tmp_path, {"app/helpers.py": HELPERS, "app/views.py": views})
    assert found(off) == [("app/helpers.py", 5, "TNT101")]
    monkeypatch.setenv(ENV, "0")
    with chdir(tmp_path):
        on = check_paths([Path(".")], load_config(tmp_path))
    assert found(on) == [("app/views.py", 5, "TNT101")]


def test_names_a_package_reexports_resolve_to_the_function_of_its_module() -> None:
    from tenantlint.crossfn.records import Callees

    modules = {"app.models.users.User.get": "app.models.users", "app.models.users.lookup": "app.models.users",
               "app.other.User.get": "app.other", "app.a.x.run": "app.a.x", "app.b.x.run": "app.b.x"}
    callees = Callees(modules, modules)
    assert callees.resolve("app.models.User.get") == "app.models.users.User.get"
    assert callees.resolve("app.models.lookup") == "app.models.users.lookup"
    assert callees.resolve("app.User.get") is None  # two modules under ``app`` define ``User.get``
    assert callees.resolve("app.x.run") is None  # not a package above either module
    assert callees.resolve("app.run") is None  # ``app.a.x.run`` and ``app.b.x.run``: ambiguous
    assert callees.resolve("lib.models.User.get") is None  # another package's
    assert Callees(modules).resolve("app.models.User.get") is None  # without modules: as before


def test_a_call_through_a_package_reexport_is_a_known_call_site(tmp_path: Path) -> None:
    (tmp_path / "app").mkdir(exist_ok=True)
    (tmp_path / "app" / "helpers").mkdir()
    reexport = "from app.helpers.invoices import get_invoice\n"
    (tmp_path / "app" / "helpers" / "__init__.py").write_text(reexport)
    result = run(tmp_path, {"app/helpers/invoices.py": HELPERS, "app/views.py": """
        from app.helpers import get_invoice
        from app.models import Invoice


        def show(request, pk):
            inv = Invoice.objects.get(org=request.user.org, pk=pk)
            return get_invoice(inv.pk)


        def show_any(request):
            return get_invoice(request.GET["id"])
        """})
    assert found(result) == [("app/views.py", 11, "TNT101")]


def test_peewee_connection_context_registers_nothing(tmp_path: Path) -> None:
    helpers = HELPERS.replace("def get_invoice", "@db.connection_context()\ndef get_invoice")
    result = run(tmp_path, {"app/helpers.py": "from app.models import db\n" + helpers, "app/views.py": """
        from app.helpers import get_invoice
        from app.models import Invoice


        def show(request, pk):
            inv = Invoice.objects.get(org=request.user.org, pk=pk)
            return get_invoice(inv.pk)
        """})
    assert found(result) == []
