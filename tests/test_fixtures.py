"""Per fixture app, the findings (file, statement line, code, table) equal its `# expect:` annotations,
compared as multisets; an annotation may leave the table out (see tests/fixtures_eval.py)."""

from __future__ import annotations

import functools

import pytest

from tests.fixtures_eval import AnnotationError, AppResult, apps, compare, parse_expect, run_app


@functools.cache
def _run(app: str, use_prefilter: bool) -> AppResult:
    """One run per app and mode: the prefilter test reuses the annotation test's run."""
    return run_app(app, use_prefilter=use_prefilter)


@pytest.mark.parametrize("app", apps())
def test_fixture_app(app: str) -> None:
    result = _run(app, True)
    assert result.expected or result.oks, f"fixture {app} has no labelled statements"
    lines = result.describe()
    assert not lines, "\n" + "\n".join(lines)


@pytest.mark.parametrize("app", apps())
def test_prefilter_is_conservative(app: str) -> None:
    """Skipping files by the text prefilter never changes the findings."""
    with_prefilter = _run(app, True)
    without = _run(app, False)
    assert with_prefilter.actual == without.actual


def test_annotations_parse_codes_and_pinned_tables() -> None:
    assert parse_expect(" TNT101[billing_invoice], TNT103 ,TNT101") == [
        ("TNT101", "billing_invoice"), ("TNT103", None), ("TNT101", None)]
    for bad in (" TNT101 legacy", " TNT101[]", " tnt101", " TNT101[a b]", ""):
        with pytest.raises(AnnotationError):
            parse_expect(bad)


def test_comparison_counts_multiplicity_and_checks_pinned_tables() -> None:
    a, b = ("v.py", 3, "TNT101", "invoice"), ("v.py", 3, "TNT101", "line")
    # two findings on one statement need two annotations
    matched, missing, unexpected = compare([("v.py", 3, "TNT101", None)], [a, b])
    assert (len(matched), missing, len(unexpected)) == (1, [], 1)
    # a pinned table must be the finding's table
    assert compare([("v.py", 3, "TNT101", "invoice")], [b])[1:] == ([("v.py", 3, "TNT101", "invoice")], [b])
    # pinned annotations are matched first, so an unpinned one takes what is left
    matched, missing, unexpected = compare([("v.py", 3, "TNT101", None), ("v.py", 3, "TNT101", "invoice")],
                                           [a, b])
    assert (sorted(matched), missing, unexpected) == ([a, b], [], [])
