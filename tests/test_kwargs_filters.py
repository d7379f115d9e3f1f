"""Keyword filter pass-throughs: a query whose filter is the function's own ``**kwargs`` is judged at
each call with the call's keywords (``analysis/interp/kwargs_filters.py``)."""

from __future__ import annotations

from pathlib import Path

import libcst as cst

from tenantlint.analysis.interp.kwargs_filters import spread_filter, spread_param
from tenantlint.crossfn.spread_keys import tenant_keyword
from tests.orm_app import mismatches


def _fn(code: str) -> cst.FunctionDef:
    node = cst.parse_module(code).body[0]
    assert isinstance(node, cst.FunctionDef)
    return node


def _query(code: str) -> cst.BaseExpression:
    return cst.parse_expression(code)


def test_spread_param_only_when_used_as_spreads() -> None:
    assert spread_param(_fn("def get(cls, **kwargs):\n    return cls.model.get(**kwargs)\n")) == "kwargs"
    assert spread_param(_fn("def get(cls, **kw):\n    try:\n        return M.get(**kw)\n"
                            "    except E:\n        return None\n")) == "kw"
    assert spread_param(_fn("def get(cls, **kwargs):\n    kwargs.pop('tenant_id', None)\n"
                            "    return cls.model.get(**kwargs)\n")) == ""
    assert spread_param(_fn("def get(cls, **kwargs):\n    kwargs['status'] = 1\n"
                            "    return cls.model.get(**kwargs)\n")) == ""
    assert spread_param(_fn("def get(cls, **kwargs):\n    kwargs = {}\n"
                            "    return cls.model.get(**kwargs)\n")) == ""
    assert spread_param(_fn("def get(cls, pk):\n    return cls.model.get(pk=pk)\n")) == ""


def test_spread_filter_in_the_chain_of_a_keyword_filter() -> None:
    assert spread_filter(_query("cls.model.get(**kwargs)"), "kwargs") == "**kwargs"
    assert spread_filter(_query("Invoice.objects.filter(**kwargs).first()"), "kwargs") == "**kwargs"
    assert spread_filter(_query("db.session.query(Note).filter_by(**kwargs).one()"), "kwargs") == "**kwargs"
    # values written, not a filter
    assert spread_filter(_query("cls.model.update(**kwargs).where(cls.model.id == pk)"), "kwargs") is None
    assert spread_filter(_query("cls.model.get(**other)"), "kwargs") is None
    assert spread_filter(_query("cls.model.get(**kwargs)"), "") is None


def test_tenant_keyword() -> None:
    tenants = ("tenant_id", "workspace")
    assert tenant_keyword("tenant_id", tenants)
    assert tenant_keyword("tenant_id__in", tenants)
    assert tenant_keyword("workspace__slug", tenants)
    assert not tenant_keyword("tenant_id__ne", tenants)
    assert not tenant_keyword("id", tenants)


PEEWEE = {
    "app/__init__.py": "",
    "app/models.py": '''from peewee import CharField, Model


class Tenant(Model):
    id = CharField(primary_key=True)


class Note(Model):
    id = CharField(primary_key=True)
    tenant_id = CharField()
    title = CharField()
''',
    "app/services.py": '''from app.models import Note


class NoteService:
    model = Note

    @classmethod
    def find(cls, **kwargs):
        return cls.model.get_or_none(**kwargs)  # ok

    @classmethod
    def find_titled(cls, title, **kwargs):
        return cls.model.get_or_none(cls.model.title == title, **kwargs)  # ok
''',
    "app/views.py": '''from flask import Blueprint, request
from flask_login import current_user

from app.services import NoteService

bp = Blueprint("notes", __name__)


@bp.get("/notes/<note_id>")
def show(note_id):
    return {"note": NoteService.find(id=note_id, tenant_id=current_user.id)}  # ok


@bp.get("/notes")
def lookup():
    return {"note": NoteService.find(id=request.args["id"])}  # expect: TNT101[note]


@bp.get("/titled")
def titled():
    return {"note": NoteService.find_titled(request.args["t"], tenant_id=current_user.id)}  # ok


@bp.get("/titled/any")
def titled_any():
    return {"note": NoteService.find_titled("x", id=request.args["id"])}  # expect: TNT101[note]
''',
}

