"""Very large files are analysed a chunk of top-level statements at a time (``chunk_file_bytes``):
cuts fall only between top-level statements, lines keep their numbers, and the findings are the
ones of the whole file."""

from __future__ import annotations

import ast
import dataclasses
import shutil
import sys
from pathlib import Path

import libcst as cst
import pytest

import tenantlint.analysis.source.chunks as chunking
from tenantlint.analysis.source.chunks import chunks
from tenantlint.api import check_paths, load_config

ROOT = Path(__file__).resolve().parent.parent

HOSTILE = '''\
"""Module docstring.
def not_a_function():
    pass
"""
import os
from typing import (
    Any,
)

x = """
class NotAClass:
    y = 1
"""


@decorator
def f(a):
    return a


if os.environ:
    z = 1
else:
    z = 2
try:
    import json
except ImportError:
    json = None
finally:
    pass
total = 1 + \\
2
# a comment in column 0
class C:
    def m(self):
        s = """
def inside():
"""
        return s
''' * 3


def _lines(text: str) -> list[str]:
    return text.splitlines()


@pytest.mark.parametrize("size", [1, 40, 200, 10_000])
def test_cuts_only_between_top_level_statements(size: int) -> None:
    whole = _lines(HOSTILE)
    tops = {stmt.lineno - 1 for stmt in ast.parse(HOSTILE).body}
    tops |= {s.decorator_list[0].lineno - 1 for s in ast.parse(HOSTILE).body
             if isinstance(s, ast.FunctionDef) and s.decorator_list}
    found = list(chunks(HOSTILE, size))
    assert found[0].first == 0 and found[-1].end == len(whole)
    for before, after in zip(found, found[1:], strict=False):
        assert before.end == after.first
        assert after.first in tops or whole[after.first].startswith("@")
    for chunk in found:
        mine = _lines(chunk.text)
        assert len(mine) == chunk.end  # every line keeps its number
        assert mine[chunk.first:] == whole[chunk.first:chunk.end]
        # blanked, kept, or a long blank run turned into one string statement over its lines
        assert all(line in ("", '"""', whole[i]) for i, line in enumerate(mine[:chunk.first]))
        ast.parse(chunk.text)
    if size == 1:
        assert len(found) > 20


def test_earlier_imports_and_module_values_are_repeated_not_functions() -> None:
    text = ("import os\nrouter = make()\n\n\ndef helper():\n    return 1\n\n\n"
            "class Small:\n    pass\n\n\nx = 2\n")
    last = list(chunks(text, 1))[-1]
    assert last.first == 12
    kept = [line for line in _lines(last.text)[:12] if line]
    assert kept == ["import os", "router = make()", "class Small:", "    pass"]
    only = list(chunks(text, 1, imports_only=True))[-1]
    assert [line for line in _lines(only.text)[:12] if line] == ["import os"]


def test_a_file_that_cannot_be_cut_is_one_chunk() -> None:
    text = "def one():\n" + "".join(f"    x{i} = {i}\n" for i in range(2000))
    assert [(c.first, c.end, c.text == text) for c in chunks(text, 100)] == [(0, 2001, True)]
    broken = "x = 1\n" * 50 + "def broken(:\n" + "y = 2\n" * 50
    found = list(chunks(broken, 10))
    assert found[-1].end == 101 and "def broken(:" in found[-1].text  # reported where it is


