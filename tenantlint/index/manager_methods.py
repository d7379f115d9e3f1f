"""Project-defined Django manager and queryset methods that filter by their parameters
(docs/concepts.md, "Across functions").

A model's custom manager often wraps its filter in a named method::

    class FeatureStateManager(models.Manager):
        def live(self, environment, **kwargs):
            q = Q(environment=environment, deleted_at__isnull=True)
            if environment.versioned:
                q &= Q(version__isnull=False)
            return self.filter(q, **kwargs).order_by("-id")

    class FeatureState(models.Model):
        objects = FeatureStateManager()

``FeatureState.objects.live(environment=env)`` is then ``FeatureState.objects.filter(environment=env)``
(and narrower): the tenant filter is what the caller passes. Two facts are recorded per file
(CPython ``ast``):

* :func:`manager_methods`: ``Class.method`` -> :func:`encode` of a :class:`Summary`, for a method of
  a class deriving from a ``...Manager`` or ``...QuerySet`` base whose one ``return`` is a queryset
  chain on ``self`` (``self.filter(...)``, ``self.get_queryset().filter(...)``,
  ``super().get_queryset()...``) of narrowing methods only, with the equality lookups bound to
  parameters that nothing in the body assigns again (directly, or through one local ``Q(...)``
  only ever narrowed with ``&=``);
* :func:`model_managers`: ``Model.attr`` -> the classes whose methods ``Model.attr`` has (``Mgr,``
  for ``attr = Mgr()``, ``,QS`` for ``QS.as_manager()``, ``Mgr,QS`` for ``Mgr.from_queryset(QS)()``).

Anything else (another shape, a decorator, two returns, a reassigned parameter) records nothing:
the call stays an unfiltered query.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from tenantlint.index.ast_util import dotted, last_part, walk

# Queryset methods that only narrow, reorder or reshape the rows of the queryset they are called on.
NARROWING = frozenset(
    {"all", "order_by", "select_related", "prefetch_related", "annotate", "distinct", "only", "defer",
     "using", "select_for_update", "values", "values_list", "reverse", "alias", "filter", "exclude",
     "iterator"}
)
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


@dataclass(frozen=True)
class Summary:
    """A manager/queryset method whose rows are filtered by its parameters."""

    params: tuple[str, ...]  # positional-or-keyword parameters after ``self``, in order
    keyword_only: tuple[str, ...]
    lookups: tuple[tuple[str, str], ...]  # (lookup, parameter) equality filters
    spread: bool = False  # its ``**kwargs`` go into the filter as further lookups


def encode(s: Summary) -> str:
    return ";".join((",".join(s.params), ",".join(s.keyword_only),
                     ",".join(f"{k}={p}" for k, p in s.lookups), "**" if s.spread else ""))


def decode(text: str) -> Summary | None:
    """The summary of a recorded entry; None when it was recorded differently in two files."""
    parts = text.split("|")
    if any(p != parts[0] for p in parts):
        return None
    fields = parts[0].split(";")
    if len(fields) != 4:
        return None
    params, kwonly, lookups, spread = fields
    pairs = tuple(tuple(item.split("=", 1)) for item in lookups.split(",") if "=" in item)
    return Summary(tuple(p for p in params.split(",") if p), tuple(p for p in kwonly.split(",") if p),
                   pairs, spread == "**")  # type: ignore[arg-type]


def _is_query_class(cls: ast.ClassDef) -> bool:
    for base in cls.bases:
        node = base.value if isinstance(base, ast.Subscript) else base  # ``Manager["Identity"]``
        short = last_part(dotted(node) or "")
        if short.endswith("Manager") or short.endswith("QuerySet"):
            return True
    return False


def _stored(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> list[tuple[ast.AST, str]]:
    """Every name the body binds, with its node (assignment targets, loops, ``del``, ``as``...)."""
    out: list[tuple[ast.AST, str]] = []
    for node in walk(fn):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            out.append((node, node.id))
        elif isinstance(node, ast.ExceptHandler) and node.name:
            out.append((node, node.name))
        elif isinstance(node, ast.alias):
            out.append((node, (node.asname or node.name).split(".")[0]))
        elif isinstance(node, ast.Global | ast.Nonlocal):
            out.extend((node, name) for name in node.names)
    return out


def _q_lookups(call: ast.expr, names: set[str]) -> list[tuple[str, str]] | None:
    """The ``key=param`` pairs of ``Q(...)`` (other terms only narrow); None for anything else."""
    if not isinstance(call, ast.Call) or last_part(dotted(call.func) or "") != "Q":
        return None
    return [(kw.arg, kw.value.id) for kw in call.keywords
            if kw.arg is not None and isinstance(kw.value, ast.Name) and kw.value.id in names]


def _base_is_self(node: ast.expr) -> bool:
    """``self``, ``self.get_queryset()``, ``super().get_queryset()``."""
    if isinstance(node, ast.Name):
        return node.id == "self"
    if isinstance(node, ast.Call) and not node.args and not node.keywords \
            and isinstance(node.func, ast.Attribute) and node.func.attr == "get_queryset":
        inner = node.func.value
        return (isinstance(inner, ast.Name) and inner.id == "self") or (
            isinstance(inner, ast.Call) and isinstance(inner.func, ast.Name) and inner.func.id == "super")
    return False


def summarize(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> Summary | None:
    """The summary of one method, or None when it is not of the recorded shape."""
    args = fn.args
    positional = [a.arg for a in args.posonlyargs + args.args]
    if fn.decorator_list or not positional or positional[0] != "self" or args.vararg is not None:
        return None
    params = tuple(positional[1:])
    kwonly = tuple(a.arg for a in args.kwonlyargs)
    names = set(params) | set(kwonly)
    kwargs = args.kwarg.arg if args.kwarg is not None else None
    returns = [n for n in walk(fn) if isinstance(n, ast.Return)]
    if len(returns) != 1 or returns[0].value is None:
        return None
    if any(isinstance(n, (*_FUNCTIONS, ast.Lambda, ast.ClassDef)) and n is not fn for n in walk(fn)):
        return None
    # one local ``q = Q(...)`` at the top level of the body, only ever narrowed (``q &= ...``) after
    locals_q: dict[str, list[tuple[str, str]]] = {}
    initial: set[int] = set()
    for stmt in fn.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            pairs = _q_lookups(stmt.value, names)
            if pairs is not None and stmt.targets[0].id not in locals_q:
                locals_q[stmt.targets[0].id] = pairs
                initial.add(id(stmt.targets[0]))
    narrowed = {id(n.target) for n in walk(fn)
                if isinstance(n, ast.AugAssign) and isinstance(n.op, ast.BitAnd)}
    for bound, name in _stored(fn):
        if name in names or name == kwargs or name == "self":
            return None  # a parameter given another value
        if name in locals_q and id(bound) not in narrowed | initial:
            locals_q.pop(name)  # given another value: its lookups are not known
    # the local ``Q`` and ``**kwargs`` read only as a filter's argument (``q.add(..., Q.OR)``,
    # ``kwargs.pop(k)`` change them in place)
    handed = {id(a) for n in walk(returns[0].value) if isinstance(n, ast.Call)
              and isinstance(n.func, ast.Attribute) and n.func.attr == "filter"
              for a in [*n.args, *(kw.value for kw in n.keywords if kw.arg is None)]}
    for n in walk(fn):
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) and id(n) not in handed:
            if n.id in locals_q:
                locals_q.pop(n.id)
            elif n.id == kwargs:
                kwargs = None
    lookups: list[tuple[str, str]] = []
    spread = False
    node: ast.expr = returns[0].value
    while True:
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)) \
                or node.func.attr not in NARROWING:
            return None
        if node.func.attr == "filter":
            for arg in node.args:
                if isinstance(arg, ast.Name) and arg.id in locals_q:
                    lookups.extend(locals_q[arg.id])
                elif (pairs := _q_lookups(arg, names)) is not None:
                    lookups.extend(pairs)
            for kw in node.keywords:
                if kw.arg is None:
                    spread = spread or (isinstance(kw.value, ast.Name) and kw.value.id == kwargs)
                elif isinstance(kw.value, ast.Name) and kw.value.id in names:
                    lookups.append((kw.arg, kw.value.id))
        if _base_is_self(node.func.value):
            break
        node = node.func.value
    if not lookups:
        return None
    return Summary(params, kwonly, tuple(dict.fromkeys(lookups)), spread)


def manager_methods(tree: ast.Module) -> dict[str, str]:
    """``Class.method`` -> encoded :class:`Summary` for the top-level manager/queryset classes."""
    out: dict[str, str] = {}
    for cls in tree.body:
        if not isinstance(cls, ast.ClassDef) or not _is_query_class(cls):
            continue
        for stmt in cls.body:
            if isinstance(stmt, _FUNCTIONS):
                s = summarize(stmt)
                if s is not None:
                    out[f"{cls.name}.{stmt.name}"] = encode(s)
    return out


def _manager_classes(value: ast.expr | None) -> str | None:
    """``Mgr()`` -> ``Mgr,``; ``QS.as_manager()`` -> ``,QS``; ``Mgr.from_queryset(QS)()`` -> ``Mgr,QS``:
    the manager class, then the queryset class (whose methods querysets of the manager have too)."""
    if not isinstance(value, ast.Call) or value.args or value.keywords:
        return None
    func = value.func
    if isinstance(func, ast.Call) and isinstance(func.func, ast.Attribute) \
            and func.func.attr == "from_queryset" and len(func.args) == 1:
        mgr, qs = last_part(dotted(func.func.value) or ""), last_part(dotted(func.args[0]) or "")
        return f"{mgr},{qs}" if mgr and qs else None
    if isinstance(func, ast.Attribute) and func.attr == "as_manager":
        qs = last_part(dotted(func.value) or "")
        return f",{qs}" if qs else None
    short = last_part(dotted(func) or "")
    return f"{short}," if short.endswith("Manager") else None


def model_managers(tree: ast.Module) -> dict[str, str]:
    """``Model.attr`` -> ``manager,queryset`` class names for the managers the top-level classes
    assign (:func:`_manager_classes`)."""
    out: dict[str, str] = {}
    for cls in tree.body:
        if not isinstance(cls, ast.ClassDef):
            continue
        for stmt in cls.body:
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 \
                    and isinstance(stmt.targets[0], ast.Name):
                target, value = stmt.targets[0].id, stmt.value
            elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
                target, value = stmt.target.id, stmt.value  # type: ignore[assignment]
            else:
                continue
            classes = _manager_classes(value)
            if classes:
                out[f"{cls.name}.{target}"] = classes
    return out
