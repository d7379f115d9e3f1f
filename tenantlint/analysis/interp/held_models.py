"""Which models a class's attributes hold, for ``cls.model``/``self.model`` in its methods.

A service class sets the model itself (``model = Document``, ``self.dbe = ArtifactDBE`` in its
``__init__``) or inherits it from a project base; a generic base (``CommonService``,
``RepositoryGeneric``) holds none itself, and each method reading such an attribute is walked once
per concrete model that a subclass or a factory chose (``class_models.ClassModels``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import libcst as cst

from tenantlint.analysis.interp.class_models import Binding
from tenantlint.analysis.interp.exprs import dotted
from tenantlint.analysis.interp.file_context import FileContext
from tenantlint.analysis.interp.method_refs import chain_to, reached
from tenantlint.analysis.interp.values import ModelRef, Origin
from tenantlint.analysis.plugins import ClassInfo
from tenantlint.analysis.rawsql.constants import module_name

SELF_ATTR = re.compile(r"\b(?:cls|self)\.(\w+)")
SELF_CLASS = "__class__"  # key of ``FunctionState.models``: the model ``cls`` stands for in a mixin walk
CLASS_USE = re.compile(r"\bcls\.\w+[.(]|\btype\(self\)\.|\bself\.__class__\.")
MAX_MIXIN_MODELS = 64


def model_by_name(ctx: FileContext, text: str | None) -> str | None:
    """A model class named by a dotted name of this file (``Invoice``, ``models.Invoice``) or by a
    qualified name from the pre-pass tables."""
    if not text:
        return None
    if "." not in text:
        return ctx.model_name(text)
    last = text.rsplit(".", 1)[-1]
    return last if last in ctx.index.by_model else None


def model_ref(ctx: FileContext, model: str) -> ModelRef:
    info = ctx.index.model(model)
    return ModelRef(model=model, table=ctx.index.table_of_model(model) or model,
                    family=info.family if info else "", tenant=ctx.tenant_of_model(model))


def qualified(ctx: FileContext, cls: ClassInfo) -> str:
    mod = module_name(ctx.path)
    return f"{mod}.{cls.name}" if mod else cls.name


def _own_assignments(node: cst.ClassDef) -> Iterator[tuple[str, str]]:
    body = node.body.body if isinstance(node.body, cst.IndentedBlock) else ()
    for stmt in body:
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                if isinstance(small, cst.Assign) and len(small.targets) == 1:
                    target, value = small.targets[0].target, small.value
                elif isinstance(small, cst.AnnAssign) and small.value is not None:
                    target, value = small.target, small.value
                else:
                    continue
                text = dotted(value)
                if isinstance(target, cst.Name) and text:
                    yield target.value, text
        elif isinstance(stmt, cst.FunctionDef) and stmt.name.value == "__init__":
            for inner in _simple_statements(stmt.body):
                for small in inner.body:
                    if isinstance(small, cst.Assign) and len(small.targets) == 1:
                        target, value = small.targets[0].target, small.value
                        text = dotted(value)
                        if (isinstance(target, cst.Attribute) and dotted(target.value) == "self"
                                and text):
                            yield target.attr.value, text


def _simple_statements(suite: cst.BaseSuite) -> Iterator[cst.SimpleStatementLine]:
    body = suite.body if isinstance(suite, cst.IndentedBlock) else ()
    for stmt in body:
        if isinstance(stmt, cst.SimpleStatementLine):
            yield stmt
        elif isinstance(stmt, cst.If | cst.With | cst.Try):
            yield from _simple_statements(stmt.body)


def held_models(ctx: FileContext, cls: ClassInfo, seen: frozenset[str] = frozenset()) -> dict[str, ModelRef]:
    """Attribute -> model for ``cls``: its own assignments, then local and project bases'."""
    out: dict[str, ModelRef] = {}
    for attr, text in _own_assignments(cls.node):
        model = model_by_name(ctx, text)
        if model is not None:
            out.setdefault(attr, model_ref(ctx, model))
    for base in cls.bases:
        local = ctx.local_classes.get(base.rsplit(".", 1)[-1]) if "." not in base else None
        if local is not None and local is not cls and local.name not in seen:
            for attr, ref in held_models(ctx, local, seen | {cls.name}).items():
                out.setdefault(attr, ref)
    if ctx.settings.facts.class_attrs:
        for attr, text in ctx.settings.class_models.own_attrs(qualified(ctx, cls)):
            model = model_by_name(ctx, text)
            if model is not None:
                out.setdefault(attr, model_ref(ctx, model))
    return out


