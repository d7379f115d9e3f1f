"""Framework plug-ins: handler recognition (with aliases), parameter binding, trusted context.

Each test analyses one inline source against a tiny project (a Django ``models.py`` with a tenant
table ``Invoice`` and a ``ModelSerializer``); queries use the Django ORM so that only the web
framework varies.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

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

SERIALIZERS = """
from rest_framework import serializers

from app.models import Invoice


class InvoiceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Invoice
        fields = ["id", "number"]
"""

CONFIG = """
membership_checks = ["ensure_member", "require_org_member"]
global_tables = ["Organization"]
"""


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    root: Path = tmp_path_factory.mktemp("proj")
    (root / "tenantlint.toml").write_text(CONFIG)
    (root / "app").mkdir()
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "models.py").write_text(MODELS)
    (root / "app" / "serializers.py").write_text(SERIALIZERS)
    return make_settings(load_config(root))


def codes(settings: Settings, source: str) -> list[tuple[int, str]]:
    text = textwrap.dedent(source).lstrip("\n")
    result = check_source(text, "app/views.py", settings.config, settings)
    return sorted((f.line, f.code) for f in result.findings)


# ----- Flask -----------------------------------------------------------------------------------


def test_flask_route_variable_is_untrusted_path(settings: Settings) -> None:
    src = """
    from flask import Flask
    from app.models import Invoice

    app = Flask(__name__)

    @app.get("/orgs/<int:org_id>/invoices")
    def invoices(org_id):
        return list(Invoice.objects.filter(org_id=org_id))
    """
    assert codes(settings, src) == [(8, "TNT103")]


def test_flask_alias_module_import_and_blueprint(settings: Settings) -> None:
    src = """
    import flask as f
    from app.models import Invoice

    bp = f.Blueprint("x", __name__)

    @bp.route("/orgs/<org_id>")
    def invoices(org_id):
        org = f.request.args.get("org_id")
        return list(Invoice.objects.filter(org_id=org_id))
    """
    # f.request is not the bare name ``request``: the path parameter is still untrusted.
    assert (9, "TNT103") in codes(settings, src)


def test_flask_same_function_without_route_is_a_helper(settings: Settings) -> None:
    src = """
    from flask import Flask
    from app.models import Invoice

    app = Flask(__name__)

    def invoices(org_id):
        return list(Invoice.objects.filter(org_id=org_id))
    """
    assert codes(settings, src) == []


def test_flask_request_reads_and_g(settings: Settings) -> None:
    src = """
    from flask import Flask, g, request as req
    from app.models import Invoice

    app = Flask(__name__)

    @app.post("/invoices")
    def create():
        org = req.json["orgId"]
        Invoice.objects.create(org_id=g.org_id, number=req.form["number"])
        return list(Invoice.objects.filter(org_id=org))
    """
    assert codes(settings, src) == [(8, "TNT201"), (10, "TNT103")]


def test_flask_method_view_and_add_url_rule(settings: Settings) -> None:
    src = """
    from flask import Flask
    from flask.views import MethodView as MV
    from app.models import Invoice

    app = Flask(__name__)

    class OrgInvoices(MV):
        def get(self, org_id):
            return list(Invoice.objects.filter(org_id=org_id))

    def legacy(org_id):
        return list(Invoice.objects.filter(org_id=org_id))

    app.add_url_rule("/legacy/<org_id>", view_func=legacy)
    """
    assert codes(settings, src) == [(9, "TNT103"), (12, "TNT103")]


def test_flask_membership_decorator_verifies_path_parameter(settings: Settings) -> None:
    src = """
    from flask import Blueprint
    from app.auth import require_org_member
    from app.models import Invoice

    bp = Blueprint("x", __name__)

    @bp.get("/orgs/<int:org_id>")
    @require_org_member
    def invoices(org_id):
        return list(Invoice.objects.filter(org_id=org_id))
    """
    assert codes(settings, src) == []


# ----- FastAPI ---------------------------------------------------------------------------------


def test_fastapi_path_query_and_body_model(settings: Settings) -> None:
    src = """
    from fastapi import APIRouter
    from pydantic import BaseModel
    from app.models import Invoice

    router = APIRouter()

    class InvoiceIn(BaseModel):
        org_id: int
        number: str

    @router.get("/orgs/{org_id}/invoices")
    async def by_path(org_id: int):
        return list(Invoice.objects.filter(org_id=org_id))

    @router.get("/invoices")
    async def by_query(org_id: int, page: int = 1):
        return list(Invoice.objects.filter(org_id=org_id))

    @router.post("/invoices")
    async def create(payload: InvoiceIn):
        return Invoice.objects.create(org_id=payload.org_id, number=payload.number)
    """
    assert codes(settings, src) == [(13, "TNT103"), (16, "TNT201"), (17, "TNT103"), (21, "TNT103"),
                                    (21, "TNT201")]


def test_fastapi_trusted_dependency_default_and_annotated(settings: Settings) -> None:
    src = """
    from typing import Annotated
    from fastapi import Depends, FastAPI
    from app.deps import get_current_user, get_db
    from app.models import Invoice

    app = FastAPI()
    CurrentUser = Annotated[object, Depends(get_current_user)]

    @app.get("/a")
    def a(user=Depends(get_current_user), db=Depends(get_db)):
        return list(Invoice.objects.filter(org_id=user.org_id))

    @app.get("/b")
    def b(user: Annotated[object, Depends(get_current_user)]):
        return list(Invoice.objects.filter(org_id=user.org_id))

    @app.get("/c")
    def c(user: CurrentUser):
        return list(Invoice.objects.filter(org_id=user.org_id))

    @app.get("/d/{number}")
    def d(number: str, db=Depends(get_db)):
        return list(Invoice.objects.filter(number=number))
    """
    assert codes(settings, src) == [(23, "TNT101")]


def test_fastapi_markers_and_annotated_forms(settings: Settings) -> None:
    src = """
    from typing import Annotated
    from fastapi import Body, Cookie, FastAPI, Header, Query
    from app.models import Invoice

    app = FastAPI()

    @app.get("/x")
    def x(
        tenant: Annotated[str, Header(alias="X-Tenant-Id")],
        org: int = Query(),
        session_org: str = Cookie(),
        body_org: Annotated[int, Body()] = 0,
    ):
        return list(Invoice.objects.filter(org_id=session_org))
    """
    # Header alias X-Tenant-Id -> tenant_id; query ``org``; cookies are not TNT201 kinds.
    assert codes(settings, src) == [(9, "TNT201"), (10, "TNT201"), (14, "TNT103")]


def test_fastapi_request_object_and_state(settings: Settings) -> None:
    src = """
    from fastapi import FastAPI, Request as Req
    from app.models import Invoice

    app = FastAPI()

    @app.post("/x")
    async def x(req: Req):
        body = await req.json()
        mine = list(Invoice.objects.filter(org_id=req.state.org_id))
        return list(Invoice.objects.filter(org_id=body["org_id"]))
    """
    assert codes(settings, src) == [(10, "TNT103"), (10, "TNT201")]


def test_fastapi_membership_call_verifies(settings: Settings) -> None:
    src = """
    from fastapi import APIRouter
    from app.auth import ensure_member
    from app.models import Invoice

    router = APIRouter()

    @router.get("/orgs/{org_id}")
    async def show(org_id: int, user=None):
        await ensure_member(user, org_id)
        return list(Invoice.objects.filter(org_id=org_id))
    """
    assert codes(settings, src) == []


def test_starlette_route_list(settings: Settings) -> None:
    src = """
    from starlette.routing import Route
    from app.models import Invoice

    async def listing(request):
        org = request.query_params["tenant_id"]
        return list(Invoice.objects.filter(org_id=org))

    routes = [Route("/invoices", listing)]
    """
    assert codes(settings, src) == [(5, "TNT201"), (6, "TNT103")]


# ----- DRF and Django class-based views ---------------------------------------------------------


def test_drf_viewset_tnt202_and_scoped_get_queryset(settings: Settings) -> None:
    src = """
    from rest_framework import viewsets as vs
    from app.models import Invoice

    class Leaky(vs.ModelViewSet):
        queryset = Invoice.objects.all()

    class Scoped(vs.ModelViewSet):
        queryset = Invoice.objects.all()

        def get_queryset(self):
            return super().get_queryset().filter(org=self.request.user.org)

    class NotAView:
        queryset = Invoice.objects.all()
    """
    assert codes(settings, src) == [(5, "TNT202"), (14, "TNT101")]


def test_drf_kwargs_serializer_input_and_perform_create(settings: Settings) -> None:
    src = """
    from rest_framework.decorators import api_view
    from rest_framework.generics import ListCreateAPIView
    from app.models import Invoice
    from app.serializers import InvoiceSerializer

    class Nested(ListCreateAPIView):
        serializer_class = InvoiceSerializer

        def get_queryset(self):
            return Invoice.objects.filter(org_id=self.kwargs["org_pk"])

        def perform_create(self, serializer):
            serializer.save(number="1")

    class Good(ListCreateAPIView):
        serializer_class = InvoiceSerializer

        def perform_create(self, serializer):
            serializer.save(org=self.request.user.org)

    @api_view(["POST"])
    def imp(request):
        s = InvoiceSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        return s.validated_data["org"]
    """
    assert codes(settings, src) == [(10, "TNT103"), (13, "TNT104"), (25, "TNT201")]


def test_django_cbv_alias(settings: Settings) -> None:
    src = """
    from django.views import generic
    from django.views.generic import DetailView as DV
    from app.models import Invoice

    class A(generic.ListView):
        model = Invoice

    class B(DV):
        model = Invoice

        def get_queryset(self):
            return Invoice.objects.filter(org=self.request.user.org)
    """
    assert codes(settings, src) == [(6, "TNT202")]


def test_branch_merge_untrusted_on_one_path(settings: Settings) -> None:
    src = """
    from flask import Flask, g, request
    from app.models import Invoice

    app = Flask(__name__)

    @app.get("/x")
    def x():
        org = g.org_id
        if request.args.get("all"):
            org = int(request.args["tenant"])
        return list(Invoice.objects.filter(org_id=org))
    """
    assert codes(settings, src) == [(10, "TNT201"), (11, "TNT103")]
