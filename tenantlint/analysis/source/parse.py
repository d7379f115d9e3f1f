"""Reading and parsing one file, and turning libcst nodes into 1-based spans on demand.

Parsing is cheap next to libcst's metadata providers (each walks the whole tree again): a file is
parsed once, with no metadata providers. Positions are resolved only for files that have something
to report.
"""

from __future__ import annotations

import ast
import gc
import io
import re
import sys
import tokenize
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import libcst as cst

from tenantlint.analysis.interp.failure import SourceError as SourceError  # re-exported
from tenantlint.analysis.source.chains import parse_with_chains
from tenantlint.analysis.source.cpython import GUARD_RECURSION_LIMIT, parse_quietly
from tenantlint.analysis.source.pieces import parse_in_pieces
from tenantlint.analysis.source.positions import StatementPositions
from tenantlint.analysis.source.recover import parse_recovering
from tenantlint.results import Span


def decode(data: bytes) -> str:
    """Decode Python source bytes honouring a BOM and a PEP 263 coding declaration."""
    if b"\x00" in data:
        raise SourceError("file contains NUL bytes")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        raise SourceError(f"bad encoding declaration: {exc.msg}") from None
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise SourceError(f"cannot decode as {encoding}: {exc}") from None
    return text.removeprefix("\ufeff")


# libcst's native parser recurses on the C stack and crashes the process (SIGSEGV) on input nested
# too deeply; CPython's own parser fails cleanly on the same input, so it guards libcst.
MAX_BOOL_OPERANDS = 2000
# ``and``/``or`` ending a word: a search for these scans for their first letters only (with a leading
# ``\b`` it tries a match at every position of the text, ~7 times slower); see ``bool_words``
_BOOL_ENDS = re.compile(r"(?:and|or)\b")
_WORD_CHAR = re.compile(r"\w")


def bool_words(text: str) -> int:
    r"""How many ``and``/``or`` words ``text`` spells (``len(re.findall(r"\b(?:and|or)\b", text))``):
    the matches of ``(?:and|or)\b`` that no word character precedes."""
    return sum(1 for m in _BOOL_ENDS.finditer(text)
               if not m.start() or _WORD_CHAR.match(text, m.start() - 1) is None)


def _too_complex(tree: ast.Module) -> bool:
    return any(isinstance(n, ast.BoolOp) and len(n.values) > MAX_BOOL_OPERANDS for n in ast.walk(tree))


def guarded_ast(text: str) -> ast.Module | None:
    """CPython's tree of the text, or None on an ordinary syntax error; raises SourceError for text
    whose nesting would crash the native libcst parser (the guard run before every libcst parse)."""
    limit = sys.getrecursionlimit()
    try:
        # CPython's parser scales its depth check with the recursion limit; the native libcst parser
        # does not. Check at the default limit even inside `nesting_headroom`, or a chain that
        # CPython accepts at 25,000 frames crashes libcst (SIGSEGV).
        sys.setrecursionlimit(min(limit, GUARD_RECURSION_LIMIT))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(text)
    except (RecursionError, MemoryError):
        raise SourceError("expression nested too deeply to parse") from None
    except SyntaxError as exc:
        if "too many nested" in str(exc.msg) or "too complex" in str(exc.msg):
            raise SourceError(f"cannot parse: {exc.msg}", exc.lineno or 1, exc.offset or 1) from None
        return None  # an ordinary syntax error: libcst reports it with its own message
    except ValueError as exc:
        raise SourceError(f"cannot parse: {exc}") from None
    finally:
        sys.setrecursionlimit(limit)
    return checked_ast(text, tree)


def checked_ast(text: str, tree: ast.Module) -> ast.Module:
    """What :func:`guarded_ast` checks of a tree CPython already built for ``text`` (at most at
    the guard's recursion limit): raises SourceError when libcst must not parse the text."""
    if bool_words(text) > MAX_BOOL_OPERANDS and _too_complex(tree):
        raise SourceError(f"boolean expression with more than {MAX_BOOL_OPERANDS} operands")
    return tree


def _skip_validation(self: cst.CSTNode) -> None:
    return None


@contextmanager
def _parser_built_nodes() -> Iterator[None]:
    """Skip libcst's per-node ``_validate`` while its native parser builds a tree: the parser only
    builds valid nodes, and validation is about 12% of a parse. Restored on exit, so nodes built
    anywhere else (``with_changes``, other libcst users in the same process) are still checked."""
    base = cst.CSTNode
    original = base.__dict__.get("__post_init__")
    if original is None:  # a libcst without the hook: nothing to skip
        yield
        return
    base.__post_init__ = _skip_validation  # type: ignore[method-assign]
    try:
        with _collector_paused():
            yield
    finally:
        base.__post_init__ = original  # type: ignore[method-assign]


