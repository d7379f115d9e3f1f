"""A serializer's context across functions (``docs/concepts.md``, "Serializer context").

A model serializer's methods read ``self.context``, which the code constructing the serializer
fills: ``ModuleSerializer(data=request.data, context={"project_id": project_id})``. A query in such a
method with no tenant filter whose every key comes from ``self.context`` (``Project.objects.get(
id=self.context["project_id"])``) is an id-keyed query of the serializer, and its constructions are
its call sites. This module turns each serializer class holding such queries into a summary the
project-wide join (``crossfn/combine.py``) judges like a helper's: a function named for the class
whose parameters are what a construction binds (``instance``, ``data``, ``context``), whose call
sites are the constructions of the class and of its subclasses (a subclass runs the inherited
method). Request input in a context entry the query reads is then reported at the construction,
and the query itself is not reported when every construction is known and none passes request
input.

The same summary carries the context entries its methods' tenant filters and written tenant
columns take their values from (``Summary.tenant_entries``, ``interp/context_pins.py``): request input
a construction puts in such an entry is TNT103 at the construction (``combine.Combiner.tenant_params``).

Constructions are known when the project spells the family's class names (the class, its
subclasses) exactly as many times as the analysis resolved constructions of them
(``index/serializer_refs.py`` leaves out class bases, ``Meta`` and schema documentation): a
serializer DRF builds itself (``serializer_class = ...``, a nested field) leaves them open.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from tenantlint.crossfn.records import CONTEXT, KeyedQuery, Site, Summary, TenantEntry, context_entry
from tenantlint.index.serializer_refs import FAMILY, SUFFIX
from tenantlint.results import FileResult

PARAMS = ("instance", "data", CONTEXT)  # what constructing a DRF serializer binds, in order


def _module(qualname: str) -> str:
    return qualname.rsplit(".", 1)[0] if "." in qualname else ""


def _family(short: str, children: Mapping[str, set[str]]) -> set[str]:
    out = {short}
    todo = [short]
    while todo:
        for sub in children.get(todo.pop(), ()):
            if sub not in out:
                out.add(sub)
                todo.append(sub)
    return out


def _owners(results: Sequence[FileResult]
            ) -> dict[str, tuple[Summary, list[KeyedQuery], list[TenantEntry]]]:
    """Serializer class qualname -> (a method's summary, the context-keyed queries of its methods,
    the context entries its methods' tenant filters and written tenant columns take)."""
    out: dict[str, tuple[Summary, list[KeyedQuery], list[TenantEntry]]] = {}
    methods = {s.qualname: s for r in results for s in r.summaries}
    for r in results:  # a method passing a context entry on to a helper (its tenant parameter, maybe)
        for site in r.calls:
            s = methods.get(site.caller or "")
            if s is not None and s.handler is None and _module(s.qualname).endswith(SUFFIX) and any(
                    context_entry(a.source) is not None for a in site.args):
                out.setdefault(_module(s.qualname), (s, [], []))
    for r in results:
        for s in r.summaries:
            queries = [q for q in s.keyed if q.keys == (CONTEXT,)]
            entries = [e for e in s.tenant_entries if e.param == CONTEXT]
            cls = _module(s.qualname)
            serializer = cls.rsplit(".", 1)[-1].endswith(SUFFIX) and s.handler is None
            if not (queries or entries) or not serializer:
                continue
            found = out.setdefault(cls, (s, [], []))
            found[1].extend(queries)
            found[2].extend(entries)
    return out


def serializer_context(results: Sequence[FileResult], name_counts: Mapping[str, int] | None
                       ) -> tuple[list[FileResult], dict[str, int] | None]:
    """``results`` with the constructions of serializers holding context-keyed queries addressed to
    one summary per such class (in an extra result), and the name counts of those classes'
    families; unchanged when there is none."""
    if name_counts is None:
        return list(results), None
    owners = _owners(results)
    if not owners:
        return list(results), dict(name_counts)
    children: dict[str, set[str]] = {}
    for key in name_counts:
        if FAMILY in key:
            base, _, sub = key.partition(FAMILY)
            children.setdefault(base, set()).add(sub)
    counts = dict(name_counts)
    # a construction's class (last part of its callee) -> the owners whose family it belongs to
    wanted: dict[str, list[str]] = {}
    for cls in owners:
        short = cls.rsplit(".", 1)[-1]
        family = _family(short, children)
        counts[short] = sum(name_counts.get(member, 0) for member in family)
        for member in family:
            wanted.setdefault(member, []).append(cls)
    out: list[FileResult] = []
    for r in results:
        calls: list[Site] = []
        changed = False
        for site in r.calls:
            owned = [cls for cls in wanted.get(site.callee.rsplit(".", 1)[-1], ())
                     if _same_package(site.callee, cls)]
            calls.extend(replace(site, callee=cls) for cls in owned)
            if owned:
                changed = True
            else:
                calls.append(site)
        out.append(replace(r, calls=calls) if changed else r)
    summaries = [Summary(cls, s.path, s.line, PARAMS, None, False, (), tuple(queries),
                         tenant_entries=tuple(entries))
                 for cls, (s, queries, entries) in sorted(owners.items())]
    out.append(FileResult(path="", summaries=summaries))
    return out, counts


def _same_package(callee: str, cls: str) -> bool:
    """The construction names a class of the owner's package: imported from its module, from the
    package that re-exports it (``app.serializers.ItemSerializer`` for
    ``app.serializers.items.ItemSerializer``), or from a module inside it."""
    outer, inner = _module(callee), _module(cls)
    return bool(outer) and (inner == outer or inner.startswith(outer + ".") or outer.startswith(inner + "."))
