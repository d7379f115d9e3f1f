"""Scheduled (periodic) tasks are system code: what registers one (``index/schedules.py``), how the
function is found (``Schedules.where``), and what the analysis then reports."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest

from tenantlint.api import check_paths, load_config
from tenantlint.index.schedules import Schedules, module_schedules
from tenantlint.results import RunResult
from tests.test_crossfn import chdir


def read(source: str, module: str = "proj.sched", rel: str = "proj/sched.py"
         ) -> tuple[dict[str, str], dict[str, str]]:
    return module_schedules(rel, module, ast.parse(textwrap.dedent(source)))


def test_celery_beat_schedule_names_tasks_by_dotted_name() -> None:
    scheduled, _ = read("""
        app.conf.beat_schedule = {
            "purge": {
                "task": "proj.tasks.purge",
                "schedule": crontab(hour=0),
            },
        }
        CELERY_BEAT_SCHEDULE = {"digest": {"task": "digest", "schedule": 60.0}}
        app.conf.beat_schedule.update({"more": {"task": "proj.tasks.more", "schedule": 5}})
        NOT_A_SCHEDULE = {"x": {"task": "proj.tasks.other"}}
        RESPONSE = {"task": task.name, "schedule": "daily"}
    """)
    assert scheduled == {
        "proj.tasks.purge": "proj/sched.py:4 (celery beat)",
        "digest": "proj/sched.py:8 (celery beat)",
        "proj.tasks.more": "proj/sched.py:9 (celery beat)",
    }


def test_add_periodic_task_resolves_the_signature_through_imports() -> None:
    scheduled, _ = read("""
        from proj import tasks
        from proj.jobs import rotate as rot

        def setup(sender, **kwargs):
            sender.add_periodic_task(60.0, tasks.recount.s(), name="recount")
            sender.add_periodic_task(crontab(hour=1), rot.si(1))
            sender.add_periodic_task(10, sig=signature("proj.tasks.named"))
    """)
    assert set(scheduled) == {"proj.tasks.recount", "proj.jobs.rotate", "proj.tasks.named"}


def test_apscheduler_rq_scheduler_schedule_and_period_registrations() -> None:
    scheduled, _ = read("""
        from .jobs import a, b, c, d, e, f, g, h

        scheduler.add_job(a, "interval", hours=1)
        scheduler.add_job(func=b, trigger=CronTrigger(hour=3))
        scheduler.add_job(send_now, args=[1])
        rq.cron("0 * * * *", func=c)
        rq.schedule(scheduled_time=now, func=d, interval=60)
        rq.schedule(scheduled_time=now, func=not_periodic)
        jobs = [{"func": e, "interval": 30}, {"func": f, "cron_string": "* * * * *"}]
        schedule.every(10).minutes.do(g)
        Registry.register_daily(h)

        @scheduler.scheduled_job("cron", hour=4)
        def nightly():
            pass
    """)
    assert set(scheduled) == {f"proj.jobs.{n}" for n in "abcdefgh"} | {"proj.sched.nightly"}


def test_explicit_task_names_and_periodic_decorators() -> None:
    scheduled, names = read("""
        @shared_task(name="nightly-digest")
        def send_digest():
            pass

        @periodic_task(run_every=crontab(minute=0))
        def hourly():
            pass

        @app.task
        def plain():
            pass
    """, module="proj.tasks", rel="proj/tasks.py")
    assert names == {"nightly-digest": "proj.tasks.send_digest"}
    assert set(scheduled) == {"proj.tasks.hourly"}


@pytest.mark.parametrize(("qualname", "found"), [
    ("proj.tasks.purge", True),  # its own name
    ("proj.tasks.cleanup.purge", True),  # re-exported by the package the schedule names
    ("proj.tasks.digest.send_digest", True),  # by its explicit Celery name
    ("proj.other.purge", False),
    ("proj.tasks.cleanup.prune", False),
    ("app.proj.tasks.purge", True),  # the task name is relative to another root
    ("proj.jobs.cleanup", False),  # a bare task name whose decorator was not seen names no function
])
def test_where_finds_the_function(qualname: str, found: bool) -> None:
    schedules = Schedules({"proj.tasks.purge": "celery.py:3 (celery beat)",
                           "nightly-digest": "celery.py:7 (celery beat)",
                           "cleanup": "celery.py:9 (celery beat)"},
                          {"nightly-digest": "proj.tasks.digest.send_digest"})
    assert (schedules.where(qualname) is not None) is found


MODELS = """
from django.db import models


