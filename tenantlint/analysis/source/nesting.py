"""Headroom for deeply nested but valid source (issue 8.6).

libcst visits trees recursively, and so do the walker and the metadata providers. Real files nest
far deeper than CPython's default recursion limit allows for that: ``pydoc_data/topics.py`` in the
standard library holds a chain of over 2,000 implicitly concatenated string literals, which libcst
represents as a right-leaning ``ConcatenatedString`` chain. Every per-file entry point of the
analysis runs inside :func:`nesting_headroom`, which raises the limit for its duration only.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

# On 3.11+ Python-to-Python calls do not recurse in C, so a high limit costs no C stack; 3.10
# still spends C stack per frame, so it gets a limit that stays well inside an 8 MiB main thread.
DEEP_RECURSION_LIMIT = 25_000 if sys.version_info >= (3, 11) else 12_000

P = ParamSpec("P")
R = TypeVar("R")


@contextmanager
def nesting_headroom(limit: int = DEEP_RECURSION_LIMIT) -> Iterator[None]:
    """Raise the recursion limit to at least ``limit`` inside the block, then restore it."""
    old = sys.getrecursionlimit()
    if old >= limit:
        yield
        return
    sys.setrecursionlimit(limit)
    try:
        yield
    finally:
        sys.setrecursionlimit(old)


def with_headroom(fn: Callable[P, R]) -> Callable[P, R]:
    """Decorator form of :func:`nesting_headroom` for per-file entry points."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with nesting_headroom():
            return fn(*args, **kwargs)

    return wrapper
