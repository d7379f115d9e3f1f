"""An anchor confines the model it is on: the other tenant models a query reads beside it.

::

    @classmethod
    def get_with_query(cls, data_source, query_id):
        return db.session.query(cls, Query).filter(cls.data_source == data_source,
                                                   Query.id == query_id).first()

The anchor ``cls.data_source == data_source`` (``analysis/orm/anchors.py``) limits the rows of
``cls`` to those of the row the caller passes; the ``Query`` rows read beside them are keyed by
``query_id`` alone, so a trusted data source confines nothing of them. A query naming several
models keeps its anchors only when every other tenant model it names is confined:

- joined from a confined model through a foreign key to its id (``cls.query_id == Query.id``, in a
  ``join`` or a filter): its rows are those the confined rows point to. A primary key joined to its
  id (``cls.id == Query.id``), or a column of a known model that is no foreign key to it, pairs
  rows that merely share a number and confines nothing;
- or pinned by its own tenant filter to a parameter (``Query.org == org``): such parameters are
  the anchors' *companions*, and a call confines the query by its trusted anchor only when it passes
  a trusted value into each companion too (``crossfn/combine.py``).

The anchored model is the one a comparison pins to an anchor (``cls.data_source == data_source``),
or for a keyword lookup (``Note.objects.filter(owner=owner)``) the model its call chain starts at.
A model the index does not know as a tenant table (a global one, an enum) needs neither; ``cls``
other than the anchored model is not resolved: it is never confined so (``self.owner`` is the
object's, no model). Anything else drops the anchors, and every key of the query is judged at its
calls.
"""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from tenantlint.analysis.interp.derived_locals import model_names, one_model
from tenantlint.analysis.interp.file_context import FileContext
from tenantlint.analysis.source.children import code_children
from tenantlint.index.records import TenantTable
from tenantlint.index.relations import fields_with_bases

_Column = tuple[str, str]  # (model name as written, attribute)


def _column(node: cst.BaseExpression) -> _Column | None:
    """``Query.id`` -> ("Query", "id"); ``cls.data_source`` -> ("cls", "data_source")."""
    if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name):
        head = node.value.value
        if head in ("cls", "self") or head[:1].isupper():
            return head, node.attr.value
    return None


def _param(node: cst.BaseExpression, params: frozenset[str]) -> str | None:
    """The parameter ``node`` reads as itself or an attribute of it (``org``, ``org.id``)."""
    while isinstance(node, cst.Attribute):
        node = node.value
    return node.value if isinstance(node, cst.Name) and node.value in params else None


def _root(node: cst.CSTNode) -> str | None:
    """``Note`` of ``Note.objects.filter(...).first()``: the model name a call chain starts at."""
    while True:
        if isinstance(node, cst.Call):
            node = node.func
        elif isinstance(node, cst.Attribute):
            node = node.value
        else:
            break
    if isinstance(node, cst.Name) and (node.value == "cls" or node.value[:1].isupper()):
        return node.value
    return None


def _equalities(node: cst.CSTNode) -> Iterator[tuple[cst.BaseExpression, cst.BaseExpression]]:
    """Every ``left == right`` in ``node``."""
    todo: list[cst.CSTNode] = [node]
    while todo:
        here = todo.pop()
        if isinstance(here, cst.Comparison) and len(here.comparisons) == 1 \
                and isinstance(here.comparisons[0].operator, cst.Equal):
            yield here.left, here.comparisons[0].comparator
        todo.extend(code_children(here))


def _tenant_keys(ctx: FileContext, model: str, tenant: TenantTable) -> frozenset[str]:
    """The attributes of ``model`` that pin its tenant: the tenant column and field, the first step
    of its path to a scoped table, a relationship to a configured tenant model (``org``)."""
    keys = {*tenant.tenant_names(), *tenant.via[:1], *tenant.via_columns[:1]}
    roots = frozenset(ctx.config.tenant_models)
    for f in fields_with_bases(ctx.index, model):
        if f.fk_target and (f.fk_target in roots or f.column in keys):
            keys.add(f.name)
    return frozenset(keys)


def _foreign_key(ctx: FileContext, src: _Column, dst: str) -> bool:
    """``src`` may be a foreign key to model ``dst``: not a primary key (``cls.id == Query.id``
    pairs rows that share a number), and, when the index knows both models, a field of ``src``'s
    model (or a base's) pointing to ``dst``'s table. ``cls`` and unknown models keep any column."""
    if src[1] in ("id", "pk"):
        return False
    name, target = ctx.model_name(src[0]), ctx.model_name(dst)
    if name is None or target is None:
        return True
    table = ctx.index.table_of_model(target)
    return any(f.fk_target in (target, table) or ctx.index.table_of_model(f.fk_target) == table
               for f in fields_with_bases(ctx.index, name) if f.fk_target and src[1] in (f.name, f.column))


def companions(ctx: FileContext, node: cst.CSTNode, anchors: tuple[str, ...],
               params: frozenset[str]) -> tuple[str, ...] | None:
    """The parameters pinning the other tenant models ``node`` reads beside its anchored model (the
    companions, () for a query of one model), or None when one of them is not confined."""
    if not anchors or one_model(node):
        return ()
    pairs = list(_equalities(node))
    confined: set[str] = set()
    for left, right in pairs:
        for col, value in ((_column(left), right), (_column(right), left)):
            if col is not None and _param(value, frozenset(anchors)) is not None:
                confined.add(col[0])
    if not confined:  # a keyword lookup (``filter(project=project)``): the model the chain starts at
        root = _root(node)
        if root is None:
            return None
        confined.add(root)
    changed = True
    while changed:  # joins through a foreign key of a confined model to another's id
        changed = False
        for left, right in pairs:
            a, b = _column(left), _column(right)
            if a is None or b is None:
                continue
            for src, dst in ((a, b), (b, a)):
                if src[0] in confined and dst[0] not in confined and dst[1] == "id" \
                        and _foreign_key(ctx, src, dst[0]):
                    confined.add(dst[0])
                    changed = True
    found: set[str] = set()
    for model in model_names(node) - confined - {"self"}:  # ``self.owner``: the object's, no model
        if model == "cls":
            return None
        name = ctx.model_name(model)
        tenant = ctx.index.tenant_table_of_model(name) if name is not None else None
        if tenant is None:
            continue  # no tenant table: nothing to confine
        keys = _tenant_keys(ctx, name or model, tenant)
        pinned = {p for left, right in pairs
                  for col, value in ((_column(left), right), (_column(right), left))
                  if col is not None and col[0] == model and col[1] in keys
                  and (p := _param(value, params)) is not None}
        if not pinned:
            return None
        found |= pinned
    return tuple(sorted(found))
