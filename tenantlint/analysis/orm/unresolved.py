"""Calls that look like queries but that no ORM hook tied to a model ("not analysed": ``query_like``).

The honest coverage figure beside "share proven scoped": a manager or query attribute of a receiver
that resolves to no model of the index (``Invoice.objects.filter`` where ``Invoice`` is unknown,
``cls.model.select()`` in a base class no subclass gives a model), and SQLAlchemy/SQLModel
``select``/``update``/``delete``/``insert`` of something that is not a model.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from tenantlint.analysis.interp.exprs import dotted

if TYPE_CHECKING:
    from tenantlint.analysis.plugins import Evaluation as Evaluator

QUERY_METHODS = frozenset({
    "all", "filter", "filter_by", "exclude", "get", "get_or_none", "get_by_id", "get_or_create",
    "update_or_create", "create", "bulk_create", "update", "delete", "count", "exists", "first",
    "last", "values", "values_list", "select", "where", "insert", "insert_many", "order_by",
    "annotate", "aggregate", "select_related", "prefetch_related", "only", "defer", "in_bulk",
    "one", "one_or_none", "scalar", "paginate", "get_or_404", "first_or_404", "join", "iterator",
})
# Models of libraries (``django.contrib.auth.models.User``): not the project's tables.
LIBRARIES = ("django.", "rest_framework", "flask_login", "oauth2_provider", "allauth")
HELD_STARTS = frozenset({"select", "get", "get_or_none", "get_by_id", "update", "delete", "insert",
                         "insert_many", "create", "filter", "filter_by", "query", "objects", "all",
                         "bulk_create", "exists", "count"})
STATEMENTS = frozenset({
    "sqlalchemy.select", "sqlalchemy.update", "sqlalchemy.delete", "sqlalchemy.insert",
    "sqlalchemy.future.select", "sqlalchemy.sql.select", "sqlmodel.select", "sqlmodel.update",
    "sqlmodel.delete",
})


def _capitalised(node: cst.BaseExpression) -> bool:
    text = dotted(node)
    return text is not None and text.rsplit(".", 1)[-1][:1].isupper()


def method_call(ev: Evaluator, func: cst.Attribute, managers: frozenset[str]) -> str | None:
    """``X.objects.filter(...)``, ``X.query.get(...)``, ``cls.model.select()`` left unresolved."""
    method = func.attr.value
    recv = func.value
    if not isinstance(recv, cst.Attribute):
        return None
    attr = recv.attr.value
    base = recv.value
    if attr in managers and method in QUERY_METHODS and _capitalised(base) and \
            not ev.ctx.imports.qualify(dotted(base) or "").startswith(LIBRARIES):
        return f"{dotted(base)}.{attr}.{method}(): {dotted(base)} is not a model tenantlint knows"
    elif attr in managers and method in QUERY_METHODS and dotted(base) in ("cls", "type(self)",
                                                                          "self.__class__"):
        return f"{dotted(base)}.{attr}.{method}(): no model known for {dotted(base)}"
    elif method in HELD_STARTS and isinstance(base, cst.Name) and base.value in ("cls", "self") \
            and attr in _held_names(ev):
        return f"{base.value}.{attr}.{method}(): no model known for {base.value}.{attr}"
    return None


FUNCTIONS = ("func.", "sa.func.", "sqlalchemy.func.", "literal_column", "sa.literal_column",
             "literal", "sa.literal", "text", "sa.text")


def _constant(node: cst.BaseExpression) -> bool:
    """A column expression naming no table: a literal, or ``func.count()``/``literal_column("1")``
    over literals."""
    if isinstance(node, cst.SimpleString | cst.Integer | cst.Float | cst.ConcatenatedString):
        return True
    if isinstance(node, cst.Call):
        name = dotted(node.func) or ""
        return name.startswith(FUNCTIONS) and all(_constant(a.value) for a in node.args)
    return False


def statement_call(call: cst.Call, qualname: str) -> str | None:
    """``select(self.model)`` whose argument is no model; not ``select(func.count())`` (it counts the
    rows of a subquery, analysed where it is written)."""
    if qualname in STATEMENTS and call.args and not all(_constant(a.value) for a in call.args):
        return f"{qualname.rsplit('.', 1)[-1]}(...): its entity is not a model tenantlint knows"
    return None


def _held_names(ev: Evaluator) -> frozenset[str]:
    """Attribute names through which project classes hold models (``model``), plus ``model``."""
    memo = ev.ctx.settings.memo
    key = ("unresolved.held", "")
    found = memo.get(key)
    if not isinstance(found, frozenset):
        found = ev.ctx.settings.class_models.model_attr_names(ev.ctx.index.by_model) | {"model"}
        memo[key] = found
    return found
