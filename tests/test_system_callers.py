"""Functions only system code calls are system code: callers read cheaply from migrations and the
``system_paths`` files the analysis did not read (``crossfn/system_callers.py``), whole function
bodies (nested functions, raw SQL) dropped, and a nested ``def`` not counted as a spelling of a
module-level function of its name when the system-code join counts them (``prepass.name_counts``)."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

from tenantlint.analysis.source.ast_imports import bound_names, is_package_init
from tenantlint.api import check_paths, load_config
from tenantlint.crossfn import system_callers
from tenantlint.crossfn.records import LOCAL_DEF, ON_OBJECT
from tenantlint.prepass import name_counts
from tenantlint.results import RunResult
from tests.test_crossfn import chdir

MODELS = """
from django.db import models


class Org(models.Model):
    name = models.CharField(max_length=100)


class Invoice(models.Model):
    org = models.ForeignKey(Org, on_delete=models.CASCADE)
    total = models.IntegerField(null=True)
"""

HELPERS = """
from django.db import connection

from app.models import Invoice


def fix_all():
    def pending():
        return Invoice.objects.filter(total__isnull=True)

    for invoice in pending():
        invoice.delete()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE app_invoice SET total = 0")


def wipe():
    Invoice.objects.all().delete()
"""

MIGRATION = """
from django.db import migrations

from app.helpers import fix_all
import app.helpers as helpers


def forwards(apps, schema_editor):
    fix_all()
    helpers.wipe()


class Migration(migrations.Migration):
    operations = [migrations.RunPython(forwards)]
"""


def _project(tmp_path: Path, files: dict[str, str]) -> None:
    (tmp_path / "tenantlint.toml").write_text('global_tables = ["Org"]\n')
    for name, text in {"app/__init__.py": "", "app/models.py": MODELS, **files}.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"))


def _run(tmp_path: Path, files: dict[str, str]) -> RunResult:
    _project(tmp_path, files)
    with chdir(tmp_path):
        return check_paths([Path(".")], load_config(tmp_path), want_sites=True)


def _found(result: RunResult) -> list[tuple[str, int, str]]:
    return sorted((f.path, f.line, f.code) for f in result.findings)


def test_helpers_only_a_migration_calls_are_system_scope_with_the_migration_named(tmp_path: Path) -> None:
    result = _run(tmp_path, {"app/helpers.py": HELPERS, "app/migrations/__init__.py": "",
                             "app/migrations/0002_fix.py": MIGRATION})
    assert _found(result) == []
    system = sorted((s.line, s.detail) for s in result.query_sites
                    if s.scoping == "system-scope" and s.path == "app/helpers.py")
    why = "called only by 0002_fix.forwards, in a migration (app/migrations/0002_fix.py)"
    assert system == [(8, why), (13, why), (17, why)]  # the nested function and the raw SQL too


def test_without_the_migration_the_same_helpers_are_reported(tmp_path: Path) -> None:
    result = _run(tmp_path, {"app/helpers.py": HELPERS})
    assert _found(result) == [("app/helpers.py", 8, "TNT101"), ("app/helpers.py", 13, "TNT102"),
                              ("app/helpers.py", 17, "TNT102")]


def test_a_call_from_a_view_or_an_unread_spelling_keeps_the_findings(tmp_path: Path) -> None:
    view = """
        from app.helpers import wipe


        def reset(request):
            wipe()
    """
    elsewhere = """
        from app import helpers

        STEPS = [helpers.fix_all]
    """
    result = _run(tmp_path, {"app/helpers.py": HELPERS, "app/migrations/__init__.py": "",
                             "app/migrations/0002_fix.py": MIGRATION, "app/views.py": view,
                             "app/steps.py": elsewhere})
    assert _found(result) == [("app/helpers.py", 8, "TNT101"), ("app/helpers.py", 13, "TNT102"),
                              ("app/helpers.py", 17, "TNT102")]


def test_tests_are_never_callers_and_a_name_no_import_binds_is_no_call(tmp_path: Path) -> None:
    local = """
        def fix_all():
            pass


        def forwards(apps, schema_editor):
            fix_all()
            wipe()
    """
    test = """
        from app.helpers import fix_all, wipe


        def test_it():
            fix_all()
            wipe()
    """
    result = _run(tmp_path, {"app/helpers.py": HELPERS, "app/migrations/0002_fix.py": local,
                             "app/tests/test_helpers.py": test, "app/migrations/tests/test_m.py": test})
    assert len(result.findings) == 3


def test_a_management_command_excluded_from_checking_still_calls(tmp_path: Path) -> None:
    command = """
        from django.core.management.base import BaseCommand

        from app.helpers import fix_all, wipe


        class Command(BaseCommand):
            def handle(self, *args, **options):
                fix_all()
                wipe()
    """
    files = {"app/helpers.py": HELPERS, "app/management/commands/fix.py": command}
    _project(tmp_path, files)
    (tmp_path / "tenantlint.toml").write_text(
        'global_tables = ["Org"]\nexclude = ["app/management/**"]\n')
    with chdir(tmp_path):
        result = check_paths([Path(".")], load_config(tmp_path))
    assert _found(result) == []


def test_the_walk_skips_tests_and_virtualenvs_and_what_was_analysed(tmp_path: Path) -> None:
    for rel in ("app/migrations/0001.py", "app/vendor/migrations/0001.py", ".venv/lib/migrations/x.py",
                "app/tests/migrations/0001.py", "app/management/commands/go.py", "app/views.py",
                "app/migrations/test_0001.py"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("")
    (tmp_path / "tenantlint.toml").write_text('exclude = ["app/vendor/**"]\n')
    config = load_config(tmp_path)
    found = system_callers.system_files(config, tmp_path, {"app/management/commands/go.py"})
    assert [(shown, why) for shown, _, why in found] == [
        ("app/migrations/0001.py", "in a migration (app/migrations/0001.py)"),
        ("app/vendor/migrations/0001.py", "in a migration (app/vendor/migrations/0001.py)"),
    ]


def test_calls_resolve_through_imports_only() -> None:
    tree = ast.parse(textwrap.dedent("""
        import app.lib.fixes
        import app.lib as lib
        from app.lib.fixes import fix as repair
        from ..lib import other


        def forwards(apps, schema_editor):
            repair()
            lib.fixes.fix()
            app.lib.fixes.fix()
            other()
            fix()

        fix_later = lambda: repair()
    """))
    bound = bound_names(tree, "app.migrations.m0002", everywhere=True)
    calls = [(caller, system_callers._callee(call.func, bound))
             for caller, call in system_callers._calls_in(tree, "app.migrations.m0002")]
    assert sorted(calls, key=str) == sorted([
        ("app.migrations.m0002.forwards", "app.lib.fixes.fix"),
        ("app.migrations.m0002.forwards", "app.lib.fixes.fix"),
        ("app.migrations.m0002.forwards", "app.lib.fixes.fix"),
        ("app.migrations.m0002.forwards", "app.lib.other"),
        ("app.migrations.m0002.forwards", None),
        ("app.migrations.m0002", "app.lib.fixes.fix"),
    ], key=str)


def test_spellings_of_a_nested_def_are_counted_apart() -> None:
    counts = dict(name_counts(ast.parse(textwrap.dedent("""
        def outer(step):
            def fix():
                return 1

            class Rows:
                pass

            try:
                pass
            except Exception:
                def retry():
                    pass
            run(fix, retry, Rows, step)

            def inner(retry):
                run(fix)  # the enclosing function's ``fix``
                run(retry)  # a parameter: a local, not counted

        def other():
            run(fix, retry)
    """))))
    assert counts["fix"] == 3 and counts["fix" + LOCAL_DEF] == 2  # ``other``'s is the module's
    assert counts["retry"] == 2 and counts["retry" + LOCAL_DEF] == 1
    assert counts["run"] == 4 and "step" not in counts and "run" + LOCAL_DEF not in counts


def test_relative_imports_of_a_package_init_start_at_the_package() -> None:
    """``from .lib import fix`` in ``app/__init__.py`` binds ``app.lib.fix``; in ``app/views.py`` too."""
    tree = ast.parse("from .lib import fix\nfrom .. import other\n")
    assert bound_names(tree, "app", package_init=True) == {"fix": "app.lib.fix", "other": "other"}
    assert bound_names(tree, "app.views") == {"fix": "app.lib.fix", "other": "other"}
    assert bound_names(tree, "pkg.app", package_init=True)["fix"] == "pkg.app.lib.fix"
    assert is_package_init("app/__init__.py") and not is_package_init("app/my__init__.py")


def test_spellings_on_super_are_on_an_object() -> None:
    counts = dict(name_counts(ast.parse(textwrap.dedent("""
        class Backend(Base):
            def send_messages(self, messages):
                return super().send_messages(messages)

        def flush(messages):
            send_messages(messages)
    """))))
    assert counts["send_messages"] == 2 and counts["send_messages" + ON_OBJECT] == 1


BATCH = """
from django.db import connection


