"""Dotted-name patterns such as ``request.user.*``, ``g.tenant_id`` and ``get_current_org()``.

A pattern is a dotted name whose segments are identifiers, each optionally followed by ``()`` for a
call. A final ``.*`` stands for zero or more trailing attributes. Expressions are matched on their
dotted text, with every call rendered as ``()`` (``get_current_org().id``).

- ``request.user.*`` matches ``request.user`` itself, ``request.user.org`` and
  ``request.user.org.id``, but not ``request.username``.
- A pattern without ``*`` matches the same: the exact name and every attribute chain below it,
  because a value derived from a trusted value is trusted: ``g.tenant_id`` matches ``g.tenant_id``
  and ``g.tenant_id.hex``; ``get_current_org()`` matches ``get_current_org().id``.

Segments compare exactly: ``g.tenant_id`` does not match ``g.tenant_id()``.

>>> ps = PatternSet.compile(["request.user.*", "get_current_org()"])
>>> ps.match("request.user.org.id")
'request.user.*'
>>> ps.match("get_current_org().id")
'get_current_org()'
>>> ps.match("request.user")
'request.user.*'
>>> ps.match("request.username") is None
True
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType

_SEGMENT = r"[A-Za-z_][A-Za-z0-9_]*(?:\(\))*"
_PATTERN_RE = re.compile(rf"{_SEGMENT}(?:\.{_SEGMENT})*(?:\.\*)?")


class PatternError(ValueError):
    """A pattern that is not a dotted name (``request.user.*``, ``g.tenant_id``, ``f()``)."""

    def __init__(self, pattern: str, problem: str) -> None:
        super().__init__(f"invalid pattern {pattern!r}: {problem}")
        self.pattern = pattern
        self.problem = problem


def check_pattern(pattern: str) -> None:
    """Raise :class:`PatternError` unless ``pattern`` is valid."""
    if not pattern:
        raise PatternError(pattern, "empty pattern")
    if pattern != pattern.strip():
        raise PatternError(pattern, "leading or trailing whitespace")
    if _PATTERN_RE.fullmatch(pattern) is None:
        if pattern == "*" or pattern.startswith("*"):
            problem = "'*' needs a dotted name before it, e.g. 'request.user.*'"
        elif "*" in pattern and not pattern.endswith(".*"):
            problem = "'*' may only appear as the last segment, after a dot"
        else:
            problem = "expected a dotted name like 'request.user.*', 'g.tenant_id' or 'f()'"
        raise PatternError(pattern, problem)


def _empty() -> Mapping[str, str]:
    return MappingProxyType({})


@dataclass(frozen=True, slots=True)
class PatternSet:
    """A compiled, immutable set of patterns; build it with :meth:`compile`."""

    patterns: tuple[str, ...] = ()
    # dotted prefix -> pattern that matches the prefix itself and everything below it
    _exact: Mapping[str, str] = field(default_factory=_empty, repr=False, compare=False)

    @classmethod
    def compile(cls, patterns: Iterable[str]) -> PatternSet:
        """Validate and index ``patterns``; raises :class:`PatternError` on a bad one.

        When two patterns could match the same name, the one covering the shorter prefix wins,
        then the one listed first.
        """
        if isinstance(patterns, tuple):  # a config's patterns: compiled once, asked for per file
            return _compiled(patterns)
        ordered: list[str] = []
        exact: dict[str, str] = {}
        for pattern in patterns:
            check_pattern(pattern)
            if pattern in ordered:
                continue
            ordered.append(pattern)
            exact.setdefault(pattern[:-2] if pattern.endswith(".*") else pattern, pattern)
        return cls(tuple(ordered), MappingProxyType(exact))

    def match(self, dotted: str) -> str | None:
        """The pattern matching ``dotted`` (e.g. ``request.user.org.id``), or None."""
        exact = self._exact
        if not exact:
            return None
        end = dotted.find(".")
        while end != -1:
            prefix = dotted[:end]
            hit = exact.get(prefix)
            if hit is not None:
                return hit
            end = dotted.find(".", end + 1)
        return exact.get(dotted)

    def __contains__(self, dotted: object) -> bool:
        return isinstance(dotted, str) and self.match(dotted) is not None

    def __len__(self) -> int:
        return len(self.patterns)

    def __bool__(self) -> bool:
        return bool(self.patterns)


@lru_cache(maxsize=32)
def _compiled(patterns: tuple[str, ...]) -> PatternSet:
    """:meth:`PatternSet.compile` of a tuple, memoised (a PatternSet is immutable, so shared)."""
    return PatternSet.compile(list(patterns))
