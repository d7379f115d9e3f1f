"""CPython's own parser, quietly: warnings it raises about the analysed code (``"\\."``: invalid
escape sequence) are that code's business, not the run's."""

from __future__ import annotations

import ast
import warnings

# The depth guard parses at most at CPython's default recursion limit (``parse.guarded_ast``).
GUARD_RECURSION_LIMIT = 1000


def parse_quietly(text: str) -> ast.Module:
    """``ast.parse(text)`` with its warnings suppressed; raises what ``ast.parse`` raises."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ast.parse(text)
