"""Helpers for tests of one view's statements: a project with a tenant model ``Organization`` and a
tenant table ``Board``, and whether the last statement of a view body is reported."""

from __future__ import annotations

import textwrap
from pathlib import Path

from tenantlint.analysis.engine import analyze_text
from tenantlint.analysis.settings import Settings
from tenantlint.api import load_config, make_settings

MODELS = """
from django.db import models


class Organization(models.Model):
    name = models.CharField(max_length=100)


class Board(models.Model):
    org = models.ForeignKey(Organization, on_delete=models.CASCADE)
    slug = models.CharField(max_length=100, unique=True)
    name = models.CharField(max_length=100)
"""


def board_settings(root: Path) -> Settings:
    """The settings of a project under ``root`` holding ``app/models.py`` (:data:`MODELS`)."""
    (root / "tenantlint.toml").write_text('tenant_models = ["Organization"]\n')
    (root / "app").mkdir()
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "models.py").write_text(MODELS)
    return make_settings(load_config(root))


def flagged(settings: Settings, body: str, params: str = "request") -> bool:
    """Whether the last statement of ``f(<params>)`` (a view) is reported (TNT101/TNT102)."""
    source = f"from app.models import Board\n\n\ndef f({params}):\n" + textwrap.indent(
        textwrap.dedent(body).strip("\n"), "    ") + "\n"
    result = analyze_text("app/views.py", source, settings, False)
    last = len(source.splitlines())
    return any(f.line == last and f.code in ("TNT101", "TNT102") for f in result.findings)
