"""Parents verified after the fetch (docs/concepts.md, "Checked after the fetch").

In a handler, ``Issue.objects.get(pk=issue_id, project_id=project_id)`` keyed by a foreign key to a
tenant table with a URL value that no check has verified yet is no tenant filter when it runs. A
membership check later in the handler that verifies that value (``if not has_access(request.user,
project_id=project_id): return 403``) verifies the reads made before it (``checks.verify_earlier``):
the foreign key then pins the rows to a parent of the caller's tenant, as if it had been checked
first. Such keys are kept on the query as *latent* pins, made real by that check. Only mandatory
keys count: a key under ``OR`` or a negation pins nothing for sure.
"""

from __future__ import annotations

from collections.abc import Iterable

from tenantlint.analysis.facts import Scoping
from tenantlint.analysis.interp.predicates import Leaf, Pred
from tenantlint.analysis.interp.values import Pin, QueryValue

_IDS = ("id", "pk")


def latent_parents(pred: Pred, fk_parents: Iterable[str]) -> tuple[Pin, ...]:
    """Pins a check of their request values would make: mandatory ``parent=value`` /
    ``parent_id=value`` / ``parent__id=value`` conjuncts of ``pred`` with request input."""
    parents = frozenset(fk_parents)
    out: list[Pin] = []
    todo: list[Pred] = [pred]
    while todo:
        node = todo.pop()
        if not isinstance(node, Leaf):
            if node.op == "and":
                todo.extend(node.children)
            continue  # an alternative or a negation: not mandatory
        head, _, rest = node.key.partition("__")
        named = node.key in parents or (head in parents and rest in _IDS)
        if named and node.op == "eq" and node.value.untrusted and not isinstance(node.value, QueryValue):
            detail = f"parent {node.key}, verified after the fetch"
            out.append(Pin(node.value.prov, Scoping.SCOPED_PARENT, detail))
    return tuple(out)