@pytest.mark.parametrize("app", ["fastapi_hr", "rawsql_psycopg", "django_billing", "flask_tasks"])
def test_chunked_analysis_finds_what_the_whole_file_does(app: str, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / app
    shutil.copytree(ROOT / "fixtures" / app, root)
    monkeypatch.chdir(root)
    config = load_config(root)
    whole = check_paths([root], dataclasses.replace(config, chunk_file_bytes=0))
    parsed: list[int] = []
    import tenantlint.analysis.engine as engine

    real_parse = engine.parse

    def recording_parse(text: str, accepted: bool | None = None, tree: ast.Module | None = None) -> object:
        parsed.append(len(text))
        return real_parse(text, accepted, tree)

    monkeypatch.setattr(engine, "parse", recording_parse)
    monkeypatch.setattr(chunking, "CHUNK_CHARS", 300)
    cut = check_paths([root], dataclasses.replace(config, chunk_file_bytes=1))
    assert len(parsed) > len({f.path for f in whole.findings}) * 2  # files were analysed in pieces
    assert [(f.path, f.line, f.column, f.code, f.message) for f in cut.findings] == [
        (f.path, f.line, f.column, f.code, f.message) for f in whole.findings]
    assert cut.errors == whole.errors
    # each query site counted once: not again in the later chunks that repeat its small statement
    assert cut.stats.queries == whole.stats.queries


def test_chunk_file_bytes_is_a_config_key(tmp_path: Path) -> None:
    (tmp_path / "tenantlint.toml").write_text("chunk_file_bytes = 2000000\n")
    assert load_config(tmp_path).chunk_file_bytes == 2_000_000


def test_long_blanked_runs_are_one_string_statement() -> None:
    text = ('"""Module docstring."""\n' + "# licence\n" * 100 + "from __future__ import annotations\n"
            + "import os\n" + "".join(f"\n\ndef f{i}(a):\n    return os.sep + a\n" for i in range(200)))
    found = list(chunks(text, 500))
    assert len(found) > 5
    whole = text.splitlines()
    for chunk in found[1:]:
        lines = chunk.text.splitlines()
        assert len(lines) == chunk.end  # every line keeps its number
        assert lines[chunk.first:] == whole[chunk.first:chunk.end]
        module = ast.parse(chunk.text)
        tree = cst.parse_module(chunk.text)
        assert tree.code == chunk.text
        padding = [s for s in module.body if isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant)
                   and isinstance(s.value.value, str) and s.value.value.strip() == ""]
        if chunk.first > 300:
            assert padding  # the blanked functions of earlier chunks: one string statement
            # libcst holds a few empty-line nodes, not one per blanked line
            empty = len(tree.header) + sum(len(getattr(s, "leading_lines", ())) for s in tree.body)
            assert empty < chunk.first / 10


@pytest.mark.parametrize("size", [1, 40, 200])
def test_each_cut_chunk_carries_cpython_s_tree_of_its_text(size: int) -> None:
    found = list(chunks(HOSTILE, size))
    assert len(found) > 1
    for chunk in found[:-1]:  # the last one was not parsed to find a cut
        tree = chunk.take_tree()
        assert tree is not None and chunk.take_tree() is None  # handed over once
        assert ast.dump(tree, include_attributes=True) == ast.dump(ast.parse(chunk.text),
                                                                   include_attributes=True)
    assert found[-1].take_tree() is None


def test_the_readers_of_a_chunked_file_do_not_parse_a_cut_chunk_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import tenantlint.analysis.source.parse as parsing
    import tenantlint.prepass as prepass

    root = tmp_path / "app"
    shutil.copytree(ROOT / "fixtures" / "django_billing", root)
    monkeypatch.chdir(root)
    config = load_config(root)
    guarded: list[str] = []
    prepass_guarded: list[str] = []
    real = parsing.guarded_ast

    def counting(text: str) -> ast.Module | None:
        caller = Path(sys._getframe(1).f_code.co_filename).name
        if caller in ("runner.py", "prepass.py"):
            guarded.append(text)  # the readers' own guard (not the call-site pass's re-analysis)
        if caller == "prepass.py":
            prepass_guarded.append(text)
        return real(text)

    monkeypatch.setattr(parsing, "guarded_ast", counting)  # the analysis imports it when it runs
    monkeypatch.setattr(prepass, "guarded_ast", counting)
    monkeypatch.setattr(chunking, "CHUNK_CHARS", 300)
    whole = check_paths([root], dataclasses.replace(config, chunk_file_bytes=0))
    # the pre-pass guards each file once (the analysis at most once more: not a file the pre-pass
    # parsed and whose text the prefilter skips)
    files = len(prepass_guarded)
    assert len(guarded) <= 2 * files
    guarded.clear()
    cut = check_paths([root], dataclasses.replace(config, chunk_file_bytes=1))
    assert [(f.path, f.line, f.code) for f in cut.findings] == [
        (f.path, f.line, f.code) for f in whole.findings]
    assert files > 3
    # each reader guards only a file's last chunk (the chunker parsed the others to cut them)
    assert len(guarded) <= 2 * files
