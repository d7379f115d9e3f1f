"""Parameters whose entries a function leaves as they were (``analysis/interp/kept_entries.py``), and
a caller keeping what it stored in a dict it passes to such a function."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest

from tenantlint.analysis.interp.kept_entries import kept_params
from tests.small_project import flagged_lines


def _kept(body: str, query_call: str | None = None) -> tuple[str, ...]:
    module = cst.parse_module(f"def f(data, other):\n{body}\n")
    fn = module.body[0]
    assert isinstance(fn, cst.FunctionDef)
    queries: set[int] = set()
    if query_call is not None:  # the call (by its function's last name) the walk took for a query

        class _Find(cst.CSTVisitor):
            def visit_Call(self, node: cst.Call) -> None:
                if isinstance(node.func, cst.Attribute) and node.func.attr.value == query_call:
                    queries.add(id(node))

        module.visit(_Find())
    return kept_params(fn, ["data", "other"], queries)


@pytest.mark.parametrize("body", [
    "    return data['id'], data.get('name'), len(data)",
    "    if data and 'id' in data:\n        return data['id']",
    "    if not data or data is None:\n        return None",
    "    return make(**data)",
    "    for k, v in data.items():\n        print(k, v)",
    "    x = data['items'].get('a')\n    return x",
    "    other(data=1)",  # a keyword named like the parameter is no use of it
])
def test_read_only(body: str) -> None:
    assert "data" in _kept(body)


def test_given_to_a_query() -> None:
    body = "    return cls.model.update(data).where(*other).execute()"
    assert "data" in _kept(body, query_call="update")
    assert "data" not in _kept(body)  # the same call, not known to build a query


@pytest.mark.parametrize("body", [
    "    data['id'] = 1",
    "    data['ids'][0] = 1",
    "    del data['id']",
    "    data.update(other)",
    "    data.pop('id')",
    "    data['ids'].append(other)",
    "    clean(data)",  # another function may write it
    "    alias = data\n    alias['id'] = 1",
    "    return data",
    "    return data or {}",
    "    return [data]",
    "    data = {}\n    return data",
    "    self.last = data",
    "    return lambda: data",
    "    for data['k'] in other:\n        pass",
])
def test_may_change(body: str) -> None:
    assert "data" not in _kept(body)
    assert "other" in _kept(body) or "other" in body


CONFIG = 'tenant_models = ["Tenant"]\nhandler_decorators = ["bp.route"]\n'
MODELS = """
from peewee import CharField, ForeignKeyField, Model

class Tenant(Model):
    name = CharField()

class Dialog(Model):
    tenant = ForeignKeyField(Tenant)
    name = CharField()
"""
SERVICES = """
from app.models import Dialog

class DialogService:
    model = Dialog

    @classmethod
    def get_by_id(cls, pid):
        return cls.model.get_or_none(cls.model.id == pid)

    @classmethod
    def filter_update(cls, filters, update_data):
        return cls.model.update(update_data).where(*filters).execute()

    @classmethod
    def stamp(cls, filters, update_data):
        update_data["id"] = update_data.get("copy_of") or update_data["id"]
        return cls.model.update(update_data).where(*filters).execute()
"""
VIEWS = """
from flask import Blueprint, request
from flask_login import current_user

from app.models import Dialog
from app.services import DialogService

bp = Blueprint("chats", __name__)


@bp.route("/chats/<chat_id>", methods=["PUT"])
def update(chat_id):
    chat = DialogService.get_by_id(chat_id)
    if chat is None or chat.tenant_id != current_user.id:
        return {}, 404
    req = request.json
    req["id"] = chat_id
    DialogService.{method}([Dialog.id == chat_id, Dialog.tenant_id == current_user.id], req)
    return {{"name": DialogService.get_by_id(req["id"]).name}}
"""


@pytest.mark.parametrize(("method", "flagged"), [("filter_update", []), ("stamp", [18])])
def test_caller_keeps_what_it_stored(tmp_path: Path, method: str, flagged: list[int]) -> None:
    files = {"app/__init__.py": "", "app/models.py": MODELS, "app/services.py": SERVICES,
             "app/views.py": VIEWS.replace("{method}", method).replace("{{", "{").replace("}}", "}")}
    assert flagged_lines(tmp_path, CONFIG, files) == flagged
