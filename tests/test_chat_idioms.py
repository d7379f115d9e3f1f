"""Four readers met in a chat server's code (fixture app ``django_realm_messages``):

- raw SQL: a table scoped through a parent, joined along another foreign key to scoped rows
  (``sqlcheck/tenant_tables.py`` ``parents``);
- a name that is ``None`` on one path, narrowed by ``assert x is not None`` (``interp/maybe_none.py``);
- a query kept in a name, narrowed later by parameters only (``interp/later_keys.py``);
- a lookup by a value a signature check returned (``interp/signed_values.py``).
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import libcst as cst
import pytest

from tenantlint.analysis.engine import analyze_text
from tenantlint.analysis.facts import Scoping
from tenantlint.analysis.interp import maybe_none
from tenantlint.analysis.interp.values import Value
from tenantlint.analysis.settings import Settings
from tenantlint.api import load_config, make_settings
from tenantlint.sqlcheck import SqlTenancy, analyze_sql
from tests.orm_app import mismatches

MODELS = """
from django.contrib.auth.models import AbstractBaseUser
from django.db import models


class Realm(models.Model):
    name = models.CharField(max_length=40)


class UserProfile(AbstractBaseUser):
    realm = models.ForeignKey(Realm, on_delete=models.CASCADE)


class Message(models.Model):
    realm = models.ForeignKey(Realm, on_delete=models.CASCADE)
    subject = models.CharField(max_length=60)


class UserMessage(models.Model):
    user_profile = models.ForeignKey(UserProfile, on_delete=models.CASCADE)
    message = models.ForeignKey(Message, on_delete=models.CASCADE)
    flags = models.IntegerField(default=0)


class Export(models.Model):
    realm = models.ForeignKey(Realm, on_delete=models.CASCADE)
    acting_user = models.ForeignKey(UserProfile, on_delete=models.CASCADE, null=True)


class Attachment(models.Model):
    realm = models.ForeignKey(Realm, on_delete=models.CASCADE)
    path_id = models.TextField(unique=True)
    name = models.TextField()
"""


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    root: Path = tmp_path_factory.mktemp("proj")
    (root / "tenantlint.toml").write_text(
        'tenant_models = ["Realm"]\ntenant_columns = ["realm_id"]\n'
        'trusted_sources = ["user_profile.*", "maybe_user_profile.*"]\n')
    (root / "app").mkdir()
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "models.py").write_text(MODELS)
    return make_settings(load_config(root))


def lines(settings: Settings, source: str) -> set[int]:
    source = "from app.models import *\n" + textwrap.dedent(source)
    result = analyze_text("app/views.py", source, settings, False)
    return {f.line for f in result.findings if f.code.startswith("TNT10")}


# -- raw SQL ---------------------------------------------------------------------------------------

TENANCY = SqlTenancy.of(
    {"messages": "realm_id", "users": "realm_id"},
    {"user_messages": [("user_id", "users")]},
    {"user_messages": [("message_id", "messages")]},
)


def _verdict(sql: str) -> dict[str, Scoping]:
    result = analyze_sql(sql, dialect="postgres", tenancy=TENANCY)
    assert result.error is None
    return {u.table: u.scoping for u in result.uses}


def test_via_table_joined_to_scoped_rows_along_another_foreign_key() -> None:
    sql = ("SELECT m.subject FROM messages m JOIN user_messages um ON um.message_id = m.id "
           "WHERE m.realm_id = %s")
    assert _verdict(sql)["user_messages"] is Scoping.TRUSTED_FILTER


def test_join_on_a_column_that_is_no_foreign_key_confines_nothing() -> None:
    sql = ("SELECT m.subject FROM messages m JOIN user_messages um ON um.flags = m.id "
           "WHERE m.realm_id = %s")
    assert _verdict(sql)["user_messages"] is Scoping.UNSCOPED


def test_parents_from_the_index_skip_tables_with_their_own_tenant_column(settings: Settings) -> None:
    tenancy = SqlTenancy.from_index(settings.index)
    assert ("message_id", "app_message") in tenancy.links("app_usermessage")
    assert tenancy.parents.get("app_export") is None  # pins its own realm_id


# -- None on one path ------------------------------------------------------------------------------

BRANCHES = """
def view(request, maybe_user_profile, ids):
    if not maybe_user_profile.is_authenticated:
        user_profile = None
    else:
        user_profile = maybe_user_profile
