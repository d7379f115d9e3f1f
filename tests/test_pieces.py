"""A huge function is parsed by libcst in pieces of its body and joined again
(``analysis/source/pieces.py``): the joined tree is the whole parse's, node for node, and the
findings of a file analysed through pieces are those of the whole parse."""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import libcst as cst
import pytest

import tenantlint.analysis.source.pieces as pieces
from tenantlint.analysis.source.parse import parse
from tenantlint.analysis.source.pieces import parse_in_pieces
from tenantlint.analysis.source.positions import statement_skeleton
from tenantlint.api import check_paths, load_config

ROOT = Path(__file__).resolve().parent.parent

SHAPES = '''\
# -*- coding: utf-8 -*-
"""Module docstring."""
import os


class Before:
    x = 1


@decorator(
    "arg",
)
# a comment between decorator and def
async def huge(a,  # a comment in the signature
               b: int = 2,
               ) -> None:
    # a comment above the body
    x = 1
    y = 2; z = 3

    # a comment between statements
    if x:
        w = 4
        # a trailing comment of the if block

    v = """
    not = a statement
    """
    for i in range(3):
        pass
    else:
        u = 1
    t = 5  # a trailing comment
\t
    s = 6
    @inner
    def nested():
        return 1
    r = [
        1,
# a comment in column 0 inside brackets
    ]
    try:
        q = 1
    except (ValueError, KeyError) as exc:
        q = 2
    p = 7


    o = 8
    # a comment at the end of the body


# after the function
def after():
    return os.sep
'''


def _whole(text: str) -> cst.Module:
    return cst.parse_module(text)


@pytest.fixture
def tiny(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cut every function, as often as the rules allow."""
    monkeypatch.setattr(pieces, "MIN_BODY_CHARS", 0)
    monkeypatch.setattr(pieces, "PIECE_CHARS", 1)


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
@pytest.mark.parametrize("skeleton", [False, True])
def test_pieces_give_the_whole_parse(tiny: None, newline: str, skeleton: bool) -> None:
    text = SHAPES.replace("\n", newline)
    tree = ast.parse(text)
    joined = parse_in_pieces(text, statement_skeleton(tree) if skeleton else tree, cst.parse_module)
    assert joined is not None
    assert joined.deep_equals(_whole(text))
    assert joined.code == text


def test_cuts_only_after_simple_statements_that_end_their_line(tiny: None) -> None:
    tree = ast.parse(SHAPES)
    fn = pieces._biggest_function(tree)
    assert fn is not None and fn.name == "huge"
    lines = SHAPES.splitlines(keepends=True)
    starts = [lines[i].strip() for i in pieces._cuts(fn, lines)]
    # never inside "y = 2; z = 3", never after a block (if, for, try, nested def), never before a
    # comment line; blank lines (also "\t") begin a piece; a decorated def begins at its decorator
    assert starts == ["y = 2; z = 3", "for i in range(3):", "", "@inner", "try:", ""]


def test_a_body_the_rules_cannot_cut_is_parsed_whole(tiny: None) -> None:
    one_block = "def f():\n    if x:\n" + "".join(f"        a{i} = {i}\n" for i in range(50))
    assert parse_in_pieces(one_block, ast.parse(one_block), cst.parse_module) is None
    one_line = "def f(): return 1\n"
    assert parse_in_pieces(one_line, ast.parse(one_line), cst.parse_module) is None


def test_pieces_indented_unlike_the_file_fall_back(tiny: None) -> None:
    # the first indented block sets the module's default indent: two spaces before, four in the body
    text = "class A:\n  x = 1\n\n\ndef f():\n" + "".join(f"    a{i} = {i}\n" for i in range(20))
    assert parse_in_pieces(text, ast.parse(text), cst.parse_module) is None
    assert parse(text, True, ast.parse(text)).deep_equals(_whole(text))  # parsed whole instead


def test_a_large_function_is_parsed_in_pieces_by_default() -> None:
    body = "".join(f"    row{i} = Invoice.objects.filter(number={i})\n" for i in range(3000))
    text = "from app.models import Invoice\n\n\ndef view(request):\n" + body
    assert len(text) > pieces.MIN_BODY_CHARS
    calls: list[int] = []

    def counting(piece: str) -> cst.Module:
        calls.append(len(piece))
        return cst.parse_module(piece)

    joined = parse_in_pieces(text, ast.parse(text), counting)
    assert joined is not None and len(calls) >= len(text) // pieces.PIECE_CHARS
    assert max(calls) < 2 * pieces.PIECE_CHARS
    assert joined.deep_equals(_whole(text))


def test_fixture_files_parse_alike_whole_and_in_pieces(tiny: None) -> None:
    cut = 0
    for path in sorted((ROOT / "fixtures").rglob("*.py")):
        text = path.read_text()
        try:
            tree = ast.parse(text)
        except SyntaxError:
            continue
        joined = parse_in_pieces(text, tree, cst.parse_module)
        if joined is not None:
            cut += 1
            assert joined.deep_equals(_whole(text)), path
    assert cut > 50


@pytest.mark.parametrize("app", ["django_billing", "fastapi_hr", "flask_owner_rows", "rawsql_psycopg",
                                 "django_realm_views"])
def test_findings_are_the_same_whole_and_in_pieces(app: str, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / app
    shutil.copytree(ROOT / "fixtures" / app, root)
    monkeypatch.chdir(root)
    config = load_config(root)
    whole = check_paths([root], config)
    joined: list[int] = []
    real = pieces.parse_in_pieces

    def recording(text: str, tree: ast.Module, parse: object) -> cst.Module | None:
        module = real(text, tree, parse)  # type: ignore[arg-type]
        if module is not None:
            joined.append(len(text))
        return module

    monkeypatch.setattr(pieces, "MIN_BODY_CHARS", 0)
    monkeypatch.setattr(pieces, "PIECE_CHARS", 1)
    import tenantlint.analysis.source.parse as parsing

    monkeypatch.setattr(parsing, "parse_in_pieces", recording)
    cut = check_paths([root], config)
    assert joined  # some files were parsed in pieces
    assert cut.findings == whole.findings  # spans, messages, snippets, traces
    assert cut.errors == whole.errors
    assert cut.stats.queries == whole.stats.queries
