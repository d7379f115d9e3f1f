"""Peewee and Tortoise queries on small inline apps."""

from __future__ import annotations

from pathlib import Path

from tests.orm_app import lint_app, mismatches

CONFIG = 'tenant_models = ["Org"]\nhandler_decorators = ["route"]\nsystem_scope = ["system_scope"]\n'

PEEWEE_MODELS = '''
from peewee import CharField, ForeignKeyField, Model, BooleanField


class Org(Model):
    name = CharField()

    class Meta:
        table_name = "orgs"


class Post(Model):
    org = ForeignKeyField(Org, backref="posts")
    slug = CharField()
    pinned = BooleanField(default=False)

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


def reads(org, slug, pk):
    a = list(Post.select().where(Post.org == org, Post.slug == slug))  # ok
    b = Post.get(Post.slug == slug)  # expect: TNT101
    c = Post.get_or_none(Post.slug == slug, Post.org == org)  # ok
    d = Post.get_by_id(pk)  # expect: TNT101
    e = list(Post.select().where(~(Post.org == org)))  # expect: TNT105
    f = list(Post.select().where((Post.org == org) | (Post.pinned == True)))  # expect: TNT105
    g = Post.select().where(Post.org != org).count()  # expect: TNT105
    return a, b, c, d, e, f, g


def writes(org, pk):
    Post.update(pinned=True).where(Post.id == pk).execute()  # expect: TNT102
    Post.update(pinned=True).where((Post.id == pk) & (Post.org == org)).execute()  # ok
    Post.delete().where(Post.id == pk).execute()  # expect: TNT102
    post = Post.get((Post.id == pk) & (Post.org == org))  # ok
    Reply.delete().where(Reply.post == post).execute()  # ok
    Reply.delete().where(Reply.post == pk).execute()  # expect: TNT102


def creates(org):
    Post.create(org=org, slug="a")  # ok
    Post.create(slug="a")  # expect: TNT104
    Post.insert(slug="b").execute()  # expect: TNT104
    post = Post(slug="c")  # expect: TNT104
    post.save()


def bulk(org, slugs, rows):
    Post.insert_many([{"slug": s} for s in slugs]).execute()  # expect: TNT104
    Post.insert_many([{"org": org, "slug": s} for s in slugs]).execute()  # ok
    Post.insert_many([{Post.org: org, Post.slug: "a"}, {Post.org: org, Post.slug: "b"}]).execute()  # ok
    Post.insert_many([{"org": org, "slug": "a"}, {"slug": "b"}]).execute()  # expect: TNT104
    Post.insert_many(rows).execute()  # ok


def kept(org):
    query = Post.select().order_by(Post.slug)  # ok
    query = query.where(Post.org == org)
    return list(query)  # ok


def related(org_id):
    org = Org.get(Org.id == org_id)  # ok
    return list(org.posts)  # ok
'''

PEEWEE_HANDLER = '''
from models import Post


@route("/orgs/<org_id>/posts")
def org_posts(org_id):
    return list(Post.select().where(Post.org == org_id))  # expect: TNT103


@route("/orgs/<org_id>/posts/bulk")
def bulk_posts(org_id):
    Post.insert_many([{"org_id": org_id, "slug": s} for s in ("a", "b")]).execute()  # expect: TNT103
'''

TORTOISE_MODELS = '''
from tortoise import fields
from tortoise.models import Model


class Org(Model):
    id = fields.IntField(pk=True)

    class Meta:
        table = "orgs"


class Event(Model):
    id = fields.IntField(pk=True)
    org = fields.ForeignKeyField("models.Org", related_name="events")
    title = fields.CharField(max_length=200)

    class Meta:
        table = "events"


class Ticket(Model):
    id = fields.IntField(pk=True)
    event = fields.ForeignKeyField("models.Event", related_name="tickets")

    class Meta:
        table = "tickets"
'''

TORTOISE_CODE = '''
from tortoise.expressions import Q

from models import Event, Ticket


async def reads(org_id, pk, title):
    a = await Event.filter(org_id=org_id).order_by("title")  # ok
    b = await Event.get_or_none(title=title)  # expect: TNT101
    c = await Event.all()  # expect: TNT101
    d = await Event.filter(Q(org_id=org_id) | Q(title=title))  # expect: TNT105
    e = await Event.exclude(org_id=org_id).count()  # expect: TNT105
    f = await Ticket.filter(event__org_id=org_id)  # ok
    event = await Event.get(id=pk, org_id=org_id)  # ok
    g = await Ticket.filter(event=event)  # ok
    return a, b, c, d, e, f, g


async def writes(org_id, pk):
    await Event.filter(id=pk).update(title="x")  # expect: TNT102
    await Event.filter(id=pk, org_id=org_id).delete()  # ok
    await Event.create(title="x")  # expect: TNT104
    await Event.create(title="x", org_id=org_id)  # ok
    await Event.bulk_create([Event(title=t) for t in ("a", "b")])  # expect: TNT104


@route("/orgs/<org_id>/events")
async def org_events(org_id):
    return await Event.filter(org_id=org_id)  # expect: TNT103
'''


def check(tmp_path: Path, files: dict[str, str]) -> None:
    assert mismatches(tmp_path, files, CONFIG) == []


def test_peewee(tmp_path: Path) -> None:
    check(tmp_path, {"models.py": PEEWEE_MODELS, "services.py": "from models import Org\n" + PEEWEE_CODE,
                     "views.py": PEEWEE_HANDLER})


def test_tortoise(tmp_path: Path) -> None:
    check(tmp_path, {"models.py": TORTOISE_MODELS, "services.py": TORTOISE_CODE})


def test_peewee_unscoped_select_is_found(tmp_path: Path) -> None:
    files = {"models.py": PEEWEE_MODELS, "s.py": "from models import Post\n\n\ndef f():\n"
             "    return list(Post.select())\n"}
    assert lint_app(tmp_path, files, CONFIG) == {("s.py", 5, "TNT101")}