class Organization(models.Model):
    name = models.CharField(max_length=100)


class Invoice(models.Model):
    org = models.ForeignKey(Organization, on_delete=models.CASCADE)
    paid = models.BooleanField(default=False)
"""

CELERY = """
from celery import Celery
from celery.schedules import crontab

app = Celery("app")
app.conf.beat_schedule = {
    "purge": {"task": "app.tasks.purge", "schedule": crontab(hour=0)},
    "expire": {"task": "app.tasks.expire", "schedule": crontab(hour=1), "args": (0,)},
}
"""

TASKS = """
from celery import shared_task

from app.models import Invoice


@shared_task
def purge():
    Invoice.objects.filter(paid=True).delete()


@shared_task
def expire(invoice_id):
    Invoice.objects.filter(pk=invoice_id).update(paid=False)


@shared_task
def recount():
    return Invoice.objects.count()
"""

VIEWS = """
from app.tasks import expire


def expire_view(request):
    expire.delay(request.POST["id"])
"""


def _run(tmp_path: Path, files: dict[str, str], want_sites: bool = False) -> RunResult:
    (tmp_path / "tenantlint.toml").write_text('global_tables = ["Organization"]\n')
    (tmp_path / "app").mkdir(exist_ok=True)
    for name, text in {"__init__.py": "", "models.py": MODELS, **files}.items():
        (tmp_path / "app" / name).write_text(textwrap.dedent(text).lstrip("\n"))
    with chdir(tmp_path):
        return check_paths([Path(".")], load_config(tmp_path), want_sites=want_sites)


def test_scheduled_tasks_are_system_scope_and_listed_with_their_schedule(tmp_path: Path) -> None:
    result = _run(tmp_path, {"celery.py": CELERY, "tasks.py": TASKS}, want_sites=True)
    found = sorted((f.path, f.line, f.code) for f in result.findings)
    assert found == [("app/tasks.py", 18, "TNT101")]  # recount: no scheduler runs it
    system = sorted((s.line, s.detail) for s in result.query_sites
                    if s.scoping == "system-scope")
    assert system == [(8, "scheduled by app/celery.py:6 (celery beat)"),
                      (13, "scheduled by app/celery.py:7 (celery beat)")]


def test_a_scheduled_task_a_handler_feeds_request_input_keeps_the_call_site_finding(tmp_path: Path) -> None:
    result = _run(tmp_path, {"celery.py": CELERY, "tasks.py": TASKS, "views.py": VIEWS})
    found = sorted((f.path, f.line, f.code) for f in result.findings)
    assert found == [("app/tasks.py", 18, "TNT101"), ("app/views.py", 5, "TNT102")]


def test_without_the_schedule_the_tasks_are_judged_as_any_code(tmp_path: Path) -> None:
    result = _run(tmp_path, {"tasks.py": TASKS})
    found = sorted((f.path, f.line, f.code) for f in result.findings)
    assert found == [("app/tasks.py", 8, "TNT102"), ("app/tasks.py", 13, "TNT102"),
                     ("app/tasks.py", 18, "TNT101")]


HELPERS = """
from celery import shared_task

from app.models import Invoice


@shared_task
def purge():
    for invoice in unpaid():
        invoice.delete()
    return overdue()


def unpaid():
    return Invoice.objects.filter(paid=False)


def overdue():
    return Invoice.objects.all()
"""

HELPER_VIEW = """
from app.tasks import overdue


def overdue_view(request):
    return overdue().count()
