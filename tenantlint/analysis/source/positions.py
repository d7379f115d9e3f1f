"""Node positions without resolving ``PositionProvider`` on the whole module.

A node's span is computed inside its innermost enclosing statement (descending through class and
function bodies): that statement is kept alone inside copies of its ancestors (so indentation, hence
columns, are unchanged), ``PositionProvider`` runs on that small module, and the line offset is the
statement's line from CPython's ``ast`` minus its line there. Any disagreement between the two
parsers falls back to the whole-module provider, so spans are always exactly libcst's.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence
from contextlib import nullcontext

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from tenantlint.analysis.source.call_spans import (
    CallKey,
    Quad,
    call_keys,
    quietly,
    spans_from_keys,
    statement_call_spans,
)
from tenantlint.analysis.source.children import child_nodes as child_nodes
from tenantlint.analysis.source.children import code_children as code_children
from tenantlint.analysis.source.children import is_node as is_node
from tenantlint.analysis.source.children import preorder as preorder
from tenantlint.analysis.source.cpython import parse_quietly
from tenantlint.analysis.source.offsets import CodeOffsets, code_offsets
from tenantlint.results import Span

_NEWLINE = re.compile(r"\r\n?|\n")


def whole_module_ranges(module: cst.Module) -> dict[cst.CSTNode, CodeRange]:
    """``PositionProvider``'s ranges of every node (what :func:`code_offsets` must agree with)."""
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    return dict(wrapper.resolve(PositionProvider))


# After this many statements resolved one at a time, the rest of the file's spans come from one
# pass of the provider over the whole module (many findings in one file: linear, not per statement),
# unless :meth:`StatementPositions.expect` found the statements to resolve a small part of the code.
MAX_STATEMENTS = 256
# A statement resolved alone costs about this many times its share of the whole module's code
# generation (its synthetic blocks and module, its own maps).
ALONE_COST = 2

# A statement path: one (suite, statement) step per level. Suite 0 of the module is its body; a
# compound statement's suites are its indented blocks in source order (``_cst_suites``).
Path = tuple[tuple[int, int], ...]
# A block on both sides: libcst's statements, CPython's, the indentation of the blocks down to it
_Block = tuple[Sequence[cst.BaseStatement], list[ast.stmt], list[str | None]]


_AST_KINDS: dict[type, tuple[type, ...]] = {
    cst.FunctionDef: (ast.FunctionDef, ast.AsyncFunctionDef),
    cst.ClassDef: (ast.ClassDef,),
    cst.With: (ast.With, ast.AsyncWith),
    cst.For: (ast.For, ast.AsyncFor),
    cst.While: (ast.While,),
    cst.If: (ast.If,),
    cst.Try: (ast.Try,),
    cst.TryStar: (getattr(ast, "TryStar", ast.Try),),
    cst.Match: (ast.Match,),
}


def _cst_suites(stmt: cst.CSTNode) -> list[cst.BaseSuite]:
    """A compound statement's suites in source order; an ``elif`` stays part of its ``if``."""
    if type(stmt) is cst.SimpleStatementLine:  # most statements: no ``isinstance`` on libcst's
        return []  # abstract classes, each failing one through ``ABCMeta.__instancecheck__``
    if isinstance(stmt, cst.FunctionDef | cst.ClassDef | cst.With):
        return [stmt.body]
    if isinstance(stmt, cst.For | cst.While):
        return [stmt.body, *([stmt.orelse.body] if stmt.orelse is not None else [])]
    if isinstance(stmt, cst.If):
        return [stmt.body, *([stmt.orelse.body] if isinstance(stmt.orelse, cst.Else) else [])]
    if isinstance(stmt, cst.Try | cst.TryStar):
        return [stmt.body, *(h.body for h in stmt.handlers),
                *([stmt.orelse.body] if stmt.orelse is not None else []),
                *([stmt.finalbody.body] if stmt.finalbody is not None else [])]
    if isinstance(stmt, cst.Match):
        return [case.body for case in stmt.cases]
    return []


