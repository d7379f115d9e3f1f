"""Lists whose every element's row a later loop checked (``analysis/interp/map_keys.py``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.small_project import flagged_lines

CONFIG = 'tenant_models = ["Tenant"]\nhandler_decorators = ["bp.route"]\nmembership_checks = ["owns"]\n'
MODELS = """
from peewee import CharField, ForeignKeyField, Model

class Tenant(Model):
    name = CharField()

class Dataset(Model):
    tenant = ForeignKeyField(Tenant)
    name = CharField()
"""
SERVICES = """
from app.models import Dataset

class DatasetService:
    model = Dataset

    @classmethod
    def get_by_id(cls, pid):
        obj = cls.model.get_or_none(cls.model.id == pid)
        return obj is not None, obj


def owns(dataset, user):
    return dataset.tenant_id == user.tenant_id


def names(ids):
    out = []
    for i in ids:
        ok, ds = DatasetService.get_by_id(i)
        if ok:
            out.append(ds.name)
    return out
"""
VIEWS = """
from flask import Blueprint, request
from flask_login import current_user

from app.services import DatasetService, names, owns

bp = Blueprint("datasets", __name__)


@bp.route("/datasets/names", methods=["POST"])
def dataset_names():
    ids = request.json["ids"]
    rows = {}
    for i in ids:
        ok, ds = DatasetService.get_by_id(i)
        if not ok:
            return {}, 404
        rows[i] = ds
    BETWEEN
    for i, ds in rows.items():
        if not owns(ds, current_user):
            return {}, 403
        LOOP_END
    return {"names": names(ids)}
"""


@pytest.mark.parametrize(("between", "loop_end", "flagged"), [
    ("pass", "pass", []),
    ('ids.append(request.json["extra"])', "pass", [23]),  # an id no row was fetched for
    ('ids = request.json["other"]', "pass", [23]),  # another list
    ("pass", "break", [23]),  # only the first row checked
])
def test_ids_of_checked_rows(tmp_path: Path, between: str, loop_end: str, flagged: list[int]) -> None:
    files = {"app/__init__.py": "", "app/models.py": MODELS, "app/services.py": SERVICES,
             "app/views.py": VIEWS.replace("BETWEEN", between).replace("LOOP_END", loop_end)}
    assert [n for n in flagged_lines(tmp_path, CONFIG, files) if n == 23] == flagged


def test_row_fetched_before_the_loop(tmp_path: Path) -> None:
    # One row, fetched before the loop, stored under every id: only that id's row is checked.
    views = VIEWS.replace('''    for i in ids:
        ok, ds = DatasetService.get_by_id(i)
        if not ok:
            return {}, 404
        rows[i] = ds''', '''    i = ids[0]
    ok, ds = DatasetService.get_by_id(i)
    for i in ids:
        rows[i] = ds
        print(ok)''').replace("BETWEEN", "pass").replace("LOOP_END", "pass")
    files = {"app/__init__.py": "", "app/models.py": MODELS, "app/services.py": SERVICES,
             "app/views.py": views}
    assert 23 in flagged_lines(tmp_path, CONFIG, files)
