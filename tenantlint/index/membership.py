"""Membership checks recognised by themselves (docs/concepts.md).

A check is a top-level function, decorator (a function holding the wrapper it returns) or DRF
permission class (``has_permission``/``has_object_permission``) whose body looks the caller up in a
membership table by a value from the URL and refuses when none is found::

    class ProjectEntityPermission(BasePermission):
        def has_permission(self, request, view):
            return ProjectMember.objects.filter(
                workspace__slug=view.workspace_slug, member=request.user, project_id=view.project_id
            ).exists()

The pre-pass (CPython ``ast``, per file, no index) records *candidates*: the queried model, the
lookup pinned to the caller, and the names the other lookups take their values from. Once the index
is known, :func:`recognise` keeps the candidates whose model is a membership table (a foreign key to
the user model, and one to the tenant model or a tenant table) and says which URL parameters each
verifies: ``slug`` and ``workspace_slug`` for ``workspace__slug=view.workspace_slug``.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from tenantlint.analysis.orm.lookups import split_lookup
from tenantlint.config.patterns import PatternSet
from tenantlint.index.ast_util import dotted, walk
from tenantlint.index.records import FieldInfo, ProjectIndex
from tenantlint.index.relations import (
    is_membership_table,
    is_tenant_link,
    is_user_model,
    model_of,
)

PERMISSION_METHODS = frozenset({"has_permission", "has_object_permission"})
QUERY_METHODS = frozenset({"filter", "get", "filter_by", "exclude", "get_or_none", "first", "exists",
                           "afilter", "aget", "aexists", "where", "one", "one_or_none", "scalar"})
CALLERS = ("request.user", "self.request.user", "current_user", "g.user", "user")
VIEW_PROPERTY = "view."  # a verified name read through a property of the view (``view_properties``)
REFUSALS = ("FORBIDDEN", "NOT_FOUND", "UNAUTHORIZED", "PermissionDenied", "Forbidden", "NotFound",
            "abort", "HttpResponseForbidden", "Http404")


@dataclass(frozen=True, slots=True)
class CheckCandidate:
    """A function or class whose body queries ``model`` pinning ``user_key`` to the caller."""

    name: str
    kind: str  # "function" | "decorator" | "permission class"
    path: str
    line: int
    model: str
    user_key: str  # lookup path pinned to the caller (``member``)
    keys: tuple[tuple[str, tuple[str, ...]], ...]  # other lookup paths -> names their values use


@dataclass(frozen=True, slots=True)
class RecognisedCheck:
    name: str
    kind: str
    path: str
    line: int
    table: str  # the membership table looked up
    verifies: tuple[str, ...]  # URL parameter names it verifies
    # properties of the view it looks the caller up by (``view.project_id``): it also verifies the
    # URL parameter such a property returns (``index/view_properties.py``)
    properties: tuple[str, ...] = ()
    # a permission class that refuses unless these membership checks pass (``delegated_checks.py``);
    # ``table`` is then empty
    through: str = ""
    # (URL parameter, model) for each verified parameter the check fetched a row of that model by
    # primary key with: the parameter names that row (``orm/carried.py``, ``id_pin``)
    rows: tuple[tuple[str, str], ...] = ()

    def describe(self) -> str:
        what = ", ".join(self.verifies) or "the tenant"
        if self.through:
            return (f"{self.name} ({self.kind}, {self.path}:{self.line}): refuses unless "
                    f"{self.through} passes for {what}")
        return (f"{self.name} ({self.kind}, {self.path}:{self.line}): looks the caller up in "
                f"{self.table} by {what}")


def _dotted(node: ast.AST) -> str | None:
    return dotted(node, calls="reject")


def _value_names(node: ast.expr) -> tuple[str, ...]:
    """``slug`` / ``view.workspace_slug`` / ``kwargs["slug"]`` / ``self.kwargs.get("slug")``."""
    if isinstance(node, ast.Name):
        return (node.id,)
    if isinstance(node, ast.Attribute):
        if isinstance(node.value, ast.Name) and node.value.id not in ("self", "request"):
            # ``view.project_id``: also whatever URL parameter that property of the view returns
            return (node.attr, VIEW_PROPERTY + node.attr)
        return (node.attr,)
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
        return (str(node.slice.value),)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args:
        first = node.args[0]
        if node.func.attr == "get" and isinstance(first, ast.Constant) and isinstance(first.value, str):
            return (first.value,)
        if isinstance(node.func, ast.Attribute) and node.func.attr in ("str", "int"):
            return _value_names(first)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.args:
        return _value_names(node.args[0])  # str(slug), UUID(pk)
    return ()


def _is_caller(node: ast.expr, trusted: PatternSet, params: frozenset[str]) -> bool:
    """The authenticated user (or its id): ``request.user``, ``current_user.id``, a ``user``
    parameter of the check itself, or a trusted source naming a user."""
    text = _dotted(node)
    if text is None:
        return False
    head = text[:-3] if text.endswith((".id", ".pk")) else text
    if head in CALLERS or (head in params and "user" in head):
        return True
    return trusted.match(text) is not None and "user" in text


def _model_of(call: ast.Call) -> str | None:
    """``Member.objects.filter(...)...`` / ``Member.query.filter_by(...)`` -> ``Member``."""
    node: ast.expr = call.func
    while True:
        if isinstance(node, ast.Attribute):
            node = node.value
        elif isinstance(node, ast.Call):
            node = node.func
        else:
            break
    return node.id if isinstance(node, ast.Name) and node.id[:1].isupper() else None


def _lookups(call: ast.Call) -> list[tuple[str, ast.expr]]:
    """Keyword lookups of every call along a chain, and ``Model.col == v`` comparisons."""
    out: list[tuple[str, ast.expr]] = []
    node: ast.expr = call
    while isinstance(node, ast.Call | ast.Attribute):
        if isinstance(node, ast.Call):
            if isinstance(node.func, ast.Attribute) and node.func.attr in QUERY_METHODS:
                out.extend((kw.arg, kw.value) for kw in node.keywords if kw.arg)
                for arg in node.args:
                    if isinstance(arg, ast.Compare) and len(arg.ops) == 1 and isinstance(arg.ops[0], ast.Eq):
                        left = arg.left
                        if isinstance(left, ast.Attribute):
                            out.append((left.attr, arg.comparators[0]))
            node = node.func
        else:
            node = node.value
    return out


@dataclass(frozen=True)
class _Refusals:
    """What refuses in one function body, found in one walk: ``always`` when it raises, returns
    False or returns a refusal (a 401/403/404 status, a ``Forbidden``-like name); otherwise the
    nodes (by id) inside its returned values: a query among them is returned (the caller refuses
    on an empty result). Stricter than ``setup/hints._refuses`` (which only proposes names for the
    config): a return counts by the names and status codes in it, not by its text, as this decides
    which functions make their callers' values trusted. One walk per body, not one per query."""

    always: bool
    returned: frozenset[int]
    # names a returned value is a method chain on (``return qs.exists()``): a lookup kept in one
    roots: frozenset[str] = frozenset()

    def refuse(self, query: ast.Call, kept: str | None = None) -> bool:
        """``kept``: the name the lookup is kept in, when every binding of it is the lookup or a
        chain on itself (``qs = Member.objects.filter(...)``, ``qs = qs.filter(role__in=roles)``)."""
        return self.always or id(query) in self.returned or (kept is not None and kept in self.roots)