@dataclass(frozen=True, slots=True)
class GenericWalk:
    """One walk of a generic base method: the label of the concrete class and the models it holds."""

    label: str
    models: dict[str, ModelRef]


def generic_walks(
    ctx: FileContext, cls: ClassInfo, fn: cst.FunctionDef, held: dict[str, ModelRef]
) -> list[GenericWalk]:
    """Walks of ``fn`` (a method of ``cls``) for each concrete model of the one attribute it reads
    through ``cls``/``self`` that ``cls`` does not itself hold; empty when there is none."""
    mixin = _mixin_walks(ctx, cls, fn, held)
    if mixin:
        return mixin
    settings = ctx.settings
    if not (settings.facts.class_attrs or settings.facts.class_slots):
        return []
    known = _file_attrs(ctx)
    if not known:
        return []
    code = cst.Module(body=[]).code_for_node(fn)
    attrs = [a for a in dict.fromkeys(SELF_ATTR.findall(code)) if a in known and a not in held]
    if not attrs:
        return []
    memo = ctx.plugin_memo.setdefault("held.bindings", {})
    assert isinstance(memo, dict)
    walks: list[GenericWalk] = []
    for attr in attrs:
        key = (cls.name, attr)
        if key not in memo:
            memo[key] = settings.class_models.subclass_bindings(qualified(ctx, cls), attr)
        bindings: list[Binding] = memo[key]
        for b in bindings:
            model = model_by_name(ctx, b.model)
            if model is not None and _reached(ctx, b.owner, cls.name, fn.name.value):
                walks.append(GenericWalk(f"{b.owner}.{fn.name.value}", {**held, attr: model_ref(ctx, model)}))
        if walks:
            return walks  # one attribute per method: the first with concrete models
    return walks


def _reached(ctx: FileContext, owner: str, base: str, method: str) -> bool:
    """Whether the subclass ``owner`` reaches ``method`` of its generic base ``base`` (a factory's
    binding is always reached: its model is the one the factory builds)."""
    memo = ctx.settings.memo
    key = ("held.reached", f"{owner}>{base}.{method}")
    found = memo.get(key)
    if not isinstance(found, bool):
        facts = ctx.settings.facts
        # not a project class (a factory function), or its bases not known: reached
        found = owner not in _short_classes(ctx) or reached(
            facts.method_refs, method, chain_to(facts.class_bases, owner, base))
        memo[key] = found
    return found


def _short_classes(ctx: FileContext) -> frozenset[str]:
    memo = ctx.settings.memo
    key = ("held.short-classes", "")
    found = memo.get(key)
    if not isinstance(found, frozenset):
        found = memo[key] = frozenset(q.rsplit(".", 1)[-1] for q in ctx.settings.facts.class_bases)
    return found