@contextmanager
def _collector_paused() -> Iterator[None]:
    """The cyclic collector paused while the parser builds a tree: a tree has no cycles, and each
    young-generation pass over millions of new nodes finds nothing (a third of a big file's parse).
    Restored (when it was on) on exit, when one pass ages the new tree at once."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# A tree of a text this large is kept out of the collector's passes while it is read (below).
BIG_TREE_CHARS = 64 * 1024


@contextmanager
def collector_paused_after(text: str) -> Iterator[Callable[[], None]]:
    """A ``pause()`` to call before the trees of ``text`` are built: for a large text, the cyclic
    collector is off from then until the block ends (the caller drops the trees first, so they are
    freed by reference counting, not by a pass that walks them once more). A tree has no cycles
    (reference counting frees it), but each pass of the collector over the young and middle
    generations walks every node that has not aged yet: the walk of a 50,000-statement function
    spent ~10% of its time there. (Not ``gc.freeze``: undoing it would also hand the objects the
    CLI and the worker processes froze on purpose back to the collector.) The peak memory of that
    walk is unchanged."""
    paused = False

    def pause() -> None:
        nonlocal paused
        if not paused and len(text) >= BIG_TREE_CHARS and gc.isenabled():
            gc.disable()
            paused = True

    try:
        yield pause
    finally:
        if paused:
            gc.enable()


def parse(text: str, accepted: bool | None = None, tree: ast.Module | None = None) -> cst.Module:
    """libcst's tree of ``text``. ``accepted``: what the caller's :func:`guarded_ast` found — True:
    CPython parsed ``text``; False: a syntax error; None: not run yet (it runs here). libcst's node
    validation is skipped only for text CPython accepted: CPython also enforces what validation
    checks (``"a" b"b"``), but libcst's parser alone does not. ``tree``: that CPython tree, when
    the caller kept it: a huge function is then parsed in pieces (``pieces.py``)."""
    if accepted is None:
        tree = guarded_ast(text)
        accepted = tree is not None
    try:
        if accepted:
            with _parser_built_nodes():
                joined = _in_pieces(text, tree) if tree is not None else None
                if joined is None and tree is not None:
                    joined = _with_chains(text, tree)
                return joined if joined is not None else cst.parse_module(text)
        return cst.parse_module(text)
    except cst.ParserSyntaxError as exc:
        recovered = parse_recovering(text, exc)  # valid Python beyond libcst's grammar
        if recovered is not None:
            return recovered
        # CPython's own parser names the real cause ("'(' was never closed") and its line.
        try:
            parse_quietly(text)
        except SyntaxError as py_exc:
            raise SourceError(f"syntax error: {py_exc.msg}", py_exc.lineno or 1,
                              py_exc.offset or 1) from None
        except (ValueError, RecursionError, MemoryError):
            pass
        raise SourceError(f"syntax error: {exc.message}", exc.raw_line, exc.raw_column + 1) from None
    except RecursionError:
        raise SourceError("expression nested too deeply to parse") from None
    except (SyntaxError, ValueError, UnicodeError) as exc:
        raise SourceError(f"cannot parse: {exc}") from None


def _in_pieces(text: str, tree: ast.Module) -> cst.Module | None:
    try:
        return parse_in_pieces(text, tree, cst.parse_module)
    except (cst.ParserSyntaxError, SyntaxError, ValueError, UnicodeError):
        return None  # the whole parse reports it


def _with_chains(text: str, tree: ast.Module) -> cst.Module | None:
    try:
        return parse_with_chains(text, tree, cst.parse_module)
    except (cst.ParserSyntaxError, SyntaxError, ValueError, UnicodeError, RecursionError):
        return None  # the whole parse reports it


@dataclass
class Positions:
    """Lazily resolved node positions of one parsed module.

    With the module's ``text``, positions are resolved per top-level statement (``positions.py``);
    without it, by ``PositionProvider`` over the whole module.
    """

    module: cst.Module
    text: str | None = None
    tree: ast.Module | None = None  # CPython's tree of ``text``, when already parsed
    hints: dict[int, cst.CSTNode] | None = None  # id(node) -> its statement, from the walker
    # id(a node the analysis built) -> the written node whose position it has (``executor_calls.py``)
    stand_ins: dict[int, cst.CSTNode] | None = None
    _resolver: StatementPositions | None = None

    def _positions(self) -> StatementPositions:
        if self._resolver is None:
            self._resolver = StatementPositions(self.module, self.text, self.tree, self.hints,
                                                stand_ins=self.stand_ins)
        return self._resolver

    def span(self, node: cst.CSTNode) -> Span:
        return self._positions().span(node)

    def expect(self, nodes: list[cst.CSTNode]) -> None:
        """The spans of ``nodes`` will be asked for next, in order (``StatementPositions.expect``)."""
        self._positions().expect(nodes)

    def line(self, node: cst.CSTNode) -> int:
        """A cheap first line of ``node`` (of its statement when not resolved yet): see
        ``StatementPositions.line``."""
        return self._positions().line(node)

    def last_line(self, stmt: cst.CSTNode) -> int:
        """A cheap last line of the statement ``stmt`` (``StatementPositions.last_line``)."""
        return self._positions().last_line(stmt)

    def snippet(self, node: cst.CSTNode, limit: int = 200) -> str:
        """The node's code on one line (whitespace runs collapsed), cut at ``limit`` characters;
        sliced from the code that resolved its span when there is one (no second code generation)."""
        source = self._resolver.source(node) if self._resolver is not None else None
        if source is None:
            source = self.module.code_for_node(node)
        code = " ".join(source.split())
        return code if len(code) <= limit else code[: limit - 3] + "..."
