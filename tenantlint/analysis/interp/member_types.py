"""Instance types of the project's classes, for calls through attributes: ``self.repos.ratings.get(pk)``.

A call resolves to a project method when the type of its receiver is known statically. The pre-pass
records, per module (CPython ``ast``, cheap), one table ``pkg.mod.Class.member`` / ``pkg.mod.func`` ->
``KIND:TYPE`` (``TYPE`` a qualified class name, or empty when unknown):

* ``a`` — an attribute: reading it gives ``TYPE``. A class-level annotation (``repos: Repos``,
  ``_repos: Repos | None = None``), a FastAPI dependency (``svc = Depends(Service)``), an ``__init__``
  assignment (``self.repos = Repos(...)``, ``self.x: T = ...``, ``self.x = param`` of an annotated
  parameter), and a ``@property``/``@cached_property`` whose return annotation or ``return Cls(...)``
  names a class (``return self._repos`` refers to that attribute: ``@_repos``);
* ``m`` — a method or a module-level function: calling it gives ``TYPE`` (its return annotation,
  or the class of a ``return Cls(...)``);
* ``c`` — the key is a class (listed so that a re-exported name finds its definition);
* ``d`` — under ``pkg.mod.Class.@deps``: the dependencies the class injects (``attr=get_user;...``):
  class-level ``user = Depends(get_admin_user)``, and ``__init__=f`` for a ``Depends(f)`` in its
  ``__init__`` (a router subclass passing ``dependencies=[Depends(f)]`` to its base).

Annotations are read through ``Optional[T]``, ``T | None``, ``Annotated[T, ...]``, generics
(``Repository[Schema, Model]`` is ``Repository``) and string annotations. Only capitalised names are
types. The analysis resolves the table through project bases (``MemberTypes``).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from tenantlint.analysis.interp.class_bases import _imports, project_bases
from tenantlint.analysis.rawsql.constants import by_last_part, module_name, resolve_import
from tenantlint.index.ast_util import dotted

MAX_HOPS = 8
PROPERTY_DECORATORS = frozenset({"property", "cached_property", "functools.cached_property"})
WRAPPERS = frozenset({"Optional", "Annotated", "typing.Optional", "typing.Annotated", "Final", "ClassVar"})
INJECT = frozenset({"Depends", "Security"})  # dependency-injection markers (last dotted part)
FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef


def _dotted(node: ast.AST) -> str | None:
    return dotted(node, calls="reject")


def _capitalised(text: str | None) -> bool:
    return bool(text) and text.rsplit(".", 1)[-1][:1].isupper()  # type: ignore[union-attr]


def annotation_type(node: ast.AST | None, depth: int = 0) -> str | None:
    """The class an annotation names (unqualified, as written), else None."""
    if node is None or depth > 4:
        return None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        try:
            inner = ast.parse(node.value, mode="eval").body
        except SyntaxError:
            return None
        return annotation_type(inner, depth + 1)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        sides = [annotation_type(s, depth + 1) for s in (node.left, node.right)]
        found = [s for s in sides if s is not None]
        return found[0] if len(found) == 1 else None
    if isinstance(node, ast.Subscript):
        outer = _dotted(node.value)
        if outer in WRAPPERS:
            first = node.slice.elts[0] if isinstance(node.slice, ast.Tuple) else node.slice
            return annotation_type(first, depth + 1)
        return annotation_type(node.value, depth + 1)
    text = _dotted(node)
    return text if _capitalised(text) and text != "None" else None


def depends_type(node: ast.AST | None) -> str | None:
    """``Depends(Service)``: the class a FastAPI dependency builds."""
    if isinstance(node, ast.Call) and (_dotted(node.func) or "").rsplit(".", 1)[-1] in INJECT and node.args:
        text = _dotted(node.args[0])
        return text if _capitalised(text) else None
    return None


def _returned(fn: FunctionNode) -> Iterator[ast.expr]:
    """The values ``fn`` returns (not its nested functions' or classes'). Only statements are
    read: a ``return`` is one, and only statements hold statements (a 50,000-statement function
    has twenty times as many expression nodes)."""
    todo: list[ast.stmt] = list(fn.body)
    while todo:
        node = todo.pop()
        if isinstance(node, FunctionNode | ast.ClassDef):
            continue
        if isinstance(node, ast.Return):
            if node.value is not None:
                yield node.value
            continue
        for name in ("body", "orelse", "finalbody"):
            block = getattr(node, name, None)
            if isinstance(block, list):
                todo.extend(block)
        for part in (*getattr(node, "handlers", ()), *getattr(node, "cases", ())):
            todo.extend(part.body)


def _return_type(fn: FunctionNode) -> str | None:
    """``-> T``, else the one class every ``return Cls(...)`` builds, else ``@attr`` for a
    ``return self.attr``."""
    typ = annotation_type(fn.returns)
    if typ is not None:
        return typ
    found: set[str] = set()
    for value in _returned(fn):
        if isinstance(value, ast.Call) and _capitalised(text := _dotted(value.func)):
            assert text is not None
            found.add(text)
        elif (isinstance(value, ast.Attribute) and isinstance(value.value, ast.Name)
              and value.value.id == "self"):
            found.add(f"@{value.attr}")
        else:
            return None
    return found.pop() if len(found) == 1 else None


def _decorators(fn: FunctionNode) -> set[str]:
    return {text for d in fn.decorator_list if (text := _dotted(d)) is not None}


def _init_attrs(init: FunctionNode) -> Iterator[tuple[str, str]]:
    params = {a.arg: annotation_type(a.annotation) for a in (*init.args.posonlyargs, *init.args.args,
                                                             *init.args.kwonlyargs)}
    for stmt in ast.walk(init):
        target: ast.expr
        if isinstance(stmt, ast.AnnAssign):
            target, typ = stmt.target, annotation_type(stmt.annotation)
        elif isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            target, value, typ = stmt.targets[0], stmt.value, None
            if isinstance(value, ast.Call) and _capitalised(text := _dotted(value.func)):
                typ = text
            elif isinstance(value, ast.Name):
                typ = params.get(value.id)
        else:
            continue
        if (typ and isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name)
                and target.value.id == "self"):
            yield target.attr, typ


def _class_members(cls: ast.ClassDef) -> Iterator[tuple[str, str, str | None]]:
    """(member, kind, type as written) for one class body."""
    for item in cls.body:
        if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
            yield item.target.id, "a", annotation_type(item.annotation) or depends_type(item.value)
        elif (isinstance(item, ast.Assign) and len(item.targets) == 1
              and isinstance(item.targets[0], ast.Name)):
            typ = depends_type(item.value)
            if typ is not None:
                yield item.targets[0].id, "a", typ
        elif isinstance(item, FunctionNode):
            kind = "a" if _decorators(item) & PROPERTY_DECORATORS else "m"
            yield item.name, kind, _return_type(item)
            if item.name == "__init__":
                for attr, typ in _init_attrs(item):
                    yield attr, "a", typ


def _dependency_name(node: ast.AST | None) -> str | None:
    if isinstance(node, ast.Call) and (_dotted(node.func) or "").rsplit(".", 1)[-1] in INJECT and node.args:
        text = _dotted(node.args[0])
        return text.rsplit(".", 1)[-1] if text else None
    return None


def _class_dependencies(cls: ast.ClassDef) -> list[str]:
    """``attr=dependency`` for class-level ``Depends(f)``, ``__init__=f`` for those in ``__init__``."""
    out: list[str] = []
    for item in cls.body:
        if isinstance(item, ast.AnnAssign | ast.Assign):
            target = item.target if isinstance(item, ast.AnnAssign) else item.targets[0]
            dep = _dependency_name(item.value)
            if dep is not None and isinstance(target, ast.Name):
                out.append(f"{target.id}={dep}")
        elif isinstance(item, FunctionNode) and item.name == "__init__":
            for node in ast.walk(item):
                dep = _dependency_name(node)
                if dep is not None:
                    out.append(f"__init__={dep}")
    return out


def module_member_types(rel: str, tree: ast.Module) -> dict[str, str]:
    mod = module_name(rel)
    names = _imports(tree)
    local = {s.name for s in tree.body if isinstance(s, ast.ClassDef)}

    def qualify(text: str | None) -> str:
        if not text:
            return ""
        if text.startswith("@"):
            return text
        head, _, rest = text.partition(".")
        if head in names:
            target = names[head]
            return resolve_import(f"{target}.{rest}" if rest else target, rel)
        return f"{mod}.{text}" if head in local and mod else text

    def key(name: str) -> str:
        return f"{mod}.{name}" if mod else name

    out: dict[str, str] = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.ClassDef):
            out[key(stmt.name)] = "c:"
            deps = _class_dependencies(stmt)
            if deps:
                out[key(f"{stmt.name}.@deps")] = "d:" + ";".join(deps)
            for member, kind, typ in _class_members(stmt):
                k = key(f"{stmt.name}.{member}")
                if k not in out or (typ and not out[k].partition(":")[2]):
                    out[k] = f"{kind}:{qualify(typ)}"
        elif isinstance(stmt, FunctionNode):
            out[key(stmt.name)] = f"m:{qualify(_return_type(stmt))}"
    return out


@dataclass(frozen=True)
class MemberTypes:
    """The merged table, read through project bases (``class_bases.py``'s table)."""

    table: Mapping[str, str]
    bases: Mapping[str, str]
    _memo: dict[tuple[str, str], tuple[str, str, str] | None] = field(default_factory=dict, compare=False)

    def canonical(self, name: str) -> str | None:
        """The project class (or function) a qualified name denotes: itself, else the one definition
        of that last name under the same package (a re-export), else the only one of that name."""
        if name in self.table:
            return name
        last = name.rsplit(".", 1)[-1]
        found = [k for k in by_last_part(self.table).get(last, ())]
        if not found:
            return None
        package = name.rsplit(".", 1)[0] if "." in name else ""
        near = [k for k in found if package and k.startswith(package + ".")]
        if len(near) == 1:
            return near[0]
        suffix = [k for k in found if k.endswith("." + name) or name.endswith("." + k)]
        if len(suffix) == 1:
            return suffix[0]
        return found[0] if len(found) == 1 else None

    def member(self, cls: str, name: str) -> tuple[str, str, str] | None:
        """(defining class, kind, type) of ``cls.name``, through the project bases of ``cls``."""
        memo_key = (cls, name)
        if memo_key in self._memo:
            return self._memo[memo_key]
        found: tuple[str, str, str] | None = None
        start = self.canonical(cls)
        if start is not None:
            for c in (start, *project_bases(self.bases, start, "")):
                c = self.canonical(c) or c
                entry = self.table.get(f"{c}.{name}")
                if entry is not None:
                    kind, _, typ = entry.partition(":")
                    found = (c, kind, typ)
                    break
        self._memo[memo_key] = found
        return found

    def attribute_type(self, cls: str, name: str, hops: int = 0) -> str | None:
        """The class ``instance.name`` holds, for an instance of ``cls``."""
        found = self.member(cls, name)
        if found is None or hops > MAX_HOPS:
            return None
        _, kind, typ = found
        if kind != "a" or not typ:
            return None
        if typ.startswith("@"):
            return self.attribute_type(cls, typ[1:], hops + 1)
        return self.canonical(typ)

    def returned_type(self, callee: str) -> str | None:
        """The class a call of the project function or method ``callee`` returns; a class called
        is an instance of itself."""
        name = self.canonical(callee)
        if name is None:
            return None
        entry = self.table[name]
        kind, _, typ = entry.partition(":")
        if kind == "c":
            return name
        if kind != "m" or not typ or typ.startswith("@"):
            return None
        return self.canonical(typ)

    def dependencies(self, cls: str) -> frozenset[str]:
        """What an instance of ``cls`` is injected with: its own and its bases' class-level
        dependencies (a subclass's attribute hides its base's) and those of their ``__init__``."""
        start = self.canonical(cls)
        if start is None:
            return frozenset()
        by_attr: dict[str, set[str]] = {}
        for c in (start, *project_bases(self.bases, start, "")):
            entry = self.table.get(f"{self.canonical(c) or c}.@deps", "")
            found: dict[str, set[str]] = {}
            for pair in entry.partition(":")[2].split(";"):
                attr, eq, dep = pair.partition("=")
                if eq:
                    found.setdefault(attr, set()).add(dep)
            for attr, deps in found.items():
                by_attr.setdefault(attr, deps)
        return frozenset(d for deps in by_attr.values() for d in deps)

    def method(self, cls: str, name: str) -> str | None:
        """``Defining.name`` for a method ``name`` of an instance of ``cls`` (through its bases)."""
        found = self.member(cls, name)
        if found is None:
            return None
        owner, kind, _ = found
        return f"{owner}.{name}" if kind == "m" else None

