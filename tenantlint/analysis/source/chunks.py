"""A very large file cut into chunks of whole top-level statements, so that its trees never exist at
once: libcst's tree takes ~460 bytes of memory per source byte and CPython's ``ast`` ~130, so a 5 MB
file parsed whole needs ~3 GB.

A chunk is a run of top-level statements of about :data:`CHUNK_CHARS` characters. It is cut at a
line that starts in column 0 with code (not a comment, a closing bracket or an ``else``-like
keyword) once the chunk's text (below) up to that line parses with CPython's parser: the first
chunk starts at the top of the file, and a chunk that parses cannot end inside a string, a bracket
or a compound statement that began in it, so every cut lies between two top-level statements. That
parse's tree goes with the chunk (``Chunk.tree``): its reader does not parse the text again. Each
chunk is analysed as its own text: the file's lines with everything outside the chunk blanked,
except the small top-level statements before it that are not functions (imports, ``app =
Flask(__name__)``, ``router = APIRouter()``, constants, classes of a few KiB; up to 256 KiB of
them), so that names bound at module level still resolve; a long run of blanked lines is one
string statement of as many lines (:data:`PAD_STRING_LINES`). Only what lies on a chunk's own lines
is reported from it (``runner.merge_chunks``): a repeated statement is reported once, from its own
chunk.
Lines and columns are therefore the file's own, and no finding needs to be moved.

What a chunk does not see: functions and large classes defined in an earlier chunk, anything
defined after it (documented in docs/configuration.md under ``chunk_file_bytes``).
"""

from __future__ import annotations

import ast
import re
import sys
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field

from tenantlint.analysis.source.cpython import GUARD_RECURSION_LIMIT

CHUNK_CHARS = 256 * 1024
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")  # lines as the tokenizer counts them
_CONTINUES = re.compile(r"(?:else|elif|except|finally)\b")  # the rest of a compound statement


@dataclass
class Chunk:
    first: int  # 0-based index of its first line
    end: int  # one past its last line
    text: str  # the file's lines up to ``end``, blank outside the chunk but for earlier imports
    # CPython's tree of ``text``, parsed to find the cut (None for the last chunk): handed to the
    # reader with :meth:`take_tree`, so ``text`` is not parsed by CPython a second time
    tree: ast.Module | None = field(default=None, repr=False, compare=False)

    def take_tree(self) -> ast.Module | None:
        """The tree, given once (the chunk no longer holds it: it is dropped as soon as its
        reader is done with it, before libcst parses the same text)."""
        tree, self.tree = self.tree, None
        return tree


def _lines(text: str) -> list[str]:
    return _LINE.findall(text)


def _may_start(line: str) -> bool:
    """A line that can begin a top-level statement (the parse of the chunk before it decides)."""
    if not line or line[0] in " \t\f#\r\n)]}":
        return False
    return _CONTINUES.match(line) is None


def _parses(text: str) -> ast.Module | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


KEPT_STATEMENT_CHARS = 4096  # a larger earlier statement (a long function) is not repeated
KEPT_CHARS = 256 * 1024  # at most this much of earlier chunks is repeated in a chunk


def _module_lines(tree: ast.Module, first: int, lines: list[str], budget: int,
                  imports_only: bool) -> tuple[list[int], int]:
    """0-based file line numbers of a chunk's top-level statements to repeat in later chunks
    (imports, ``app = Flask(__name__)``, ``router = APIRouter()``, constants, small classes: not
    functions), each under :data:`KEPT_STATEMENT_CHARS` and all within ``budget`` characters; and
    what is left of the budget. ``tree``: of the chunk's text (the file's line numbers), whose
    statements above line ``first`` (repeated from earlier chunks) are not the chunk's own."""
    out: list[int] = []
    for stmt in tree.body:
        if stmt.lineno - 1 < first:
            continue
        if imports_only and not isinstance(stmt, ast.Import | ast.ImportFrom):
            continue
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
            continue  # a function elsewhere in the file is not needed to walk this chunk
        span = range(stmt.lineno - 1, stmt.end_lineno or stmt.lineno)
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) and stmt.decorator_list:
            span = range(stmt.decorator_list[0].lineno - 1, span.stop)
        cost = sum(len(lines[i]) for i in span)
        if cost > min(budget, KEPT_STATEMENT_CHARS):
            continue
        budget -= cost
        out.extend(span)
    return out, budget


# A run of at least this many blanked lines is one string statement over as many lines instead
# (``"""`` newlines ``"""``): libcst builds several nodes for each empty line, and the 20th chunk
# of a 5 MB file is preceded by ~140,000 of them (a third of its parse and of its positions).
PAD_STRING_LINES = 64


def _padded(lines: list[str], first: int, end: int, imports: list[int]) -> str:
    parts = []
    i = 0  # the next line to write
    for kept in [*sorted(set(imports)), first]:
        if kept > i:  # blanked lines i .. kept - 1 (a string before a ``__future__`` import is
            # refused by the compiler, which never runs here, not by either parser)
            if kept - i >= PAD_STRING_LINES:
                parts.append('"""' + "\n" * (kept - i - 1) + '"""\n')
            else:
                parts.append("\n" * (kept - i))
        if kept < first:
            parts.append(lines[kept])
        i = kept + 1
    parts.extend(lines[first:end])
    return "".join(parts)


def chunks(text: str, size: int | None = None, imports_only: bool = False) -> Iterator[Chunk]:
    """The chunks of ``text`` in order, of about ``size`` characters (:data:`CHUNK_CHARS`); one
    chunk, the whole text, when it cannot be cut (one huge function, a syntax error). Each is built
    only when asked for, so only one chunk's text and trees need to be alive at a time.
    ``imports_only``: repeat only earlier imports (the project pre-pass, whose records of models
    and names must not count a repeated statement twice)."""
    size = size or CHUNK_CHARS
    lines = _lines(text)
    imports: list[int] = []  # earlier chunks' module-level lines, kept in each later chunk
    budget = KEPT_CHARS  # at most this many characters of them
    first = 0
    chars = 0
    retry_at = size  # after a failed cut, grow by another ``size`` before parsing again
    i = 0
    while i < len(lines):
        if i > first and chars >= retry_at and _may_start(lines[i]):
            # the chunk's own text is parsed (the lines before it are whole statements): its
            # tree is the reader's too, when the depth guard would have parsed it the same way
            text_i = _padded(lines, first, i, imports)
            tree = _parses(text_i)
            if tree is not None:
                found, budget = _module_lines(tree, first, lines, budget, imports_only)
                guarded = sys.getrecursionlimit() <= GUARD_RECURSION_LIMIT
                yield Chunk(first, i, text_i, tree if guarded else None)
                del tree, text_i
                imports.extend(found)
                first, chars, retry_at = i, 0, size
            else:
                retry_at = chars + size
        chars += len(lines[i])
        i += 1
    if first == 0:
        yield Chunk(0, len(lines), text)
    else:
        yield Chunk(first, len(lines), _padded(lines, first, len(lines), imports))
