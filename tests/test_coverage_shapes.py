"""Issue 14: models reached through modules, `cls`, service attributes and factories; what was not
analysed is counted (`stats.unresolved_query_like`) and listed (`check --show-unresolved`)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.fixtures_eval import FIXTURES, chdir

ROOT = Path(__file__).resolve().parent.parent


def _check(app: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    return subprocess.run([sys.executable, "-m", "tenantlint", "check", ".", "--no-cache", "--exit-zero",
                           *args], cwd=FIXTURES / app, env=env, capture_output=True, text=True,
                          timeout=120)


def test_generic_base_finding_names_each_concrete_model() -> None:
    out = _check("peewee_services").stdout
    line = next(ln for ln in out.splitlines() if ln.startswith("kb/common_service.py:9:"))
    assert "KnowledgebaseService.get_by_id \u2192 knowledgebase" in line
    assert "DocumentService.get_by_id \u2192 document" in line
    assert "LLMFactory" not in line  # not a tenant table


def test_unresolved_query_like_is_counted_and_listed() -> None:
    doc = json.loads(_check("peewee_services", "--format", "json").stdout)
    assert doc["stats"]["unresolved_query_like"] == 1
    assert "unresolved" not in doc  # listed only when asked
    listed = json.loads(_check("peewee_services", "--format", "json", "--show-unresolved").stdout)
    [site] = listed["unresolved"]
    assert (site["path"], site["line"]) == ("kb/common_service.py", 40)
    assert "cls.model" in site["reason"]
    text = _check("peewee_services", "--show-unresolved").stdout
    assert "kb/common_service.py:40:21: not analysed: cls.model.select()" in text


def test_factory_models_reach_the_generic_repository() -> None:
    from tenantlint.api import check_paths, load_config

    with chdir(FIXTURES / "async_repository"):
        result = check_paths([Path(".")], load_config(), jobs=1)
    messages = {(f.path, f.line): f.message for f in result.findings}
    assert "GroupRepository.get_any \u2192 recipes" in messages[("shop/repository.py", 25)]
    assert "units" not in messages[("shop/repository.py", 25)]  # Unit has no tenant column
    assert result.stats.unresolved_query_like == 0


def test_fieldless_subclass_of_a_model_base_inherits_its_tenancy() -> None:
    from tenantlint.config.options import Config
    from tests.index_helpers import build_index

    models = '''
from django.db import models


class AbstractMessage(models.Model):
    realm = models.ForeignKey("Realm", on_delete=models.CASCADE)

    class Meta:
        abstract = True


class Message(AbstractMessage):
    MAX_ID = 2147483647

    class Meta:
        indexes = [models.Index("realm_id", "id", name="realm_id")]


class Realm(models.Model):
    name = models.CharField(max_length=40)
'''
    index = build_index([("chat/models.py", models)], Config(tenant_models=("Realm",)))
    table = index.tenant_table_of_model("Message")
    assert table is not None and table.table == "chat_message" and table.tenant_column == "realm_id"


def test_mixin_method_is_walked_per_deriving_model() -> None:
    out = _check("flask_service_layer").stdout
    line = next(ln for ln in out.splitlines() if ln.startswith("dash/models.py:21:"))
    assert "Dashboard.get_by_id \u2192 dashboards" in line
    assert "Query.get_by_id \u2192 queries" in line


def test_non_queries_are_not_counted_as_unresolved() -> None:
    # ``self.session.delete(row)``, ``self.configuration.get(...)`` (a slot never given a model) and
    # ``select(func.count())`` over a subquery are not query sites; a subscripted generic base
    # (``RepositoryGeneric[Schema, Model]``) passes the factory's models to the subclass.
    listed = json.loads(_check("async_repository", "--format", "json", "--show-unresolved").stdout)
    assert listed["stats"]["unresolved_query_like"] == 0
    assert listed.get("unresolved", []) == []
    assert listed["stats"]["queries"] == 4  # get_one, get_any, delete_all and the subclass's count


def test_tenant_parents_make_nullable_and_plain_id_columns_relations() -> None:
    from tenantlint.config.options import Config
    from tests.index_helpers import build_index

    models = '''
from peewee import CharField, ForeignKeyField, Model


class Tenant(Model):
    name = CharField()


class Knowledgebase(Model):
    tenant_id = CharField()


class Document(Model):
    kb_id = CharField()


class Note(Model):
    kb = ForeignKeyField(Knowledgebase, null=True)
'''
    base = Config(tenant_models=("Tenant",), global_tables=("Tenant",))
    index = build_index([("kb/models.py", models)], base)
    assert set(index.tables) == {"knowledgebase"}  # a plain id column and a nullable FK: not seen
    index = build_index([("kb/models.py", models)],
                        Config(tenant_models=("Tenant",), global_tables=("Tenant",),
                               tenant_parents=("Document.kb_id -> Knowledgebase", "Note.kb")))
    assert index.tables["document"].via_columns == ("kb_id",)
    assert index.tables["note"].via == ("kb",)


def test_many_to_many_link_tables_are_scoped_through_their_foreign_keys() -> None:
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-m", "tenantlint", "tables", "."], env=env, text=True,
                         cwd=FIXTURES / "django_recipes_links", capture_output=True, timeout=120).stdout
    assert "recipes_food_inherit_fields  (Food_inherit_fields)  via food (food_id)" in out
    assert "recipes_food_substitutes     (Food_substitutes)     via from_food (from_food_id)" in out


def test_routes_registered_elsewhere_name_their_framework() -> None:
    import libcst as cst

    from tenantlint.analysis.frameworks.route_index import module_routes, registered_by

    source = '''
from fastapi import APIRouter
from flask import Blueprint
from artifacts import endpoints
from notes.views import show

router = APIRouter()
router.add_api_route("/orgs/{org_id}/artifacts", endpoints.list_artifacts, methods=["GET"])
bp = Blueprint("notes", __name__)
bp.add_url_rule("/notes/<int:note_id>", "show", show)
'''
    routes, frameworks, included = module_routes("app/routes.py", cst.parse_module(source))
    # the endpoint runs what its router is included with elsewhere (``^router``, expanded on lookup)
    assert included == {"artifacts.endpoints.list_artifacts": "^app.routes.router"}
    assert routes["artifacts.endpoints.list_artifacts"] == "/orgs/{org_id}/artifacts"
    assert registered_by(frameworks, "artifacts/endpoints.py", "list_artifacts") == "fastapi"
    assert registered_by(frameworks, "notes/views.py", "show") == "flask"
    assert registered_by(frameworks, "notes/views.py", "other") is None
