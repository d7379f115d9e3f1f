"""A row an id-keyed helper handed back, passed to a check named in ``membership_checks``
(``interp/declared_checks.py`` with ``interp/call_rows.py``)."""

from __future__ import annotations

from pathlib import Path

from tests.small_project import flagged_lines

MODELS = """
from peewee import CharField, Model


class Tenant(Model):
    id = CharField(primary_key=True)


class File(Model):
    id = CharField(primary_key=True)
    tenant_id = CharField(index=True)
    name = CharField()
"""

SERVICES = """
from .models import File


class FileService:
    model = File

    @classmethod
    def get_by_id(cls, pid):
        obj = cls.model.get_or_none(cls.model.id == pid)
        if obj:
            return True, obj
        return False, None
"""

VIEWS = """
from flask import Blueprint, request
from flask_login import current_user

from .rules import can_see
from .services import FileService

bp = Blueprint("files", __name__)


@bp.get("/files/<file_id>")
def shown(file_id):
    e, file = FileService.get_by_id(file_id)
    if not e or not can_see(file, current_user.id):
        return {}, 403
    return {"name": file.name}


@bp.get("/files/<file_id>/logged")
def logged(file_id):
    e, file = FileService.get_by_id(file_id)
    if not can_see(file, current_user.id):
        print("denied")
    return {"name": file.name}


@bp.get("/files/<file_id>/as")
def chosen_user(file_id):
    e, file = FileService.get_by_id(file_id)
    if not can_see(file, request.args["user"]):
        return {}, 403
    return {"name": file.name}


@bp.get("/files/<file_id>/kept")
def kept(file_id):
    e, file = FileService.get_by_id(file_id)
    ok = can_see(file, current_user.id)
    return {"name": file.name, "ok": ok}
"""


def _flagged(tmp_path: Path, checks: str) -> list[int]:
    config = f'tenant_models = ["Tenant"]\nglobal_tables = ["tenant"]\nmembership_checks = [{checks}]\n'
    return flagged_lines(tmp_path, config, {
        "app/__init__.py": "", "app/models.py": MODELS, "app/services.py": SERVICES,
        "app/views.py": VIEWS, "app/rules.py": "from external import can_see\n"})


def test_a_named_check_of_a_handed_back_row_confines_the_call(tmp_path: Path) -> None:
    lines = _flagged(tmp_path, '"can_see"')
    assert 12 not in lines  # if not e or not can_see(file, current_user.id): return
    assert 20 in lines  # the "no" only logged
    assert 28 in lines  # checked for a user the client names
    assert 36 in lines  # the answer kept, not acted on


def test_without_the_configuration_the_call_is_reported(tmp_path: Path) -> None:
    assert 12 in _flagged(tmp_path, "")
