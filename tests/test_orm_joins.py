"""A via-scoped table joined to its parents, then filtered on a parent's tenant column; subqueries."""

from __future__ import annotations

from pathlib import Path

from tests.orm_app import mismatches

CONFIG = 'handler_decorators = ["route"]\ntenant_models = ["Org"]\n'

SA_MODELS = '''
from sqlalchemy import Column, ForeignKey, Integer, String
from sqlalchemy.orm import declarative_base, relationship

Base = declarative_base()


class Invoice(Base):
    __tablename__ = "invoices"
    id = Column(Integer, primary_key=True)
    org_id = Column(Integer, nullable=False)
    number = Column(String)


class Line(Base):
    __tablename__ = "lines"
    id = Column(Integer, primary_key=True)
    invoice_id = Column(Integer, ForeignKey("invoices.id"), nullable=False)
    other_id = Column(Integer, ForeignKey("invoices.id"), nullable=True)
    invoice = relationship("Invoice")


class Tax(Base):
    __tablename__ = "taxes"
    id = Column(Integer, primary_key=True)
    line_id = Column(Integer, ForeignKey("lines.id"), nullable=False)
'''

SA_CODE = '''
from sqlalchemy import or_, select

from models import Invoice, Line, Tax


def joins(s, o, n):
    a = s.scalars(select(Line).join(Invoice, Invoice.id == Line.invoice_id).where(Invoice.org_id == o))  # ok
    b = s.scalars(select(Line).join(Invoice).where(Invoice.org_id == o))  # ok
    c = s.scalars(select(Line).join(Line.invoice).where(Invoice.org_id == o))  # ok
    d = s.query(Line).join(Invoice).filter(Invoice.org_id == o).all()  # ok
    e = s.scalars(select(Line).join(Invoice).where(Invoice.number == n))  # expect: TNT101
    f = s.scalars(  # expect: TNT101
        select(Line).join(Invoice, Invoice.id == Line.other_id).where(Invoice.org_id == o))
    g = s.scalars(select(Line).where(Invoice.org_id == o))  # expect: TNT101
    h = s.scalars(  # expect: TNT105
        select(Line).join(Invoice).where(or_(Invoice.org_id == o, Invoice.number == n)))
    return a, b, c, d, e, f, g, h


def multi_hop(session, org_id):
    a = session.scalars(  # ok
        select(Tax)
        .join(Line, Tax.line_id == Line.id)
        .join(Invoice, Line.invoice_id == Invoice.id)
        .where(Invoice.org_id == org_id)
    )
    b = session.scalars(select(Tax).join(Invoice).where(Invoice.org_id == org_id))  # expect: TNT101
    return a, b


@route("/orgs/<org_id>/lines")
def org_lines(session, org_id):
    return session.scalars(select(Line).join(Invoice).where(Invoice.org_id == org_id)).all()  # expect: TNT103
'''

PEEWEE_MODELS = '''
from peewee import CharField, ForeignKeyField, Model


class Org(Model):
    name = CharField()


class Post(Model):
    org = ForeignKeyField(Org, backref="posts")
    slug = CharField()

    class Meta:
        table_name = "posts"


class Reply(Model):
    post = ForeignKeyField(Post, backref="replies")
    body = CharField()

    class Meta:
        table_name = "replies"
'''

PEEWEE_CODE = '''
from models import Post, Reply


def replies(org, slug):
    a = list(Reply.select(Reply, Post).join(Post).where(Post.org == org))  # ok
    b = list(Reply.select().join(Post).where(Post.slug == slug))  # expect: TNT101
    c = list(Reply.select().where(Post.org == org))  # expect: TNT101
    return a, b, c
'''


def test_sqlalchemy_join_through_parents(tmp_path: Path) -> None:
    files = {"models.py": SA_MODELS, "services.py": SA_CODE}
    assert mismatches(tmp_path, files, CONFIG) == []


def test_peewee_join_through_parent(tmp_path: Path) -> None:
    files = {"models.py": PEEWEE_MODELS, "services.py": PEEWEE_CODE}
    assert mismatches(tmp_path, files, CONFIG) == []


SUBQUERY_CODE = '''
from sqlalchemy import select

from models import Invoice, Line


def subqueries(session, org_id, number):
    mine = select(Invoice.id).where(Invoice.org_id == org_id)
    a = session.scalars(select(Line).where(Line.invoice_id.in_(mine)))  # ok
    anyone = select(Invoice.id).where(Invoice.number == number)  # expect: TNT101
    b = session.scalars(select(Line).where(Line.invoice_id.in_(anyone)))  # expect: TNT101
    return a, b


@route("/orgs/<org_id>/lines")
def org_lines(session, org_id):
    mine = select(Invoice.id).where(Invoice.org_id == org_id)  # expect: TNT103
    return session.scalars(select(Line).where(Line.invoice_id.in_(mine))).all()  # expect: TNT101
'''


def test_sqlalchemy_scoped_parent_subquery(tmp_path: Path) -> None:
    files = {"models.py": SA_MODELS, "services.py": SUBQUERY_CODE}
    assert mismatches(tmp_path, files, CONFIG) == []


LINK_MODELS = '''
from sqlalchemy import Column, ForeignKey, Integer, String
from sqlalchemy.orm import declarative_base, relationship

Base = declarative_base()


class Group(Base):
    __tablename__ = "groups"
    id = Column(Integer, primary_key=True)
    org_id = Column(Integer, nullable=False)


class Source(Base):
    __tablename__ = "sources"
    id = Column(Integer, primary_key=True)
    org_id = Column(Integer, nullable=False)


class SourceGroup(Base):
    __tablename__ = "source_groups"
    id = Column(Integer, primary_key=True)
    source_id = Column(Integer, ForeignKey("sources.id"))
    group_id = Column(Integer, ForeignKey("groups.id"))
    group = relationship(Group)
    label = Column(String)


class Note(Base):
    __tablename__ = "notes"
    id = Column(Integer, primary_key=True)
    label = Column(String)
'''

LINK_CODE = '''
from sqlalchemy import select

from models import Group, Note, Source, SourceGroup


def linked(session, org_id, group_id, label):
    group = session.scalars(select(Group).where(Group.org_id == org_id, Group.id == group_id)).one()
    a = session.query(Source).join(SourceGroup).filter(SourceGroup.group == group).all()  # ok
    b = session.query(Source).join(SourceGroup).filter(SourceGroup.group_id == group.id).all()  # ok
    c = session.query(Source).join(  # ok
        SourceGroup, SourceGroup.source_id == Source.id).filter(SourceGroup.group == group).all()
    d = session.query(Source).join(  # expect: TNT101
        SourceGroup).filter(SourceGroup.group_id == group_id).all()
    e = session.query(Source).join(SourceGroup).filter(SourceGroup.label == label).all()  # expect: TNT101
    f = session.query(Source).join(  # expect: TNT101
        SourceGroup, SourceGroup.group_id == Source.id).filter(SourceGroup.group == group).all()
    g = session.query(Source).join(Note).filter(Note.label == group.id).all()  # expect: TNT101
    return a, b, c, d, e, f, g
'''


def test_sqlalchemy_join_through_a_link_table(tmp_path: Path) -> None:
    """A link table with no tenant of its own, joined along its foreign key to the queried table
    and pinned by its foreign key to a scoped row, confines the rows it links that row to."""
    files = {"models.py": LINK_MODELS, "services.py": LINK_CODE}
    assert mismatches(tmp_path, files, CONFIG) == []
