"""``FileContext.model_name``: the model a local name refers to, answered once per name and file."""

from __future__ import annotations

import libcst as cst

from tenantlint.analysis.interp.file_context import FileContext
from tenantlint.analysis.interp.imports import collect_imports
from tenantlint.analysis.plugins import registered_plugins
from tenantlint.analysis.settings import Settings
from tenantlint.config.options import Config
from tenantlint.index.records import ModelInfo, ProjectIndex

SOURCE = """\
from app.models import Invoice as Inv
from django.contrib.sessions.models import Session
from billing.models import Invoice
"""

INDEX = ProjectIndex(
    models={"Invoice": (ModelInfo("Invoice", "app_invoice", "django", "app/models.py", 4),),
            "Session": (ModelInfo("Session", "app_session", "django", "app/models.py", 9),)},
    by_model={"Invoice": "app_invoice", "Session": "app_session"},
)


def _context() -> FileContext:
    module = cst.parse_module(SOURCE)
    return FileContext("app/views.py", module, Settings(Config(), INDEX), collect_imports(module),
                       registered_plugins())


def test_model_name_reads_imports_and_the_index() -> None:
    ctx = _context()
    assert ctx.model_name("Inv") == "Invoice"  # imported under another name
    assert ctx.model_name("Session") is None  # Django's own class of the same name
    assert ctx.model_name("Invoice") is None  # imported from a package no definition lies under
    assert ctx.model_name("Other") is None


def test_model_name_is_answered_once_per_name() -> None:
    ctx = _context()
    calls: list[str] = []
    inner = ctx._model_name

    def counted(local: str) -> str | None:
        calls.append(local)
        return inner(local)

    ctx._model_name = counted  # type: ignore[method-assign]
    answers = [ctx.model_name(name) for name in ("Inv", "Session", "Inv", "Session", "Inv")]
    assert answers == ["Invoice", None, "Invoice", None, "Invoice"]
    assert calls == ["Inv", "Session"]  # a None answer is remembered too
