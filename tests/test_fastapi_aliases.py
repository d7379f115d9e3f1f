"""FastAPI parameter aliases defined in another project module (``Settings.facts.param_aliases``).

``deps.py`` defines ``CurrentUser = Annotated[User, Depends(get_current_user)]``; a handler in
``routers/`` declares ``user: CurrentUser``. The parameter is a trusted dependency (not a body
model), an alias of an untrusted dependency (``get_db``) is neither trusted nor untrusted.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import libcst as cst
import pytest

from tenantlint.analysis.facts import Trust
from tenantlint.analysis.frameworks.fastapi import FRAMEWORK
from tenantlint.analysis.frameworks.param_aliases import file_aliases, imported_alias
from tenantlint.analysis.interp.file_context import FileContext
from tenantlint.analysis.interp.imports import ImportTable, collect_imports
from tenantlint.analysis.plugins import registered_plugins
from tenantlint.analysis.settings import Settings
from tenantlint.api import check_source, load_config, make_settings

MODELS = """
from django.db import models


class Organization(models.Model):
    name = models.CharField(max_length=100)


class Invoice(models.Model):
    org = models.ForeignKey(Organization, on_delete=models.CASCADE)
    number = models.CharField(max_length=20)
"""

DEPS = """
from typing import Annotated, TypeAlias

from fastapi import Depends, Header, Security

from app.auth import get_current_user as current, get_db
from app.models import Organization

CurrentUser = Annotated[object, Depends(current)]
Me = CurrentUser
DbSession = Annotated[object, Depends(get_db)]
UserDep = Depends(current)
DbDep = Depends(get_db)
Scoped: TypeAlias = Annotated[object, Security(current, scopes=["invoices:read"])]
TenantHeader = Annotated[str, Header(alias="X-Org-Id")]
NotAnAlias = Organization
"""

INIT = """
from app.api.deps import ApiUser
"""

API_DEPS = """
from typing import Annotated
from fastapi import Depends
from app.auth import get_current_user

ApiUser = Annotated[object, Depends(get_current_user)]
"""

SCHEMAS = """
from pydantic import BaseModel


class InvoiceIn(BaseModel):
    org_id: int
    number: str
