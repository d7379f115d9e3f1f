"""Per-file analysis context: settings, plug-ins, imports and the facts being collected."""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from tenantlint.analysis.facts import FileFacts
from tenantlint.analysis.interp.class_bases import project_bases
from tenantlint.analysis.interp.filter_dicts import InstanceDicts
from tenantlint.analysis.interp.imports import ImportTable
from tenantlint.analysis.interp.values import ModelRef, Origin
from tenantlint.analysis.plugins import ClassInfo, Plugins
from tenantlint.analysis.settings import Settings
from tenantlint.config.options import Config
from tenantlint.index.records import ProjectIndex, TenantTable


@dataclass
class FileContext:
    path: str
    module: cst.Module
    settings: Settings
    imports: ImportTable
    plugins: Plugins  # the ORM and framework plug-ins asked, in order
    source: str | None = None  # the module's text, when known
    facts: FileFacts = field(default_factory=FileFacts.empty)
    origins: list[Origin] = field(default_factory=list)
    local_classes: dict[str, ClassInfo] = field(default_factory=dict)
    # Per-file memo of framework plug-ins (route objects, endpoint names), keyed by plug-in.
    plugin_memo: dict[str, object] = field(default_factory=dict)
    # id(fact node) -> the statement being walked when the fact was made (positions.py hints).
    statement_hints: dict[int, cst.CSTNode] = field(default_factory=dict)
    # id(a node the analysis built) -> the written node it stands for, for its position (an
    # executor's call read as the call it makes: ``executor_calls.py``)
    stand_ins: dict[int, cst.CSTNode] = field(default_factory=dict)
    # id(call node) -> the query a builder's return value became at that call (``values.Built``).
    built_at: dict[int, list[Origin]] = field(default_factory=dict)
    # Dicts methods keep on ``self`` (``self.filters = {...}``), read by the methods walked later.
    instance_dicts: InstanceDicts = field(default_factory=InstanceDicts)
    # callees whose summaries (``Settings.returns``) the walk looked up (``calls.py``): the result
    # depends on ``Settings.returns`` only through the answers for these (``Returns.answer``)
    returns_asked: set[str] = field(default_factory=set)
    # (function, entry, query node): tenant values inserts and raw SQL take from a serializer's
    # ``self.context`` (``context_pins.py``; ORM queries' are read from ``origins``)
    context_pins: list[tuple[str, str, cst.CSTNode]] = field(default_factory=list)
    # model name -> its ``ModelRef`` (immutable, the same for the whole file: ``Evaluator.model_ref``)
    model_refs: dict[str, ModelRef] = field(default_factory=dict)
    # local name -> what ``model_name`` answers (the imports and the index are the file's own: a
    # file of 10,000 queries of one model asks it 10,000 times)
    _model_names: dict[str, str | None] = field(default_factory=dict, repr=False)

    @property
    def config(self) -> Config:
        return self.settings.config

    @property
    def index(self) -> ProjectIndex:
        return self.settings.index

    def model_name(self, local: str) -> str | None:
        """The model class a local name refers to, if the index knows it.

        A name imported from a package the model is not defined under is another class of the same
        name (``from django.contrib.sessions.models import Session`` beside a project model
        ``Session``): not the project's model."""
        known = self._model_names
        if local in known:
            return known[local]
        found = known[local] = self._model_name(local)
        return found

    def _model_name(self, local: str) -> str | None:
        name = self.imports.original_name(local)
        if name not in self.index.by_model:
            return None
        target = self.imports.names.get(local)
        if target and not target.startswith(".") and not self._defined_under(name, target):
            return None
        return name

    def _defined_under(self, model: str, target: str) -> bool:
        """Whether some definition of ``model`` lies under the top-level package ``target`` names
        (a folder or module of its path); definitions the index read from SQL always match."""
        top = target.split(".", 1)[0]
        defs = self.index.models.get(model, ())
        if not defs:
            return True
        for info in defs:
            if not info.path.endswith(".py"):
                return True
            parts = info.path[:-3].split("/")
            if top in parts:
                return True
        return False

    def tenant_of_model(self, model: str) -> TenantTable | None:
        return self.index.tenant_table_of_model(model)

    def is_view_class(self, cls: ClassInfo) -> bool:
        if any(fw.view_class(self, cls) for fw in self.plugins.frameworks):
            return True
        for base in cls.bases:
            local = self.local_classes.get(base)
            if local is not None and local is not cls and self.is_view_class(local):
                return True
        inherited = self.project_bases(cls)
        if inherited:
            wider = ClassInfo(cls.name, (*cls.bases, *inherited), cls.node)
            return any(fw.view_class(self, wider) for fw in self.plugins.frameworks)
        return False

    def project_bases(self, cls: ClassInfo) -> tuple[str, ...]:
        """Bases inherited through project classes defined in other modules (imported names)."""
        table = self.settings.facts.class_bases
        if not table:
            return ()
        memo = self.plugin_memo.setdefault("context.project-bases", {})
        assert isinstance(memo, dict)
        out: list[str] = []
        seen: set[str] = set()
        todo = list(cls.bases)
        while todo:
            base = todo.pop()
            if base in seen:
                continue
            seen.add(base)
            local = self.local_classes.get(base)
            if local is not None:
                todo.extend(local.bases)
                continue
            if "." not in base:
                continue  # not imported: nothing to follow
            if base not in memo:
                memo[base] = project_bases(table, base, self.path)
            out.extend(memo[base])
        return tuple(out)