def _refusals(fn: ast.AST) -> _Refusals:
    returned: set[int] = set()
    roots: set[str] = set()
    for node in walk(fn):
        if isinstance(node, ast.Raise):
            return _Refusals(True, frozenset())
        if isinstance(node, ast.Return) and node.value is not None:
            value = node.value
            if isinstance(value, ast.Constant) and value.value is False:
                return _Refusals(True, frozenset())
            root = _chain_root(value)
            if root is not None:
                roots.add(root)
            for n in walk(value):
                returned.add(id(n))
                name = n.attr if isinstance(n, ast.Attribute) else n.id if isinstance(n, ast.Name) else ""
                if any(word in name for word in REFUSALS):
                    return _Refusals(True, frozenset())
                if isinstance(n, ast.Constant) and n.value in (401, 403, 404):
                    return _Refusals(True, frozenset())
    return _Refusals(False, frozenset(returned), frozenset(roots))


def _chain_root(node: ast.expr) -> str | None:
    """``qs.exists()`` / ``qs.first()`` / ``qs`` -> ``qs``: a name the value is a method chain on."""
    while isinstance(node, ast.Call | ast.Attribute):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def _kept(nodes: list[ast.AST]) -> dict[int, str]:
    """Lookup call (by id) -> the name it is kept in, for names whose every binding is one call or
    a chain on the name itself (``qs = Member.objects.filter(...)``; ``qs = qs.filter(...)``)."""
    first: dict[str, list[ast.expr]] = {}
    bad: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for t in targets:
                for n in ast.walk(t):
                    if isinstance(n, ast.Name):
                        if not isinstance(node, ast.Assign) or len(targets) != 1 or t is not n \
                                or node.value is None:
                            bad.add(n.id)
                        else:
                            first.setdefault(n.id, []).append(node.value)
        elif isinstance(node, ast.For | ast.comprehension | ast.NamedExpr):
            bad.update(n.id for n in ast.walk(node.target) if isinstance(n, ast.Name))
        elif isinstance(node, ast.With):
            bad.update(n.id for i in node.items if i.optional_vars is not None
                       for n in ast.walk(i.optional_vars) if isinstance(n, ast.Name))
    out: dict[int, str] = {}
    for name, values in first.items():
        if name in bad:
            continue
        own = [v for v in values if _chain_root(v) == name]
        fresh = [v for v in values if _chain_root(v) != name]
        if len(fresh) == 1 and isinstance(fresh[0], ast.Call) and len(own) + 1 == len(values):
            out[id(fresh[0])] = name
    return out


