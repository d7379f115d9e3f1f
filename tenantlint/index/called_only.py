"""Names product code only ever calls (docs/concepts.md, "Request handlers").

Under ``whole_application``, a Django function view is recognised by its first parameter alone
(``request``). A helper handed the request (``build_page_params(request, realm=realm, ...)``) looks
the same, but no route names it: every spelling of its name in product code is a direct call. Its
parameters then come from its callers, not from a URL, and the cross-function join judges them at
those calls. This reader lists those names from the project's name counts (``prepass.name_counts``):
a name spelled at least once, every spelling a call (``crossfn/shapes.SHAPE`` counts the calls by
their shape), no string literal naming it or starting a name built at run time that it may be
(``index/string_names.py``). A ``getattr`` by a computed name on a module may still hand out a view
of any name: the receivers of those are listed too (``Settings.facts.dynamic_receivers``).
"""

from __future__ import annotations

from collections.abc import Mapping

from tenantlint.crossfn.records import DYNAMIC, PREFIX, STRING
from tenantlint.crossfn.shapes import SHAPE


def called_only(counts: Mapping[str, int]) -> frozenset[str]:
    """The lower-case names every spelling of which (there is one at least) is a direct call."""
    calls: dict[str, int] = {}
    prefixes: list[str] = []
    for key, n in counts.items():
        name, shaped, _ = key.partition(SHAPE)
        if shaped and name.isidentifier():
            calls[name] = calls.get(name, 0) + n
        elif key.startswith(PREFIX):
            prefixes.append(key[len(PREFIX):])
    starts = tuple(prefixes)
    return frozenset(name for name, n in calls.items()
                     if n and counts.get(name, 0) == n and not counts.get(STRING + name)
                     and not (starts and name.startswith(starts)))


def dynamic_receivers(counts: Mapping[str, int]) -> frozenset[str]:
    """The ``getattr`` calls by a computed name (``records.DYNAMIC``): their receivers, each with
    the literal ending of the names it builds, if any (``receiver`` + SUFFIX + ``_id``)."""
    return frozenset(key[len(DYNAMIC):] for key in counts if key.startswith(DYNAMIC))
