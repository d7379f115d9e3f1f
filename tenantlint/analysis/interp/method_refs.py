"""Which subclasses reach a method of a generic base: ``APITokenService.get_all`` spelled anywhere.

A generic base method (``CommonService.get_all`` reading ``cls.model``) is checked once per
concrete subclass. A subclass whose inherited method no code reaches queries nothing through it: when
only ``SystemSettingsService.get_all()`` is ever called, ``APITokenService``'s walk of ``get_all`` is
no query of the project. The pre-pass records, per module (CPython ``ast``, cheap), for each method
name spelled on a class (``Service.get_all``, ``models.Service.get_all``, and ``cls.m``/``self.m``/
``super().m`` inside a class, which stand for that class) the short names of those classes, and
``*`` when the name is spelled on anything else (a variable, a call's result: it may hold any
subclass). Module attributes (``services.get_all()`` on an imported module) are not methods.

A subclass's walk of a base method ``m`` is then kept when ``m`` is spelled on that subclass or on a
class between it and the base (the base itself included: ``cls.get_all()`` in another base method
reaches every subclass), when ``m`` is spelled on anything unknown, or when ``m`` is never spelled
on a class at all (no caller in the project: the method is checked for every subclass, as before).
"""

from __future__ import annotations

import ast
from collections.abc import Mapping

from tenantlint.analysis.interp.data_receivers import not_project_receivers
from tenantlint.index.ast_util import walk_until

ANY = "*"  # spelled on a receiver that may hold any class
_SELFISH = frozenset({"self", "cls"})
# A name-count key: ``get_by_id`` + ON_CLASS + ``FileService`` counts the spellings
# ``FileService.get_by_id`` (and ``cls.get_by_id`` in ``FileService``); + ``.model`` those on
# ``cls.model``/``self.model`` (an attribute of the class: a model when the class holds one there).
# Spellings on anything else are not keyed: they are the rest of the name's count
# (``prepass.name_counts``). ``crossfn/generic.py`` reads them.
ON_CLASS = " on "
HELD = "."  # receiver prefix: an attribute of ``cls``/``self``
# receiver: provably no class or instance of the project (a module, a literal, request data, a
# local variable bound only to such values: ``interp/data_receivers.py``); its spellings are no
# calls of any method of the project
NOT_PROJECT = "~"


def _imported_modules(tree: ast.Module) -> frozenset[str]:
    """Local names bound to modules (``import x``, ``import x.y as z``, ``from pkg import mod``
    when ``mod`` is lower-case: a module or a function, never a class)."""
    names: set[str] = set()
    for stmt in tree.body:
        if isinstance(stmt, ast.Import):
            for alias in stmt.names:
                names.add(alias.asname or alias.name.split(".", 1)[0])
        elif isinstance(stmt, ast.ImportFrom):
            for alias in stmt.names:
                local = alias.asname or alias.name
                if local[:1].islower():
                    names.add(local)
    return frozenset(names)


def _receiver(node: ast.expr, enclosing: str | None, modules: frozenset[str]) -> str | None:
    """The class short name a receiver spells, ``*`` for anything else, None for a module."""
    cls = node.__class__  # CPython's node classes are exact: compared by identity
    if cls is ast.Name:
        name: str = node.id  # type: ignore[attr-defined]
        if name in _SELFISH:
            return enclosing or ANY
        if name in modules:
            return None
        return name if name[:1].isupper() else ANY
    if cls is ast.Attribute:
        attr: str = node.attr  # type: ignore[attr-defined]
        return attr if attr[:1].isupper() else ANY
    if cls is ast.Call and node.func.__class__ is ast.Name and node.func.id == "super":  # type: ignore[attr-defined]
        return enclosing or ANY
    return ANY


