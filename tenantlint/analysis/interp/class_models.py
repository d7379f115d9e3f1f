"""Models held by service, DAO and repository classes, across modules.

RAGFlow's ``class DocumentService(CommonService): model = Document`` queries through ``cls.model`` in
methods of ``CommonService``, defined in another module; a DAO sets ``self.model = Invoice`` in its
``__init__``; a generic repository is built by a factory, ``RepositoryGeneric(session, pk, Recipe)``,
whose ``__init__`` keeps the model (``self.model = sql_model``). The pre-pass records, per module:

* ``attrs``: ``pkg.mod.Class`` -> ``attr=qualified.Name;...`` for class-level ``attr = Name`` and
  ``__init__``'s ``self.attr = Name`` (``Name`` capitalised: a class, maybe a model);
* ``slots``: ``pkg.mod.Class`` -> ``attr=index:param;...`` for ``__init__``'s ``self.attr = param``;
* ``calls``: ``qualified.Callee`` -> ``index=qualified.Name|...;...``: constructor calls passing a
  capitalised name (a model, maybe) at a position or keyword.

The analysis resolves names against the project index: a generic base method reading ``cls.model`` is
walked once per concrete model (``subclass_bindings``). Built from CPython's ``ast`` (cheap).
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Container, Iterable, Mapping
from dataclasses import dataclass, field

from tenantlint.analysis.interp.class_bases import _imports, project_bases
from tenantlint.analysis.rawsql.constants import module_name, resolve_import
from tenantlint.index.ast_util import dotted, named_assignments, walk

MAX_BINDINGS = 64  # concrete models per generic base (a cap on work, reported as a cut-off)


@dataclass(frozen=True, slots=True)
class Binding:
    """One concrete model of a generic base: ``DocumentService`` sets ``model`` to ``Document``."""

    owner: str  # the class that chose the model (short name), or the factory's function
    attr: str
    model: str  # qualified name as written where it was chosen (last part: the model class)


def _name(node: ast.AST) -> str | None:
    return dotted(node, calls="reject")


def _qualify(text: str, names: Mapping[str, str], classes: set[str], mod: str, rel: str) -> str:
    head, _, rest = text.partition(".")
    if head in names:
        target = names[head]
        return resolve_import(f"{target}.{rest}" if rest else target, rel)
    if head in classes and mod:
        return f"{mod}.{text}"
    return text


def _capitalised(text: str | None) -> bool:
    return bool(text) and text.rsplit(".", 1)[-1][:1].isupper()  # type: ignore[union-attr]


def _init_of(cls: ast.ClassDef) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    for item in cls.body:
        if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef) and item.name == "__init__":
            return item
    return None


def _self_assignments(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> Iterable[tuple[str, ast.expr]]:
    for stmt in walk(fn):
        if isinstance(stmt, ast.Assign):
            targets = stmt.targets
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            targets = [stmt.target]
        else:
            continue
        value = stmt.value
        assert value is not None
        for t in targets:
            if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id == "self":
                yield t.attr, value


@dataclass(frozen=True, slots=True)
class ModuleClassModels:
    attrs: dict[str, str]
    slots: dict[str, str]
    calls: dict[str, str]


def module_class_models(rel: str, tree: ast.Module) -> ModuleClassModels:
    mod = module_name(rel)
    names = _imports(tree)
    classes = {s.name for s in tree.body if isinstance(s, ast.ClassDef)}

    def qualify(text: str) -> str:
        return _qualify(text, names, classes, mod, rel)

    attrs: dict[str, str] = {}
    slots: dict[str, str] = {}
    for stmt in tree.body:
        if not isinstance(stmt, ast.ClassDef):
            continue
        key = f"{mod}.{stmt.name}" if mod else stmt.name
        found = _class_level_models(stmt, qualify)
        init = _init_of(stmt)
        if init is not None:
            held, slot = _init_models(init, qualify)
            found += held
            if slot:
                slots[key] = ";".join(slot)
        if found:
            attrs[key] = ";".join(found)
    return ModuleClassModels(attrs, slots, _model_calls(tree, qualify))


def _class_level_models(cls: ast.ClassDef, qualify: Callable[[str], str]) -> list[str]:
    """``attr=Model`` for each ``model = Invoice`` (or annotated) in the class body."""
    found: list[str] = []
    for name, value in named_assignments(cls):
        text = _name(value)
        if _capitalised(text):
            assert text is not None
            found.append(f"{name}={qualify(text)}")
    return found


def _init_models(init: ast.FunctionDef | ast.AsyncFunctionDef, qualify: Callable[[str], str],
                 ) -> tuple[list[str], list[str]]:
    """From ``__init__``: ``attr=Model`` for ``self.entity = Invoice``, and the slots
    ``attr=index:param`` for ``self.model = model`` (filled by the constructor's callers)."""
    params = [a.arg for a in (*init.args.posonlyargs, *init.args.args)][1:]
    found: list[str] = []
    slot: list[str] = []
    for attr, value in _self_assignments(init):
        text = _name(value)
        if isinstance(value, ast.Name) and value.id in params:
            slot.append(f"{attr}={params.index(value.id)}:{value.id}")
        elif _capitalised(text) and text is not None:
            found.append(f"{attr}={qualify(text)}")
    return found, slot


def _model_calls(tree: ast.Module, qualify: Callable[[str], str]) -> dict[str, str]:
    """Constructor-like calls (a capitalised callee) passed a model: callee -> ``pos=Model|kw=Model``."""
    calls: dict[str, list[str]] = {}
    call = ast.Call
    for node in walk(tree):
        if node.__class__ is not call:  # exact classes: no ``isinstance`` per node
            continue
        assert isinstance(node, ast.Call)
        callee = _name(node.func)
        if not _capitalised(callee):
            continue
        assert callee is not None
        passed = _passed_models(node, qualify)
        if passed:
            calls.setdefault(qualify(callee), []).extend(passed)
    return {k: "|".join(v) for k, v in calls.items()}


def _passed_models(call: ast.Call, qualify: Callable[[str], str]) -> list[str]:
    """``0=Model`` / ``entity=Model`` for each model argument (positional ones up to a ``*args``)."""
    passed: list[str] = []
    for i, arg in enumerate(call.args):
        if isinstance(arg, ast.Starred):
            break
        text = _name(arg)
        if _capitalised(text) and text is not None:
            passed.append(f"{i}={qualify(text)}")
    for kw in call.keywords:
        text = _name(kw.value)
        if kw.arg is not None and _capitalised(text) and text is not None:
            passed.append(f"{kw.arg}={qualify(text)}")
    return passed


def parse_pairs(text: str) -> list[tuple[str, str]]:
    out = []
    for part in text.split(";"):
        key, eq, value = part.partition("=")
        if eq:
            out.append((key, value))
    return out


def same_class(a: str, b: str) -> bool:
    """Dotted names of one class, allowing a ``src``-like prefix on either side."""
    return a == b or a.endswith("." + b) or b.endswith("." + a)


@dataclass(frozen=True)
class ClassModels:
    """The project's tables (see the module docstring), merged over every module."""

    attrs: Mapping[str, str]
    slots: Mapping[str, str]
    calls: Mapping[str, str]
    bases: Mapping[str, str]  # class_bases.py's table
    # per-run memos (the tables never change during a run): a class's project bases, the project
    # classes deriving from a class, and ``subclass_bindings`` (asked once per method of every file)
    _bases_of: dict[str, tuple[str, ...]] = field(default_factory=dict, init=False, compare=False,
                                                   repr=False)
    _subclasses: dict[str, list[str]] = field(default_factory=dict, init=False, compare=False,
                                              repr=False)
    _bindings: dict[tuple[str, str], list[Binding]] = field(default_factory=dict, init=False,
                                                            compare=False, repr=False)
    # per table (by ``id``): last name -> its keys in table order (``_keys``); and the last name of
    # each class's project bases -> the classes deriving from it, in table order (``subclasses``)
    _by_last: dict[int, dict[str, list[str]]] = field(default_factory=dict, init=False, compare=False,
                                                       repr=False)
    _deriving: dict[str, list[str]] | None = field(default=None, init=False, compare=False, repr=False)

    def bases_of(self, cls: str) -> tuple[str, ...]:
        """``project_bases(self.bases, cls, "")``, computed once per class."""
        found = self._bases_of.get(cls)
        if found is None:
            found = self._bases_of[cls] = project_bases(self.bases, cls, "")
        return found

    def own_attrs(self, qualified: str) -> list[tuple[str, str]]:
        """``(attr, model)`` set by ``qualified`` itself or inherited from its project bases."""
        out: list[tuple[str, str]] = []
        seen: set[str] = set()
        for cls in (qualified, *self.bases_of(qualified)):
            for key in self._keys(self.attrs, cls):
                for attr, model in parse_pairs(self.attrs[key]):
                    if attr not in seen:
                        seen.add(attr)
                        out.append((attr, model))
        return out

    def _keys(self, table: Mapping[str, str], cls: str) -> list[str]:
        """``cls`` when ``table`` holds it, else the keys naming it (``same_class``)."""
        return [cls] if cls in table else self._naming(table, cls)

    def _naming(self, table: Mapping[str, str], cls: str) -> list[str]:
        """The keys of ``table`` naming the class ``cls`` (``same_class``), in table order."""
        index = self._by_last.get(id(table))
        if index is None:
            index = self._by_last[id(table)] = {}
            for k in table:
                index.setdefault(k.rsplit(".", 1)[-1], []).append(k)
        return [k for k in index.get(cls.rsplit(".", 1)[-1], ()) if same_class(k, cls)]

    def subclass_bindings(self, qualified: str, attr: str) -> list[Binding]:
        """Concrete models of ``attr`` for methods of ``qualified``: set by a project subclass, or
        passed to the constructor of ``qualified`` (or a subclass) at the slot its ``__init__`` keeps
        in ``attr``."""
        key = (qualified, attr)
        found = self._bindings.get(key)
        if found is None:
            found = self._bindings[key] = self._subclass_bindings(qualified, attr)
        return list(found)

    def subclasses(self, qualified: str) -> list[str]:
        """``qualified`` and the project classes deriving from it (in the table's order)."""
        found = self._subclasses.get(qualified)
        if found is None:
            found = [qualified]
            # a base naming ``qualified`` (``same_class``) ends with its last name
            for cls in self._deriving_from().get(qualified.rsplit(".", 1)[-1], ()):
                if cls != qualified and any(same_class(b, qualified) for b in self.bases_of(cls)):
                    found.append(cls)
            self._subclasses[qualified] = found
        return found

    def _deriving_from(self) -> dict[str, list[str]]:
        """Last name of a project base -> the classes deriving from a class of that name, in table
        order: ``subclasses`` looks at those classes only."""
        if self._deriving is None:
            index: dict[str, list[str]] = {}
            for cls in self.bases:
                for last in dict.fromkeys(b.rsplit(".", 1)[-1] for b in self.bases_of(cls)):
                    index.setdefault(last, []).append(cls)
            object.__setattr__(self, "_deriving", index)
        assert self._deriving is not None
        return self._deriving

    def _subclass_bindings(self, qualified: str, attr: str) -> list[Binding]:
        out: list[Binding] = []
        seen: set[tuple[str, str]] = set()
        for cls in self.subclasses(qualified):
            if cls is not qualified:
                for key in self._keys(self.attrs, cls):
                    for a, model in parse_pairs(self.attrs[key]):
                        if a == attr and (key, model) not in seen:
                            seen.add((key, model))
                            out.append(Binding(key.rsplit(".", 1)[-1], attr, model))
            slot = self._slot(cls, attr)
            if slot is None:
                continue
            index, param = slot
            for callee in self._naming(self.calls, cls):
                for pos, model in (p.split("=", 1) for p in self.calls[callee].split("|")):
                    if pos in (index, param) and (callee, model) not in seen:
                        seen.add((callee, model))
                        out.append(Binding(callee.rsplit(".", 1)[-1], attr, model))
        return out[:MAX_BINDINGS]

    def model_attr_names(self, models: Container[str]) -> frozenset[str]:
        """Attribute names through which some project class holds one of ``models``: a class-level
        or ``__init__`` assignment of a model, or an ``__init__`` slot that a constructor call fills
        with a model (``self.model = sql_model``); not a slot only ever given other values
        (``self.session = session``, ``self.configuration = configuration``)."""
        out: set[str] = set()
        for text in self.attrs.values():
            out.update(a for a, m in parse_pairs(text) if m.rsplit(".", 1)[-1] in models)
        for cls, text in self.slots.items():
            for attr, _ in parse_pairs(text):
                if attr not in out and any(b.model.rsplit(".", 1)[-1] in models
                                           for b in self.subclass_bindings(cls, attr)):
                    out.add(attr)
        return frozenset(out)

    def base_names(self, models: Container[str]) -> frozenset[str]:
        """Short names of the classes whose methods may reach one of ``models`` set elsewhere: the
        project bases of classes holding a model attribute, and the classes (with their bases) that
        are constructed with a model argument."""
        out: set[str] = set()

        def is_model(text: str) -> bool:
            return text.rsplit(".", 1)[-1] in models

        for cls, text in self.attrs.items():
            if any(is_model(m) for _, m in parse_pairs(text)):
                out.update(b.rsplit(".", 1)[-1] for b in self.bases_of(cls))
        for callee, passed in self.calls.items():
            if any(is_model(p.partition("=")[2]) for p in passed.split("|")):
                out.add(callee.rsplit(".", 1)[-1])
                out.update(b.rsplit(".", 1)[-1] for b in self.bases_of(callee))
        return frozenset(out)

    def _slot(self, cls: str, attr: str) -> tuple[str, str] | None:
        for c in (cls, *self.bases_of(cls)):
            for key in self._keys(self.slots, c):
                for a, where in parse_pairs(self.slots[key]):
                    if a == attr:
                        index, _, param = where.partition(":")
                        return index, param
        return None
