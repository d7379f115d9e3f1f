"""The exact set of (file, statement line, code) per fixture app equals its annotations."""

from __future__ import annotations

import pytest

from tests.fixtures_eval import apps, run_app


@pytest.mark.parametrize("app", apps())
def test_fixture_app(app: str) -> None:
    result = run_app(app)
    assert result.expected or result.oks, f"fixture {app} has no labelled statements"
    lines = [f"missing    {p}:{line} {code}" for p, line, code in sorted(result.missing)]
    lines += [
        f"unexpected {p}:{line} {code}  {result.snippets.get((p, line, code), '')}"
        for p, line, code in sorted(result.unexpected)
    ]
    assert not lines, "\n" + "\n".join(lines)


@pytest.mark.parametrize("app", apps())
def test_prefilter_is_conservative(app: str) -> None:
    """Skipping files by the text prefilter never changes the findings."""
    with_prefilter = run_app(app, use_prefilter=True)
    without = run_app(app, use_prefilter=False)
    assert with_prefilter.actual == without.actual
