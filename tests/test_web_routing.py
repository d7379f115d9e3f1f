"""Routing facts that change how handler parameters are bound (router prefixes, membership
dependencies, cross-module route registration, MethodView decorators)."""

from __future__ import annotations

from pathlib import Path

from tests.orm_app import mismatches

SA_MODELS = '''
from sqlalchemy import Column, ForeignKey, Integer, String
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Org(Base):
    __tablename__ = "orgs"
    id = Column(Integer, primary_key=True)


class Item(Base):
    __tablename__ = "items"
    id = Column(Integer, primary_key=True)
    org_id = Column(Integer, ForeignKey("orgs.id"), nullable=False)
    name = Column(String)
'''

CONFIG = 'membership_checks = ["require_member"]\n'

FASTAPI_ROUTES = '''
from typing import Annotated

from fastapi import APIRouter, Depends, Path
from sqlalchemy import select

from models import Item


def require_member(org_id: int):
    return org_id


router = APIRouter(prefix="/api")
org_router = APIRouter(prefix="/orgs/{org_id}", dependencies=[Depends(require_member)])
public_router = APIRouter(prefix="/public/{org_id}")


@org_router.get("/items")
def org_items(org_id: int, db):
    return db.scalars(select(Item).where(Item.org_id == org_id)).all()  # ok


@public_router.get("/items")
def public_items(org_id: int, db):
    return db.scalars(select(Item).where(Item.org_id == org_id)).all()  # expect: TNT103


@router.get("/orgs/{org_id}/n", dependencies=[Depends(require_member)])
def checked_route(org_id: int, db):
    return db.scalars(select(Item).where(Item.org_id == org_id)).all()  # ok


@router.get("/orgs/{org_id}/m")
def checked_param(org_id: int, db, _: None = Depends(require_member)):
    return db.scalars(select(Item).where(Item.org_id == org_id)).all()  # ok


@router.get("/orgs/{org_id}/k")
def checked_annotated(org_id: int, db, m: Annotated[int, Depends(require_member)]):
    return db.scalars(select(Item).where(Item.org_id == org_id)).all()  # ok


@router.get("/orgs/{org_id}/u")
def unchecked(db, org_id: int = Path(...)):
    return db.scalars(select(Item).where(Item.org_id == org_id)).all()  # expect: TNT103


@router.get("/q")
def by_query(org_id: int, db):  # expect: TNT201
    return db.scalars(select(Item).where(Item.org_id == org_id)).all()  # expect: TNT103
'''


def test_fastapi_router_prefix_and_membership_dependencies(tmp_path: Path) -> None:
    files = {"models.py": SA_MODELS, "routes.py": FASTAPI_ROUTES}
    assert mismatches(tmp_path, files, CONFIG) == []


FLASK_VIEWS = '''
from flask import Flask
from flask.views import MethodView
from sqlalchemy import select

from models import Item

app = Flask(__name__)


def require_member(f):
    return f


def login_required(f):
    return f


class CheckedAPI(MethodView):
    decorators = [login_required, require_member]

    def get(self, org_id, item_id):
        return self.db.scalars(select(Item).filter_by(id=item_id, org_id=org_id)).all()  # ok


class UncheckedAPI(MethodView):
    decorators = [login_required]

    def get(self, org_id, item_id):
        return self.db.scalars(select(Item).filter_by(id=item_id, org_id=org_id)).all()  # expect: TNT103


app.add_url_rule("/orgs/<int:org_id>/a/<int:item_id>", view_func=CheckedAPI.as_view("a"))
app.add_url_rule("/orgs/<int:org_id>/b/<int:item_id>", view_func=UncheckedAPI.as_view("b"))
'''


def test_flask_method_view_membership_decorators(tmp_path: Path) -> None:
    files = {"models.py": SA_MODELS, "views.py": FLASK_VIEWS}
    assert mismatches(tmp_path, files, CONFIG) == []


FLASK_APP = '''
from flask import Flask

from .views import org_summary

app = Flask(__name__)
app.add_url_rule("/orgs/<int:org_id>/summary", view_func=org_summary)
'''

FLASK_FUNCS = '''
from flask import jsonify
from sqlalchemy import select

from .models import Item


def org_summary(org_id):
    return jsonify(db.scalars(select(Item).where(Item.org_id == org_id)).all())  # expect: TNT103


def helper(org_id):
    return db.scalars(select(Item).where(Item.org_id == org_id)).all()  # ok
'''

