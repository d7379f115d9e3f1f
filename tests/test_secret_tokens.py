"""Secret-token columns: which columns are secrets, the config key naming more, and the audit."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tenantlint.api import check_paths, load_config
from tenantlint.config.errors import ConfigError
from tenantlint.config.options import Config
from tests.index_helpers import extract_source
from tests.test_crossfn import chdir

MODELS = """\
import secrets
import uuid

from django.db import models

from app import keys


def make_key():
    return "k_" + secrets.token_urlsafe(24)


def make_anchor():
    return uuid.uuid4().hex


class Org(models.Model):
    slug = models.SlugField(unique=True)


class Thing(models.Model):
    org = models.ForeignKey(Org, on_delete=models.CASCADE)
    key = models.CharField(max_length=40, unique=True, default=make_key)
    api_key = models.CharField(max_length=40, unique=True, default=uuid.uuid4)
    anchor = models.CharField(max_length=40, unique=True, default=make_anchor)
    uuid = models.UUIDField(unique=True, default=uuid.uuid4)
    shared = models.CharField(max_length=40, default=make_key)
    token = models.CharField(max_length=40)
    secret_key = models.CharField(max_length=40, unique=True, default=keys.generate)
    label = models.CharField(max_length=40, unique=True, default=keys.generate)
    reset_token = models.CharField(max_length=40, unique=True, default=lambda: keys.generate(40))
    name_key = models.CharField(max_length=40, unique=True, default=lambda: "x")
"""


def test_secret_columns_are_a_secret_generator_or_a_secret_name() -> None:
    (org, thing) = extract_source("app/models.py", MODELS, Config())
    fields = {f.name: (f.token, f.secret) for f in thing.fields}
    assert fields["key"] == (True, True)  # a function of the module returning token_urlsafe
    assert fields["api_key"] == (True, True)  # uuid4, named as a secret
    assert fields["anchor"] == (True, False)  # uuid4 by a function, a name that says nothing
    assert fields["uuid"] == (True, False)  # a public identifier
    assert fields["shared"] == (False, False)  # not unique
    assert fields["token"] == (False, False)  # no default: only the config names it
    assert fields["secret_key"] == (False, True)  # a function of another module, named as a secret
    assert fields["label"] == (False, False)  # the same default, a name that says nothing
    assert fields["reset_token"] == (False, True)  # a lambda calling a function of another module
    assert fields["name_key"] == (False, False)  # a lambda returning a constant
    assert not any(f.token for f in org.fields)  # the slug is chosen by people


def test_config_entries_must_be_model_field(tmp_path: Path) -> None:
    (tmp_path / "tenantlint.toml").write_text('secret_token_columns = ["token"]\n')
    with pytest.raises(ConfigError, match="is not 'Model.field'"):
        load_config(tmp_path)
    (tmp_path / "tenantlint.toml").write_text('secret_token_columns = ["Thing.token"]\n')
    assert load_config(tmp_path).secret_token_columns == ("Thing.token",)


VIEWS = """\
from django.http import HttpResponseForbidden, JsonResponse

from app.models import Thing


def by_token(request):
    row = Thing.objects.get(token=request.GET["t"])
    return JsonResponse({"org": row.org_id})


def by_key(request):
    row = Thing.objects.get(key=request.GET["k"])
    return JsonResponse({"org": row.org_id})


def checked(request, pk):
    row = Thing.objects.get(pk=pk)
    if row.token != request.GET["t"]:
        return HttpResponseForbidden()
    return JsonResponse({"org": row.org_id})


def by_uuid(request, uuid):
    row = Thing.objects.get(uuid=uuid)
    return JsonResponse({"org": row.org_id})
"""


def _project(tmp_path: Path, config: str) -> Path:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "models.py").write_text(MODELS)
    (tmp_path / "app" / "views.py").write_text(VIEWS)
    (tmp_path / "tenantlint.toml").write_text(textwrap.dedent(config))
    return tmp_path


def test_capability_lookups_are_listed_with_their_column(tmp_path: Path) -> None:
    root = _project(tmp_path, 'global_tables = ["Org"]\nsecret_token_columns = ["Thing.token"]\n')
    with chdir(root):
        result = check_paths([Path(".")], load_config(root), want_sites=True)
    assert sorted((f.line, f.code) for f in result.findings) == [(24, "TNT101")]  # by uuid
    sites = sorted((s.line, s.scoping, s.detail) for s in result.query_sites if s.path.endswith("views.py"))
    assert sites == [
        (7, "capability", "secret token token"),
        (12, "capability", "secret token key"),
        (17, "capability", "secret token token checked after the fetch"),
        (24, "unscoped", ""),
    ]


def test_without_the_config_the_token_column_is_no_secret(tmp_path: Path) -> None:
    root = _project(tmp_path, 'global_tables = ["Org"]\n')
    with chdir(root):
        result = check_paths([Path(".")], load_config(root))
    assert sorted((f.line, f.code) for f in result.findings) == [(7, "TNT101"), (17, "TNT101"),
                                                                 (24, "TNT101")]


def test_entries_naming_nothing_are_a_warning(tmp_path: Path) -> None:
    root = _project(tmp_path, 'global_tables = ["Org"]\n'
                              'secret_token_columns = ["Thing.tokne", "Thingy.token", "app_thing.key"]\n')
    out = subprocess.run([sys.executable, "-m", "tenantlint", "check", "--no-cache", "--exit-zero"],
                         cwd=root, capture_output=True, text=True)
    assert "secret_token_columns 'Thing.tokne' (no field 'tokne' on Thing)" in out.stderr
    assert "secret_token_columns 'Thingy.token' (did you mean 'Thing'?)" in out.stderr
    assert "app_thing.key" not in out.stderr