"""

CONFIG = """
trusted_dependencies = ["get_current_user", "TenantContext"]
global_tables = ["Organization"]
"""


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    root: Path = tmp_path_factory.mktemp("proj")
    (root / "tenantlint.toml").write_text(CONFIG)
    files = {"app/__init__.py": "", "app/models.py": MODELS, "app/deps.py": DEPS,
             "app/schemas.py": SCHEMAS, "app/api/__init__.py": INIT, "app/api/deps.py": API_DEPS,
             "app/routers/__init__.py": ""}
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return make_settings(load_config(root))


def codes(settings: Settings, source: str, path: str = "app/routers/items.py") -> list[tuple[int, str]]:
    text = textwrap.dedent(source).lstrip("\n")
    result = check_source(text, path, settings.config, settings)
    return sorted((f.line, f.code) for f in result.findings)


def test_prepass_collects_module_level_aliases(settings: Settings) -> None:
    table = settings.facts.param_aliases
    assert table["app.deps.CurrentUser"] == "Annotated[object, Depends(get_current_user)]"
    assert table["app.deps.Me"] == table["app.deps.CurrentUser"]
    assert table["app.deps.UserDep"] == "Depends(get_current_user)"
    assert table["app.deps.Scoped"].startswith("Annotated[object, Security(get_current_user")
    assert "app.deps.NotAnAlias" not in table
    assert "app.api.ApiUser" not in table  # the re-export is resolved at lookup time


def test_prepass_skips_files_without_alias_assignments() -> None:
    text = "from fastapi import Depends\n\ndef f(x=Depends(g)):\n    CurrentUser = Annotated[int, 1]\n"
    assert file_aliases("app/x.py", text) == {}
    assert file_aliases("app/x.py", "X = Annotated[int, Depends(g)]\n") == {
        "app.x.X": "Annotated[int, Depends(g)]"}


def test_imported_alias_absolute_relative_and_display_prefix() -> None:
    table = {"app.deps.CurrentUser": "Annotated[U, Depends(f)]"}
    absolute = ImportTable({"CurrentUser": "app.deps.CurrentUser"})
    relative = ImportTable({"Cu": "..deps.CurrentUser", "deps": "..deps"})
    assert imported_alias(table, absolute, "app/routers/a.py", "CurrentUser") == table["app.deps.CurrentUser"]
    # the display path may carry a prefix the scan root does not (dotted-suffix match)
    assert imported_alias(table, relative, "src/app/routers/a.py", "Cu") == table["app.deps.CurrentUser"]
    assert imported_alias(table, relative, "app/routers/a.py", "deps.CurrentUser") is not None
    assert imported_alias(table, relative, "app/routers/a.py", "Other") is None
    other = ImportTable({"CurrentUser": "fastapi_users.deps.CurrentUser"})
    assert imported_alias(table, other, "app/routers/a.py", "CurrentUser") is None


def test_imported_trusted_alias_absolute_and_relative(settings: Settings) -> None:
    src = """
    from fastapi import APIRouter
    from app.deps import CurrentUser
    from ..deps import Me
    from app.models import Invoice

    router = APIRouter()

    @router.get("/a")
    async def a(user: CurrentUser):
        return list(Invoice.objects.filter(org_id=user.org_id))

    @router.get("/b")
    async def b(user: Me):
        return list(Invoice.objects.filter(org_id=user.org_id))
    """
    assert codes(settings, src) == []


def test_imported_body_model_stays_untrusted(settings: Settings) -> None:
    src = """
    from fastapi import APIRouter
    from app.deps import CurrentUser
    from app.schemas import InvoiceIn
    from app.models import Invoice

    router = APIRouter()

    @router.post("/a")
    async def a(payload: InvoiceIn, user: CurrentUser):
        return Invoice.objects.create(org_id=payload.org_id, number=payload.number)
    """
    assert codes(settings, src) == [(10, "TNT103"), (10, "TNT201")]


def test_untrusted_dependency_alias_is_neither(settings: Settings) -> None:
    src = """
    from fastapi import APIRouter
    from app.deps import DbSession, DbDep
    from app.models import Invoice

    router = APIRouter()

    @router.get("/a")
    async def a(db: DbSession, other=DbDep):
        mine = list(Invoice.objects.filter(org_id=db.org_id))
        return list(Invoice.objects.filter(org_id=other.org_id))
    """
    # Not a body model: no TNT201 for ``db.org_id``, no request-sourced TNT103.
    found = codes(settings, src)
    assert all(code not in ("TNT201", "TNT103") for _, code in found)


def test_plain_depends_alias_security_and_module_attribute(settings: Settings) -> None:
    src = """
    from fastapi import APIRouter
    import app.deps as deps
    from app.deps import Scoped, UserDep
    from app.models import Invoice

    router = APIRouter()

    @router.get("/a")
    async def a(user=UserDep):
        return list(Invoice.objects.filter(org_id=user.org_id))

    @router.get("/b")
    async def b(user: Scoped):
        return list(Invoice.objects.filter(org_id=user.org_id))

    @router.get("/c")
    async def c(user: deps.CurrentUser):
        return list(Invoice.objects.filter(org_id=user.org_id))
    """
    assert codes(settings, src) == []


def test_package_reexport_and_imported_header_marker(settings: Settings) -> None:
    src = """
    from fastapi import APIRouter
    from app.api import ApiUser
    from app.deps import TenantHeader
    from app.models import Invoice

    router = APIRouter()

    @router.get("/a")
    async def a(user: ApiUser, org: TenantHeader):
        return list(Invoice.objects.filter(org_id=user.org_id))
    """
    # ``Header(alias="X-Org-Id")`` from the other module: the declaration reads a tenant key.
    assert codes(settings, src) == [(9, "TNT201")]


def bound(settings: Settings, source: str, path: str = "app/routers/items.py") -> dict[str, Trust]:
    """Parameter name -> trust of every handler parameter in ``source``."""
    module = cst.parse_module(textwrap.dedent(source).lstrip("\n"))
    ctx = FileContext(path, module, settings, collect_imports(module), registered_plugins())
    out: dict[str, Trust] = {}
    for stmt in module.body:
        if isinstance(stmt, cst.FunctionDef):
            info = FRAMEWORK.handler(ctx, stmt, None)
            assert info is not None, stmt.name.value
            out.update({k: v.prov.trust for k, v in info.params.items()})
    return out


def test_binding_of_aliases_class_dependencies_and_security(settings: Settings) -> None:
    src = """
    from typing import Annotated
    from fastapi import APIRouter, Depends, Security
    from app.auth import TenantContext, Pagination, get_current_user
    from app.deps import CurrentUser, DbSession, DbDep, Scoped, UserDep
    from app.schemas import InvoiceIn
    from ..deps import Me

    router = APIRouter()
    LocalDep = Depends(get_current_user)

    @router.get("/a")
    async def a(u1: CurrentUser, u2: Me, u3=UserDep, u4=LocalDep, u5: Scoped = None,
                db: DbSession = None, db2=DbDep, page: Pagination = Depends(),
                body: InvoiceIn = None):
        pass

    @router.get("/b")
    async def b(ctx: Annotated[TenantContext, Depends()], p2: Annotated[Pagination, Depends()],
                s=Security(get_current_user, scopes=["x"]), k=Depends(dependency=get_current_user),
                c2: TenantContext = Depends(use_cache=False)):
        pass
    """
    trust = bound(settings, src)
    trusted = {"u1", "u2", "u3", "u4", "u5", "ctx", "s", "k", "c2"}
    assert {k for k, v in trust.items() if v is Trust.TRUSTED} == trusted
    assert {k for k, v in trust.items() if v is Trust.UNTRUSTED} == {"body"}
    assert {k for k, v in trust.items() if v is Trust.UNKNOWN} == {"db", "db2", "page", "p2"}
