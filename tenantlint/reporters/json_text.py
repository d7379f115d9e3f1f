"""``json.dumps(doc, indent=2)``, byte for byte, several times cheaper on large documents.

With ``indent`` set, the standard library encodes in Python (its C encoder serves only compact
output), one generator per value: 10,000 findings took longer to write than to position. Here each
container is written with one list of parts and its keys' prefixes are cached; strings still go
through the C ``encode_basestring_ascii`` (``ensure_ascii``, as ``json.dumps`` by default), numbers
through ``repr`` as the encoder does. Anything else (a float that is not finite, a non-string key,
an unexpected type) is handed to ``json.dumps`` itself, so the output never differs.
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring_ascii  # type: ignore[attr-defined]
from typing import Any

_KEYS: dict[tuple[str, int], str] = {}  # (key, level) -> ",\n" + indentation + '"key": '


class _Fallback(Exception):
    pass


def dumps_indented(doc: Any) -> str:
    """``json.dumps(doc, indent=2)``."""
    parts: list[str] = []
    try:
        _encode(doc, 0, parts)
    except _Fallback:
        return json.dumps(doc, indent=2)
    return "".join(parts)


def _key(key: str, level: int) -> str:
    found = _KEYS.get((key, level))
    if found is None:
        if len(_KEYS) > 4096:
            _KEYS.clear()
        found = _KEYS[(key, level)] = ",\n" + "  " * level + encode_basestring_ascii(key) + ": "
    return found


def _encode(value: Any, level: int, parts: list[str]) -> None:
    kind = type(value)
    if kind is str:
        parts.append(encode_basestring_ascii(value))
    elif value is None:
        parts.append("null")
    elif value is True:
        parts.append("true")
    elif value is False:
        parts.append("false")
    elif kind is int:
        parts.append(int.__repr__(value))
    elif kind is dict:
        if not value:
            parts.append("{}")
            return
        inner = level + 1
        first = True
        for key, item in value.items():
            if type(key) is not str:
                raise _Fallback
            prefix = _key(key, inner)
            if first:  # "{" + newline instead of "," + newline
                prefix = "{" + prefix[1:]
                first = False
            parts.append(prefix)
            item_kind = type(item)  # the common scalars without a call each (10,000 findings)
            if item_kind is str:
                parts.append(encode_basestring_ascii(item))
            elif item is None:
                parts.append("null")
            elif item_kind is int:
                parts.append(int.__repr__(item))
            else:
                _encode(item, inner, parts)
        parts.append("\n" + "  " * level + "}")
    elif kind is list or kind is tuple:
        if not value:
            parts.append("[]")
            return
        sep = ",\n" + "  " * (level + 1)
        parts.append("[\n" + "  " * (level + 1))
        for i, item in enumerate(value):
            if i:
                parts.append(sep)
            _encode(item, level + 1, parts)
        parts.append("\n" + "  " * level + "]")
    elif kind is float and value == value and value not in (float("inf"), float("-inf")):
        parts.append(float.__repr__(value))
    else:
        raise _Fallback
