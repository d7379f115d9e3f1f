"""A mixin's classmethod returning a scoped row of the model it is called on (``mixin_rows.py``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tenantlint.analysis.interp.mixin_rows import CLASS_ROW, class_row, class_row_kind
from tenantlint.analysis.interp.values import RowValue
from tests.small_project import flagged_lines

CONFIG = ('tenant_models = ["Organization"]\nglobal_tables = ["Organization"]\n'
          'trusted_sources = ["self.current_org"]\n')
MIXIN = """
class BelongsToOrgMixin:
    @classmethod
    def get_by_id_and_org(cls, object_id, org):
        return cls.query.filter(cls.id == object_id, cls.org == org).one()
"""
MODELS = """
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import Column, ForeignKey, Integer

from app.mixins import BelongsToOrgMixin

db = SQLAlchemy()


class Organization(db.Model):
    __tablename__ = "organizations"
    id = Column(Integer, primary_key=True)


class Group(db.Model, BelongsToOrgMixin):
    __tablename__ = "groups"
    id = Column(Integer, primary_key=True)
    org_id = Column(Integer, ForeignKey("organizations.id"))
    org = db.relationship(Organization)


class Member(db.Model):
    __tablename__ = "members"
    id = Column(Integer, primary_key=True)
    org_id = Column(Integer, ForeignKey("organizations.id"))
    group_id = Column(Integer, ForeignKey("groups.id"))
    group = db.relationship(Group)
"""
BASE = """
from flask_restful import Resource


class BaseResource(Resource):
    @property
    def current_org(self):
        return self.current_user.org


def get_object_or_404(fn, *args, **kwargs):
    rv = fn(*args, **kwargs)
    if rv is None:
        raise LookupError(404)
    return rv
"""


def _files(fetch: str) -> dict[str, str]:
    views = f"""
from flask import request

from app import models
from app.base import BaseResource, get_object_or_404


class GroupMembersResource(BaseResource):
    def get(self, group_id):
        group = {fetch}
        return [m.id for m in models.Member.query.filter(models.Member.group == group)]
"""
    api = """
from flask_restful import Api

from app.views import GroupMembersResource

api = Api()
api.add_resource(GroupMembersResource, "/groups/<group_id>/members")
"""
    return {"app/__init__.py": "", "app/mixins.py": MIXIN, "app/models.py": MODELS, "app/base.py": BASE,
            "app/views.py": views, "app/api.py": api}


@pytest.mark.parametrize("fetch", [
    "models.Group.get_by_id_and_org(group_id, self.current_org)",
    "get_object_or_404(models.Group.get_by_id_and_org, group_id, self.current_org)",
])
def test_rows_of_a_mixin_fetched_group_are_confined(tmp_path: Path, fetch: str) -> None:
    assert flagged_lines(tmp_path, CONFIG, _files(fetch)) == []


def test_rows_of_a_group_fetched_by_id_alone_are_reported(tmp_path: Path) -> None:
    assert flagged_lines(tmp_path, CONFIG, _files("models.Group.query.get(group_id)")) == [9, 10]


def test_an_organisation_from_the_request_is_reported_at_the_call(tmp_path: Path) -> None:
    fetch = 'get_object_or_404(models.Group.get_by_id_and_org, group_id, request.args["org"])'
    assert flagged_lines(tmp_path, CONFIG, _files(fetch), code="TNT103") == [9]


def test_class_row_kind() -> None:
    assert class_row_kind([("row:groups", "groups"), ("row:queries", "queries")]) == CLASS_ROW
    assert class_row_kind([("row:groups", "groups"), ("", "events")]) == ""
    assert class_row_kind([("row:groups", "queries")]) == ""
    assert class_row_kind([("row:groups", "")]) == ""
    assert class_row_kind([]) == ""


def test_class_row_value() -> None:
    row = class_row("groups", "Group.get_by_id_and_org")
    assert isinstance(row, RowValue) and row.scoped_row_of == "groups" and row.table == "groups"
    assert class_row(None, "Group.get_by_id_and_org") is None
