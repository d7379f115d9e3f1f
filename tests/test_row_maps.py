"""Dicts of fetched rows checked one by one in a later loop (``analysis/interp/row_maps.py``)."""

from __future__ import annotations

from pathlib import Path

import libcst as cst

from tenantlint.analysis.interp import row_maps
from tenantlint.analysis.interp.row_maps import row_name
from tests.orm_app import mismatches

MODELS = '''
from peewee import CharField, Model


class Project(Model):
    tenant_id = CharField()
    name = CharField()
'''

CHECKS = '''
def can_use(project, user_id):
    return project.tenant_id == user_id
'''

VIEWS = '''
from flask import Blueprint, request
from flask_login import current_user

from app.checks import can_use
from app.models import Project

bp = Blueprint("projects", __name__)


@bp.post("/projects/names")
def names():
    by_id: dict[str, Project] = {}
    for pid in request.json["ids"]:
        project = Project.get_or_none(Project.id == pid)  # ok
        if project is None:
            return {"message": "not found"}, 404
        by_id[pid] = project
    for project in by_id.values():
        if not can_use(project, current_user.id):
            return {"message": "no authorization"}, 403
    return {"names": [p.name for p in by_id.values()]}


@bp.post("/projects/names/some")
def some_names():
    by_id: dict[str, Project] = {}
    for pid in request.json["ids"]:
        project = Project.get_or_none(Project.id == pid)  # expect: TNT101[project]
        by_id[pid] = project
    for pid, project in by_id.items():
        if project.name == request.json["skip"]:
            continue
        if not can_use(project, current_user.id):
            return {"message": "no authorization"}, 403
    return {"names": [p.name for p in by_id.values()]}


@bp.post("/projects/names/mixed")
def mixed_names():
    by_id: dict[str, Project] = {}
    for pid in request.json["ids"]:
        project = Project.get_or_none(Project.id == pid)  # expect: TNT101[project]
        by_id[pid] = project
    by_id["extra"] = Project.get_or_none(Project.id == request.json["extra"])  # expect: TNT101[project]
    for project in by_id.values():
        if not can_use(project, current_user.id):
            return {"message": "no authorization"}, 403
    return {"names": [p.name for p in by_id.values()]}


@bp.post("/projects/names/other")
def other_names():
    by_id: dict[str, Project] = {}
    for pid in request.json["ids"]:
        project = Project.get_or_none(Project.id == pid)  # expect: TNT101[project]
        by_id[pid] = project
    other = request.json["other"]
    by_id[other] = Project.get_or_none(Project.id == other)  # expect: TNT101[project]
    by_id.update(request.json["more"])
    for project in by_id.values():
        if not can_use(project, current_user.id):
            return {"message": "no authorization"}, 403
    return {"names": [p.name for p in by_id.values()]}


@bp.post("/projects/names/updated")
def updated_names():
    by_id: dict[str, Project] = {}
    for pid in request.json["ids"]:
        project = Project.get_or_none(Project.id == pid)  # expect: TNT101[project]
        by_id[pid] = project
    by_id.update(request.json["more"])
    for project in by_id.values():
        if not can_use(project, current_user.id):
            return {"message": "no authorization"}, 403
    return {"names": [p.name for p in by_id.values()]}
'''


def test_a_later_loop_that_checks_every_row_checks_the_fetch(tmp_path: Path) -> None:
    files = {"app/__init__.py": "", "app/models.py": MODELS, "app/checks.py": CHECKS, "app/views.py": VIEWS}
    assert mismatches(tmp_path, files, 'tenant_models = ["Tenant"]\n') == []


def _loop(src: str) -> cst.For:
    stmt = cst.parse_module(src).body[0]
    assert isinstance(stmt, cst.For)
    return stmt


def checks_each(stmt: cst.For) -> bool:
    return row_maps.checks_each(stmt, cst.Module(body=[stmt]))


def test_checks_each_needs_a_plain_loop_that_refuses() -> None:
    refuse = "    if not can(row, me):\n        return 403\n"
    ok = "for k, row in d.items():\n" + refuse
    assert row_name(_loop(ok)) == "row" and checks_each(_loop(ok))
    raising = refuse.replace("return 403", "raise X()")
    assert checks_each(_loop("for row in d.values():\n    log(row)\n" + raising))
    assert not checks_each(_loop("for row in d.values():\n    if not can(row, me):\n        log(row)\n"))
    assert not checks_each(_loop("for row in d.values():\n" + refuse + "    break\n"))
    assert not checks_each(_loop("for row in d.values():\n    if not can(other, me):\n        return 1\n"))
    assert not checks_each(_loop("for k, row in d.items():\n    row = k\n" + refuse))
    assert row_name(_loop("for row in d:\n    pass\n")) is None


def test_a_later_loop_under_a_condition_checks_nothing() -> None:
    src = "if strict:\n    for row in d.values():\n        if not can(row, me):\n            return 403\n"
    module = cst.parse_module(src)
    outer = module.body[0]
    assert isinstance(outer, cst.If)
    loop = outer.body.body[0]
    assert isinstance(loop, cst.For)
    assert not row_maps.checks_each(loop, module)


def test_a_row_bound_by_a_loop_is_no_longer_the_first_name_of_an_earlier_pair() -> None:
    from tenantlint.analysis.interp.function_state import FunctionState
    from tenantlint.analysis.interp.values import RowMapView, Value

    call = cst.parse_expression("Service.get_by_id(kb_id)")
    row = Value()
    fn = FunctionState(handler=None)
    fn.env["row"] = row
    fn.unpacked_first.add("row")  # ``row, found = other_pair()`` earlier: ``row`` was a flag's name
    view = RowMapView(row=row, call=call, pairs=True)
    row_maps.bound(fn, _loop("for k, row in d.items():\n    pass\n"), view)
    assert fn.unpacked_calls["row"] == (call, row)
    assert "row" not in fn.unpacked_first  # ``if not row:`` is no answer of ``get_by_id``