_FUNCTION_CLASSES = frozenset({ast.FunctionDef, ast.AsyncFunctionDef})


def _params(nodes: list[ast.AST]) -> frozenset[str]:
    names: set[str] = set()
    functions = _FUNCTION_CLASSES
    for node in nodes:
        if node.__class__ in functions:
            assert isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            a = node.args
            names.update(p.arg for p in (*a.posonlyargs, *a.args, *a.kwonlyargs))
    return frozenset(names)


def _candidates_in(name: str, kind: str, body: ast.AST, path: str, line: int,
                   trusted: PatternSet, nodes: list[ast.AST] | None = None) -> list[CheckCandidate]:
    """``nodes``: ``walk(body)``, when the caller has it."""
    nodes = list(walk(body)) if nodes is None else nodes  # one walk: the parameters and the queries
    params = _params(nodes)
    refusals: _Refusals | None = None  # one walk of the body, for all its queries
    kept: dict[int, str] | None = None
    out: list[CheckCandidate] = []
    call, attribute = ast.Call, ast.Attribute
    for node in nodes:
        if not (node.__class__ is call and node.func.__class__ is attribute  # type: ignore[attr-defined]
                and node.func.attr in QUERY_METHODS):  # type: ignore[attr-defined]
            continue
        assert isinstance(node, ast.Call)
        model = _model_of(node)
        if model is None:
            continue
        lookups = _lookups(node)
        user_key = next((split_lookup(k)[0] for k, v in lookups if _is_caller(v, trusted, params)), None)
        if user_key is None:
            continue
        if refusals is None:
            refusals = _refusals(body)
        if not refusals.always and id(node) not in refusals.returned and kept is None:
            kept = _kept(nodes)
        if not refusals.refuse(node, kept.get(id(node)) if kept is not None else None):
            continue
        keys = tuple(
            (split_lookup(k)[0], _value_names(v)) for k, v in lookups
            if split_lookup(k)[0] != user_key and _value_names(v)
        )
        if keys:
            out.append(CheckCandidate(name, kind, path, line, model, user_key, keys))
    return out


