"""A serializer's ``self.context`` entries used as tenant values are judged at its constructions."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from tenantlint.api import check_paths, load_config
from tenantlint.crossfn.records import CONTEXT_SOURCE, context_entry, entry_source, is_context
from tenantlint.results import RunResult

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
        fields = ["number"]

    def validate_number(self, number):
        org_id = self.context["org_id"]
        if Invoice.objects.filter(org_id=org_id, number=number).exists():
            raise serializers.ValidationError("taken")
        return number
"""

VIEW = """
from rest_framework.response import Response
from rest_framework.views import APIView

from app.serializers import InvoiceSerializer


class InvoiceView(APIView):
    def post(self, request):
        {body}
        serializer = InvoiceSerializer(data=request.data, context={context})
        serializer.is_valid(raise_exception=True)
        return Response(serializer.data)
"""


def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str, context: str,
        serializers: str = SERIALIZERS) -> RunResult:
    (tmp_path / "tenantlint.toml").write_text('global_tables = ["Organization"]\n')
    app = tmp_path / "app"
    app.mkdir(exist_ok=True)
    (app / "__init__.py").write_text("")
    (app / "models.py").write_text(MODELS)
    (app / "serializers.py").write_text(textwrap.dedent(serializers).lstrip("\n"))
    (app / "views.py").write_text(VIEW.lstrip("\n").format(body=body, context=context))
    monkeypatch.chdir(tmp_path)
    return check_paths([Path(".")], load_config(tmp_path))


def found(result: RunResult) -> list[tuple[str, int, str]]:
    return sorted((Path(f.path).as_posix(), f.line, f.code) for f in result.findings)


def test_entry_sources_round_trip() -> None:
    assert context_entry(entry_source("workspace_id")) == "workspace_id"
    assert context_entry(CONTEXT_SOURCE) is None
    assert context_entry("request.user") is None
    assert is_context(CONTEXT_SOURCE) and is_context(entry_source("slug"))
    assert not is_context("parameter context")


def test_request_input_through_a_local_is_tnt103_at_the_construction(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = run(tmp_path, monkeypatch, 'org_id = request.data["x"]', '{"org_id": org_id}')
    assert found(result) == [("app/views.py", 10, "TNT103")]
    finding = result.findings[0]
    assert "context['org_id']" in finding.message and "InvoiceSerializer" in finding.message
    assert "Invoice.objects.filter" in finding.message
    assert [h.function for h in finding.trace] == ["app.serializers.InvoiceSerializer.validate_number"]


def test_a_trusted_entry_is_no_finding(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = run(tmp_path, monkeypatch, "org_id = request.user.org_id", '{"org_id": org_id}')
    assert found(result) == []


def test_request_input_in_an_entry_no_tenant_filter_reads_is_no_finding(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    context = '{"org_id": request.user.org_id, "note": request.data["note"]}'
    assert found(run(tmp_path, monkeypatch, "pass", context)) == []


def test_a_whole_context_from_the_body_is_tnt103(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = run(tmp_path, monkeypatch, 'extra = request.data["context"]', "extra")
    assert found(result) == [("app/views.py", 10, "TNT103")]


def test_the_request_in_the_context(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    serializers = SERIALIZERS.replace('self.context["org_id"]', 'self.context["request"].user.org_id')
    assert found(run(tmp_path, monkeypatch, "pass", '{"request": request}', serializers)) == []


def test_the_requests_body_read_through_the_context_is_request_input(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    serializers = SERIALIZERS.replace('self.context["org_id"]', 'self.context["request"].data["org"]')
    result = run(tmp_path, monkeypatch, "pass", '{"request": request}', serializers)
    assert found(result) == [("app/serializers.py", 13, "TNT103")]


HELPER = """
from app.models import Invoice


def number_taken(org_id, number):
    return Invoice.objects.filter(org_id=org_id, number=number).exists()
"""


def test_an_entry_passed_on_to_a_helpers_tenant_parameter(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "services.py").write_text(HELPER)
    imports = "from app.models import Invoice\nfrom app.services import number_taken"
    query = "if Invoice.objects.filter(org_id=org_id, number=number).exists():"
    serializers = SERIALIZERS.replace("from app.models import Invoice", imports).replace(
        query, 'if number_taken(self.context["org_id"], number):')
    result = run(tmp_path, monkeypatch, 'org_id = request.data["x"]', '{"org_id": org_id}', serializers)
    assert found(result) == [("app/views.py", 10, "TNT103")]
    assert [h.function for h in result.findings[0].trace] == [
        "app.serializers.InvoiceSerializer.validate_number", "app.services.number_taken"]
