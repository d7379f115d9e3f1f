"""Keyword filter lookups: methods whose keyword arguments are the equality filters of the rows they
return (docs/concepts.md, "Across functions").

A service layer often reads rows through one generic method taking ``**kwargs`` as column filters::

    class BaseModel(Model):
        @classmethod
        def query(cls, reverse=None, order_by=None, **kwargs):
            filters = []
            for f_n, f_v in kwargs.items():
                if not hasattr(cls, f_n) or f_v is None:
                    continue
                filters.append(operator.attrgetter(f_n)(cls) == f_v)
            ...
            return [r for r in cls.select().where(*filters)]

    class CommonService:
        @classmethod
        def query(cls, cols=None, reverse=None, order_by=None, **kwargs):
            return cls.model.query(cols=cols, reverse=reverse, order_by=order_by, **kwargs)

``Service.query(tenant_id=t, id=i)`` then answers rows only when the row ``i`` names has the tenant
``t``. Two kinds are recorded, per file (CPython ``ast``), as ``pkg.module.Class.method`` ->
``build`` or ``pass:<method>``:

* a *builder*: its ``**kwargs`` are looped over (``for k, v in kwargs.items()``) and each value is
  compared ``==`` with an attribute looked up by its key (``getattr(cls, k)``,
  ``operator.attrgetter(k)(cls)``, ``cls.getter_by(k)``), the conditions going into a
  ``.where(*filters)``/``.filter(*filters)``;
* a *pass-through*: every ``return`` hands its ``**kwargs`` on to ``<receiver>.<method>(...,
  **kwargs)`` and nothing else reads them; it is a lookup when ``<method>`` is a builder's name, or
  a keyword filter of the ORM (``filter``, ``filter_by``, ``get_or_none``).
"""

from __future__ import annotations

import ast
from collections.abc import Mapping

from tenantlint.index.ast_util import dotted, walk

BUILD = "build"
PASS = "pass:"
ORM_KEYWORD_FILTERS = frozenset({"filter", "filter_by", "get_or_none"})
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
_ATTRGETTERS = ("attrgetter", "operator.attrgetter")


def _names_in(node: ast.AST) -> set[str]:
    return {n.id for n in walk(node) if isinstance(n, ast.Name)}


def _by_key(node: ast.expr, keys: set[str]) -> bool:
    """An attribute of the class looked up by a key: ``getattr(cls, k)``, ``operator.attrgetter(k)(cls)``,
    ``cls.getter_by(k)``."""
    if not isinstance(node, ast.Call) or node.keywords:
        return False
    func = node.func
    if isinstance(func, ast.Name) and func.id == "getattr":
        return len(node.args) == 2 and isinstance(node.args[1], ast.Name) and node.args[1].id in keys
    if isinstance(func, ast.Call) and dotted(func.func, calls="reject") in _ATTRGETTERS:
        return len(func.args) == 1 and isinstance(func.args[0], ast.Name) and func.args[0].id in keys
    return (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "cls"
            and len(node.args) == 1 and isinstance(node.args[0], ast.Name) and node.args[0].id in keys)


def _builds(fn: ast.FunctionDef | ast.AsyncFunctionDef, kwargs: str) -> bool:
    """``for k, v in kwargs.items(): ... <attribute by k> == v ...`` and a ``.where(*conditions)``."""
    spread_where = any(
        isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr in ("where", "filter")
        and any(isinstance(a, ast.Starred) for a in n.args) for n in walk(fn))
    if not spread_where:
        return False
    for loop in walk(fn):
        if not (isinstance(loop, ast.For) and isinstance(loop.target, ast.Tuple)
                and len(loop.target.elts) == 2 and all(isinstance(e, ast.Name) for e in loop.target.elts)
                and isinstance(loop.iter, ast.Call) and isinstance(loop.iter.func, ast.Attribute)
                and loop.iter.func.attr == "items" and isinstance(loop.iter.func.value, ast.Name)
                and loop.iter.func.value.id == kwargs and not loop.iter.args):
            continue
        key, value = (e.id for e in loop.target.elts if isinstance(e, ast.Name))
        keys = {key}  # the key and locals computed from it (``attr_name = "%s" % f_n``)
        for node in walk(loop):
            if isinstance(node, ast.Assign) and len(node.targets) == 1 \
                    and isinstance(node.targets[0], ast.Name) and _names_in(node.value) & keys:
                keys.add(node.targets[0].id)
        for node in walk(loop):
            if isinstance(node, ast.Compare) and len(node.ops) == 1 and isinstance(node.ops[0], ast.Eq):
                sides = (node.left, node.comparators[0])
                for attr, other in (sides, sides[::-1]):
                    if isinstance(other, ast.Name) and other.id == value and _by_key(attr, keys):
                        return True
    return False


def _passed_to(fn: ast.FunctionDef | ast.AsyncFunctionDef, kwargs: str) -> str | None:
    """The method every ``return`` of ``fn`` hands ``**kwargs`` to, when that is their only use."""
    methods: set[str] = set()
    spread: set[int] = set()
    returns = [n for n in walk(fn) if isinstance(n, ast.Return)]
    for ret in returns:
        call = ret.value.value if isinstance(ret.value, ast.Await) else ret.value
        if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)):
            return None
        given = [k for k in call.keywords if k.arg is None]
        if len(given) != 1 or not (isinstance(given[0].value, ast.Name) and given[0].value.id == kwargs):
            return None
        spread.add(id(given[0].value))
        methods.add(call.func.attr)
    if len(methods) != 1:
        return None
    uses = [n for n in walk(fn) if isinstance(n, ast.Name) and n.id == kwargs]
    return methods.pop() if all(id(n) in spread for n in uses) else None


def keyword_lookups(module: str, tree: ast.Module) -> dict[str, str]:
    """``pkg.module.Class.method`` -> ``build`` / ``pass:<method>`` for the methods of one file's
    top-level classes that take ``**kwargs`` as filters."""
    out: dict[str, str] = {}
    for cls in tree.body:
        if not isinstance(cls, ast.ClassDef):
            continue
        for fn in cls.body:
            if not isinstance(fn, _FUNCTIONS) or fn.args.kwarg is None:
                continue
            kwargs = fn.args.kwarg.arg
            name = ".".join(p for p in (module, cls.name, fn.name) if p)
            if _builds(fn, kwargs):
                out[name] = BUILD
                continue
            method = _passed_to(fn, kwargs)
            if method is not None:
                out[name] = PASS + method
    return out


def is_keyword_lookup(qualname: str, lookups: Mapping[str, str]) -> bool:
    """``qualname`` (a method of the project) takes its ``**kwargs`` as filters: a builder, or a
    pass-through to a builder's method name or to an ORM keyword filter."""
    kind = lookups.get(qualname)
    if kind is None:
        return False
    if kind == BUILD:
        return True
    method = kind[len(PASS):]
    return method in ORM_KEYWORD_FILTERS or any(
        k == BUILD and q.rsplit(".", 1)[-1] == method for q, k in lookups.items())
