"""A model's own table name spliced into SQL: ``f"UPDATE {cls.model._meta.table_name} SET ..."``.

The name is model metadata, not input: Peewee and Django ``Model._meta.table_name``/``db_table``,
SQLAlchemy ``Model.__tablename__``/``Model.__table__.name``. When the model resolves statically (an
imported class, ``cls``/``type(self)`` in the model, ``cls.model`` of a service class), the text is
that table's name and the statement is verified like any constant SQL; otherwise it stays a hole.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from tenantlint.analysis.interp.values import ModelRef

if TYPE_CHECKING:
    from tenantlint.analysis.plugins import Evaluation

# Attribute chains (outermost last) that name the table of the model they follow.
TABLE_NAME_CHAINS = (("_meta", "table_name"), ("_meta", "db_table"), ("__tablename__",),
                     ("__table__", "name"), ("_meta", "table", "name"))


def model_of_table_name(node: cst.BaseExpression) -> cst.BaseExpression | None:
    """The model expression of ``<model>._meta.table_name`` and its kin, else None."""
    for chain in TABLE_NAME_CHAINS:
        current = node
        for attr in reversed(chain):
            if not (isinstance(current, cst.Attribute) and current.attr.value == attr):
                break
            current = current.value
        else:
            return current
    return None


def table_name_text(ev: Evaluation, node: cst.BaseExpression) -> str | None:
    """The table name ``node`` holds when it is the table-name metadata of a resolved model."""
    model = model_of_table_name(node)
    if model is None:
        return None
    value = ev.eval(model, use=False)
    if isinstance(value, ModelRef) and value.table:
        return value.table
    return None
