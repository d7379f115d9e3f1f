"""String literal values of libcst nodes, cheaply."""

from __future__ import annotations

import warnings
from typing import cast

import libcst as cst


def string_literal(node: cst.SimpleString | cst.ConcatenatedString) -> str | bytes | None:
    """``node.evaluated_value`` without ``ast.literal_eval`` (a ``compile`` per call) for the strings
    that need no unescaping: raw strings, and plain ones without a backslash or a carriage return."""
    if type(node) is cst.ConcatenatedString:  # exact: libcst's node classes are ABCs (slow isinstance)
        left, right = node.left, node.right
        if isinstance(left, cst.FormattedString) or isinstance(right, cst.FormattedString):
            return None
        left_value, right_value = string_literal(left), string_literal(right)
        if isinstance(left_value, bytes) and isinstance(right_value, bytes):
            return left_value + right_value
        if isinstance(left_value, str) and isinstance(right_value, str):
            return left_value + right_value
        return None
    text = cast(cst.SimpleString, node).value
    start = 0
    while text[start] not in "'\"":
        start += 1
    prefix = text[:start].lower()
    quote = 3 if text[start:start + 3] in ('"""', "'''") and len(text) - start >= 6 else 1
    body = text[start + quote:len(text) - quote]
    if "\r" not in body and "b" not in prefix and ("r" in prefix or "\\" not in body):
        return body
    with warnings.catch_warnings():  # ``"\."`` in the analysed code is its business, not ours
        warnings.simplefilter("ignore")
        return node.evaluated_value
