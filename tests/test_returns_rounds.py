"""The second pass across functions (runner._returns) is incremental: a file is analysed again only
when the answers to its own call sites changed, and its result is cached under those answers."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

import tenantlint.runner as runner
from tenantlint.config.load import load_config
from tenantlint.results import FileResult

from .test_crossfn import RETURNS_MODELS, chdir

SCOPED = """
from app.models import Project


def project_{x}(user, pk):
    return Project.objects.get(org=user.org, pk=pk)
"""

ROWS = """
from app.models import Project


def project_{x}(user, pk):
    return Project.objects.filter(org=user.org, pk=pk)
"""

VIEW = """
from django.http import JsonResponse

from app.helpers_{x} import project_{x}
from app.models import Task


def by_row_{x}(request, pk):
    project = project_{x}(request.user, pk)
    return JsonResponse({{"n": Task.objects.filter(project=project).count()}})
"""


def _write(root: Path, name: str, text: str, x: str) -> None:
    (root / name).write_text(textwrap.dedent(text.format(x=x)).lstrip("\n"))


def test_a_changed_return_reanalyses_only_its_callers(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "app").mkdir()
    (tmp_path / "tenantlint.toml").write_text('global_tables = ["Organization"]\n')
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "models.py").write_text(RETURNS_MODELS)
    for x in "ab":
        _write(tmp_path, f"app/helpers_{x}.py", SCOPED, x)
        _write(tmp_path, f"app/views_{x}.py", VIEW, x)
    again: list[str] = []
    real = runner._reanalyse

    def spy(items: list[runner.Item], job: runner._Job, jobs: int) -> list[FileResult]:
        again.extend(display for display, _, _ in items)
        return real(items, job, jobs)

    monkeypatch.setattr(runner, "_reanalyse", spy)
    options = runner.RunOptions(paths=(Path("."),), use_cache=True, cache_dir=tmp_path / "cache")

    def check(cached: bool = True) -> list[tuple[str, int, str]]:
        with chdir(tmp_path):
            result = runner.run(load_config(tmp_path), options if cached else runner.RunOptions(
                paths=(Path("."),)))
        return sorted((f.path, f.line, f.code) for f in result.findings)

    assert check() == []
    assert sorted(again) == ["app/views_a.py", "app/views_b.py"]  # both call a helper returning a row
    again.clear()
    assert check() == []
    assert again == []  # warm: every second pass comes from the cache
    _write(tmp_path, "app/helpers_a.py", ROWS, "a")  # now a queryset: another answer to views_a
    found = check()
    assert again == ["app/views_a.py"]  # views_b's answers did not change: its cached result is kept
    again.clear()
    assert found == check(cached=False)
    assert sorted(again) == ["app/views_a.py", "app/views_b.py"]