def _ast_suites(stmt: cst.CSTNode, astmt: ast.stmt) -> list[list[ast.stmt]] | None:
    """The same suites on CPython's side; None when ``astmt`` is not the same kind of statement."""
    if not isinstance(astmt, _AST_KINDS.get(type(stmt), ())):
        return None
    if isinstance(astmt, ast.If):
        return [astmt.body, *([astmt.orelse] if isinstance(stmt, cst.If)
                              and isinstance(stmt.orelse, cst.Else) else [])]
    if isinstance(astmt, ast.For | ast.AsyncFor | ast.While):
        return [astmt.body, *([astmt.orelse] if astmt.orelse else [])]
    if isinstance(astmt, ast.Match):
        return [case.body for case in astmt.cases]
    handlers = getattr(astmt, "handlers", None)
    if handlers is not None:  # try / try*
        return [astmt.body, *(h.body for h in handlers),  # type: ignore[attr-defined]
                *([astmt.orelse] if astmt.orelse else []),  # type: ignore[attr-defined]
                *([astmt.finalbody] if astmt.finalbody else [])]  # type: ignore[attr-defined]
    return [astmt.body]  # type: ignore[attr-defined]


def _blocks(stmt: cst.CSTNode) -> list[tuple[int, cst.IndentedBlock]]:
    """(suite number, block) of the suites that are indented blocks (not one-line suites)."""
    return [(i, s) for i, s in enumerate(_cst_suites(stmt)) if isinstance(s, cst.IndentedBlock)]


def _ast_starts(stmts: Sequence[cst.BaseStatement]) -> list[int]:
    """For each of libcst's ``stmts``, the index of its first statement on ``ast``'s side (a
    ``SimpleStatementLine`` holds several)."""
    starts: list[int] = []
    j = 0
    for stmt in stmts:
        starts.append(j)
        j += len(stmt.body) if isinstance(stmt, cst.SimpleStatementLine) else 1
    return starts


def statement_skeleton(tree: ast.Module, calls: bool = False) -> ast.Module:
    """What positions read of CPython's tree: its statements (of the same classes, with their lines,
    blocks, handlers, match cases and decorators), without their expressions. A caller that keeps
    this instead of the whole tree while libcst parses the same text holds a few percent of its
    memory (the tree of a 2 MB function is ~350 MB). ``calls``: each simple statement also keeps
    the spans of its calls (``call_spans.call_keys``, as attribute :data:`CALLS`), so that spans of
    calls are read without parsing the statement again (10,000 findings in one file: 10,000 parses)."""
    return ast.Module(body=[_skeleton(s, calls) for s in tree.body], type_ignores=[])


CALLS = "tenantlint_calls"  # a skeleton's simple statement: its ``call_keys`` (None: an f-string)
_COMPOUND = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.If, ast.For, ast.AsyncFor,
             ast.While, ast.With, ast.AsyncWith, ast.Try, getattr(ast, "TryStar", ast.Try), ast.Match)


def _skeleton(stmt: ast.stmt, calls: bool = False) -> ast.stmt:
    out = type(stmt)()
    out.lineno = stmt.lineno
    out.end_lineno = stmt.end_lineno  # these two for ``pieces.py``
    out.col_offset = stmt.col_offset
    if calls and not isinstance(stmt, _COMPOUND):
        setattr(out, CALLS, call_keys((stmt,)))
        return out
    fields: dict[str, object] = {}
    for name in ("body", "orelse", "finalbody"):
        block = getattr(stmt, name, None)
        if isinstance(block, list):
            fields[name] = [_skeleton(s, calls) for s in block]
    handlers = getattr(stmt, "handlers", None)
    if isinstance(handlers, list):
        fields["handlers"] = [ast.ExceptHandler(body=[_skeleton(s, calls) for s in h.body], lineno=h.lineno)
                              for h in handlers]
    if isinstance(stmt, ast.Match):
        fields["cases"] = [ast.match_case(pattern=ast.MatchAs(),
                                          body=[_skeleton(s, calls) for s in case.body])
                           for case in stmt.cases]
    decorators = getattr(stmt, "decorator_list", None)
    if isinstance(decorators, list):
        fields["decorator_list"] = [ast.Pass(lineno=d.lineno, end_lineno=d.end_lineno)  # lines only
                                    for d in decorators]
    for name, value in fields.items():
        setattr(out, name, value)
    return out