def batch_update(table):
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET total = 0 WHERE total IS NULL")
"""

BATCH_MIGRATION = """
from django.db import migrations

from app.batch import batch_update


def forwards(apps, schema_editor):
    batch_update("app_invoice")


class Migration(migrations.Migration):
    operations = [migrations.RunPython(forwards)]
"""


def test_sql_built_at_run_time_in_a_helper_only_a_migration_calls_is_system_scope(tmp_path: Path) -> None:
    result = _run(tmp_path, {"app/batch.py": BATCH, "app/migrations/__init__.py": "",
                             "app/migrations/0002_fix.py": BATCH_MIGRATION})
    assert _found(result) == []
    system = [(s.line, s.scoping, s.detail) for s in result.query_sites if s.path == "app/batch.py"]
    assert system == [(6, "system-scope", "called only by 0002_fix.forwards, in a migration "
                                          "(app/migrations/0002_fix.py)")]


def test_sql_built_at_run_time_a_view_reaches_is_reported(tmp_path: Path) -> None:
    view = """
        from app.batch import batch_update


        def reset(request):
            batch_update(request.GET["table"])
    """
    result = _run(tmp_path, {"app/batch.py": BATCH, "app/migrations/__init__.py": "",
                             "app/migrations/0002_fix.py": BATCH_MIGRATION, "app/views.py": view})
    assert _found(result) == [("app/batch.py", 6, "TNT301")]


def test_sql_built_at_run_time_in_a_management_command_is_system_scope(tmp_path: Path) -> None:
    command = """
        from django.core.management.base import BaseCommand
        from django.db import connection


        class Command(BaseCommand):
            def handle(self, *args, **options):
                with connection.cursor() as cursor:
                    cursor.execute(f"SELECT COUNT(*) FROM {options['table']}")
    """
    result = _run(tmp_path, {"app/management/__init__.py": "", "app/management/commands/__init__.py": "",
                             "app/management/commands/count.py": command})
    assert _found(result) == []
    sites = [(s.line, s.scoping) for s in result.query_sites if s.path == "app/management/commands/count.py"]
    assert sites == [(8, "system-scope")]
