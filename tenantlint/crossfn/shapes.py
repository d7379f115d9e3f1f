"""Whether a call as written can bind to a function's signature, as Python binds it.

A spelling ``x.search(...)`` that tenantlint did not resolve leaves the caller set of every function
named ``search`` open, unless the call cannot be a call of it: the call passes a keyword the
function has no parameter for (and it takes no ``**kwargs``), more positional arguments than it
takes (and it takes no ``*args``), or, with no ``*``/``**`` spread in the call, leaves a required
parameter unbound. A spread may bind any parameter, so only what is written beside it is judged.

The pre-pass records each call's shape in the name counts (CPython ``ast``:
``prepass.name_counts``), a resolved call site records its own (``Site.shape``), and a summary its
function's signature (``Summary.signature``); ``combine.Project`` leaves the calls that cannot bind
out of the spellings of a function's name, and the resolved ones among them out of its resolved
calls.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

# A name-count key: ``search`` + SHAPE + shape + MARKS + marks counts the calls ``x.search(...)``
# of that shape. Marks: the spelling is also counted under one of the subtracted keys.
SHAPE = " call:"
MARKS = "|"
ON_OBJECT_MARK = "o"  # also counted under ``records.ON_OBJECT``
NOT_PROJECT_MARK = "~"  # also counted under ``method_refs.ON_CLASS + NOT_PROJECT``
LOCAL_DEF_MARK = "l"  # also counted under ``records.LOCAL_DEF``
BARE_MARK = "n"  # also counted under ``records.BARE``


@dataclass(frozen=True, slots=True)
class Shape:
    """A call as written: ``positional`` arguments before any ``*spread``, the ``keywords`` named."""

    positional: int
    star: bool  # a ``*args`` spread
    keywords: tuple[str, ...]
    double_star: bool  # a ``**kwargs`` spread

    def text(self) -> str:
        return (f"{self.positional}{'*' if self.star else ''};{','.join(self.keywords)}"
                f"{';**' if self.double_star else ''}")


@lru_cache(maxsize=4096)
def parse_shape(text: str) -> Shape | None:
    head, _, rest = text.partition(";")
    keywords, _, spread = rest.partition(";")
    star = head.endswith("*")
    count = head[:-1] if star else head
    if not count.isdigit():
        return None
    return Shape(int(count), star, tuple(k for k in keywords.split(",") if k), spread == "**")


def ast_shape(call: ast.Call) -> str:
    """The shape text of ``call`` (CPython ``ast``; read for every call the pre-pass counts)."""
    positional = 0
    star = False
    for a in call.args:
        if a.__class__ is ast.Starred:
            star = True
        elif not star:
            positional += 1
    if not call.keywords:  # most calls: ``Shape.text`` without building one
        return f"{positional}*;" if star else f"{positional};"
    keywords: list[str] = []
    double_star = False
    for k in call.keywords:
        if k.arg is None:
            double_star = True
        else:
            keywords.append(k.arg)
    return Shape(positional, star, tuple(sorted(keywords)), double_star).text()


@dataclass(frozen=True, slots=True)
class Signature:
    """What a function binds: the parameters a caller may pass by position (after ``self``/``cls``
    of a method), the first ``posonly`` of them only so, the first ``required`` without default;
    keyword-only parameters, those of them without default; ``*args``, ``**kwargs``; ``unbound``:
    an instance method, which a call on its class (``Base.save(self, ...)``) passes ``self`` first;
    ``method``: defined in a class body (no bare name outside it names it)."""

    positional: tuple[str, ...]
    posonly: int
    required: int
    kwonly: tuple[str, ...]
    required_kw: tuple[str, ...]
    varargs: bool
    varkw: bool
    unbound: bool
    method: bool

    def text(self) -> str:
        flags = "".join(f for f, on in (("a", self.varargs), ("k", self.varkw), ("u", self.unbound),
                                        ("m", self.method)) if on)
        return ";".join((",".join(self.positional), str(self.posonly), str(self.required),
                         ",".join(self.kwonly), ",".join(self.required_kw), flags))


@lru_cache(maxsize=4096)
def parse_signature(text: str) -> Signature | None:
    parts = text.split(";")
    if len(parts) != 6 or not parts[1].isdigit() or not parts[2].isdigit():
        return None
    positional, posonly, required, kwonly, required_kw, flags = parts

    def names(s: str) -> tuple[str, ...]:
        return tuple(n for n in s.split(",") if n)

    return Signature(names(positional), int(posonly), int(required), names(kwonly), names(required_kw),
                     "a" in flags, "k" in flags, "u" in flags, "m" in flags)


def make_signature(positional: Sequence[tuple[str, bool]], posonly: int, kwonly: Sequence[tuple[str, bool]],
                   varargs: bool, varkw: bool, unbound: bool, method: bool) -> Signature:
    """From (name, has a default) pairs; a parameter with no default after one with a default (only
    possible for keyword-only ones) is required."""
    required = 0
    for _, default in positional:
        if default:
            break
        required += 1
    return Signature(tuple(n for n, _ in positional), posonly, required, tuple(n for n, _ in kwonly),
                     tuple(n for n, d in kwonly if not d), varargs, varkw, unbound, method)


def _binds(sig: Signature, shape: Shape, shift: int) -> bool:
    """``shape`` binds ``sig`` with ``shift`` positional arguments passed before it (``self``)."""
    positional = shape.positional - shift
    if positional < 0:
        return shape.star  # ``self`` only from a spread
    if positional > len(sig.positional) and not sig.varargs:
        return False
    by_position = set(sig.positional[:positional])
    by_keyword = set(sig.positional[sig.posonly:]) | set(sig.kwonly)
    for k in shape.keywords:
        if k in by_position or (k not in by_keyword and not sig.varkw):
            return False  # bound twice, or no parameter takes it
    if shape.star or shape.double_star:
        return True  # a spread may bind any parameter left
    given = set(shape.keywords)
    if any(name not in given for name in sig.positional[positional:sig.required]):
        return False
    return all(name in given for name in sig.required_kw)


def binds(signature: str, shape: str) -> bool:
    """``shape`` (a call as written) may be a call of a function of ``signature``; True when either
    is not known."""
    sig = parse_signature(signature) if signature else None
    written = parse_shape(shape) if shape else None
    if sig is None or written is None:
        return True
    return _binds(sig, written, 0) or (sig.unbound and _binds(sig, written, 1))


def is_method(signature: str) -> bool:
    """A function of ``signature`` is a method (defined in a class body)."""
    sig = parse_signature(signature) if signature else None
    return sig is not None and sig.method
