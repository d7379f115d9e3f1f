"""SQLAlchemy 1.x/2.0, Flask-SQLAlchemy and SQLModel queries on small inline apps."""

from __future__ import annotations

from pathlib import Path

from tests.orm_app import lint_app, mismatches

MODELS = '''
from sqlalchemy import Column, ForeignKey, Integer, String, Boolean
from sqlalchemy.orm import declarative_base, relationship

Base = declarative_base()


class Org(Base):
    __tablename__ = "orgs"
    id = Column(Integer, primary_key=True)
    invoices = relationship("Invoice", back_populates="org", lazy="dynamic")


class Invoice(Base):
    __tablename__ = "invoices"
    id = Column(Integer, primary_key=True)
    org_id = Column(Integer, ForeignKey("orgs.id"), nullable=False)
    number = Column(String)
    is_public = Column(Boolean)
    org = relationship("Org", back_populates="invoices")
    lines = relationship("Line", back_populates="invoice")


class Line(Base):
    __tablename__ = "lines"
    id = Column(Integer, primary_key=True)
    invoice_id = Column(Integer, ForeignKey("invoices.id"), nullable=False)
    invoice = relationship("Invoice", back_populates="lines")
'''

CONFIG = 'handler_decorators = ["route"]\nsystem_scope = ["system_scope"]\n'

SERVICES = '''
from sqlalchemy import and_, delete, insert, not_, or_, select, update

from models import Invoice, Line


def legacy(session, org_id, pk):
    db = session
    a = session.query(Invoice).filter(Invoice.org_id == org_id).all()  # ok
    b = session.query(Invoice).filter(Invoice.id == pk).one()  # expect: TNT101
    c = session.query(Invoice).filter_by(org_id=org_id).first()  # ok
    d = session.query(Invoice).get(pk)  # expect: TNT101
    session.query(Invoice).filter(Invoice.id == pk).delete()  # expect: TNT102
    session.query(Invoice).filter(Invoice.id == pk, Invoice.org_id == org_id).update({"n": 1})  # ok
    e = db.query(Invoice).filter(or_(Invoice.org_id == org_id, Invoice.is_public)).all()  # expect: TNT105
    f = session.query(Invoice).filter(not_(Invoice.org_id == org_id)).all()  # expect: TNT105
    g = session.query(Invoice).filter(Invoice.org_id != org_id).count()  # expect: TNT105
    h = session.query(Invoice).filter(and_(Invoice.org_id == org_id, Invoice.is_public)).all()  # ok
    return a, b, c, d, e, f, g, h


def modern(session, org_id, pk):
    a = session.scalars(select(Invoice).where(Invoice.org_id == org_id)).all()  # ok
    b = session.execute(select(Invoice.number).where(Invoice.id == pk)).scalars().first()  # expect: TNT101
    c = session.get(Invoice, pk)  # expect: TNT101
    session.execute(update(Invoice).where(Invoice.id == pk).values(number="x"))  # expect: TNT102
    session.execute(delete(Invoice).where(Invoice.org_id == org_id))  # ok
    session.execute(insert(Invoice).values(number="x"))  # expect: TNT104
    session.execute(insert(Invoice).values(number="x", org_id=org_id))  # ok
    return a, b, c


def kept(session, org_id):
    stmt = select(Invoice)  # ok
    stmt = stmt.where(Invoice.org_id == org_id)
    return session.scalars(stmt).all()  # ok


def kept_unscoped(session):
    stmt = select(Invoice).order_by(Invoice.number)  # expect: TNT101
    return session.scalars(stmt).all()


def lines_of_parent(session, org_id, pk):
    a = session.query(Line).filter(Line.invoice.has(Invoice.org_id == org_id)).all()  # ok
    b = session.query(Line).filter(Line.invoice.has(Invoice.number == "1")).all()  # expect: TNT101
    inv = session.query(Invoice).filter_by(id=pk, org_id=org_id).one()  # ok
    c = session.query(Line).filter(Line.invoice_id == inv.id).all()  # ok
    return a, b, c


def inserts(session, org_id, names):
    session.add(Invoice(number="1", org_id=org_id))  # ok
    session.add(Invoice(number="1"))  # expect: TNT104
    inv = Invoice(number="2")  # ok
    inv.org_id = org_id
    session.add(inv)  # ok
    session.add_all([Invoice(number=n) for n in names])  # expect: TNT104
    session.bulk_insert_mappings(Invoice, [{"number": n, "org_id": org_id} for n in names])  # ok
    session.bulk_insert_mappings(Invoice, [{"number": n} for n in names])  # expect: TNT104


def system(session):
    with system_scope():
        return session.query(Invoice).all()  # ok
'''