class StatementPositions:
    """Spans of nodes of one module, resolved one (possibly nested) statement at a time.

    A node is resolved inside its innermost enclosing statement, at any depth (function, class,
    ``if``/``for``/``while``/``with``/``try``/``match`` blocks): that statement alone is wrapped in
    as many synthetic ``if _:`` blocks, with the same indentation strings, as it has enclosing
    blocks (so columns are unchanged), ``PositionProvider`` runs on that small module, and the line
    offset is the statement's line from CPython's ``ast`` minus its line there. ``hints`` (id of a
    node -> the statement the walker was in when it made the node's fact) skip the search for the
    enclosing statement. Any disagreement between the parsers falls back to the whole-module
    provider, so spans are always exactly libcst's.
    """

    def __init__(self, module: cst.Module, text: str | None, tree: ast.Module | None = None,
                 hints: dict[int, cst.CSTNode] | None = None, quick: bool = True,
                 stand_ins: dict[int, cst.CSTNode] | None = None) -> None:
        self.module = module
        # id(a node the analysis built) -> the written node it stands for (``executor_calls.py``)
        self.stand_ins = stand_ins or {}
        self.quick = quick  # calls of simple statements from CPython's tree (``call_spans.py``)
        self._quick: dict[int, Quad] = {}  # id(call) -> its span, from CPython's tree
        self._quick_tried: set[Path] = set()
        self._block_cache: dict[tuple[Path, int], _Block | None] = {}
        self.text = text
        self.hints = hints or {}
        self._owner: dict[int, Path] = {}  # id(node) -> path of its innermost statement
        self._indexed = 0  # top-level statements whose subtrees are in _owner
        self._paths: dict[int, Path] | None = None  # id(statement) -> its path
        self._resolved: list[tuple[CodeOffsets, int]] = []  # (spans, line offset)
        self._done: set[Path] = set()
        self._tree: ast.Module | None = tree
        self._tree_failed = text is None
        self._whole: CodeOffsets | None = None
        self._where: dict[int, int] = {}  # id(node) -> index in _resolved of its spans
        self._starts: dict[int, list[int]] = {}  # id(statement list) -> _ast_starts of it
        self._alone = False  # expect() chose statements one at a time, however many
        self._line_starts: list[int] | None = None  # offsets of the text's lines (expect's estimate)
        self._ascii: bool | None = None  # the text is ASCII (``_non_ascii``)

    def _ast_statement(self, body: list[ast.stmt], stmts: Sequence[cst.BaseStatement],
                       index: int) -> ast.stmt | None:
        """The ``ast`` statement of libcst's ``stmts[index]``; None when the two parsers'
        statement counts disagree. The offsets of a block are computed once (a block of 10,000
        statements is not walked again for each of them)."""
        starts = self._starts.get(id(stmts))
        if starts is None:
            starts = _ast_starts(stmts)
            self._starts[id(stmts)] = starts
        if index >= len(starts) or starts[index] >= len(body):
            return None
        return body[starts[index]]

    # ----- finding a node's statement -----------------------------------------------------------
    def _index(self, stmt: cst.CSTNode, path: Path) -> None:
        inner = {id(block): (suite, block) for suite, block in _blocks(stmt)}
        stack: list[cst.CSTNode] = [stmt]
        while stack:
            node = stack.pop()
            self._owner[id(node)] = path
            found = inner.get(id(node))
            if found is None:
                stack.extend(child_nodes(node))
                continue
            suite, block = found  # its statements are their own; its header and footer stay ours
            stack.extend(c for c in child_nodes(block) if not isinstance(c, cst.BaseStatement))
            for j, child in enumerate(block.body):
                self._index(child, (*path, (suite, j)))

    def _statement_of(self, node: cst.CSTNode) -> Path | None:
        key = id(node)
        body = self.module.body
        while key not in self._owner and self._indexed < len(body):
            self._index(body[self._indexed], ((0, self._indexed),))
            self._indexed += 1
        return self._owner.get(key)

    def _path_of_statement(self, stmt: cst.CSTNode) -> Path | None:
        if self._paths is None:
            paths: dict[int, Path] = {}
            todo: list[tuple[Sequence[cst.BaseStatement], Path, int]] = [(self.module.body, (), 0)]
            while todo:
                stmts, parent, suite = todo.pop()
                for j, child in enumerate(stmts):
                    mine = (*parent, (suite, j))
                    paths[id(child)] = mine
                    for decorator in getattr(child, "decorators", ()):
                        paths[id(decorator)] = mine  # a decorator: the path of what it decorates
                    for s, block in _blocks(child):
                        todo.append((block.body, mine, s))
            self._paths = paths
        return self._paths.get(id(stmt))

    # ----- resolving one statement --------------------------------------------------------------
    def _ast_tree(self) -> ast.Module | None:
        if self._tree is None:
            if self._tree_failed or self.text is None:
                return None
            try:
                self._tree = parse_quietly(self.text)
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                self._tree_failed = True
                return None
        return self._tree

    def _locate(self, path: Path) -> tuple[cst.BaseStatement, ast.stmt, list[str | None], ast.stmt] | None:
        """The statement at ``path`` on both sides, with its enclosing blocks' indentation
        (outermost first) and, last, CPython's last statement of it (a simple statement line holds
        several); None when the two parsers disagree on the way."""
        if not path:
            return None
        suite, index = path[-1]
        block = self._block(path[:-1], suite)
        if block is None:
            return None
        container, abody, indents = block
        if index >= len(container):
            return None
        stmt = container[index]
        astmt = self._ast_statement(abody, container, index)
        if astmt is None:
            return None
        last = astmt
        if type(stmt) is cst.SimpleStatementLine and len(stmt.body) > 1:
            at = self._starts[id(container)][index] + len(stmt.body) - 1
            if at >= len(abody):
                return None
            last = abody[at]
        return stmt, astmt, indents, last

    def _block(self, parent: Path, suite: int) -> _Block | None:
        """The statements of suite ``suite`` of the statement at ``parent`` (the module's body for
        ``()``) on both sides, with the indentation of the blocks down to it; found once per block
        (10,000 statements of one function do not walk down to it 10,000 times)."""
        key = (parent, suite)
        if key in self._block_cache:
            return self._block_cache[key]
        found: _Block | None = None
        if not parent:
            tree = self._ast_tree()
            if tree is not None and suite == 0:
                found = (self.module.body, tree.body, [])
        else:
            located = self._locate(parent)
            if located is not None:
                stmt, astmt, indents, _ = located
                suites = _cst_suites(stmt)
                asuites = _ast_suites(stmt, astmt)
                if asuites is not None and len(asuites) == len(suites) and suite < len(suites):
                    block = suites[suite]
                    if isinstance(block, cst.IndentedBlock):
                        found = (block.body, asuites[suite], [*indents, block.indent])
        self._block_cache[key] = found
        return found

    def _resolve(self, path: Path) -> bool:
        located = self._locate(path)
        if located is None:
            return False
        stmt, astmt, indents, _ = located
        wrapped: cst.BaseStatement = stmt
        for indent in reversed(indents):
            wrapped = cst.If(test=cst.Name("_"), body=cst.IndentedBlock(body=[wrapped], indent=indent))
        found = code_offsets(self.module.with_changes(body=[wrapped], header=(), footer=()))
        offset = astmt.lineno - found.range(stmt).start.line  # both: the first token after decorators
        where = len(self._resolved)
        self._resolved.append((found, offset))
        self._done.add(path)
        setdefault = self._where.setdefault  # the statement resolved first keeps its nodes
        for key in found.ids():
            setdefault(key, where)
        return True

    def _lookup(self, node: cst.CSTNode) -> CodeRange | None:
        where = self._where.get(id(node))  # one map for the file: no scan of the resolved statements
        if where is None:
            return None
        found, offset = self._resolved[where]
        rng = found.range(node)
        return CodeRange((rng.start.line + offset, rng.start.column),
                         (rng.end.line + offset, rng.end.column))

    def _lines(self) -> list[int]:
        """The offset of each line of the text (which is not None)."""
        if self._line_starts is None:
            assert self.text is not None
            self._line_starts = [0, *(m.end() for m in _NEWLINE.finditer(self.text))]
        return self._line_starts

    def _quick_range(self, node: cst.CSTNode, quiet: bool = False) -> CodeRange | None:
        """A call's span from CPython's tree of its simple statement line (``call_spans.py``);
        None for any other node, or when that statement answers nothing. ``quiet``: the caller
        already silenced CPython's warnings."""
        found = self._quick.get(id(node))
        if found is None:
            if type(node) is not cst.Call or node.lpar or not self.quick or self.text is None:
                return None
            hint = self.hints.get(id(node))
            if hint is not None and type(hint) is not cst.SimpleStatementLine:
                return None
            path = self._path_of_statement(hint) if hint is not None else self._statement_of(node)
            if path is None or path in self._quick_tried:
                return None
            self._quick_tried.add(path)
            located = self._locate(path)
            if located is None or type(located[0]) is not cst.SimpleStatementLine:
                return None  # exact class: no ``ABCMeta.__instancecheck__`` per finding
            keys = self._kept_keys(path, located[0])
            if keys is not None:
                spans = spans_from_keys(located[0], keys, self._non_ascii(), self._lines())
            else:
                with nullcontext() if quiet else quietly():
                    spans = statement_call_spans(located[0], self.text, located[1].lineno,
                                                 located[3].end_lineno or located[3].lineno, self._lines())
            if not spans:
                return None
            self._quick.update(spans)
            found = spans.get(id(node))
            if found is None:
                return None
        return CodeRange((found[0], found[1]), (found[2], found[3]))

    def _kept_keys(self, path: Path, stmt: cst.SimpleStatementLine) -> list[CallKey] | None:
        """The :data:`CALLS` kept by the skeleton for the CPython statements of ``stmt`` (at
        ``path``), in order; None when some of them kept none (or holds an f-string)."""
        block = self._block(path[:-1], path[-1][0])
        if block is None:
            return None
        container, abody, _ = block
        start = self._starts[id(container)][path[-1][1]]
        keys: list[CallKey] = []
        for astmt in abody[start:start + len(stmt.body)]:
            kept = getattr(astmt, CALLS, None)
            if kept is None:
                return None
            keys.extend(kept)
        return keys

    def _non_ascii(self) -> str | None:
        """The text when it is not ASCII (columns to convert), else None; found once."""
        if self._ascii is None:
            self._ascii = self.text is None or self.text.isascii()
        return None if self._ascii else self.text

    def _try(self, path: Path | None, node: cst.CSTNode) -> CodeRange | None:
        if path is None or path in self._done or not self._resolve(path):
            return None
        return self._lookup(node)

    def expect(self, nodes: Sequence[cst.CSTNode]) -> None:
        """Spans of ``nodes`` are about to be asked for, in this order: when that would resolve more
        than :data:`MAX_STATEMENTS` statements one at a time (each statement is counted once, with
        the walker's hint, as :meth:`range` would resolve it), it is decided now whether they are
        resolved one at a time all the same — when their code is a small part of the module's
        (:data:`ALONE_COST`; 5,000 small views with a finding in the first of their four
        statements) — or the whole module at once; before, the statements resolved first would be
        wasted (20 % of the positions of a chunk with 1,000 findings). A node without a hint keeps
        the statement-at-a-time start. Spans are exact either way: only the cost differs."""
        if self._whole is not None or self.text is None or len(nodes) <= MAX_STATEMENTS:
            return
        nodes = [self.stand_ins.get(id(node), node) for node in nodes]
        with quietly():
            nodes = [node for node in nodes if self._quick_range(node, quiet=True) is None]
        if len(nodes) <= MAX_STATEMENTS:
            return
        resolved: set[Path] = set()
        chars = 0  # of the statements to resolve
        for node in nodes:
            hint = self.hints.get(id(node))
            path = self._path_of_statement(hint) if hint is not None else None
            if path is None:
                return
            if any(path[:i] in resolved for i in range(1, len(path) + 1)):
                continue  # inside a statement resolved before it
            resolved.add(path)
            chars += self._chars(path)
        if len(resolved) <= MAX_STATEMENTS:
            return
        text = self.text
        if chars * ALONE_COST < len(text) - text.count("\n"):  # empty lines generate next to nothing
            self._alone = True
        else:
            self._whole = code_offsets(self.module)

    def _chars(self, path: Path) -> int:
        """About how many characters of code the statement at ``path`` has (its lines')."""
        located = self._locate(path)
        if located is None or self.text is None:
            return len(self.text or "")  # unknown: as if it were the whole module
        starts = self._lines()
        astmt = located[1]
        first = min(astmt.lineno, len(starts)) - 1
        last = min(astmt.end_lineno or astmt.lineno, len(starts) - 1)
        return starts[last] - starts[first] if last > first else len(self.text) - starts[first]

    def range(self, node: cst.CSTNode) -> CodeRange:
        node = self.stand_ins.get(id(node), node)
        found = self._lookup(node)
        if found is not None:
            return found
        found = self._quick_range(node)
        if found is not None:
            return found
        if self._whole is None and self.text is not None and (
                self._alone or len(self._resolved) < MAX_STATEMENTS):
            hint = self.hints.get(id(node))
            if hint is not None and (found := self._try(self._path_of_statement(hint), node)):
                return found
            if found := self._try(self._statement_of(node), node):
                return found
        if self._whole is None:
            self._whole = code_offsets(self.module)
        return self._whole.range(node)

    def source(self, node: cst.CSTNode) -> str | None:
        """The code of a node whose span was resolved (``code_for_node`` but for indentation)."""
        node = self.stand_ins.get(id(node), node)
        where = self._where.get(id(node))
        if where is not None:
            return self._resolved[where][0].source(node)
        quick = self._quick.get(id(node))
        if quick is not None and self.text is not None:  # a call without parentheses: its span
            starts = self._lines()
            return self.text[starts[quick[0] - 1] + quick[1]: starts[quick[2] - 1] + quick[3]]
        if self._whole is not None and node in self._whole:
            return self._whole.source(node)
        return None

    def line(self, node: cst.CSTNode) -> int:
        """``node``'s first line when already resolved; else, without generating any code, the first
        line of its statement (the walker's hint, or ``node`` itself when it is a statement) as
        CPython's ``ast`` gives it; else resolved. For lines that only point a reader at a call or a
        function (a finding's chain), where resolving each statement would cost more than the
        analysis itself."""
        node = self.stand_ins.get(id(node), node)
        found = self._lookup(node)
        if found is not None:
            return found.start.line
        quick = self._quick.get(id(node))
        if quick is not None:
            return quick[0]
        if self._whole is not None:
            return self._whole.range(node).start.line
        stmt = self.hints.get(id(node))
        if stmt is None and isinstance(node, cst.BaseStatement):
            stmt = node
        if isinstance(stmt, cst.Decorator):  # a call in a decorator: that decorator's line
            found_line = self._decorator_line(stmt)
        else:
            path = self._path_of_statement(stmt) if stmt is not None else None
            located = self._locate(path) if path is not None and self.text is not None else None
            found_line = located[1].lineno if located is not None else None
        return found_line if found_line is not None else self.range(node).start.line

    def last_line(self, stmt: cst.CSTNode) -> int:
        """The last line of the statement ``stmt`` (a function: its whole body), as CPython's ``ast``
        gives it, without generating any code; else resolved."""
        found = self._lookup(stmt)
        if found is not None:
            return found.end.line
        if self._whole is None and self.text is not None:
            path = self._path_of_statement(stmt)
            located = self._locate(path) if path is not None else None
            end = getattr(located[1], "end_lineno", None) if located is not None else None
            if isinstance(end, int):
                return end
        return self.range(stmt).end.line

    def _decorator_line(self, decorator: cst.Decorator) -> int | None:
        path = self._path_of_statement(decorator) if self.text is not None else None
        located = self._locate(path) if path is not None else None
        if located is None:
            return None
        stmt, astmt = located[0], located[1]
        decorators = getattr(stmt, "decorators", ())
        adecorators = getattr(astmt, "decorator_list", ())
        for i, d in enumerate(decorators):
            if d is decorator and len(decorators) == len(adecorators):
                return int(adecorators[i].lineno)
        return None

    def span(self, node: cst.CSTNode) -> Span:
        node = self.stand_ins.get(id(node), node)
        key = id(node)
        if key not in self._where:  # what :meth:`range` answers first, without its ``CodeRange``
            quick = self._quick.get(key)
            if quick is not None:
                return Span(quick[0], quick[1] + 1, quick[2], quick[3] + 1)
        rng = self.range(node)
        return Span(rng.start.line, rng.start.column + 1, rng.end.line, rng.end.column + 1)