STARLETTE_APP = '''
from starlette.applications import Starlette
from starlette.routing import Mount, Route

from . import endpoints

routes = [
    Route("/items", endpoints.search),
    Mount("/t/{tenant_id:int}", routes=[Route("/items", endpoints.for_tenant)]),
]
app = Starlette(routes=routes)
'''

STARLETTE_FUNCS = '''
from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import JSONResponse

from .models import Item


async def search(request):
    org_id = request.query_params.get("org_id")  # expect: TNT201
    return JSONResponse(await db.scalars(select(Item).where(Item.org_id == int(org_id))))  # expect: TNT103


async def for_tenant(request):
    tenant_id = request.path_params["tenant_id"]
    return JSONResponse(await db.scalars(select(Item).where(Item.org_id == tenant_id)))  # expect: TNT103


async def helper(request: Request, org_id: int):
    return await db.scalars(select(Item).where(Item.org_id == org_id))  # ok
'''


def test_routes_registered_in_another_module(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    files = {"__init__.py": "", "models.py": SA_MODELS, "app.py": FLASK_APP, "views.py": FLASK_FUNCS}
    assert mismatches(pkg, files, CONFIG) == []


def test_starlette_routes_registered_in_another_module(tmp_path: Path) -> None:
    files = {"__init__.py": "", "models.py": SA_MODELS, "app.py": STARLETTE_APP,
             "endpoints.py": STARLETTE_FUNCS}
    assert mismatches(tmp_path, files, CONFIG) == []


FASTAPI_MAIN = '''
from fastapi import FastAPI

from .routes import org_router

app = FastAPI()
app.include_router(org_router, prefix="/orgs/{org_id}")
'''

FASTAPI_INCLUDED = '''
from fastapi import APIRouter
from sqlalchemy import select

from .models import Item

org_router = APIRouter()
other = APIRouter()


@org_router.get("/items")
def org_items(org_id: int, db):
    return db.scalars(select(Item).where(Item.org_id == org_id)).all()  # expect: TNT103


@other.get("/items")
def other_items(org_id: int, db):  # expect: TNT201
    return db.scalars(select(Item).where(Item.org_id == org_id)).all()  # expect: TNT103
'''


def test_fastapi_include_router_prefix_in_another_module(tmp_path: Path) -> None:
    files = {"__init__.py": "", "models.py": SA_MODELS, "main.py": FASTAPI_MAIN,
             "routes.py": FASTAPI_INCLUDED}
    assert mismatches(tmp_path, files, CONFIG) == []


FASTAPI_MAIN_DEPS = '''
from fastapi import Depends, FastAPI

from .auth import get_admin_user, require_member
from . import routes

app = FastAPI()
app.include_router(routes.member_router, prefix="/orgs/{org_id}", dependencies=[Depends(require_member)])
app.include_router(routes.admin_router, prefix="/admin", dependencies=[Depends(get_admin_user)])
app.include_router(routes.open_router, prefix="/open/{org_id}")
'''

FASTAPI_AUTH = '''
def require_member(org_id: int):
    return org_id


def get_admin_user():
    return None
'''

FASTAPI_INCLUDED_DEPS = '''
from fastapi import APIRouter
from sqlalchemy import select

from .models import Item

member_router = APIRouter()
admin_router = APIRouter()
open_router = APIRouter()


@member_router.get("/items")
def member_items(org_id: int, db):
    return db.scalars(select(Item).where(Item.org_id == org_id)).all()  # ok


@admin_router.get("/items")
def all_items(db):
    return db.scalars(select(Item)).all()  # ok


@open_router.get("/items")
def open_items(org_id: int, db):
    return db.scalars(select(Item).where(Item.org_id == org_id)).all()  # expect: TNT103
'''


def test_fastapi_include_router_dependencies_in_another_module(tmp_path: Path) -> None:
    """``include_router(r, dependencies=[Depends(f)])`` in another module: a membership check there
    verifies the prefix's path parameters of every route of ``r``; a ``system_scope`` one makes them
    system code."""
    files = {"__init__.py": "", "models.py": SA_MODELS, "main.py": FASTAPI_MAIN_DEPS,
             "auth.py": FASTAPI_AUTH, "routes.py": FASTAPI_INCLUDED_DEPS}
    config = CONFIG + 'system_scope = ["get_admin_user"]\n'
    assert mismatches(tmp_path, files, config) == []


ADMIN_ROUTERS = '''
from fastapi import APIRouter, Depends

from .auth import get_admin_user


class AdminAPIRouter(APIRouter):
    def __init__(self, prefix: str = ""):
        super().__init__(prefix=prefix, dependencies=[Depends(get_admin_user)])
'''

ADMIN_PACKAGE = '''
from fastapi import APIRouter

from .routers import AdminAPIRouter
from . import admin_items, public_items

router = AdminAPIRouter(prefix="/admin")
router.include_router(admin_items.router)

open_router = APIRouter()
open_router.include_router(public_items.router)
'''

ADMIN_ITEMS = '''
from fastapi import APIRouter
from sqlalchemy import select

from .models import Item

router = APIRouter()


@router.get("/items")
def every_item(db):
    return db.scalars(select(Item)).all()  # ok
'''

PUBLIC_ITEMS = '''
from fastapi import APIRouter
from sqlalchemy import select

from .models import Item

router = APIRouter()


@router.get("/items")
def every_item(db):
    return db.scalars(select(Item)).all()  # expect: TNT101
'''


def test_fastapi_router_included_into_a_system_router(tmp_path: Path) -> None:
    """``parent.include_router(child)`` where ``parent`` is built by a project router class that passes
    a ``system_scope`` dependency: the child's routes are system code; a plain parent passes nothing."""
    files = {"__init__.py": "", "models.py": SA_MODELS, "auth.py": FASTAPI_AUTH, "routers.py": ADMIN_ROUTERS,
             "admin.py": ADMIN_PACKAGE, "admin_items.py": ADMIN_ITEMS, "public_items.py": PUBLIC_ITEMS}
    config = CONFIG + 'system_scope = ["get_admin_user"]\n'
    assert mismatches(tmp_path, files, config) == []


FASTAPI_MAIN_ADDED = '''
from fastapi import Depends, FastAPI

from .auth import get_admin_user, require_member
from . import routes

app = FastAPI()
app.include_router(routes.member_router, prefix="/orgs/{org_id}", dependencies=[Depends(require_member)])
app.include_router(routes.admin_router, prefix="/admin", dependencies=[Depends(get_admin_user)])
app.include_router(routes.open_router, prefix="/open/{org_id}")
'''

FASTAPI_ROUTES_ADDED = '''
from fastapi import APIRouter, Depends

from .auth import require_member
from . import endpoints

member_router = APIRouter()
admin_router = APIRouter()
open_router = APIRouter()
member_router.add_api_route("/orgs/{org_id}/items", endpoints.member_items, methods=["GET"])
admin_router.add_api_route("/items", endpoints.all_items, methods=["GET"])
open_router.add_api_route("/orgs/{org_id}/items", endpoints.open_items, methods=["GET"])
open_router.add_api_route("/orgs/{org_id}/checked", endpoints.checked_items,
                          dependencies=[Depends(require_member)])
'''

FASTAPI_ENDPOINTS_ADDED = '''
from sqlalchemy import select

from .models import Item


def member_items(org_id: int, db):
    return db.scalars(select(Item).where(Item.org_id == org_id)).all()  # ok


def all_items(db):
    return db.scalars(select(Item)).all()  # ok


def open_items(org_id: int, db):
    return db.scalars(select(Item).where(Item.org_id == org_id)).all()  # expect: TNT103


def checked_items(org_id: int, db):
    return db.scalars(select(Item).where(Item.org_id == org_id)).all()  # ok
'''


def test_fastapi_add_api_route_runs_the_included_routers_dependencies(tmp_path: Path) -> None:
    """``router.add_api_route(path, endpoint, dependencies=[...])`` in another module than the
    endpoint: the endpoint runs the call's dependencies and those its router is included with
    (``app.include_router(router, dependencies=[Depends(f)])``), as a decorated route does."""
    files = {"__init__.py": "", "models.py": SA_MODELS, "main.py": FASTAPI_MAIN_ADDED,
             "auth.py": FASTAPI_AUTH, "routes.py": FASTAPI_ROUTES_ADDED,
             "endpoints.py": FASTAPI_ENDPOINTS_ADDED}
    config = CONFIG + 'system_scope = ["get_admin_user"]\n'
    assert mismatches(tmp_path, files, config) == []