def check_candidates(rel: str, tree: ast.Module, trusted: PatternSet) -> tuple[CheckCandidate, ...]:
    """Candidate membership checks among the top-level functions and classes of one file."""
    out: list[CheckCandidate] = []
    for stmt in tree.body:
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
            nodes = list(walk(stmt))
            # a function below it (only statements are functions: none in decorators or defaults);
            # CPython's node classes are exact: compared by identity (no union built per node)
            functions = _FUNCTION_CLASSES
            nested = any(n.__class__ in functions for n in nodes[1:])
            kind = "decorator" if nested else "function"
            out.extend(_candidates_in(stmt.name, kind, stmt, rel, stmt.lineno, trusted, nodes))
        elif isinstance(stmt, ast.ClassDef):
            methods = {item.name: item for item in stmt.body
                       if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)}
            for name in sorted(PERMISSION_METHODS & methods.keys()):
                item = methods[name]
                out.extend(_candidates_in(stmt.name, "permission class", item, rel, stmt.lineno, trusted))
                if _refusals(item).always:
                    for helper in _self_helpers(item, methods):
                        out.extend(_candidates_in(stmt.name, "permission class", helper, rel,
                                                  stmt.lineno, trusted))
    return tuple(out)


MAX_HELPER_DEPTH = 3


def _self_helpers(fn: ast.AST, methods: dict[str, ast.FunctionDef | ast.AsyncFunctionDef],
                  ) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    """The class's own methods a permission method calls through ``self`` (transitively, bounded):
    Plane's ``has_permission`` asks ``self._check_access_and_get_role(...)``, which asks
    ``self._check_project_member_access(...)``, which returns the membership lookup. A lookup such a
    helper returns (or refuses on) counts when the permission method itself refuses (``return False``,
    a raise, a 403): the answer travels back to it."""
    found: list[ast.FunctionDef | ast.AsyncFunctionDef] = []
    todo: list[tuple[ast.AST, int]] = [(fn, 0)]
    while todo:
        body, depth = todo.pop()
        if depth >= MAX_HELPER_DEPTH:
            continue
        for node in walk(body):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == "self"):
                helper = methods.get(node.func.attr)
                if helper is not None and helper.name not in PERMISSION_METHODS and helper not in found:
                    found.append(helper)
                    todo.append((helper, depth + 1))
    return found


def _field(index: ProjectIndex, model: str, name: str) -> FieldInfo | None:
    info = model_of(index, model)
    if info is None:
        return None
    head = name.split("__", 1)[0]
    return next((f for f in info.fields if head in (f.name, f.column)), None)


def recognise(index: ProjectIndex, candidates: tuple[CheckCandidate, ...]) -> tuple[RecognisedCheck, ...]:
    """The candidates that look the caller up in a membership table, merged per check name."""
    merged: dict[str, RecognisedCheck] = {}
    for c in candidates:
        user_fk = _field(index, c.model, c.user_key)
        if user_fk is None or not is_user_model(index, user_fk.fk_target):
            continue
        if not is_membership_table(index, c.model):
            continue
        verifies: list[str] = []
        properties: list[str] = []
        for key, names in c.keys:
            fk = _field(index, c.model, key)
            if fk is None or not fk.fk_target or not is_tenant_link(index, fk.fk_target):
                continue
            parts = key.split("__")
            for n in (*names, parts[-1] if len(parts) > 1 else key):
                into = properties if n.startswith(VIEW_PROPERTY) else verifies
                n = n[len(VIEW_PROPERTY):] if n.startswith(VIEW_PROPERTY) else n
                if n not in into:
                    into.append(n)
        if not verifies:
            continue
        table = index.table_of_model(c.model) or c.model
        old = merged.get(c.name)
        if old is not None:
            verifies = [*old.verifies, *(v for v in verifies if v not in old.verifies)]
            properties = [*old.properties, *(p for p in properties if p not in old.properties)]
        merged[c.name] = RecognisedCheck(c.name, c.kind, c.path, c.line,
                                         old.table if old else table, tuple(verifies), tuple(properties))
    return tuple(merged[k] for k in sorted(merged))
