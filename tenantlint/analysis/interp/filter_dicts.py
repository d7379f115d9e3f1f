"""Dicts of filters built away from the query that expands them: returned by a helper, kept on
``self`` by another method of the same class.

``filters = tenant_filters(org_slug, request.user)`` followed by ``Model.objects.filter(**filters)``
is judged as if the helper's dict literal were written at the call: a helper whose every ``return``
gives a dict (nested dicts too) has the return kind ``dict:<template>``, the template naming, for
each key path, the parameter (``p``) or the trusted value (``t``) the entry holds. At a call the
entries take the caller's arguments, with their provenance (request input stays request input).

A dict assigned to ``self.name`` in one method of a class is known in the methods walked after it,
in that class and in its subclasses defined later in the same file (``self.setup(slug)`` in the
handler, ``**self.filters["base"]`` in another method). Entries that came from the assigning
method's own parameters are dropped: their value depends on a call this method does not see, so
they pin nothing. An attribute assigned a second time (or anything but a dict) is unknown.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

import libcst as cst

from tenantlint.analysis.facts import Provenance, Trust
from tenantlint.analysis.interp.values import DictValue, Value
from tenantlint.analysis.plugins import ClassInfo
from tenantlint.crossfn.records import DICT_KIND, PARAMETER

MAX_DEPTH = 4
_UNKNOWN = "<unknown>"  # an attribute assigned more than once, or not a dict

Entry = tuple[list[str], str, str]  # key path, "p" (parameter) or "t" (trusted), name or source


def _entries(value: DictValue, params: frozenset[str], path: list[str], depth: int) -> list[Entry]:
    out: list[Entry] = []
    for key, item in value.items:
        where = [*path, key]
        if isinstance(item, DictValue):
            if depth < MAX_DEPTH:
                out.extend(_entries(item, params, where, depth + 1))
            continue
        source = item.prov.source
        if item.prov.trust is Trust.UNKNOWN and source.startswith(PARAMETER) \
                and source[len(PARAMETER):] in params:
            out.append((where, "p", source[len(PARAMETER):]))
        elif item.prov.trust is Trust.TRUSTED:
            out.append((where, "t", source))
    return out


def dict_kind(returns: Sequence[Value], params: frozenset[str]) -> str:
    """``dict:<template>`` when every return gives a dict of the same tenant-relevant entries."""
    if not returns or not all(isinstance(r, DictValue) for r in returns):
        return ""
    templates = {json.dumps(_entries(r, params, [], 0), sort_keys=True)  # type: ignore[arg-type]
                 for r in returns}
    if len(templates) != 1:
        return ""
    (template,) = templates
    return f"{DICT_KIND}:{template}" if template != "[]" else ""


def returned_dict(kind: str, params: Sequence[str], helper: str, node: cst.Call,
                  values: Sequence[Value]) -> DictValue | None:
    """The dict a call of ``helper`` (returning ``kind``) gives, with the call's arguments in it."""
    what, _, template = kind.partition(":")
    if what != DICT_KIND:
        return None
    try:
        entries = json.loads(template)
    except ValueError:
        return None
    bound = _bind(params, node, values)
    root: dict[str, object] = {}
    for path, how, name in entries:
        if how == "p":
            if name not in bound:
                continue  # left to its default
            item = bound[name]
        else:
            item = Value(Provenance.trusted(f"{name}, returned by {helper}()"))
        holder = root
        for key in path[:-1]:
            nested = holder.setdefault(key, {})
            assert isinstance(nested, dict)
            holder = nested
        holder[path[-1]] = item
    return _build(root)


def _build(tree: Mapping[str, object]) -> DictValue:
    items = tuple((k, _build(v) if isinstance(v, dict) else v) for k, v in tree.items())
    return DictValue(items=items)  # type: ignore[arg-type]


def _bind(params: Sequence[str], node: cst.Call, values: Sequence[Value]) -> dict[str, Value]:
    out: dict[str, Value] = {}
    position = 0
    for arg, value in zip(node.args, values, strict=False):
        if arg.star:
            if arg.star == "*":
                break  # positions after a spread are unknown
            continue
        if arg.keyword is not None:
            out[arg.keyword.value] = value
        else:
            if position < len(params):
                out[params[position]] = value
            position += 1
    return out


# ----- dicts kept on ``self`` ---------------------------------------------------------------------
def _without_params(value: DictValue) -> DictValue:
    items: list[tuple[str, Value]] = []
    for key, item in value.items:
        if isinstance(item, DictValue):
            items.append((key, _without_params(item)))
        elif not (item.prov.trust is Trust.UNKNOWN and item.prov.source.startswith(PARAMETER)):
            items.append((key, item))
    return DictValue(items=tuple(items))


class InstanceDicts:
    """Per file: ``Class -> attribute -> dict`` assigned to ``self.attribute`` by a method."""

    def __init__(self) -> None:
        self._by_class: dict[str, dict[str, DictValue | str]] = {}

    def assign(self, owner: ClassInfo, attr: str, value: Value) -> None:
        attrs = self._by_class.setdefault(owner.name, {})
        if attr in attrs or not isinstance(value, DictValue):
            attrs[attr] = _UNKNOWN
            return
        attrs[attr] = _without_params(value)

    def read(self, owner: ClassInfo, attr: str, classes: Mapping[str, ClassInfo]) -> DictValue | None:
        """The dict ``self.attr`` holds in a method of ``owner``: its own, else a local base's."""
        seen: set[str] = set()
        todo = [owner]
        found: list[DictValue | str] = []
        while todo:
            cls = todo.pop(0)
            if cls.name in seen:
                continue
            seen.add(cls.name)
            held = self._by_class.get(cls.name, {}).get(attr)
            if held is not None:
                found.append(held)
            todo.extend(b for name in cls.bases if (b := classes.get(name)) is not None)
        if len(found) != 1 or isinstance(found[0], str):
            return None
        return found[0]
