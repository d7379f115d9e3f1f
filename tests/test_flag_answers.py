"""Owner tests in access predicates, and predicates answering ``(verdict, row)`` (owner_answers.py,
flag_answers.py)."""

from __future__ import annotations

from pathlib import Path

import libcst as cst

from tenantlint.analysis.interp.access_predicates import access_guards
from tenantlint.analysis.interp.exprs import dotted
from tenantlint.analysis.interp.flag_answers import answers_flag, negated_names
from tests.orm_app import mismatches

NAMES = frozenset({"org", "org_id"})


def _read(src: str) -> tuple[list[tuple[str, str, str]], list[tuple[str, str, str]]]:
    fn = cst.parse_module(src).body[0]
    assert isinstance(fn, cst.FunctionDef)
    params = tuple(p.name.value for p in fn.params.params)

    def trusted(node: cst.BaseExpression) -> bool:
        return (dotted(node) or "").startswith("current_user")

    refusing, predicate, _ = access_guards(fn, params, NAMES, trusted)
    return refusing, predicate


FETCH = "    doc = Doc.objects.filter(pk=doc_id).first()\n    if doc is None:\n        return False\n"


def test_an_owner_test_proves_the_fetched_row_like_a_tenant_test() -> None:
    src = ("def can_read(doc_id, user):\n" + FETCH
           + "    if doc.owner_id == user.id:\n        return True\n    return doc.org_id == user.org_id\n")
    assert _read(src) == ([], [("doc_id", "#", "user")])
    for owner in ("doc.owner == user", "user == doc.owner", "doc.owner.id == user.id",
                  "doc.created_by == user"):
        alone = "def can_read(doc_id, user):\n" + FETCH + f"    return {owner}\n"
        assert _read(alone) == ([], [("doc_id", "#", "user")]), owner


def test_an_owner_mismatch_that_refuses() -> None:
    src = ("def require(doc_id):\n    doc = Doc.objects.get(pk=doc_id)\n"
           "    if doc.owner_id != current_user.id:\n        raise Denied()\n    return doc\n")
    assert _read(src) == ([("doc_id", "#", "@")], [])


def test_an_owner_compared_with_a_tenant_or_another_column_proves_nothing() -> None:
    for test in ("doc.owner_id == user.org_id", "doc.editor_id == user.id", "doc.owner_id == other_id"):
        src = "def can_read(doc_id, user):\n" + FETCH + f"    return {test}\n"
        assert _read(src) == ([], []), test


def test_an_owner_test_on_a_row_passed_in_is_not_read() -> None:
    src = "def can_read(doc, user):\n    if doc.owner_id != user.id:\n        return False\n    return True\n"
    assert _read(src) == ([], [])


def test_a_pair_answer_is_read_from_its_first_element() -> None:
    src = ("def validate(user, path_id):\n    try:\n        doc = Doc.objects.get(path_id=path_id)\n"
           "    except Doc.DoesNotExist:\n        return False, None\n"
           "    if user == doc.owner:\n        return True, doc\n"
           "    if doc.public and doc.org == user.org:\n        return True, doc\n"
           "    return False, doc\n")
    assert _read(src) == ([], [("^path_id", "#", "user")])


def test_a_pair_answer_with_an_unchecked_yes_is_no_guard() -> None:
    src = ("def validate(user, path_id):\n    doc = Doc.objects.get(path_id=path_id)\n"
           "    if user == doc.owner:\n        return True, doc\n"
           "    if doc.public:\n        return True, doc\n    return False, doc\n")
    assert _read(src) == ([], [])


def test_what_answers_a_pair() -> None:
    def body(src: str) -> bool:
        fn = cst.parse_module(src).body[0]
        assert isinstance(fn, cst.FunctionDef) and isinstance(fn.body, cst.IndentedBlock)
        return answers_flag(fn.body.body)

    assert body("def f(x):\n    if x:\n        return True, x\n    return False, None\n")
    assert not body("def f(x):\n    if x:\n        return True, x\n    return False\n")
    assert not body("def f(x):\n    if x:\n        return True, x, 1\n    return False, None\n")
    assert not body("def f(x):\n    return x\n")
    assert body("def f(x):\n    def g():\n        return 1\n    return True, x\n")
    assert not body("def f(x):\n    x.save()\n")  # no return at all
    assert not body("def f(x):\n    if x:\n        return\n    return True, x\n")  # a bare return


def test_negated_names() -> None:
    assert negated_names(cst.parse_expression("not ok or row is None")) == ["ok"]
    assert negated_names(cst.parse_expression("not ok and strict")) == []
    assert negated_names(cst.parse_expression("not check(x)")) == []


MODELS = """\
from django.db import models


class Org(models.Model):
    name = models.TextField()


class User(models.Model):
    org = models.ForeignKey(Org, on_delete=models.CASCADE)


class Upload(models.Model):
    org = models.ForeignKey(Org, on_delete=models.CASCADE)
    owner = models.ForeignKey(User, on_delete=models.CASCADE)
    path_id = models.TextField(unique=True)
    public = models.BooleanField(default=False)
"""

VIEWS = """\
from django.http import HttpResponse

from .models import Upload


def validate(user, path_id):
    try:
        upload = Upload.objects.get(path_id=path_id)
    except Upload.DoesNotExist:
        return False, None
    if upload.owner == user:
        return True, upload
    if upload.public and upload.org == user.org:
        return True, upload
    return False, upload


def checked(request, path_id):
    ok, upload = validate(request.user, path_id)  # ok
    if not ok:
        return HttpResponse(status=403)
    return HttpResponse(upload.path_id)


def checked_with_none(request, path_id):
    ok, upload = validate(request.user, path_id)  # ok
    if upload is None or not ok:
        return HttpResponse(status=404)
    return HttpResponse(upload.path_id)


def ignored(request, path_id):
    ok, upload = validate(request.user, path_id)  # expect: TNT101[app_upload]
    return HttpResponse(upload.path_id)


def logged(request, path_id):
    ok, upload = validate(request.user, path_id)  # expect: TNT101[app_upload]
    if not ok:
        print("not allowed")
    return HttpResponse(upload.path_id)


def rebound(request, path_id):
    ok, upload = validate(request.user, path_id)  # expect: TNT101[app_upload]
    ok = request.GET.get("force")
    if not ok:
        return HttpResponse(status=403)
    return HttpResponse(upload.path_id)


def second_name(request, path_id):
    upload, ok = validate(request.user, path_id)  # expect: TNT101[app_upload]
    if not ok:
        return HttpResponse(status=403)
    return HttpResponse(upload.path_id)


def against_request_user(request, path_id):
    other = request.GET["user"]
    ok, upload = validate(other, path_id)  # expect: TNT101[app_upload]
    if not ok:
        return HttpResponse(status=403)
    return HttpResponse(upload.path_id)
"""

CONFIG = 'tenant_columns = ["org_id"]\ntenant_models = ["Org"]\nglobal_tables = ["Org"]\n'


def test_a_pair_verdict_checks_the_id_only_where_its_no_leaves(tmp_path: Path) -> None:
    files = {"app/__init__.py": "", "app/models.py": MODELS, "app/views.py": VIEWS}
    assert mismatches(tmp_path, files, CONFIG) == []
