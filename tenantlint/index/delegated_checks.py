"""DRF permission classes built on a membership check (docs/concepts.md, "Membership checks").

A permission class whose ``has_permission`` refuses unless a membership check passes for the URL's
value, or for the row the URL names, verifies that URL parameter, as a listed check does::

    class HasProjectAccess(BasePermission):
        def has_permission(self, request, view):
            project = Project.objects.get(id=view.kwargs["project_pk"])
            return request.user.is_project_member(project)      # membership_checks

Such a class verifies ``project_pk`` without being listed. A query the method also refuses on, pinning
a tenant relation to a verified parameter, verifies the other parameters it pins
(``Repo.objects.filter(id=view.kwargs["repo_pk"], organisation_id=org_pk).exists()``).

The pre-pass (CPython ``ast``, per file) records *candidates*: the checks each ``has_permission``
refuses on and the URL parameters their arguments come from. Once the configured and recognised
checks are known, :func:`recognise_delegated` keeps the candidates calling one of them.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from tenantlint.index.ast_util import dotted, walk
from tenantlint.index.membership import (
    QUERY_METHODS,
    RecognisedCheck,
    _field,
    _lookups,
    _model_of,
    _refusals,
)
from tenantlint.index.records import ProjectIndex
from tenantlint.index.relations import is_tenant_link

PRIMARY_KEYS = frozenset({"id", "pk"})
# calls that pass their argument's meaning on (``int(view.kwargs["pk"])``)
_WRAPPERS = frozenset({"int", "str", "UUID", "uuid.UUID"})
_FETCHES = frozenset({"get_object_or_404", "aget_object_or_404"})


@dataclass(frozen=True, slots=True)
class DelegatedCandidate:
    """A permission class whose ``has_permission`` refuses unless ``check`` passes for values from
    the URL parameters ``params``; ``queries``: the queries it also refuses on, as
    (model, ((lookup field, URL parameters its value comes from), ...))."""

    name: str
    path: str
    line: int
    check: str
    params: tuple[str, ...]
    queries: tuple[tuple[str, tuple[tuple[str, tuple[str, ...]], ...]], ...] = ()
    # (URL parameter, model) for each parameter a query of the method pins a model's primary key to
    rows: tuple[tuple[str, str], ...] = ()


def _kwarg_key(node: ast.expr) -> str | None:
    """``view.kwargs["pk"]`` / ``view.kwargs.get("pk")`` -> ``pk``."""
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) \
            and isinstance(node.slice.value, str) and _is_kwargs(node.value):
        return node.slice.value
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get" \
            and _is_kwargs(node.func.value) and node.args and isinstance(node.args[0], ast.Constant) \
            and isinstance(node.args[0].value, str):
        return node.args[0].value
    return None


def _is_kwargs(node: ast.expr) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "kwargs" and isinstance(node.value, ast.Name) \
        and node.value.id == "view"


class _Origins:
    """Which URL parameters the values of one method come from: a name whose every binding is a
    URL value, a wrapper of one, or a row fetched by one."""

    def __init__(self, fn: ast.AST, nodes: list[ast.AST]) -> None:
        self.names: dict[str, frozenset[str]] = {}
        self.rows: set[tuple[str, str]] = set()  # (URL parameter, model whose primary key it names)
        bindings: dict[str, list[ast.expr]] = {}
        other: set[str] = set()
        for node in nodes:
            if isinstance(node, ast.Assign) and len(node.targets) == 1 \
                    and isinstance(node.targets[0], ast.Name):
                bindings.setdefault(node.targets[0].id, []).append(node.value)
            elif isinstance(node, ast.NamedExpr) and isinstance(node.target, ast.Name):
                bindings.setdefault(node.target.id, []).append(node.value)
            elif isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign | ast.For | ast.With
                            | ast.comprehension):
                targets = (node.targets if isinstance(node, ast.Assign)
                           else [i.optional_vars for i in node.items if i.optional_vars is not None]
                           if isinstance(node, ast.With) else [node.target])
                other.update(n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name))
            elif isinstance(node, ast.arg):
                other.add(node.arg)
        for _ in range(3):  # a name bound from a name bound earlier
            for name, values in bindings.items():
                if name in other:
                    continue
                found = [self.of(v) for v in values]
                if all(found):
                    self.names[name] = frozenset.intersection(*found)

    def of(self, node: ast.expr) -> frozenset[str]:
        key = _kwarg_key(node)
        if key is not None:
            return frozenset({key})
        if isinstance(node, ast.Name):
            return self.names.get(node.id, frozenset())
        if isinstance(node, ast.Attribute):  # ``environment.project.organisation``: the row's parent
            return self.of(node.value) if not _is_kwargs(node) else frozenset()
        if isinstance(node, ast.Call):
            func = dotted(node.func, calls="reject") or ""
            if func in _WRAPPERS and len(node.args) == 1:
                return self.of(node.args[0])
            return self._fetched(node, func)
        return frozenset()

    def _fetched(self, call: ast.Call, func: str) -> frozenset[str]:
        """The URL parameters a query fetching one row pins (``M.objects.get(id=view.kwargs[k])``)."""
        model: str | None = None
        lookups: list[tuple[str, ast.expr]] = []
        if func in _FETCHES and call.args and isinstance(call.args[0], ast.Name):
            model = call.args[0].id
            lookups = [(kw.arg, kw.value) for kw in call.keywords if kw.arg]
        elif isinstance(call.func, ast.Attribute) and call.func.attr in ("get", "first", "aget", "afirst"):
            model = _model_of(call)
            lookups = _lookups(call)
        if model is None:
            return frozenset()
        out: frozenset[str] = frozenset()
        for key, value in lookups:
            found = self.of(value)
            out |= found
            if key in PRIMARY_KEYS:
                self.rows.update((p, model) for p in found)
        return out


def delegated_candidates(rel: str, tree: ast.Module) -> tuple[DelegatedCandidate, ...]:
    """Candidate permission classes among the top-level classes of one file."""
    out: list[DelegatedCandidate] = []
    for stmt in tree.body:
        if not isinstance(stmt, ast.ClassDef):
            continue
        method = next((m for m in stmt.body if isinstance(m, ast.FunctionDef | ast.AsyncFunctionDef)
                       and m.name == "has_permission"), None)
        if method is None:
            continue
        nodes = list(walk(method))
        origins = _Origins(method, nodes)
        refusals = _refusals(method)
        checks: list[tuple[str, frozenset[str]]] = []
        queries: list[tuple[str, tuple[tuple[str, tuple[str, ...]], ...]]] = []
        for node in nodes:
            if not isinstance(node, ast.Call) or not refusals.refuse(node):
                continue
            model = _model_of(node) if isinstance(node.func, ast.Attribute) \
                and node.func.attr in QUERY_METHODS else None
            if model is not None:
                keys = tuple((k, tuple(sorted(origins.of(v)))) for k, v in _lookups(node))
                origins.rows.update((p, model) for k, names in keys if k in PRIMARY_KEYS for p in names)
                if any(names for _, names in keys):
                    queries.append((model, keys))
                continue
            func = dotted(node.func, calls="reject")
            if func is None:
                continue
            last = func.rsplit(".", 1)[-1]
            params: frozenset[str] = frozenset()
            for arg in (*node.args, *(kw.value for kw in node.keywords)):
                params |= origins.of(arg)
            if params and func not in _WRAPPERS:
                checks.append((last, params))
        for check, params in checks:
            out.append(DelegatedCandidate(stmt.name, rel, stmt.lineno, check, tuple(sorted(params)),
                                          tuple(queries), tuple(sorted(origins.rows))))
    return tuple(out)


def recognise_delegated(index: ProjectIndex, candidates: tuple[DelegatedCandidate, ...],
                        known: frozenset[str]) -> tuple[RecognisedCheck, ...]:
    """The candidates refusing on a known membership check (configured or recognised), merged per
    class name; each verifies the URL parameters its check's arguments come from, and those a query
    it refuses on pins beside a tenant relation pinned to a verified one."""
    merged: dict[str, RecognisedCheck] = {}
    for c in candidates:
        if c.check not in known or c.name in known:
            continue
        verifies = list(c.params)
        for model, keys in c.queries:
            tenant_pinned = any(names and set(names) <= set(verifies) and _tenant_key(index, model, key)
                                for key, names in keys)
            if tenant_pinned:
                verifies += [n for _, names in keys for n in names if n not in verifies]
        old = merged.get(c.name)
        rows = [r for r in c.rows if r[0] in verifies]
        if old is not None:
            verifies = [*old.verifies, *(v for v in verifies if v not in old.verifies)]
            rows = [*old.rows, *(r for r in rows if r not in old.rows)]
        through = (c.check if old is None else old.through if c.check in old.through.split(", ")
                   else f"{old.through}, {c.check}")
        merged[c.name] = RecognisedCheck(c.name, "permission class", c.path, c.line, "", tuple(verifies),
                                         through=through, rows=tuple(rows))
    return tuple(merged[k] for k in sorted(merged))


def _tenant_key(index: ProjectIndex, model: str, key: str) -> bool:
    fk = _field(index, model, key)
    return fk is not None and fk.fk_target is not None and is_tenant_link(index, fk.fk_target)
