"""``string_literal`` equals libcst's ``evaluated_value`` (``ast.literal_eval``) on every string."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tenantlint.analysis.interp.literals import string_literal
from tenantlint.analysis.source.parse import decode
from tenantlint.analysis.source.positions import preorder

ROOT = Path(__file__).resolve().parent.parent
CASES = [
    '""', "''", '""""""', "''''''", '"a"', "'a\\'b'", '"a\\nb"', 'r"a\\nb"', 'R"\\d+"', 'u"x"',
    'b"x"', 'rb"\\x"', 'Br"\\x"', '"""a\nb"""', "'''a\r\nb'''", '"""a\\\nb"""', '"é\\u00e9"',
    '"a" "b"', 'b"a" b"b"', '"a" f"{b}"', '"a" r"\\s" "c"', '"\\N{BULLET}"',
    '"""\'quoted\'"""', "'\"'", '"SELECT * FROM t WHERE org_id = %s"',
]


def _strings(module: cst.Module) -> list[cst.SimpleString | cst.ConcatenatedString]:
    return [n for n in preorder(module) if isinstance(n, cst.SimpleString | cst.ConcatenatedString)]


@pytest.mark.parametrize("source", CASES)
def test_cases(source: str) -> None:
    (node,) = [n for n in _strings(cst.parse_module(f"x = {source}\n"))
               if not isinstance(n, cst.SimpleString) or source.startswith(n.value)][:1]
    assert string_literal(node) == node.evaluated_value


def test_every_fixture_string() -> None:
    count = 0
    for path in sorted((ROOT / "fixtures").rglob("*.py")):
        try:
            module = cst.parse_module(decode(path.read_bytes()))
        except cst.ParserSyntaxError:
            continue
        for node in _strings(module):
            assert string_literal(node) == node.evaluated_value, node.value if isinstance(
                node, cst.SimpleString) else "concatenated"
            count += 1
    assert count > 1000


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab'\"\\\r\n\t é{}%")), max_size=12),
       st.sampled_from(["", "r", "u", "b", "rb", "R", "U"]),
       st.sampled_from(['"', "'", '"""', "'''"]))
def test_generated(body: str, prefix: str, quote: str) -> None:
    if "b" in prefix.lower() and not body.isascii():
        return
    source = f"x = {prefix}{quote}{body}{quote}\n"
    try:
        module = cst.parse_module(source)
    except Exception:
        return  # not a valid literal
    for node in _strings(module):
        try:
            expected = node.evaluated_value
        except (SyntaxError, ValueError):
            continue
        assert string_literal(node) == expected


def test_text_cpython_rejects_is_still_validated() -> None:
    """Validation is skipped only for text CPython accepted: mixing bytes and str stays an error."""
    from tenantlint.analysis.source.parse import SourceError, parse

    with pytest.raises(SourceError):
        parse('x = "a" b"b"\n')
    assert isinstance(parse('x = "a" "b"\n'), cst.Module)


def test_warnings_about_the_analysed_code_do_not_leak(tmp_path: Path) -> None:
    """``"\\."`` makes CPython warn (invalid escape sequence); analysing such a file, with a finding
    to position, must not turn that warning into the run's own."""
    import warnings

    from tenantlint.api import check_source, load_config, make_settings

    (tmp_path / "tenantlint.toml").write_text('tenant_tables = ["ledger"]\n')
    config = load_config(tmp_path)
    settings = make_settings(config)
    source = (
        'PATTERN = "a\\.b"\n\n\n'
        "def f(cursor):\n"
        "    cursor.execute(\"SELECT * FROM ledger WHERE x = '\\\\d'\")\n"
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = check_source(source, "app/x.py", config, settings)
    assert [f.code for f in result.findings] == ["TNT101"]
    assert [str(w.message) for w in caught] == []