"""


def test_a_helper_only_scheduled_tasks_call_is_system_scope(tmp_path: Path) -> None:
    result = _run(tmp_path, {"celery.py": CELERY, "tasks.py": HELPERS}, want_sites=True)
    assert result.findings == ()
    system = sorted((s.line, s.detail) for s in result.query_sites if s.scoping == "system-scope")
    # ``unpaid()`` and ``overdue()`` are query builders: their queries are query sites where ``purge``
    # runs them too
    beat = "scheduled by app/celery.py:6 (celery beat)"
    assert system == [(8, f"{beat}; via tasks.unpaid() (app/tasks.py:14)"),
                      (10, f"{beat}; via tasks.overdue() (app/tasks.py:18)"),
                      (14, f"called only by tasks.purge, {beat}"),
                      (18, f"called only by tasks.purge, {beat}")]


def test_a_helper_a_view_calls_too_stays_reported(tmp_path: Path) -> None:
    result = _run(tmp_path, {"celery.py": CELERY, "tasks.py": HELPERS, "views.py": HELPER_VIEW})
    assert sorted((f.path, f.line, f.code) for f in result.findings) == [("app/tasks.py", 18, "TNT101")]


REFERENCES = """
from celery import shared_task

from app.models import Invoice


def in_batches(query):
    for row in query():
        row.delete()


@shared_task
def purge():
    in_batches(query=stale)


def stale():
    return Invoice.objects.filter(paid=True)


def also_passed_elsewhere():
    return Invoice.objects.all()


@shared_task
def expire():
    in_batches(also_passed_elsewhere)


def not_scheduled():
    in_batches(also_passed_elsewhere)
"""


def test_a_function_a_scheduled_task_only_names_is_system_scope(tmp_path: Path) -> None:
    result = _run(tmp_path, {"celery.py": CELERY, "tasks.py": REFERENCES})
    # ``stale`` is named only in a scheduled task; ``also_passed_elsewhere`` also outside one
    assert sorted((f.path, f.line, f.code) for f in result.findings) == [("app/tasks.py", 21, "TNT101")]


COMMAND = """
from django.core.management.base import BaseCommand

from app.models import Invoice
from app.tasks import unpaid


class Command(BaseCommand):
    def handle(self, *args, **options):
        for invoice in unpaid():
            invoice.delete()
        leftover = Invoice.objects.filter(paid=False)
        print(leftover)
"""

COMMAND_HELPERS = """
from app.models import Invoice


def unpaid():
    return Invoice.objects.filter(paid=False)
"""


def test_a_helper_only_management_commands_call_is_system_scope(tmp_path: Path) -> None:
    (tmp_path / "app" / "management" / "commands").mkdir(parents=True)  # before _run writes app/
    for pkg in ("management", "management/commands"):
        (tmp_path / "app" / pkg / "__init__.py").write_text("")
    (tmp_path / "app" / "management" / "commands" / "purge.py").write_text(COMMAND.lstrip("\n"))
    result = _run(tmp_path, {"tasks.py": COMMAND_HELPERS}, want_sites=True)
    assert result.findings == ()
    system = sorted((s.path, s.line, s.detail) for s in result.query_sites if s.scoping == "system-scope")
    assert system == [  # ``unpaid()`` is a query builder: its query is a query site where it is run too
        ("app/management/commands/purge.py", 9,
         "in a system_paths file; via tasks.unpaid() (app/tasks.py:5)"),
        ("app/management/commands/purge.py", 11, "in a system_paths file"),
        ("app/tasks.py", 5, "called only by Command.handle, in a system_paths file"),
    ]


def test_tables_lists_the_scheduled_tasks(tmp_path: Path) -> None:
    import subprocess
    import sys

    _run(tmp_path, {"celery.py": CELERY, "tasks.py": TASKS})
    out = subprocess.run([sys.executable, "-m", "tenantlint", "tables"], cwd=tmp_path,
                         capture_output=True, text=True).stdout
    assert "scheduled tasks, system scope (2):" in out
    assert "  app.tasks.purge  — scheduled by app/celery.py:6 (celery beat)" in out
