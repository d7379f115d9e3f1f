from __future__ import annotations

import textwrap

from tenantlint.results import Finding, Span, Suppression
from tenantlint.suppress import SuppressionComment, apply_suppressions, parse_suppressions

PATH = "app/views.py"


def finding(code: str, line: int, column: int = 5) -> Finding:
    return Finding(code, f"{code} here", PATH, Span(line, column, line, column + 10))


def run(source: str, *findings: Finding) -> tuple[list[Finding], list[Finding], list[Finding]]:
    return apply_suppressions(list(findings), parse_suppressions(textwrap.dedent(source)), PATH)


def test_noqa_inside_string_literal_is_not_a_comment() -> None:
    source = (
        'q = Invoice.objects.raw("SELECT 1  # noqa: TNT101")\nx = "# tenantlint: ignore[TNT101]"\n'
    )
    assert parse_suppressions(source) == ()
    reported, suppressed, meta = run(source, finding("TNT101", 1))
    assert [f.code for f in reported] == ["TNT101"] and suppressed == [] and meta == []


def test_parse_forms_and_positions() -> None:
    source = (
        "a = 1  # noqa\n"
        "b = 2  # NOQA:TNT101 tnt102\n"
        "c = 3  # noqa: TNT101,TNT103\n"
        "d = 4  # tenantlint: ignore[TNT101, TNT103] nightly export - all orgs\n"
    )
    comments = parse_suppressions(source)
    assert [(c.line, c.column, c.kind, c.codes, c.reason) for c in comments] == [
        (1, 8, "noqa", (), ""),
        (2, 8, "noqa", ("TNT101", "TNT102"), ""),
        (3, 8, "noqa", ("TNT101", "TNT103"), ""),
        (4, 8, "tenantlint", ("TNT101", "TNT103"), "nightly export - all orgs"),
    ]


def test_bare_noqa_suppresses_every_code_and_is_never_unused() -> None:
    reported, suppressed, meta = run(
        "rows = Invoice.objects.all()  # noqa\nother = 1  # noqa\n",
        finding("TNT101", 1),
        finding("TNT201", 1),
    )
    assert reported == []
    assert [f.code for f in suppressed] == ["TNT101", "TNT201"]
    assert suppressed[0].suppression == Suppression("noqa", "")
    assert meta == []


def test_codes_match_by_prefix_and_only_listed_codes() -> None:
    source = "rows = Invoice.objects.all()  # noqa: TNT1\n"
    reported, suppressed, meta = run(source, finding("TNT101", 1), finding("TNT201", 1))
    assert [f.code for f in suppressed] == ["TNT101"]
    assert [f.code for f in reported] == ["TNT201"]
    assert meta == []


def test_comment_on_another_line_does_not_count() -> None:
    reported, suppressed, _ = run("x = 1  # noqa: TNT101\ny = 2\n", finding("TNT101", 2))
    assert [f.line for f in reported] == [2] and suppressed == []


def test_comment_anywhere_on_a_multiline_statement_covers_its_first_line() -> None:
    source = """\
    rows = (
        Invoice.objects
        .filter(status="open")
    )  # tenantlint: ignore[TNT101] reporting job runs across orgs
    for row in Invoice.objects.all():
        print(row)  # noqa: TNT101
    """
    comments = parse_suppressions(textwrap.dedent(source))
    assert (comments[0].first_line, comments[0].last_line) == (1, 4)
    reported, suppressed, meta = run(source, finding("TNT101", 1, 8), finding("TNT101", 5, 12))
    assert [f.line for f in suppressed] == [1]
    assert suppressed[0].suppression == Suppression("tenantlint", "reporting job runs across orgs")
    # The for header is its own statement: a noqa in its body does not cover it.
    assert [f.line for f in reported] == [5]
    assert [(m.code, m.line, m.message) for m in meta] == [
        ("TNT902", 6, "unused suppression: TNT101")
    ]


def test_ignore_without_reason_is_tnt901_at_the_comment_column() -> None:
    source = "rows = Invoice.objects.all()  # tenantlint: ignore[TNT101]\n"
    reported, suppressed, meta = run(source, finding("TNT101", 1))
    assert reported == [] and len(suppressed) == 1
    assert [(m.code, m.path, m.line, m.column, m.message) for m in meta] == [
        ("TNT901", PATH, 1, 31, "suppression of TNT101 has no reason")
    ]


def test_unused_codes_are_tnt902_listing_only_the_unused_ones() -> None:
    source = "rows = Invoice.objects.all()  # tenantlint: ignore[TNT101, TNT102] legacy admin\n"
    _, suppressed, meta = run(source, finding("TNT101", 1))
    assert len(suppressed) == 1
    assert [(m.code, m.column, m.message) for m in meta] == [
        ("TNT902", 31, "unused suppression: TNT102")
    ]


def test_noqa_with_foreign_codes_is_never_unused_but_tnt_codes_are() -> None:
    source = "a = 1  # noqa: E501\nb = 2  # noqa: E501,TNT103\n"
    _, _, meta = run(source)
    assert [(m.code, m.line, m.message) for m in meta] == [
        ("TNT902", 2, "unused suppression: TNT103")
    ]


def test_noqa_never_raises_tnt901() -> None:
    _, _, meta = run("x = Invoice.objects.all()  # noqa: TNT101\n", finding("TNT101", 1))
    assert meta == []


def test_meta_findings_cannot_be_suppressed_by_comments() -> None:
    meta_finding = finding("TNT902", 1)
    reported, suppressed, _ = run("x = 1  # noqa\n", meta_finding)
    assert reported == [meta_finding] and suppressed == []


def test_two_directives_in_one_comment() -> None:
    source = "x = Invoice.objects.all()  # noqa: E501  # tenantlint: ignore[TNT101] admin export\n"
    comments = parse_suppressions(source)
    assert [(c.kind, c.codes, c.reason) for c in comments] == [
        ("noqa", ("E501",), ""),
        ("tenantlint", ("TNT101",), "admin export"),
    ]
    _, suppressed, meta = run(source, finding("TNT101", 1))
    assert suppressed[0].suppression == Suppression("tenantlint", "admin export") and meta == []


def test_untokenizable_source_keeps_comments_found_so_far() -> None:
    comments = parse_suppressions("x = 1  # noqa: TNT101\ny = (\n")
    assert comments == (SuppressionComment(1, 8, "noqa", ("TNT101",), "", 1, 1, "# noqa: TNT101"),)


def test_ignore_without_codes_covers_all_and_reports_when_unused() -> None:
    source = (
        "a = Invoice.objects.all()  # tenantlint: ignore admin tool\n"
        "b = 1  # tenantlint: ignore[]\n"
    )
    comments = parse_suppressions(source)
    assert [(c.codes, c.reason) for c in comments] == [((), "admin tool"), ((), "")]
    reported, suppressed, meta = run(source, finding("TNT101", 1), finding("TNT202", 1))
    assert reported == [] and len(suppressed) == 2
    assert [(m.code, m.line, m.message) for m in meta] == [
        ("TNT901", 2, "suppression of all codes has no reason"),
        ("TNT902", 2, "unused suppression: all codes"),
    ]
