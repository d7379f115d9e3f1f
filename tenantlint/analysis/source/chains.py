"""Long arithmetic chains (``a + b + c + ...``) parsed in linear time.

libcst's native parser grows a left-recursive binary operation (``+ - * / // % @ << >> | ^ &``)
at a cost that is worse than quadratic in the number of operands: 1,000 calls joined by ``+``
take ~1.6 s to parse, 2,000 take ~10 s (``and``, comparisons and lists stay linear). Such a chain
is built here instead: each operand parsed alone, the operators from the text between operands,
the left-leaning ``BinaryOperation`` nodes joined as the parser would join them, and the chain put
back where a placeholder name stood in the module parsed without it. The tree is node for node the
parser's (``tests/test_chains.py`` compares them with ``deep_equals``); anything this module is not
sure of (a chain over several lines, parentheses inside the chain, comments, an f-string) is left
to the parser. (The built chain's code is its text by construction: each operand is parsed from its
own text and each operator keeps the blanks around it.)
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from dataclasses import dataclass

import libcst as cst

from tenantlint.analysis.source.cpython import parse_quietly

MIN_OPERANDS = 64  # shorter chains parse quickly enough (64 calls: ~5 ms)
_OPERATOR_CHARS = re.compile(r"[-+*/%@<>|^&]")
_OPERATORS: dict[type[ast.operator], tuple[str, Callable[..., cst.BaseBinaryOp]]] = {
    ast.Add: ("+", cst.Add), ast.Sub: ("-", cst.Subtract), ast.Mult: ("*", cst.Multiply),
    ast.Div: ("/", cst.Divide), ast.FloorDiv: ("//", cst.FloorDivide), ast.Mod: ("%", cst.Modulo),
    ast.MatMult: ("@", cst.MatrixMultiply), ast.LShift: ("<<", cst.LeftShift),
    ast.RShift: (">>", cst.RightShift), ast.BitOr: ("|", cst.BitOr), ast.BitXor: ("^", cst.BitXor),
    ast.BitAnd: ("&", cst.BitAnd),
}
_BY_SYMBOL = dict(_OPERATORS.values())
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")  # lines as the tokenizer counts them
_GAP = re.compile(r"([ \t]*)(//|<<|>>|[-+*/%@|^&])([ \t]*)")


@dataclass(frozen=True)
class _Chain:
    line: int  # 0-based
    start: int  # byte columns of the chain in its line
    end: int
    operands: tuple[str, ...]
    gaps: tuple[tuple[str, str, str], ...]  # (whitespace before, operator, whitespace after)


def _candidate_lines(lines: list[str]) -> list[int]:
    """1-based numbers of the lines long enough, and with operators enough, to hold a chain."""
    return [n for n, line in enumerate(lines, 1)
            if len(line) >= 2 * MIN_OPERANDS - 1 and len(_OPERATOR_CHARS.findall(line)) >= MIN_OPERANDS - 1]


def _innermost(tree: ast.Module, line: int) -> ast.stmt | None:
    """The innermost statement whose lines hold ``line`` (the tree may be a statement skeleton)."""
    found: ast.stmt | None = None
    level: list[ast.AST] = list(tree.body)
    while level:
        inner: list[ast.AST] = []
        for node in level:
            if isinstance(node, ast.stmt):
                if not (node.lineno <= line <= (node.end_lineno or node.lineno)):
                    continue
                found = node
            elif not isinstance(node, (ast.ExceptHandler, ast.match_case)):
                continue
            for name in ("body", "orelse", "finalbody", "handlers", "cases"):
                block = getattr(node, name, None)
                if isinstance(block, list):
                    inner.extend(block)
        level = inner
    return found


def _statement_tree(stmt: ast.stmt, lines: list[str]) -> ast.Module | None:
    """CPython's whole tree of one statement, with the lines and columns it has in the file."""
    end = stmt.end_lineno or stmt.lineno
    text = "".join(lines[stmt.lineno - 1:end])
    wrapped = stmt.col_offset > 0
    try:
        sub = parse_quietly("if 1:\n" + text if wrapped else text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    return ast.increment_lineno(sub, stmt.lineno - 1 - wrapped)


def _spine(node: ast.BinOp) -> list[ast.BinOp]:
    spine: list[ast.BinOp] = []
    current: ast.expr = node
    while isinstance(current, ast.BinOp) and type(current.op) in _OPERATORS:
        spine.append(current)
        current = current.left
    return spine


def _chain(root: ast.BinOp, spine: list[ast.BinOp], raw: list[bytes]) -> _Chain | None:
    """The chain of ``root`` when it lies on one line with nothing but operators and blanks (no
    parenthesis, no comment) between its operands; else None."""
    first = spine[-1].left
    line = root.lineno
    if root.end_lineno != line or first.lineno != line or first.end_lineno != line:
        return None
    text = raw[line - 1]
    operands = [text[first.col_offset:first.end_col_offset].decode("utf-8")]
    gaps: list[tuple[str, str, str]] = []
    for node in reversed(spine):
        right = node.right
        if (node.lineno != line or node.col_offset != first.col_offset
                or right.end_lineno != line or node.end_col_offset != right.end_col_offset
                or node.left.end_col_offset is None or right.end_col_offset is None):
            return None  # parentheses around a part of the chain
        gap = _GAP.fullmatch(text[node.left.end_col_offset:right.col_offset].decode("utf-8"))
        if gap is None or gap.group(2) != _OPERATORS[type(node.op)][0]:
            return None
        gaps.append((gap.group(1), gap.group(2), gap.group(3)))
        operands.append(text[right.col_offset:right.end_col_offset].decode("utf-8"))
    assert root.end_col_offset is not None
    joined = operands[0] + "".join(b + o + a + r for (b, o, a), r in zip(gaps, operands[1:], strict=True))
    if text[first.col_offset:root.end_col_offset] != joined.encode("utf-8"):
        return None
    return _Chain(line - 1, first.col_offset, root.end_col_offset, tuple(operands), tuple(gaps))


def _chains(tree: ast.Module, raw: list[bytes]) -> list[_Chain]:
    """The outermost long chains of the tree, not inside an f-string (CPython before 3.12 places
    what is inside one wrongly)."""
    found: list[_Chain] = []
    todo: list[ast.AST] = [tree]
    while todo:
        node = todo.pop()
        if isinstance(node, ast.JoinedStr):
            continue
        if isinstance(node, ast.BinOp):
            spine = _spine(node)
            if len(spine) + 1 >= MIN_OPERANDS:
                chain = _chain(node, spine, raw)
                if chain is not None:
                    found.append(chain)
                    continue
        todo.extend(ast.iter_child_nodes(node))
    return found


def _built(chain: _Chain) -> cst.BaseExpression:
    expr = cst.parse_expression(chain.operands[0])
    for (before, symbol, after), operand in zip(chain.gaps, chain.operands[1:], strict=True):
        operator = _BY_SYMBOL[symbol]
        expr = cst.BinaryOperation(
            left=expr,
            operator=operator(whitespace_before=cst.SimpleWhitespace(before),
                              whitespace_after=cst.SimpleWhitespace(after)),
            right=cst.parse_expression(operand),
        )
    return expr


class _Splice(cst.CSTTransformer):
    def __init__(self, chains: dict[str, cst.BaseExpression]) -> None:
        super().__init__()
        self.chains = chains
        self.done = 0

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.BaseExpression:
        built = self.chains.get(updated_node.value)
        if built is None:
            return updated_node
        self.done += 1
        return built.with_changes(lpar=updated_node.lpar, rpar=updated_node.rpar)


def parse_with_chains(text: str, tree: ast.Module, parse: Callable[[str], cst.Module]) -> cst.Module | None:
    """The tree of ``text`` (which CPython parsed into ``tree``, or its statement skeleton) with its
    long chains built
    here, the rest parsed by ``parse``; None when the text holds no such chain or it cannot be
    built exactly (the caller then parses the whole text)."""
    lines = _LINE.findall(text)  # not ``splitlines``: a form feed or U+2028 does not end a line
    candidates = _candidate_lines(lines)
    if not candidates:
        return None
    raw = [line.encode("utf-8") for line in lines]
    statements: dict[int, ast.stmt] = {}
    for line in candidates:
        stmt = _innermost(tree, line)
        if stmt is not None:
            statements.setdefault(stmt.lineno, stmt)
    chains: list[_Chain] = []
    for stmt in statements.values():
        sub = _statement_tree(stmt, lines)
        if sub is not None:
            chains.extend(_chains(sub, raw))
    if not chains:
        return None
    stem = "_tenantlint_chain_"
    while stem in text:
        stem += "x"
    built: dict[str, cst.BaseExpression] = {}
    by_line: dict[int, list[tuple[_Chain, str]]] = {}
    for n, chain in enumerate(chains):
        name = f"{stem}{n}"
        built[name] = _built(chain)
        by_line.setdefault(chain.line, []).append((chain, name))
    for index, found in by_line.items():
        edited = raw[index]
        for chain, name in sorted(found, key=lambda item: -item[0].start):
            edited = edited[:chain.start] + name.encode("ascii") + edited[chain.end:]
        lines[index] = edited.decode("utf-8")
    splice = _Splice(built)
    module = parse("".join(lines)).visit(splice)
    if not isinstance(module, cst.Module) or splice.done != len(built):
        return None
    return module
