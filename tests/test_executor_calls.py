"""Executor wrappers and keyword filter lookups (``index/executors.py``, ``index/keyword_lookups.py``),
the checks they make (``interp/executor_calls.py``, ``interp/keyword_guards.py``) and loops checking
every element of a list (``interp/checked_loops.py``)."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest

from tenantlint.api import check_paths, load_config
from tenantlint.index.executors import executor_wrappers
from tenantlint.index.keyword_lookups import BUILD, PASS, is_keyword_lookup, keyword_lookups
from tests.test_crossfn import chdir


def wrappers(source: str) -> frozenset[str]:
    return executor_wrappers("app.misc", ast.parse(textwrap.dedent(source)))


def lookups(source: str) -> dict[str, str]:
    return keyword_lookups("app.models", ast.parse(textwrap.dedent(source)))


def test_executor_wrappers_that_run_the_function_with_the_rest() -> None:
    found = wrappers("""
        import asyncio, contextvars, functools

        async def thread_pool_exec(func, *args, **kwargs):
            loop = asyncio.get_running_loop()
            ctx = contextvars.copy_context()
            if kwargs:
                inner = functools.partial(func, *args, **kwargs)
                return await loop.run_in_executor(None, ctx.run, inner)
            return await loop.run_in_executor(None, ctx.run, func, *args)

        def run_now(fn, *a, **kw):
            return fn(*a, **kw)
    """)
    assert found == {"app.misc.thread_pool_exec", "app.misc.run_now"}


@pytest.mark.parametrize("source", [
    # the function is kept: a registration
    "def register(func, *args, **kwargs):\n    JOBS.append(func)\n    return func(*args, **kwargs)\n",
    # called with other arguments than it was given
    "def as_admin(func, *args, **kwargs):\n    return func(ADMIN, *args, **kwargs)\n",
    "def first_only(func, *args, **kwargs):\n    return func(args[0], **kwargs)\n",
    # the arguments are rewritten before the call
    "def tweak(func, *args, **kwargs):\n    kwargs['tenant_id'] = None\n    return func(*args, **kwargs)\n",
    # never calls it
    "def describe(func, *args, **kwargs):\n    return repr(args)\n",
    # more parameters than the function and its arguments
    "def retry(func, times, *args, **kwargs):\n    return func(*args, **kwargs)\n",
    # a nested function may do anything with them
    "def later(func, *args, **kwargs):\n"
    "    def run():\n        return func(*args, **kwargs)\n    return run()\n",
])
def test_not_executor_wrappers(source: str) -> None:
    assert wrappers(source) == frozenset()


MODELS = """
    import operator

    class BaseModel(Model):
        @classmethod
        def query(cls, reverse=None, order_by=None, **kwargs):
            filters = []
            for f_n, f_v in kwargs.items():
                attr_name = "%s" % f_n
                if not hasattr(cls, attr_name) or f_v is None:
                    continue
                filters.append(operator.attrgetter(attr_name)(cls) == f_v)
            return [r for r in cls.select().where(*filters)]

    class CommonService:
        @classmethod
        def query(cls, cols=None, **kwargs):
            return cls.model.query(cols=cols, **kwargs)

        @classmethod
        def get(cls, **kwargs):
            return cls.model.get(**kwargs)

        @classmethod
        def find(cls, **kwargs):
            return cls.model.filter(**kwargs)

        @classmethod
        def save(cls, **kwargs):
            kwargs["id"] = new_id()
            return cls.model.query(**kwargs)

        @classmethod
        def insert(cls, **kwargs):
            return cls.model.insert(**kwargs).execute()
"""


def test_keyword_lookups_builders_and_pass_throughs() -> None:
    found = lookups(MODELS)
    assert found == {
        "app.models.BaseModel.query": BUILD,
        "app.models.CommonService.query": PASS + "query",
        "app.models.CommonService.get": PASS + "get",
        "app.models.CommonService.find": PASS + "filter",
    }
    assert is_keyword_lookup("app.models.BaseModel.query", found)
    assert is_keyword_lookup("app.models.CommonService.query", found)  # a builder's name
    assert is_keyword_lookup("app.models.CommonService.find", found)  # the ORM's keyword filter
    assert not is_keyword_lookup("app.models.CommonService.get", found)  # no builder named get
    assert not is_keyword_lookup("app.models.CommonService.insert", found)


def test_a_loop_that_only_reads_the_values_builds_nothing() -> None:
    assert lookups("""
        class Audit:
            @classmethod
            def log(cls, **kwargs):
                for k, v in kwargs.items():
                    LOG.append(str(k) == v)
                return cls.select().where(*LOG)
    """) == {}


FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "flask_peewee_owned_checks"


def _leaks(views: str) -> set[int]:
    """The lines marked ``# leak`` in ``views`` as written."""
    return {i for i, line in enumerate(textwrap.dedent(views).splitlines(), 1) if "# leak" in line}


def _lines(tmp_path: Path, views: str) -> set[int]:
    app = tmp_path / "app"
    (app / "chats").mkdir(parents=True)
    for f in (FIXTURE / "chats").iterdir():
        if f.suffix == ".py" and f.name != "views.py":
            (app / "chats" / f.name).write_text(f.read_text())
    (app / "tenantlint.toml").write_text((FIXTURE / "tenantlint.toml").read_text())
    (app / "chats" / "views.py").write_text(textwrap.dedent(views))
    with chdir(app):
        result = check_paths([Path(".")], load_config(app))
    return {f.line for f in result.findings if f.path.endswith("views.py")}


