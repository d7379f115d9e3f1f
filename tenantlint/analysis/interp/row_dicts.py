"""Rows a tenant guard reads as dicts (docs/concepts.md, "Checked after the fetch").

An access check often takes a row or the dict made of it, and reads its tenant by key::

    def check_kb_team_permission(kb, other):
        kb = kb.to_dict() if isinstance(kb, Knowledgebase) else kb
        kb_tenant_id = kb["tenant_id"]
        if kb_tenant_id == other:
            return True
        ...

For the guard reader (``access_predicates.py``) three things hold here:

* ``kb["tenant_id"]`` (a constant string key) reads what ``kb.tenant_id`` reads: :func:`entry_path`;
* a parameter rebound to a conversion of itself (``kb.to_dict()``, ``dict(kb)``,
  ``model_to_dict(kb)``, ``vars(kb)``, or either branch of ``... if isinstance(kb, M) else kb`` being
  one of those or ``kb`` itself) still holds the parameter's row: :func:`self_conversion`. A parameter
  rebound to anything else (``kb = default_kb(other)``) holds another value, and a comparison of it
  proves nothing about the row the caller passed;
* a name bound once to the row's tenant (``kb_tenant_id = kb["tenant_id"]``) is that tenant wherever
  it is compared (the reader keeps such aliases).
"""

from __future__ import annotations

import libcst as cst

from tenantlint.analysis.interp.exprs import dotted, string_value

# Methods and functions that copy a row into a dict of its columns.
CONVERTING_METHODS = frozenset({"to_dict", "as_dict", "dict", "model_dump", "_asdict"})
CONVERTING_FUNCTIONS = frozenset({"dict", "vars", "model_to_dict", "playhouse.shortcuts.model_to_dict"})


def entry_path(node: cst.BaseExpression) -> str | None:
    """``row.team_id`` as :func:`dotted` (names and attributes only) spells it, with an entry read by
    a constant string key read as an attribute: ``row["team_id"]`` -> ``row.team_id``."""
    if type(node) is cst.Subscript:
        sub = node  # type: ignore[assignment]
        assert isinstance(sub, cst.Subscript)
        if len(sub.slice) != 1 or not isinstance(sub.slice[0].slice, cst.Index):
            return None
        key = string_value(sub.slice[0].slice.value)
        base = entry_path(sub.value)
        return f"{base}.{key}" if base and key and key.isidentifier() else None
    if type(node) is cst.Attribute:
        attr = node  # type: ignore[assignment]
        assert isinstance(attr, cst.Attribute)
        base = entry_path(attr.value)
        return f"{base}.{attr.attr.value}" if base else None
    return dotted(node, calls=False)


def self_conversion(value: cst.BaseExpression, name: str) -> bool:
    """``value`` is ``name`` itself or a dict copy of its columns (``name.to_dict()``,
    ``dict(name)``, ``model_to_dict(name)``), or a conditional whose branches both are."""
    if isinstance(value, cst.Name):
        return value.value == name
    if isinstance(value, cst.IfExp):
        return self_conversion(value.body, name) and self_conversion(value.orelse, name)
    if not isinstance(value, cst.Call):
        return False
    func = value.func
    if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name):
        return func.value.value == name and func.attr.value in CONVERTING_METHODS \
            and all(a.keyword is not None for a in value.args)
    called = dotted(func, calls=False)
    return called in CONVERTING_FUNCTIONS and len(value.args) == 1 and value.args[0].keyword is None \
        and not value.args[0].star and isinstance(value.args[0].value, cst.Name) \
        and value.args[0].value.value == name
