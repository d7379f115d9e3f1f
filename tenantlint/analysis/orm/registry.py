"""Tables looked up by name in SQLAlchemy's registry: ``Base.metadata.tables["recipes"]``.

A ``MetaData`` of the project's declarative base holds every mapped table under its name, so a lookup
by a name known statically (a literal, a constant, or the variable of a loop over a literal list of
names, walked once per name) is that table, as its ``Table`` object: ``update(table)``,
``select(table)``, ``table.delete()`` and ``table.c.group_id == g`` are queries and filters on it. A
name known only at run time (a reflected backup, a parameter) stays unresolved and is listed as not
analysed.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import libcst as cst

from tenantlint.analysis.interp.exprs import dotted
from tenantlint.sqlcheck.tenant_tables import normalize_table

if TYPE_CHECKING:
    from tenantlint.analysis.interp.values import ModelRef
    from tenantlint.analysis.plugins import Evaluation

REGISTRIES = frozenset({"tables"})
METADATA = "metadata"


def table_by_name(ev: Evaluation, node: cst.Subscript, key: str, families: frozenset[str]) -> ModelRef | None:
    """``<...>.metadata.tables[key]``: the table of the index named ``key``."""
    registry = node.value
    if not isinstance(registry, cst.Attribute) or registry.attr.value not in REGISTRIES:
        return None
    holder = dotted(registry.value)
    if holder is None or holder.rsplit(".", 1)[-1] != METADATA:
        return None
    wanted = normalize_table(key)
    index = ev.ctx.index
    names = sorted(name for name, table in index.by_model.items() if normalize_table(table) == wanted)
    names = [n for n in names if (info := index.model(n)) is not None and info.family in families]
    if not names:
        return None
    plain = [n for n in names if (info := index.model(n)) is not None and info.name == info.table]
    return replace(ev.model_ref((plain or names)[0]), table_object=True)
