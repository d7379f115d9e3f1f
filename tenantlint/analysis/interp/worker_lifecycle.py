"""A queue worker's lifecycle: what its worker process runs for no event and no request.

A class registered as the consumer of a named queue (``index/named_queues.py``:
``@assign_queue("q")`` or ``queue_name = "q"``, defining ``consume``) is handed to the queue
framework, which runs it in a worker process: it starts the worker (``start()``), gives its consumer
each event put on the queue, and stops it (``stop()``). The consumer's callers are the producers
(``interp/queue_producers.py``); what the consumer reaches is judged through them, as any helper is.

A method of such a class is *lifecycle* code when nothing but the framework can run it with anything
of an event: it is not the consumer, takes no argument but ``self`` (nothing is passed in), no
method of the class calls or names it (``self.start``: what the consumer reaches is reached through
the consumer), and it is a plain method (no dunder, no decorator that registers it elsewhere). Such a
method (a worker's ``start`` that spawns a polling thread, its ``stop``) reads every tenant's rows
on purpose, as a scheduled task does: it is walked in system scope, and what only it reaches (a
thread target it names, ``threading.Thread(target=self.work)``) is system code in turn
(``crossfn/combine.py``, ``Combiner.system_helpers``). A method the consumer or any other method of
the class calls stays judged by its callers.
"""

from __future__ import annotations

from collections.abc import Mapping

import libcst as cst

from tenantlint.analysis.interp.function_state import function_params
from tenantlint.index.named_queues import CONSUMERS

LIFECYCLE = "queue worker lifecycle: "  # why the queries of such a method are system code
_RECEIVERS = frozenset({"self", "cls"})
_PLAIN = frozenset({"override", "final"})  # typing markers, by their last name


def registered_classes(queues: Mapping[str, str]) -> frozenset[str]:
    """The qualified names of the classes registered as the consumers of named queues (two classes
    under one name are both registered: each is run by the framework)."""
    out: set[str] = set()
    for consumers in queues.values():
        for consumer in consumers.split("|"):
            owner, _, method = consumer.rpartition(".")
            if method in CONSUMERS and owner:
                out.add(owner)
    return frozenset(out)


def lifecycle_reason(queues: Mapping[str, str], qualname: str, cls: cst.ClassDef, fn: cst.FunctionDef,
                     decorators: list[str]) -> str | None:
    """Why method ``fn`` (``qualname``) of class ``cls`` is worker lifecycle code, if it is."""
    name = fn.name.value
    owner = qualname.rpartition(".")[0]
    if name in CONSUMERS or (name.startswith("__") and name.endswith("__")):
        return None
    if not queues or owner not in registered_classes(queues):
        return None
    if len(decorators) != len(fn.decorators) or any(d.rsplit(".", 1)[-1] not in _PLAIN for d in decorators):
        return None  # a decorator that may register it (or pass it arguments)
    params = function_params(fn)
    if len(params) != 1 or params[0].name.value != "self":
        return None  # something is passed in
    if _named_in(cls, name):
        return None
    return f"{LIFECYCLE}{cls.name.value}.{name} (run by the queue framework in its worker process)"


class _Spelled(cst.CSTVisitor):
    def __init__(self, name: str, cls: str) -> None:
        self.name = name
        self.receivers = _RECEIVERS | {cls}
        self.found = False

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        if node.attr.value == self.name and isinstance(node.value, cst.Name) and (
                node.value.value in self.receivers):
            self.found = True
        return not self.found


def _named_in(cls: cst.ClassDef, name: str) -> bool:
    """The body of ``cls`` spells ``self.name``, ``cls.name`` or ``Class.name`` (a call or a
    reference): some method of the class reaches it."""
    visitor = _Spelled(name, cls.name.value)
    cls.body.visit(visitor)
    return visitor.found