def module_method_refs(tree: ast.Module, counts: dict[str, int] | None = None,
                       outside: set[int] | None = None) -> dict[str, str]:
    """Method name -> comma-joined receivers (class short names, ``*``) spelled in this module, for
    the names spelled on a class at least once. ``counts``: filled with the spellings of each name
    on a class or on an attribute of ``cls``/``self`` (``ON_CLASS`` keys); the name's other
    spellings are the rest of its name count (``prepass.name_counts``). One breadth-first walk
    per class body (a class starts a walk of its own: ``self``/``cls``/``super()`` in it stand
    for it), the module's own code in the first. ``outside``: filled with the attribute nodes
    counted under ``NOT_PROJECT`` (``id``)."""
    modules = _imported_modules(tree)
    data = not_project_receivers(tree) if counts is not None else set()
    found: dict[str, set[str]] = {}
    scopes: list[tuple[ast.AST, str | None]] = [(tree, None)]
    class_def, attribute = ast.ClassDef, ast.Attribute
    while scopes:
        root, enclosing = scopes.pop()
        for node in walk_until(root, class_def):
            cls = node.__class__
            if cls is attribute:
                attr: str = node.attr  # type: ignore[attr-defined]
                if attr[:1].islower() or attr[:1] == "_":
                    recv = _receiver(node.value, enclosing, modules)  # type: ignore[attr-defined]
                    # as ``prepass.name_counts`` counts: an attribute assigned or deleted is no spelling
                    tally = counts if node.ctx.__class__ is ast.Load else None  # type: ignore[attr-defined]
                    if tally is not None and id(node.value) in data and recv in (None, ANY):  # type: ignore[attr-defined]
                        key = attr + ON_CLASS + NOT_PROJECT
                        tally[key] = tally.get(key, 0) + 1
                        if outside is not None:
                            outside.add(id(node))
                        if recv is not None and attr[:1].islower():
                            found.setdefault(attr, set()).add(recv)
                    elif recv is not None:
                        if attr[:1].islower():
                            found.setdefault(attr, set()).add(recv)
                        if tally is not None:
                            held = _held(node.value)  # type: ignore[attr-defined]
                            key = attr + ON_CLASS + (held or ANY if recv == ANY else recv)
                            if not key.endswith(ANY):
                                tally[key] = tally.get(key, 0) + 1
            elif cls is class_def and node is not root:
                scopes.append((node, node.name))  # type: ignore[attr-defined]
    return {m: ",".join(sorted(r)) for m, r in found.items() if r - {ANY}}


def _held(node: ast.expr) -> str | None:
    """``.model`` for ``cls.model`` / ``self.model`` (an attribute of the class), else None."""
    if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
            and node.value.id in _SELFISH):
        return HELD + node.attr
    return None


def reached(refs: Mapping[str, str], method: str, chain: list[str]) -> bool:
    """Whether a subclass reaches ``method`` of its generic base: ``chain`` is the subclass and its
    bases up to the base defining the method (short names)."""
    text = refs.get(method)
    if text is None:
        return True  # never spelled on a class: no caller known, checked for every subclass
    spelled = {r for part in text.split("|") for r in part.split(",")}
    return ANY in spelled or any(c in spelled for c in chain)


def chain_to(bases: Mapping[str, str], subclass: str, base: str) -> list[str]:
    """Short names from ``subclass`` up to ``base`` through the project's class bases (qualified
    ``pkg.mod.Class`` -> comma-joined qualified bases); just both ends when the path is not known."""
    parents: dict[str, list[str]] = {}
    for cls, text in bases.items():
        parents.setdefault(cls.rsplit(".", 1)[-1], []).extend(
            b.rsplit(".", 1)[-1] for b in text.split(",") if b)
    out: list[str] = [subclass]
    todo = [subclass]
    while todo and len(out) < 32:
        for parent in parents.get(todo.pop(), ()):
            if parent not in out:
                out.append(parent)
                if parent != base:
                    todo.append(parent)
    if base not in out:
        out.append(base)
    return out
