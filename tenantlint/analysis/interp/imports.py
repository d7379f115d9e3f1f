"""A cheap import table: local name -> dotted qualified name, from a module's import statements.

Cheaper than libcst's QualifiedNameProvider (its metadata costs about five parses per file) and enough for
telling `from flask import request` from a Django `request` parameter, or `Q` from any `Q`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import libcst as cst
from libcst.helpers import get_full_name_for_node


@dataclass
class ImportTable:
    names: dict[str, str] = field(default_factory=dict)  # local name -> qualified name

    def qualify(self, dotted: str) -> str:
        """``get_object_or_404`` -> ``django.shortcuts.get_object_or_404``; unknown roots unchanged."""
        head, _, rest = dotted.partition(".")
        target = self.names.get(head)
        if target is None:
            return dotted
        return f"{target}.{rest}" if rest else target

    def original_name(self, local: str) -> str:
        """The imported object's own name (``Inv`` for ``from m import Invoice as Inv`` -> Invoice)."""
        target = self.names.get(local)
        return target.rsplit(".", 1)[-1] if target else local

    def imports_from(self, *modules: str) -> bool:
        return any(
            q == m or q.startswith(m + ".") for q in self.names.values() for m in modules
        )


class _Collector(cst.CSTVisitor):
    def __init__(self) -> None:
        self.table = ImportTable()

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            name = get_full_name_for_node(alias.name)
            if not name:
                continue
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                self.table.names[alias.asname.name.value] = name
            else:
                head = name.split(".", 1)[0]
                self.table.names.setdefault(head, head)

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if isinstance(node.names, cst.ImportStar):
            return
        module = get_full_name_for_node(node.module) if node.module is not None else ""
        dots = "." * len(node.relative)
        base = f"{dots}{module}" if module else dots
        for alias in node.names:
            name = get_full_name_for_node(alias.name)
            if not name:
                continue
            local = name
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                local = alias.asname.name.value
            sep = "" if base.endswith(".") else "."
            self.table.names[local] = f"{base}{sep}{name}"


def _statements(body: Sequence[cst.CSTNode]) -> Iterator[cst.CSTNode]:
    """Every statement, nested ones included, without descending into expressions (cheap)."""
    for stmt in body:
        yield stmt
        if type(stmt) is cst.SimpleStatementLine:
            continue  # its body is its small statements: none has a ``body`` of its own
        for attr in ("body", "orelse", "finalbody", "handlers", "cases"):
            child = getattr(stmt, attr, None)
            if child is None:
                continue
            if isinstance(child, Sequence):
                for handler in child:
                    inner = getattr(handler, "body", None)
                    if isinstance(inner, cst.BaseSuite):
                        yield from _statements(getattr(inner, "body", ()))
            elif isinstance(child, cst.BaseSuite):
                yield from _statements(getattr(child, "body", ()))
            elif isinstance(child, cst.If | cst.Else | cst.Finally):
                yield from _statements([child] if isinstance(child, cst.If) else child.body.body)


def collect_imports(module: cst.Module) -> ImportTable:
    collector = _Collector()
    for stmt in _statements(module.body):
        if type(stmt) is cst.SimpleStatementLine:
            assert isinstance(stmt, cst.SimpleStatementLine)
            for small in stmt.body:
                kind = type(small)  # exact classes: no ``ABCMeta.__instancecheck__`` per statement
                if kind is cst.Import:
                    collector.visit_Import(small)  # type: ignore[arg-type]
                elif kind is cst.ImportFrom:
                    collector.visit_ImportFrom(small)  # type: ignore[arg-type]
    return collector.table