HEAD = """
    import asyncio
    from flask import Blueprint, request
    from flask_login import current_user
    from chats.db_models import Dialog
    from chats.misc import thread_pool_exec
    from chats.services import DialogService, KnowledgebaseService
    bp = Blueprint("c", __name__)

"""


def test_an_owned_check_through_the_executor_proves_the_id(tmp_path: Path) -> None:
    views = HEAD + """
    async def owned(chat_id):
        return await asyncio.to_thread(DialogService.query, tenant_id=current_user.id, id=chat_id)

    @bp.put("/a/<chat_id>")
    async def a(chat_id):
        if not await owned(chat_id):
            return {}, 403
        return {"n": DialogService.update_by_id(chat_id, {"name": "x"})}

    @bp.put("/b/<chat_id>")
    async def b(chat_id):
        if await owned(chat_id):  # the answer is not what decides
            pass
        return {"n": DialogService.update_by_id(chat_id, {"name": "x"})}  # leak
    """
    assert _lines(tmp_path, views) == _leaks(views)


def test_a_loop_checking_every_element(tmp_path: Path) -> None:
    views = HEAD + """
    @bp.post("/a")
    def a():
        ids = request.json["ids"]
        for one in ids:
            if not KnowledgebaseService.accessible(one, current_user.id):
                return {}, 403
        return {"n": len(KnowledgebaseService.get_by_ids(ids))}

    @bp.post("/b")
    def b():
        ids = request.json["ids"]
        for one in ids:
            if not ids:
                break
            if not KnowledgebaseService.accessible(one, current_user.id):
                return {}, 403
        return {"n": len(KnowledgebaseService.get_by_ids(ids))}  # leak

    @bp.post("/c")
    def c():
        ids = request.json["ids"]
        for one in ids:
            if one.startswith("x"):
                if not KnowledgebaseService.accessible(one, current_user.id):
                    return {}, 403
        return {"n": len(KnowledgebaseService.get_by_ids(ids))}  # leak
    """
    assert _lines(tmp_path, views) == _leaks(views)


def test_a_loop_checking_every_element_of_an_entry(tmp_path: Path) -> None:
    views = HEAD + """
    @bp.post("/a")
    def a():
        req = request.json
        for one in req["ids"]:
            if not KnowledgebaseService.accessible(one, current_user.id):
                return {}, 403
        print(req["ids"], req.get("name"))
        return {"n": len(KnowledgebaseService.get_by_ids(req["ids"]))}

    @bp.post("/b")
    def b():
        req = request.json
        for one in req["ids"]:
            if not KnowledgebaseService.accessible(one, current_user.id):
                return {}, 403
        req.update(request.args)
        return {"n": len(KnowledgebaseService.get_by_ids(req["ids"]))}  # leak

    @bp.post("/c")
    def c():
        req = request.json
        for one in req["ids"]:
            if not KnowledgebaseService.accessible(one, current_user.id):
                return {}, 403
        req["ids"].append(request.args["id"])
        return {"n": len(KnowledgebaseService.get_by_ids(req["ids"]))}  # leak

    @bp.post("/d")
    def d():
        req = request.json
        if req.get("strict"):
            for one in req["ids"]:
                if not KnowledgebaseService.accessible(one, current_user.id):
                    return {}, 403
        return {"n": len(KnowledgebaseService.get_by_ids(req["ids"]))}  # leak

    @bp.post("/e")
    def e():
        req = request.json
        for one in req["ids"]:
            if not KnowledgebaseService.accessible(one, current_user.id):
                return {}, 403
        if req.get("more"):
            req[request.args["key"]] = request.args.getlist("id")
        return {"n": len(KnowledgebaseService.get_by_ids(req["ids"]))}  # leak

    @bp.post("/f")
    def f():
        body = request.json
        for one in body["ids"]:
            if not KnowledgebaseService.accessible(one, current_user.id):
                return {}, 403
        body = request.args
        return {"n": len(KnowledgebaseService.get_by_ids(body["ids"]))}  # leak
    """
    assert _lines(tmp_path, views) == _leaks(views)


def test_ids_found_among_the_callers_tenants(tmp_path: Path) -> None:
    views = HEAD.replace("KnowledgebaseService", "KnowledgebaseService, UserTenantService") + """
    @bp.post("/a")
    def a():
        ids = request.json["ids"]
        tenants = UserTenantService.query(user_id=current_user.id)
        for one in ids:
            for tenant in tenants:
                if KnowledgebaseService.query(tenant_id=tenant.tenant_id, id=one):
                    break
            else:
                return {}, 403
        return {"n": len(KnowledgebaseService.get_by_ids(ids))}

    @bp.post("/b/<chat_id>")
    def b(chat_id):
        tenants = UserTenantService.query(user_id=current_user.id)
        for tenant in tenants:
            if DialogService.query(tenant_id=tenant.tenant_id, id=chat_id):
                print("found")
        else:
            return {}, 403
        return {"n": DialogService.update_by_id(chat_id, {"name": "x"})}  # leak

    @bp.post("/c/<chat_id>")
    def c(chat_id):
        tenants = UserTenantService.query(user_id=request.json["user"])
        for tenant in tenants:
            if DialogService.query(tenant_id=tenant.tenant_id, id=chat_id):
                break
        else:
            return {}, 403
        return {"n": DialogService.update_by_id(chat_id, {"name": "x"})}  # leak
    """
    assert _lines(tmp_path, views) == _leaks(views)
