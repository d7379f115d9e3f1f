"""Class-based views and viewsets: ``queryset =`` / ``model =`` versus a trusted ``get_queryset``."""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from tenantlint.analysis.facts import Scoping, ViewFact
from tenantlint.analysis.interp.evaluator import Evaluator
from tenantlint.analysis.interp.file_context import FileContext
from tenantlint.analysis.interp.values import ModelRef, QueryValue, Value
from tenantlint.analysis.plugins import ClassInfo

if TYPE_CHECKING:
    from tenantlint.analysis.interp.function_state import FunctionState

SAFE_FOR_VIEW = frozenset(
    {Scoping.TRUSTED_FILTER, Scoping.RELATED_MANAGER, Scoping.SCOPED_PARENT, Scoping.SCOPING_METHOD,
     Scoping.AUTO_SCOPED, Scoping.SYSTEM_SCOPE}
)


def returns_scoped(returns: list[Value]) -> bool:
    """A get_queryset is trusted when every query it returns is confined to the caller's tenant."""
    queries = [r for r in returns if isinstance(r, QueryValue)]
    if not queries:
        return bool(returns)
    for q in queries:
        scoping, untrusted, _ = q.state.verdict()
        if scoping not in SAFE_FOR_VIEW or untrusted is not None:
            return False
    return True


class ViewCheck:
    def __init__(self, ctx: FileContext, cls: ClassInfo) -> None:
        self.ctx = ctx
        self.cls = cls
        self.exposed: list[tuple[cst.CSTNode, str]] = []  # (assignment, table)
        self.scoped_get_queryset: bool | None = None

    def class_assignment(self, stmt: cst.SimpleStatementLine, state: FunctionState) -> bool:
        """Handle ``queryset = …`` / ``model = …``; False when the line is something else."""
        if len(stmt.body) != 1 or not isinstance(stmt.body[0], cst.Assign):
            return False
        assign = stmt.body[0]
        names = [t.target.value for t in assign.targets if isinstance(t.target, cst.Name)]
        if not names or names[0] not in ("queryset", "model"):
            return False
        state.statement = stmt
        value = Evaluator(self.ctx, state).eval(assign.value, use=False)
        if isinstance(value, QueryValue) and value.origin is not None:
            origin = value.origin
            self.ctx.origins.remove(origin)  # reported as TNT202 (or not at all), never TNT101
            scoping, untrusted, _ = value.state.verdict()
            if origin.tenant is not None and scoping not in SAFE_FOR_VIEW:
                self.exposed.append((assign, origin.table))
        elif isinstance(value, ModelRef) and value.tenant is not None and self.reads_model():
            self.exposed.append((assign, value.table))
        state.class_attrs[names[0]] = value
        return True

    def reads_model(self) -> bool:
        """Whether the view's framework serves ``model = X`` (a DRF ``APIView`` does not)."""
        cls = self.cls
        wider = ClassInfo(cls.name, (*cls.bases, *self.ctx.project_bases(cls)), cls.node)
        mine = [fw for fw in self.ctx.plugins.frameworks if fw.view_class(self.ctx, wider)]
        return not mine or any(fw.serves_model_attribute(self.ctx, wider) for fw in mine)

    def own_get_queryset(self, fstate: FunctionState) -> None:
        self.scoped_get_queryset = returns_scoped(fstate.returns)

    def inherited_get_queryset(self) -> bool:
        """A trusted get_queryset from a base or mixin of the project."""
        seen: set[str] = set()
        todo = list(self.cls.bases)
        while todo:
            base = todo.pop().rsplit(".", 1)[-1]
            if base in seen:
                continue
            seen.add(base)
            if base in self.ctx.settings.facts.scoped_view_bases:
                return True
            local = self.ctx.local_classes.get(base)
            if local is not None:
                todo.extend(local.bases)
        return False

    def finish(self) -> None:
        if not self.exposed:
            return
        if self.scoped_get_queryset is True:
            return
        if self.scoped_get_queryset is None and self.inherited_get_queryset():
            return
        for node, table in self.exposed:
            self.ctx.facts.views.append(ViewFact(node, self.cls.name, table))