"""


def test_assert_not_none_gives_back_the_authenticated_user(settings: Settings) -> None:
    src = BRANCHES + ("    assert user_profile is not None\n"
                      "    return list(UserMessage.objects.filter(user_profile=user_profile))\n")
    assert lines(settings, src) == set()


def test_if_none_return_narrows_the_path_that_goes_on(settings: Settings) -> None:
    src = BRANCHES + ("    if user_profile is None:\n        return []\n"
                      "    return list(Export.objects.filter(acting_user=user_profile))\n")
    assert lines(settings, src) == set()


def test_maybe_none_without_a_test_stays_reported(settings: Settings) -> None:
    src = BRANCHES + "    return list(Export.objects.filter(acting_user=user_profile))\n"
    assert lines(settings, src) == {len(("from app.models import *\n" + textwrap.dedent(src)).splitlines())}


@pytest.mark.parametrize(("test", "names"), [
    ("x is not None", {"x"}), ("x", {"x"}), ("isinstance(x, int)", {"x"}),
    ("x is not None and y", {"x", "y"}), ("x is None", set()), ("x or y", set()),
    ("not (x is None)", {"x"}),
])
def test_true_names(test: str, names: set[str]) -> None:
    assert maybe_none.true_names(cst.parse_expression(test)) == names


@pytest.mark.parametrize(("test", "names"), [
    ("x is None", {"x"}), ("not x", {"x"}), ("x is None or y is None", {"x", "y"}),
    ("x is None and y", set()), ("x", set()),
])
def test_false_names(test: str, names: set[str]) -> None:
    assert maybe_none.false_names(cst.parse_expression(test)) == names


def test_join_keeps_the_value_of_the_other_path() -> None:
    other = Value()
    merged = maybe_none.join(maybe_none.NONE_LITERAL, other, Value())
    assert merged.unless_none is other
    assert maybe_none.join(other, Value(), Value()).unless_none is None


# -- a query narrowed in later statements ----------------------------------------------------------

HELPER = """from models import UserMessage


def flags_of(user, message=None):
    base = UserMessage.objects.select_related("message")  # ok
    if message is not None:
        rows = base.filter(user_profile=user, message=message)
    else:
        rows = base.filter(user_profile=user)
    return list(rows)
"""
CONFIG = 'tenant_models = ["Realm"]\ntenant_columns = ["realm_id"]\ntrusted_sources = ["user_profile.*"]\n'


def test_base_narrowed_by_parameters_on_every_path_is_judged_at_the_calls(tmp_path: Path) -> None:
    views = ("from helpers import flags_of\n\n\ndef view(request, user_profile):\n"
             "    return flags_of(user_profile)  # ok\n\n\n"
             "def view_of(request):\n"
             "    return flags_of(request.GET[\"user\"])  # expect: TNT101\n")
    files = {"models.py": MODELS, "helpers.py": HELPER, "views.py": views}
    assert mismatches(tmp_path, files, CONFIG) == []


def test_base_read_as_it_stands_on_one_path_stays_reported(tmp_path: Path) -> None:
    helper = HELPER.replace("rows = base.filter(user_profile=user)\n", "rows = base\n").replace(
        '"message")  # ok', '"message")  # expect: TNT101')
    views = ("from helpers import flags_of\n\n\ndef view(request, user_profile):\n"
             "    return flags_of(user_profile)\n")
    files = {"models.py": MODELS, "helpers.py": helper, "views.py": views}
    assert mismatches(tmp_path, files, CONFIG) == []


# -- values the server signed ----------------------------------------------------------------------

SIGNED = """
from django.core import signing
from django.core.signing import TimestampSigner


def by_token(request, token):
    path_id = TimestampSigner(salt="s").unsign(token)
    return Attachment.objects.get(path_id=path_id).name


def by_loads(request):
    data = signing.loads(request.GET["t"])
    return Attachment.objects.get(pk=data).name


def by_signed_name(request, token):
    signer = TimestampSigner(salt="s")
    name = signer.unsign(token)
    return Attachment.objects.get(name=name).path_id


def by_unsign_of_anything(request, thing, token):
    return Attachment.objects.get(path_id=thing.unsign(token)).name
"""


def test_lookup_by_a_signed_value_on_a_unique_field_is_a_capability(settings: Settings) -> None:
    assert lines(settings, SIGNED) == {20, 24}