CONFIG = 'tenant_models = ["Tenant"]\n'


def test_peewee_pass_through(tmp_path: Path) -> None:
    assert mismatches(tmp_path, PEEWEE, CONFIG) == []


def test_a_spread_at_the_call_leaves_it_where_it_runs(tmp_path: Path) -> None:
    files = dict(PEEWEE)
    files["app/services.py"] = files["app/services.py"].replace(
        "return cls.model.get_or_none(**kwargs)  # ok",
        "return cls.model.get_or_none(**kwargs)  # expect: TNT101")
    files["app/jobs.py"] = '''from app.services import NoteService


def refresh(filters):
    return NoteService.find(**filters)
'''
    assert mismatches(tmp_path, files, CONFIG) == []


DJANGO = {
    "shop/__init__.py": "",
    "shop/models.py": '''from django.db import models


class Org(models.Model):
    name = models.CharField(max_length=20)


class Invoice(models.Model):
    org = models.ForeignKey(Org, on_delete=models.CASCADE)
    number = models.CharField(max_length=20)
''',
    "shop/selectors.py": '''from shop.models import Invoice


def find_invoice(**kwargs):
    return Invoice.objects.filter(**kwargs).first()  # ok
''',
    "shop/views.py": '''from django.http import JsonResponse

from shop.selectors import find_invoice


def show(request, pk):
    invoice = find_invoice(pk=pk, org=request.user.org)  # ok
    return JsonResponse({"n": invoice.number})


def show_any(request, pk):
    invoice = find_invoice(pk=pk)  # expect: TNT101[shop_invoice]
    return JsonResponse({"n": invoice.number})
''',
}


def test_django_pass_through(tmp_path: Path) -> None:
    assert mismatches(tmp_path, DJANGO, 'tenant_models = ["Org"]\n') == []


SQLALCHEMY = {
    "notes/__init__.py": "",
    "notes/extensions.py": "from flask_sqlalchemy import SQLAlchemy\n\ndb = SQLAlchemy()\n",
    "notes/models.py": '''from .extensions import db


class Organization(db.Model):
    id = db.Column(db.Integer, primary_key=True)


class Note(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    org_id = db.Column(db.Integer, db.ForeignKey("organization.id"), nullable=False)
    title = db.Column(db.String(120))
''',
    "notes/queries.py": '''from .models import Note


def one_note(**kwargs):
    return Note.query.filter_by(**kwargs).first()  # ok
''',
    "notes/views.py": '''from flask import Blueprint, request
from flask_login import current_user, login_required

from .queries import one_note

bp = Blueprint("notes", __name__)


@bp.get("/notes/<int:note_id>")
@login_required
def show(note_id):
    return {"title": one_note(id=note_id, org_id=current_user.org_id).title}  # ok


@bp.get("/notes")
@login_required
def lookup():
    return {"title": one_note(id=request.args["id"]).title}  # expect: TNT101[note]
''',
}


def test_sqlalchemy_pass_through(tmp_path: Path) -> None:
    assert mismatches(tmp_path, SQLALCHEMY, 'tenant_models = ["Organization"]\n') == []


def test_keywords_naming_neither_tenant_nor_row_leave_it_where_it_runs(tmp_path: Path) -> None:
    files = dict(PEEWEE)
    files["app/services.py"] = files["app/services.py"].replace(
        "return cls.model.get_or_none(**kwargs)  # ok",
        "return cls.model.get_or_none(**kwargs)  # expect: TNT101")
    files["app/views.py"] += '''

@bp.get("/latest")
def latest():
    return {"note": NoteService.find(title="latest")}
'''
    assert mismatches(tmp_path, files, CONFIG) == []
