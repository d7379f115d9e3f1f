"""Checks written as a query (``interp/confined_lookups.py``), through a row's parent
(``interp/access_predicates.py``), entries a function stores itself (``interp/stored_entries.py``)
and the two ``found and ...`` shapes of a check after the fetch (``interp/after_fetch.py``)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import libcst as cst

from tenantlint.analysis.interp.access_predicates import access_guards
from tenantlint.analysis.interp.checked_loops import touches
from tenantlint.analysis.interp.exprs import dotted
from tenantlint.analysis.interp.stored_entries import cancel_stored, keep_stored, store, stored
from tenantlint.analysis.interp.values import Value
from tests.test_executor_calls import HEAD, _leaks, _lines

NAMES = frozenset({"tenant_id"})


def _predicates(src: str) -> list[tuple[str, str, str]]:
    fn = cst.parse_module(textwrap.dedent(src)).body[0]
    assert isinstance(fn, cst.FunctionDef)
    params = tuple(p.name.value for p in fn.params.params)

    def trusted(node: cst.BaseExpression) -> bool:
        return (dotted(node) or "").startswith("current_user.")

    def call_guards(call: cst.Call) -> list[tuple[cst.BaseExpression, str, cst.BaseExpression | None, bool]]:
        if dotted(call.func) == "KB.accessible":  # a predicate on its first argument, an id
            return [(call.args[0].value, "#", call.args[1].value, True)]
        return []

    refusing, predicate, _ = access_guards(fn, params, NAMES, trusted, call_guards)
    return refusing + predicate


def test_an_owner_lookup_is_a_predicate_on_the_id() -> None:
    src = """
    def accessible4deletion(cls, search_id, user_id):
        search = cls.model.select(cls.model.id).where(
            cls.model.id == search_id, cls.model.created_by == user_id, cls.model.status == "1").first()
        return search is not None
    """
    assert _predicates(src) == [("search_id", "#", "user_id")]


def test_anded_conditions_and_exists() -> None:
    src = """
    def owned(cls, search_id, tenant_id):
        rows = cls.model.select().where((cls.model.id == search_id) & (cls.model.tenant_id == tenant_id))
        if not rows.exists():
            return False
        return True
    """
    assert _predicates(src) == [("search_id", "#", "tenant_id")]
    keywords = """
    def owned(search_id):
        return bool(Search.objects.filter(pk=search_id, tenant_id=current_user.id).exists())
    """
    assert _predicates(keywords) == [("search_id", "#", "@")]


def test_lookups_that_confine_nothing() -> None:
    alternative = """
    def visible(cls, search_id, user_id):
        search = cls.model.select().where(
            cls.model.id == search_id, (cls.model.created_by == user_id) | (cls.model.public == "1")).first()
        return search is not None
    """
    by_id = """
    def alive(cls, search_id, user_id):
        search = cls.model.select().where(cls.model.id == search_id, cls.model.name == user_id).first()
        return search is not None
    """
    joined = """
    def accessible(cls, doc_id, user_id):
        rows = cls.model.select().join(Kb).where(Kb.id == doc_id, Kb.tenant_id == user_id)
        return rows.exists()
    """
    other_model = """
    def accessible(cls, doc_id, user_id):
        row = cls.model.select().where(cls.model.id == doc_id, Other.tenant_id == user_id).first()
        return row is not None
    """
    for src in (alternative, by_id, joined, other_model):
        assert _predicates(src) == [], src


def test_a_check_through_the_parent() -> None:
    src = """
    def accessible(cls, doc_id, user_id):
        found, doc = cls.get_by_id(doc_id)
        if not found:
            return False
        return KB.accessible(doc.kb_id, user_id)
    """
    assert _predicates(src) == [("doc_id", "#", "user_id")]
    beside = """
    def in_dataset(cls, doc_id, kb_id, user_id):
        found, doc = cls.get_by_id(doc_id)
        if not found:
            return False
        return KB.accessible(kb_id, user_id)
    """
    owner = """
    def by_creator(cls, doc_id, user_id):
        found, doc = cls.get_by_id(doc_id)
        return KB.accessible(doc.created_by, user_id)
    """
    assert _predicates(beside) == [("kb_id", "#", "user_id")]
    assert _predicates(owner) == []


def test_stored_entries_until_touched() -> None:
    env: dict[str, Value] = {}
    target = cst.parse_expression('req["id"]')
    fresh = Value()
    store(env, target, fresh)
    assert stored(env, cst.parse_expression('req["id"]')) is fresh
    assert stored(env, cst.parse_expression('req["name"]')) is None
    for keeps in ('DialogService.save(**req)', 'req["tenant_id"] = 1', 'x = req.get("id")'):
        cancel_stored(env, cst.parse_statement(keeps))
        assert stored(env, target) is fresh, keeps
    cancel_stored(env, cst.parse_statement("save(req)"))
    assert stored(env, target) is None
    assert touches(cst.parse_statement("req.update(other)"), ("req", "id"))


def test_a_store_under_a_test_of_the_name() -> None:
    then: dict[str, Value] = {}
    fresh = Value()
    store(then, cst.parse_expression('req["id"]'), fresh)
    other: dict[str, Value] = {}
    keep_stored(cst.parse_expression("req"), then, other)
    assert stored(other, cst.parse_expression('req["id"]')) is fresh
    elsewhere: dict[str, Value] = {}
    keep_stored(cst.parse_expression("name"), then, elsewhere)
    assert stored(elsewhere, cst.parse_expression('req["id"]')) is None


def test_stored_and_found_checks_in_handlers(tmp_path: Path) -> None:
    views = HEAD + """
    from chats.misc import get_uuid

    @bp.post("/a")
    def a():
        req = request.json
        req["id"] = get_uuid()
        DialogService.save(**req)
        return {"n": DialogService.get_by_id(req["id"])}

    @bp.post("/b")
    def b():
        req = request.json
        req["id"] = get_uuid()
        DialogService.save(req)
        return {"n": DialogService.get_by_id(req["id"])}  # leak

    @bp.post("/c/<chat_id>")
    def c(chat_id):
        ok, chat = DialogService.get_by_id(chat_id)
        if ok and chat.tenant_id != current_user.id:
            return {}, 403
        return {"n": chat.name if ok else None}

    @bp.post("/d/<chat_id>")
    def d(chat_id):
        ok, chat = DialogService.get_by_id(chat_id)  # leak
        if ok and chat.tenant_id == current_user.id:
            print(chat.name)
        return {"n": chat.name if ok else None}
    """
    assert _lines(tmp_path, views) == _leaks(views)
