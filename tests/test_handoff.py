"""The pre-pass hands CPython's reading of a large file to the analysis of the same text
(``analysis/source/handoff.py``): the analysis does not parse it again, and finds the same."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

import tenantlint.analysis.source.handoff as handoff
import tenantlint.analysis.source.parse as parsing
import tenantlint.prepass as prepass
from tenantlint.api import check_paths, load_config

MODELS = """\
from django.db import models


class Organization(models.Model):
    name = models.CharField(max_length=100)


class Invoice(models.Model):
    org = models.ForeignKey(Organization, on_delete=models.CASCADE)
    number = models.CharField(max_length=20)
"""


def _project(root: Path) -> None:
    (root / "app").mkdir()
    (root / "app" / "models.py").write_text(MODELS)
    body = "".join(f"    r{i} = Invoice.objects.filter(org=o, number={i})\n" if i % 7 else
                   f"    r{i} = Invoice.objects.filter(number={i})\n" for i in range(2000))
    (root / "app" / "views.py").write_text("from app.models import Invoice\n\n\ndef view(request):\n"
                                           "    o = request.user.org\n" + body)
    (root / "app" / "small.py").write_text("from app.models import Invoice\n\n\ndef v(request):\n"
                                           "    return Invoice.objects.all()\n")


def _run(root: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[list[tuple[str, int, str]], list[int]]:
    guarded: list[int] = []
    real = parsing.guarded_ast

    def counting(text: str) -> ast.Module | None:
        if Path(sys._getframe(1).f_code.co_filename).name == "runner.py":
            guarded.append(len(text))
        return real(text)

    monkeypatch.setattr(parsing, "guarded_ast", counting)
    monkeypatch.setattr(prepass, "guarded_ast", real)
    result = check_paths([root], load_config(root))
    return [(f.path, f.line, f.code) for f in result.findings], guarded


def test_a_large_file_is_parsed_by_cpython_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _project(tmp_path)
    monkeypatch.chdir(tmp_path)
    size = (tmp_path / "app" / "views.py").stat().st_size
    assert size > handoff.MIN_CHARS
    found, guarded = _run(tmp_path, monkeypatch)
    assert size not in guarded and guarded  # the small files are still guarded by the analysis
    assert not handoff._KEPT  # handed over, not held
    monkeypatch.setattr(handoff, "MIN_CHARS", 10**9)  # nothing handed over: parsed again
    again, guarded = _run(tmp_path, monkeypatch)
    assert size in guarded
    assert found == again and len(found) == 2000 // 7 + 1 + 1


def test_at_most_a_few_texts_are_held(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(handoff, "_KEPT", {})
    texts = [f"x = {i}\n" + "y = 1\n" * (handoff.MIN_CHARS // 6 + 1) for i in range(handoff.MAX_ENTRIES + 2)]
    for text in texts:
        handoff.keep(text, ast.parse(text))
    assert len(handoff._KEPT) == handoff.MAX_ENTRIES
    assert handoff.take(texts[0]) is None  # the oldest went first
    kept = handoff.take(texts[-1])
    assert kept is not None and len(kept.skeleton.body) == len(ast.parse(texts[-1]).body)
    assert handoff.take(texts[-1]) is None  # once
    handoff.keep("x = 1\n", ast.parse("x = 1\n"))  # small: parsed again, not held
    assert handoff.take("x = 1\n") is None
