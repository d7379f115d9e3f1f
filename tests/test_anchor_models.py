"""An anchor confines the model it is on only: the other tenant models a query reads beside it
(tenantlint/analysis/interp/anchor_models.py)."""

from __future__ import annotations

import textwrap
from pathlib import Path

from tests.orm_app import lint_app

MODELS = """
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import Column, ForeignKey, Integer

db = SQLAlchemy()


class Organization(db.Model):
    __tablename__ = "organizations"
    id = Column(Integer, primary_key=True)


class Source(db.Model):
    __tablename__ = "sources"
    id = Column(Integer, primary_key=True)
    org_id = Column(Integer, ForeignKey("organizations.id"))


class Report(db.Model):
    __tablename__ = "reports"
    id = Column(Integer, primary_key=True)
    org_id = Column(Integer, ForeignKey("organizations.id"))
    source_id = Column(Integer, ForeignKey("sources.id"))
    source = db.relationship(Source)


class Result(db.Model):
    __tablename__ = "results"
    id = Column(Integer, primary_key=True)
    org_id = Column(Integer, ForeignKey("organizations.id"))
    source_id = Column(Integer, ForeignKey("sources.id"))
    source = db.relationship(Source)
    report_id = Column(Integer, ForeignKey("reports.id"))

    @classmethod
    def beside(cls, source, report_id):
        return db.session.query(cls, Report).filter(cls.source == source, Report.id == report_id).first()

    @classmethod
    def joined(cls, source, report_id):
        return db.session.query(cls, Report).join(Report, cls.report_id == Report.id).filter(
            cls.source == source, Report.id == report_id).first()

    @classmethod
    def pinned(cls, source, report_id, org_id):
        return db.session.query(cls, Report).filter(
            cls.source == source, Report.id == report_id, Report.org_id == org_id).first()

    @classmethod
    def alone(cls, source, result_id):
        return cls.query.filter(cls.source == source, cls.id == result_id).first()
"""

VIEWS = """
from flask import Blueprint, request
from flask_login import current_user

from app.models import Result, Source

bp = Blueprint("app", __name__)


def _source(source_id):
    return Source.query.filter(Source.id == source_id, Source.org_id == current_user.org_id).one()


@bp.route("/beside")
def beside():
    source = _source(request.args["source"])
    return {"row": Result.beside(source, request.args["report"])}


@bp.route("/joined")
def joined():
    source = _source(request.args["source"])
    return {"row": Result.joined(source, request.args["report"])}


@bp.route("/pinned")
def pinned():
    source = _source(request.args["source"])
    return {"row": Result.pinned(source, request.args["report"], current_user.org_id)}


@bp.route("/pinned_by_request")
def pinned_by_request():
    source = _source(request.args["source"])
    return {"row": Result.pinned(source, request.args["report"], request.args["org"])}


@bp.route("/alone")
def alone():
    source = _source(request.args["source"])
    return {"row": Result.alone(source, request.args["result"])}
"""


def _findings(tmp_path: Path) -> set[tuple[str, int, str]]:
    files = {"app/__init__.py": "", "app/models.py": MODELS, "app/views.py": VIEWS}
    found = lint_app(tmp_path, {n: textwrap.dedent(t).lstrip("\n") for n, t in files.items()},
                     'tenant_models = ["Organization"]\nglobal_tables = ["Organization"]\n')
    return {(Path(path).name, line, code) for path, line, code in found if code == "TNT101"}


def test_an_anchor_confines_its_own_model_only(tmp_path: Path) -> None:
    found = _findings(tmp_path)
    views = VIEWS.lstrip("\n").splitlines()

    def line(text: str) -> int:
        return next(i for i, row in enumerate(views, 1) if text in row)

    assert ("views.py", line("Result.beside("), "TNT101") in found  # the report row: any organization's
    assert ("views.py", line("Result.joined("), "TNT101") not in found  # joined through the result's key
    assert ("views.py", line("current_user.org_id)}"), "TNT101") not in found  # pinned by its own filter
    assert ("views.py", line('request.args["org"])'), "TNT101") in found  # ... to request input
    assert ("views.py", line("Result.alone("), "TNT101") not in found  # one model: the anchor confines it
