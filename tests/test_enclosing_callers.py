"""A call in a nested function is its enclosing function's for the system-code join
(``crossfn/enclosing.py``), and an alias of an attribute chain on a local that holds no module holds
none either (``prepass.name_counts``: its functions are spelt on an object)."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

from tenantlint.crossfn.enclosing import Enclosing
from tenantlint.crossfn.records import ON_OBJECT
from tenantlint.prepass import name_counts
from tenantlint.results import Site, Summary
from tests.test_system_callers import _found, _run

HELPERS = """
from app.models import Invoice


def _timed(step):
    return step()


def clear():
    Invoice.objects.filter(total__isnull=True).update(total=0)


def settle():
    def step():
        clear()

    return _timed(step)
"""

MIGRATION = """
from django.db import migrations

from app.helpers import settle


def forwards(apps, schema_editor):
    settle()


class Migration(migrations.Migration):
    operations = [migrations.RunPython(forwards)]
"""


def _summary(qualname: str, line: int, end: int) -> Summary:
    return Summary(qualname, "app/helpers.py", line, (), None, False, (), (), end=end)


def _site(line: int, caller: str | None = None) -> Site:
    return Site("app.helpers.clear", "app/helpers.py", line, caller, None, False, False, ())


def test_a_site_in_no_summary_is_the_innermost_enclosing_functions() -> None:
    enclosing = Enclosing([_summary("app.helpers.settle", 10, 20), _summary("app.helpers.Box.run", 12, 15),
                           _summary("app.helpers.other", 30, 31)])
    assert enclosing.caller(_site(11)) == "app.helpers.settle"
    assert enclosing.caller(_site(13)) == "app.helpers.Box.run"
    assert enclosing.caller(_site(13, "app.helpers.given")) == "app.helpers.given"
    assert enclosing.caller(_site(5)) is None  # module level: no function
    assert enclosing.caller(_site(25)) is None


def test_a_helper_only_a_nested_function_of_a_migration_helper_calls_is_system_code(tmp_path: Path) -> None:
    result = _run(tmp_path, {"app/helpers.py": HELPERS, "app/migrations/__init__.py": "",
                             "app/migrations/0002_fix.py": MIGRATION})
    assert _found(result) == []
    why = [s.detail for s in result.query_sites if s.path == "app/helpers.py" and s.line == 9]
    assert why == ["called only by helpers.settle, called only by 0002_fix.forwards, in a migration "
                   "(app/migrations/0002_fix.py)"]


def test_the_same_nested_call_under_a_view_is_reported(tmp_path: Path) -> None:
    view = """
        from app.helpers import settle


        def close(request):
            return settle()
    """
    result = _run(tmp_path, {"app/helpers.py": HELPERS, "app/migrations/__init__.py": "",
                             "app/migrations/0002_fix.py": MIGRATION, "app/views.py": view})
    assert _found(result) == [("app/helpers.py", 9, "TNT102")]


def _counts(text: str) -> dict[str, int]:
    return dict(name_counts(ast.parse(textwrap.dedent(text))))


def test_an_alias_of_a_chain_on_a_local_spells_on_an_object() -> None:
    counts = _counts("""
        import app.jobs

        class Source:
            def schema(self, other):
                runner = self.query_runner
                first = other.runners[0]
                return runner.refresh(), first.refresh()
    """)
    assert counts["refresh"] == 2 and counts["refresh" + ON_OBJECT] == 2


def test_an_alias_of_a_chain_that_may_hold_a_module_does_not() -> None:
    counts = _counts("""
        import app.jobs

        def run(items):
            tasks = app.jobs  # a chain on an import
            tasks.refresh()
            alias = tasks
            nested = alias.sub  # on a name that may hold a module, found later in the walk too
            nested.refresh()
            for item in items:
                pass
            chained = item.jobs  # on a loop target
            chained.refresh()
    """)
    assert counts["refresh"] == 3 and counts.get("refresh" + ON_OBJECT, 0) == 0
