"""Class decorators that only file the class in a module dict (``index/registry_decorators.py``)."""

from __future__ import annotations

import ast

from tenantlint.index.registry_decorators import registry_decorators


def _found(src: str) -> set[str]:
    return set(registry_decorators("app.models", ast.parse(src)))


def test_a_decorator_that_only_files_the_class_in_a_module_dict() -> None:
    src = '_types = {}\nREG: dict = dict()\n\ndef kind(cls):\n    """Files it."""\n' \
          '    _types[cls.__tablename__] = cls\n    REG[cls.__name__] = cls\n    return cls\n'
    assert _found(src) == {"app.models.kind"}


def test_anything_more_is_no_registry_decorator() -> None:
    calls = ("_types = {}\n\ndef kind(cls):\n    admin.add_model(cls)\n"
             "    _types[cls.__name__] = cls\n    return cls\n")
    key_call = "_types = {}\n\ndef kind(cls):\n    _types[cls.key()] = cls\n    return cls\n"
    not_module = "def kind(cls, reg={}):\n    reg[cls.__name__] = cls\n    return cls\n"
    imported = "from other import _types\n\ndef kind(cls):\n    _types[cls.__name__] = cls\n    return cls\n"
    wrapped = "_types = {}\n\ndef kind(cls):\n    _types[cls.__name__] = cls\n    return wrap(cls)\n"
    sets = "_types = {}\n\ndef kind(cls):\n    _types[cls.__name__] = cls\n    cls.kind = 1\n    return cls\n"
    not_empty = "_types = {'a': 1}\n\ndef kind(cls):\n    _types[cls.__name__] = cls\n    return cls\n"
    for src in (calls, key_call, not_module, imported, wrapped, sets, not_empty):
        assert _found(src) == set(), src
