"""A generic base method choosing its query in two branches, narrowed after the join (fixture app
``flask_peewee_branch_queries``), and the names a function may hold a module in (``prepass``):

- ``objs = cls.model.select(*cols)`` / ``else: objs = cls.model.select()``, then ``return
  objs.where(cls.model.id.in_(pids))``: both bare queries are keyed by ``pids``
  (``values.Origin.merged``, ``later_keys.keys_of``), the held model being no key
  (``walker``: ``param_keys`` with the class's models), narrowed in a ``return`` too;
- the target of ``with Bundle(...) as bundle`` holds a call's result, no module; a ``nonlocal``
  name is the enclosing function's variable: a function's name spelt on either is spelt on an
  object, never a call of a module-level function.
"""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

from tenantlint.crossfn.records import ON_OBJECT
from tenantlint.prepass import name_counts
from tests.orm_app import mismatches

CONFIG = 'tenant_models = ["Tenant"]\nglobal_tables = ["tenant"]\n'

MODELS = """from peewee import CharField, Model


class Tenant(Model):
    id = CharField(primary_key=True)


class File(Model):
    id = CharField(primary_key=True)
    tenant_id = CharField()
    name = CharField()
"""

BASE = """from models import File


class CommonService:
    model = None

    @classmethod
    def get_by_ids(cls, pids, cols=None):
        if cols:
            objs = cls.model.select(*cols)  # ok
        else:
            objs = cls.model.select()  # ok
        return objs.where(cls.model.id.in_(pids))


class FileService(CommonService):
    model = File
"""

VIEWS = """from flask import request
from flask_login import current_user

from services import FileService


def mine():
    mine = FileService.model.select().where(FileService.model.tenant_id == current_user.id)  # ok
    ids = [f.id for f in mine]
    return [f.name for f in FileService.get_by_ids(ids)]  # ok


def theirs():
    return [f.name for f in FileService.get_by_ids(request.json["ids"])]  # expect: TNT101[file]
"""


def test_bare_queries_of_two_branches_narrowed_after_the_join_are_judged_at_the_calls(tmp_path: Path) -> None:
    files = {"models.py": MODELS, "services.py": BASE, "views.py": VIEWS}
    assert mismatches(tmp_path, files, CONFIG) == []


def test_a_narrowing_by_a_value_of_unknown_origin_leaves_both_reported(tmp_path: Path) -> None:
    base = BASE.replace("# ok", "# expect: TNT101").replace(
        "return objs.where(cls.model.id.in_(pids))",
        "name = File.get(File.id == \"default\").name  # expect: TNT101\n"
        "        return objs.where(cls.model.id.in_(pids), cls.model.name == name)")
    views = VIEWS.replace("  # expect: TNT101[file]", "")
    files = {"models.py": MODELS, "services.py": base, "views.py": views}
    assert mismatches(tmp_path, files, CONFIG) == []


def test_one_branch_narrowed_before_the_join_is_no_longer_the_other_query(tmp_path: Path) -> None:
    # a tenant filter on one path: the joined name is not the same query on both paths
    narrowed = "objs = cls.model.select(*cols).where(cls.model.tenant_id == cols[0])  # expect: TNT101"
    base = BASE.replace("objs = cls.model.select(*cols)  # ok", narrowed) \
        .replace("objs = cls.model.select()  # ok", "objs = cls.model.select()  # expect: TNT101")
    views = VIEWS.replace("  # expect: TNT101[file]", "")
    files = {"models.py": MODELS, "services.py": base, "views.py": views}
    found = mismatches(tmp_path, files, CONFIG)
    assert not any("services.py:12" in line for line in found), found


def _counts(text: str) -> dict[str, int]:
    return dict(name_counts(ast.parse(textwrap.dedent(text))))


def test_a_with_target_of_a_construction_holds_no_module() -> None:
    counts = _counts("""
        def summary(tenant_id, text):
            with Bundle(tenant_id) as bundle:
                return bundle.summarize(text)
    """)
    assert counts["summarize"] == 1 and counts["summarize" + ON_OBJECT] == 1


def test_a_with_target_of_an_importing_call_may_hold_one() -> None:
    counts = _counts("""
        def summary(name, text):
            with load_import(name) as plugin:
                return plugin.summarize(text)
    """)
    assert counts["summarize"] == 1 and counts.get("summarize" + ON_OBJECT, 0) == 0


def test_a_nonlocal_name_is_the_enclosing_functions_variable() -> None:
    counts = _counts("""
        def strong_enough(model):
            def attempt():
                nonlocal model
                return model.summarize("x")
            return attempt()
    """)
    assert counts["summarize"] == 1 and counts["summarize" + ON_OBJECT] == 1


def test_a_global_name_is_not() -> None:
    counts = _counts("""
        def reset():
            global MODEL
            return MODEL.summarize("x")
    """)
    assert counts["summarize"] == 1 and counts.get("summarize" + ON_OBJECT, 0) == 0
