"""Locals a named function computes from parameters: values that only narrow a row passed in.

::

    @classmethod
    def get_latest(cls, data_source, query, max_age=0):
        query_hash = gen_query_hash(query)
        return cls.query.filter(cls.query_hash == query_hash, cls.data_source == data_source).first()

``query_hash`` is neither a parameter nor derived from one by a conversion, so the query is no
id-keyed helper by its keys alone (``calls.param_keys``): a value a call returns may be anything, and
a query keyed only by it reads whatever rows it names. Beside an *anchor*, a foreign key to a tenant
table pinned to a parameter (``cls.data_source == data_source``, ``analysis/orm/anchors.py``), it
only narrows the rows of the row the caller passes. Such a local is marked here (``DERIVED``); where
the query's keys are counted it stands for a constant, and the query is keyed by its parameters when
every state it was used in has an anchor (``analysis/summaries.py``).

A derived local is bound by one assignment to a call of a function the module names (an import, a
function defined at top level, a builtin; ``utils.gen_query_hash`` too), not of a parameter, a local
or a method of ``self``/``cls``, whose arguments read only parameters (still holding what the caller
passed), constants and module-level names, and at least one parameter. A call of a function passed
in (``since = lookup(user_ids)``) is the caller's code: it keys nothing and narrows nothing.

The anchor confines the rows of its own model only: a query naming another model
(``db.session.query(QueryResult, Query).filter(QueryResult.data_source == data_source, Query.id ==
gen_id(query_id))``, a join, a subquery) may read that model's rows by the derived local, so such a
query is not read so (:func:`one_model`).
"""

from __future__ import annotations

from dataclasses import replace

import libcst as cst

from tenantlint.analysis.facts import Provenance, Trust
from tenantlint.analysis.interp.constant_locals import reads_of
from tenantlint.analysis.interp.function_state import FunctionState
from tenantlint.analysis.interp.values import CONSTANT_ORIGIN, Value
from tenantlint.analysis.source.children import code_children
from tenantlint.crossfn.records import PARAMETER

DERIVED = "derived from parameters "  # + the parameters, comma-separated


def _callee_root(func: cst.BaseExpression) -> str | None:
    """``gen_query_hash`` of ``gen_query_hash(...)``, ``utils`` of ``utils.gen_query_hash(...)``."""
    node = func
    while isinstance(node, cst.Attribute):
        node = node.value
    return node.value if isinstance(node, cst.Name) else None


def _module_name(fn: FunctionState, name: str) -> bool:
    """A name the module binds (an import, a top-level def, a builtin), not rebound in the function."""
    if name in fn.params or name in fn.request_names or name in ("self", "cls"):
        return False
    held = fn.env.get(name)
    return held is None or held is fn.module_env.get(name) or held.prov.source == CONSTANT_ORIGIN


def derived_value(fn: FunctionState, expr: cst.BaseExpression, value: Value, ran_query: bool) -> Value | None:
    """``value`` marked as derived from parameters when ``expr`` is such a call, else None."""
    if ran_query or type(value) is not Value or value.prov != Provenance(Trust.UNKNOWN):
        return None
    if value.scoped_row_of or value.carries_tenant_key or not isinstance(expr, cst.Call):
        return None
    root = _callee_root(expr.func)
    if root is None or not _module_name(fn, root):
        return None
    params: set[str] = set()
    for arg in expr.args:
        names = reads_of(arg.value)
        if names is None:
            return None
        for name in names:
            if name in fn.params:
                held = fn.env.get(name)
                if held is not None and held.prov.source != PARAMETER + name:
                    return None  # rebound: no longer what the caller passed
                params.add(name)
            elif not _module_name(fn, name):
                return None
    if not params:
        return None
    return replace(value, prov=Provenance.unknown(DERIVED + ",".join(sorted(params))))


def as_constants(env: dict[str, Value]) -> dict[str, Value] | None:
    """``env`` with its derived locals standing for constants, or None when it holds none."""
    if not any(v.prov.source.startswith(DERIVED) for v in env.values()):
        return None
    return {name: (Value(Provenance.unknown(CONSTANT_ORIGIN)) if v.prov.source.startswith(DERIVED) else v)
            for name, v in env.items()}


def model_names(node: cst.CSTNode) -> set[str]:
    """The model names the query expression ``node`` reads: ``cls``/``self`` and capitalised names
    read as a value or an attribute's head (a callee, ``or_``, ``Q(...)``, is no model; an
    attribute's name is a column)."""
    seen: set[str] = set()
    todo: list[cst.CSTNode] = [node]
    while todo:
        here = todo.pop()
        if isinstance(here, cst.Call):
            func = here.func
            if isinstance(func, cst.Attribute):
                todo.append(func.value)  # the receiver; the method's name is no model
            todo.extend(arg.value for arg in here.args)
        elif isinstance(here, cst.Name):
            if here.value in ("cls", "self") or (here.value[:1].isupper()
                                                 and here.value not in ("True", "False", "None")):
                seen.add(here.value)
        elif isinstance(here, cst.Attribute):
            todo.append(here.value)
        else:
            todo.extend(code_children(here))
    return seen


def one_model(node: cst.CSTNode) -> bool:
    """The query expression ``node`` names one model at most (:func:`model_names`)."""
    return len(model_names(node)) <= 1
