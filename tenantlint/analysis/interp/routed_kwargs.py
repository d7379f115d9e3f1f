"""``self.kwargs`` of a view whose every route the project writes out: a name no route has is ``None``.

``index/url_kwargs.py`` reads the parameters of each view's routes. In a method of a class routed
only so, and subclassed by no class of the project (a subclass's routes would run the same method),
``self.kwargs.get("slug")`` of a name none of its routes gives (nor an ``include()`` prefix, nor a
route's extra ``kwargs``) is ``None``, not request input: ``DeployBoard.objects.get(
workspace__slug=None)`` finds no row of any tenant.
"""

from __future__ import annotations

from dataclasses import dataclass

from tenantlint.analysis.interp.values import DictValue, Value
from tenantlint.analysis.plugins import ClassInfo, FileView
from tenantlint.index.url_kwargs import closed_url_kwargs


@dataclass(frozen=True, slots=True)
class RoutedKwargs(DictValue):
    """``self.kwargs`` of a view whose routes give exactly ``params``."""

    params: frozenset[str] = frozenset()


def route_params(ctx: FileView, cls: ClassInfo | None) -> frozenset[str] | None:
    """The URL keyword arguments every route of ``cls`` gives, when they are all known."""
    if cls is None:
        return None
    params = closed_url_kwargs(ctx.settings.facts.view_url_kwargs, cls.name)
    if params is None or cls.name in _subclassed(ctx):
        return None
    return params


def _subclassed(ctx: FileView) -> frozenset[str]:
    """The last names of every base of a class of the project."""
    memo = ctx.plugin_memo.setdefault("routed-kwargs.subclassed", {})
    assert isinstance(memo, dict)
    found = memo.get("")
    if not isinstance(found, frozenset):
        names = {b.rsplit(".", 1)[-1] for bases in ctx.settings.facts.class_bases.values()
                 for b in bases.split(",") if b}
        names.update(b.rsplit(".", 1)[-1] for info in ctx.local_classes.values() for b in info.bases)
        found = memo[""] = frozenset(names)
    return found


def absent_kwarg(recv: Value, key: str | None) -> bool:
    """``recv[key]`` / ``recv.get(key)`` reads a URL keyword argument no route of the view gives."""
    return isinstance(recv, RoutedKwargs) and key is not None and key not in recv.params