def _mixin_walks(
    ctx: FileContext, cls: ClassInfo, fn: cst.FunctionDef, held: dict[str, ModelRef]
) -> list[GenericWalk]:
    """A method of a mixin of models (``BelongsToOrgMixin.get_by_id_and_org`` reading
    ``cls.query``): walked once per model deriving from the mixin, ``cls`` standing for that model."""
    index = ctx.index
    if cls.name in index.by_model or ctx.source is None or not CLASS_USE.search(ctx.source):
        return []
    code = cst.Module(body=[]).code_for_node(fn)
    if not CLASS_USE.search(code):
        return []
    memo = ctx.settings.memo
    key = ("held.mixin-models", f"{cls.name}.{fn.name.value}")
    models = memo.get(key)
    if not isinstance(models, tuple):
        models = tuple(sorted(_deriving_models(ctx, cls.name, fn.name.value)))[:MAX_MIXIN_MODELS]
        memo[key] = models
    return [GenericWalk(f"{m}.{fn.name.value}", {**held, SELF_CLASS: model_ref(ctx, m)})
            for m in models]


def _deriving_models(ctx: FileContext, mixin: str, method: str) -> set[str]:
    """Concrete models deriving, directly or through other models, from the class ``mixin`` whose
    ``method`` is the mixin's: a model defining its own ``method`` (an override, maybe calling
    ``super()``) and the models deriving from it are walked with their own method instead."""
    children: dict[str, set[str]] = {}
    overrides: set[str] = set()
    for name, infos in ctx.index.models.items():
        for info in infos:
            for base in info.bases:
                children.setdefault(base, set()).add(name)
            if method in info.methods:
                overrides.add(name)
    out: set[str] = set()
    todo = [mixin]
    while todo:
        for child in children.get(todo.pop(), ()):
            if child not in out and child not in overrides:
                out.add(child)
                todo.append(child)
    return {m for m in out if any(not i.abstract for i in ctx.index.models.get(m, ()))}


def _file_attrs(ctx: FileContext) -> frozenset[str]:
    """Known held attributes this file reads through ``cls``/``self`` (cheap gate, per file)."""
    memo = ctx.plugin_memo
    found = memo.get("held.file-attrs")
    if not isinstance(found, frozenset):
        spelled = set(SELF_ATTR.findall(ctx.source)) if ctx.source is not None else None
        known = _known_attrs(ctx)
        found = known if spelled is None else known & spelled
        memo["held.file-attrs"] = found
    return found


def _known_attrs(ctx: FileContext) -> frozenset[str]:
    memo = ctx.settings.memo
    key = ("held.attrs", "")
    found = memo.get(key)
    if not isinstance(found, frozenset):
        names: set[str] = set()
        for table in (ctx.settings.facts.class_attrs, ctx.settings.facts.class_slots):
            for text in table.values():
                names.update(part.partition("=")[0] for part in text.split(";"))
        found = frozenset(names)
        memo[key] = found
    return found


def generic_binding(ctx: FileContext, origin: Origin) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """For a query of a generic base method's walk for one concrete class (``origin.binding``,
    ``FileService.get_by_id``): that class, the classes whose spelled calls of the method reach the
    walk (the class and its bases up to the base defining the method, and its own subclasses), and
    the class attributes holding a model (a call on ``cls.model`` is the model's). Empty otherwise,
    and for a factory's binding (no class)."""
    if origin.binding is None or origin.function is None:
        return "", (), ()
    label = origin.binding.rsplit(", ", 1)[-1]
    owner = label.rpartition(".")[0]
    base = origin.function.rpartition(".")[0].rsplit(".", 1)[-1]
    if not owner or not base or owner not in _short_classes(ctx):
        return "", (), ()
    facts = ctx.settings.facts
    reach = dict.fromkeys(chain_to(facts.class_bases, owner, base))
    for cls in ctx.settings.class_models.subclasses(owner):
        reach.setdefault(cls.rsplit(".", 1)[-1])
    return owner, tuple(reach), _model_attrs(ctx)


def _model_attrs(ctx: FileContext) -> tuple[str, ...]:
    memo = ctx.settings.memo
    key = ("held.model-attrs", "")
    found = memo.get(key)
    if not isinstance(found, tuple):
        found = memo[key] = tuple(sorted(ctx.settings.class_models.model_attr_names(ctx.index.by_model)))
    return found