HANDLERS = '''
from models import Invoice


@route("/orgs/<org_id>/invoices")
def org_invoices(session, org_id):
    return session.query(Invoice).filter(Invoice.org_id == org_id).all()  # expect: TNT103
'''

FLASK_MODELS = '''
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class Note(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    org_id = db.Column(db.Integer, db.ForeignKey("org.id"), nullable=False)
    title = db.Column(db.String)
'''

FLASK_CODE = '''
from models import Note, db


def notes(org_id, pk):
    a = Note.query.filter_by(org_id=org_id).all()  # ok
    b = Note.query.get_or_404(pk)  # expect: TNT101
    c = db.get_or_404(Note, pk)  # expect: TNT101
    d = db.first_or_404(db.select(Note).where(Note.id == pk))  # expect: TNT101
    e = db.one_or_404(db.select(Note).filter_by(id=pk, org_id=org_id))  # ok
    f = Note.query.filter(Note.id == pk).first_or_404()  # expect: TNT101
    Note.query.filter_by(id=pk).delete()  # expect: TNT102
    return a, b, c, d, e, f
'''

SQLMODEL = '''
from typing import Optional

from sqlmodel import Field, SQLModel


class Item(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="org.id")
    sku: str
'''

SQLMODEL_CODE = '''
from sqlmodel import select

from models import Item


def items(session, org_id, sku):
    a = session.exec(select(Item).where(Item.org_id == org_id)).all()  # ok
    b = session.exec(select(Item).where(Item.sku == sku)).all()  # expect: TNT101
    return a, b
'''


def check(tmp_path: Path, files: dict[str, str], config: str = CONFIG) -> None:
    assert mismatches(tmp_path, files, config) == []


def test_sqlalchemy_legacy_and_modern(tmp_path: Path) -> None:
    check(tmp_path, {"models.py": MODELS, "services.py": SERVICES, "handlers.py": HANDLERS})


def test_flask_sqlalchemy(tmp_path: Path) -> None:
    check(tmp_path, {"models.py": FLASK_MODELS, "views.py": FLASK_CODE})


def test_sqlmodel(tmp_path: Path) -> None:
    check(tmp_path, {"models.py": SQLMODEL, "services.py": SQLMODEL_CODE})


def test_relationship_of_trusted_row(tmp_path: Path) -> None:
    code = '''
from models import Invoice


def drafts(session, org_id):
    org = session.query(Org).filter(Org.id == org_id).one()  # ok
    return org.invoices.filter(Invoice.number == "1").all()  # ok


def lines(session, org_id, pk):
    inv = session.query(Invoice).filter(Invoice.id == pk, Invoice.org_id == org_id).one()  # ok
    return [x.id for x in inv.lines]  # ok
'''
    check(tmp_path, {"models.py": MODELS, "services.py": "from models import Org\n" + code})


def test_missing_tenant_filter_is_found(tmp_path: Path) -> None:
    files = {"models.py": MODELS, "s.py": "from models import Invoice\n\n\ndef f(session):\n"
             "    return session.query(Invoice).all()\n"}
    assert lint_app(tmp_path, files, CONFIG) == {("s.py", 5, "TNT101")}


def test_count_select_from_model(tmp_path: Path) -> None:
    code = '''
from sqlalchemy import func, select

from models import Invoice


def counts(session, org_id):
    a = session.scalar(select(func.count()).select_from(Invoice))  # expect: TNT101
    b = session.scalar(select(func.count()).select_from(Invoice).where(Invoice.org_id == org_id))  # ok
    return a, b
'''
    check(tmp_path, {"models.py": MODELS, "services.py": code})


def test_update_values_setting_the_tenant_from_request(tmp_path: Path) -> None:
    code = '''
from flask import request
from sqlalchemy import update

from models import Invoice


@route("/move")
def move(session, pk):
    new = request.json["org_id"]  # expect: TNT201
    session.execute(update(Invoice).where(Invoice.org_id == 1).values(org_id=new))  # expect: TNT103
    session.execute(update(Invoice).where(Invoice.org_id == 1).values(number=new))  # ok
    session.query(Invoice).filter(Invoice.org_id == 1).update({"org_id": new})  # expect: TNT103
'''
    check(tmp_path, {"models.py": MODELS, "views.py": code})
