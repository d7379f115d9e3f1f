"""Rows of a table with no tenant column of its own, fetched by a helper's parameters alone.

A ``Document`` whose ``kb_id`` is a plain column is no tenant table; a row of it fetched by the
helper's ``doc_id`` is that parameter's question, so a tenant query keyed by ``fresh.kb_id`` is judged
at the helper's calls (Peewee and SQLAlchemy, as Django already did through the key's provenance).
"""

from __future__ import annotations

from pathlib import Path

from tests.orm_app import mismatches

CONFIG = 'tenant_models = ["Tenant"]\nhandler_decorators = ["route"]\n'

PEEWEE_MODELS = '''
from peewee import CharField, IntegerField, Model


class Tenant(Model):
    name = CharField()

    class Meta:
        table_name = "tenant"


class Knowledgebase(Model):
    tenant_id = CharField(index=True)
    chunk_num = IntegerField(default=0)

    class Meta:
        table_name = "knowledgebase"


class Document(Model):
    kb_id = CharField(index=True)
    chunk_num = IntegerField(default=0)

    class Meta:
        table_name = "document"
'''

PEEWEE_HELPERS = '''
from cache import CACHE
from models import Document, Knowledgebase


def release(doc_id):
    fresh = Document.select().where(Document.id == doc_id).for_update().first()
    if fresh is None:
        raise LookupError(doc_id)
    kb = Knowledgebase.select().where(Knowledgebase.id == fresh.kb_id).first()  # ok
    Knowledgebase.update(chunk_num=0).where(Knowledgebase.id == fresh.kb_id).execute()  # ok
    return kb


def release_cached(name):
    fresh = Document.get(Document.id == CACHE.get("last-parsed"))
    return Knowledgebase.get(Knowledgebase.id == fresh.kb_id)  # expect: TNT101[knowledgebase]


def release_unused(doc_id):
    fresh = Document.get(Document.id == doc_id)
    return Knowledgebase.get(Knowledgebase.id == fresh.kb_id)  # expect: TNT101[knowledgebase]
'''

PEEWEE_VIEWS = '''
from flask import request

from helpers import release, release_cached
from models import Document, Knowledgebase


@route("/docs/<doc_id>/release")
def release_doc(current_user, doc_id):
    kb = Knowledgebase.get_or_none(Knowledgebase.id == request.args["kb"],
                                   Knowledgebase.tenant_id == current_user.id)
    if kb is None:
        return "no"
    doc = Document.get_or_none(Document.id == doc_id, Document.kb_id == kb.id)
    if doc is None:
        return "no"
    return release(doc.id)  # ok


@route("/docs/release")
def release_any(current_user):
    return release(request.args["doc"])  # expect: TNT101[knowledgebase], TNT102[knowledgebase]


@route("/docs/last")
def release_last(current_user):
    return release_cached(request.args["name"])  # ok
'''

SA_MODELS = '''
from sqlalchemy import Column, ForeignKey, Integer, String
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Tenant(Base):
    __tablename__ = "tenants"
    id = Column(Integer, primary_key=True)


class Folder(Base):
    __tablename__ = "folders"
    id = Column(Integer, primary_key=True)
    tenant_id = Column(Integer, ForeignKey("tenants.id"))


class Upload(Base):
    __tablename__ = "uploads"
    id = Column(Integer, primary_key=True)
    folder_ref = Column(String)
'''

SA_HELPERS = '''
from models import Folder, Upload


def touch_folder(session, upload_id):
    upload = session.query(Upload).filter(Upload.id == upload_id).one()
    return session.query(Folder).filter(Folder.id == upload.folder_ref).one()  # ok


def touch_unused(session, upload_id):
    upload = session.query(Upload).filter(Upload.id == upload_id).one()
    return session.query(Folder).filter(Folder.id == upload.folder_ref).one()  # expect: TNT101[folders]
'''

SA_VIEWS = '''
from flask import request

from helpers import touch_folder


@route("/uploads/mine")
def mine(session, current_user):
    return touch_folder(session, 7)  # ok


@route("/uploads/any")
def any_upload(session):
    return touch_folder(session, request.args["upload"])  # expect: TNT101[folders]
'''


def test_peewee_plain_row_keyed_by_parameter(tmp_path: Path) -> None:
    files = {"models.py": PEEWEE_MODELS, "helpers.py": PEEWEE_HELPERS, "views.py": PEEWEE_VIEWS}
    assert mismatches(tmp_path, files, CONFIG) == []


def test_sqlalchemy_plain_row_keyed_by_parameter(tmp_path: Path) -> None:
    files = {"models.py": SA_MODELS, "helpers.py": SA_HELPERS, "views.py": SA_VIEWS}
    assert mismatches(tmp_path, files, CONFIG) == []
