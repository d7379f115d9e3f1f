"""The cache's data format: typed records as plain JSON, validated field by field when read.

No pickle, no code: an entry is JSON whose values are rebuilt only into the record types the caller
names (``decode(data, FileResult)``), with every field checked against its annotation. A dataclass
is a JSON array of its fields in declaration order; a tuple, list or frozenset an array; a dict with
string keys an object. Anything else, in any field, raises :class:`Malformed` (the cache treats the
entry as a miss).
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable
from typing import Any

Decoder = Callable[[Any], Any]


class Malformed(ValueError):
    """A value that does not have the shape of the requested type."""


_FIELDS: dict[type, tuple[str, ...]] = {}


def _field_names(cls: type) -> tuple[str, ...]:
    names = _FIELDS.get(cls)
    if names is None:
        names = tuple(f.name for f in dataclasses.fields(cls) if f.init)
        _FIELDS[cls] = names
    return names


def encode(value: object) -> Any:
    """``value`` as JSON-ready data (raises TypeError for a type the format does not hold)."""
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, tuple | list):
        return [encode(v) for v in value]
    if isinstance(value, frozenset | set):
        return sorted((encode(v) for v in value), key=repr)
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise TypeError(f"cache: dict key {k!r} is not a string")
            out[k] = encode(v)
        return out
    cls = type(value)
    if dataclasses.is_dataclass(cls):
        return [encode(getattr(value, n)) for n in _field_names(cls)]
    raise TypeError(f"cache: cannot store a {cls.__name__}")


def _fail(what: str, value: object) -> Malformed:
    return Malformed(f"expected {what}, got {type(value).__name__}")


def _exact(tp: type, what: str) -> Decoder:
    def decode(value: Any) -> Any:
        if type(value) is not tp:
            raise _fail(what, value)
        return value

    return decode


def _float(value: Any) -> float:
    if type(value) is float or type(value) is int:
        return float(value)
    raise _fail("a number", value)


def _none(value: Any) -> None:
    if value is not None:
        raise _fail("null", value)
    return None


_BUILDING: dict[tuple[object, object], Decoder] = {}


def decoder(tp: object, anything: object = None) -> Decoder:
    """A function that rebuilds JSON data into ``tp`` (``anything`` stands for a field annotated
    ``object``; without one such a field is refused)."""
    key = (tp, anything)
    found = _BUILDING.get(key)
    if found is None:
        found = _build(tp, anything)
        _BUILDING[key] = found
    return found


def _build(tp: object, anything: object) -> Decoder:
    if tp is str:
        return _exact(str, "a string")
    if tp is bool:
        return _exact(bool, "a boolean")
    if tp is int:
        return _exact(int, "an integer")
    if tp is float:
        return _float
    if tp is type(None) or tp is None:
        return _none
    if tp is object:
        if anything is None:
            raise TypeError("cache: a field annotated 'object' needs a concrete type")
        return decoder(anything)
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is typing.Union or origin is types.UnionType:
        others = [a for a in args if a is not type(None)]
        if len(others) != 1 or len(args) != 2:
            raise TypeError(f"cache: unsupported union {tp!r}")
        return _optional(decoder(others[0], anything))
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return _sequence(decoder(args[0], anything), tuple)
        return _fixed(tuple(decoder(a, anything) for a in args))
    if origin is list:
        return _sequence(decoder(args[0], anything), list)
    if origin is frozenset:
        return _sequence(decoder(args[0], anything), frozenset)
    if origin is dict:
        if args[0] is not str:
            raise TypeError(f"cache: dict keys must be strings in {tp!r}")
        return _mapping(decoder(args[1], anything))
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return _record(tp, anything)
    raise TypeError(f"cache: unsupported type {tp!r}")


def _optional(inner: Decoder) -> Decoder:
    def decode(value: Any) -> Any:
        return None if value is None else inner(value)

    return decode


def _sequence(item: Decoder, make: Callable[[Any], Any]) -> Decoder:
    def decode(value: Any) -> Any:
        if type(value) is not list:
            raise _fail("an array", value)
        return make([item(v) for v in value])

    return decode


def _fixed(items: tuple[Decoder, ...]) -> Decoder:
    n = len(items)

    def decode(value: Any) -> Any:
        if type(value) is not list or len(value) != n:
            raise _fail(f"an array of {n}", value)
        return tuple(d(v) for d, v in zip(items, value, strict=True))

    return decode


def _mapping(item: Decoder) -> Decoder:
    def decode(value: Any) -> Any:
        if type(value) is not dict:
            raise _fail("an object", value)
        return {k: item(v) for k, v in value.items()}

    return decode


def _record(cls: type, anything: object) -> Decoder:
    names = _field_names(cls)
    hints = typing.get_type_hints(cls)
    fields: list[Decoder] = []

    def decode(value: Any) -> Any:
        if type(value) is not list or len(value) != len(names):
            raise _fail(f"{cls.__name__} ({len(names)} fields)", value)
        return cls(*[d(v) for d, v in zip(fields, value, strict=True)])

    _BUILDING[(cls, anything)] = decode  # a record that (indirectly) holds itself
    fields.extend(decoder(hints[n], anything) for n in names)
    return decode
