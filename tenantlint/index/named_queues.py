"""Named queues: worker classes registered under a queue name, whose ``consume`` method the
framework runs with each event put on that queue (docs/concepts.md, "Across functions").

A top-level class defining ``consume`` (or only ``consume_batch``) is the consumer of queue ``q``
when a decorator call with the string literal ``q`` as its first argument registers it
(``@assign_queue("q")``) or its body assigns ``queue_name = "q"``::

    @assign_queue("embed_links")
    class FetchLinksEmbedData(QueueProcessingWorker):
        def consume(self, event): ...

The pre-pass (CPython ``ast``, per file) records ``q`` -> ``pkg.module.Class.consume``; two classes
registered under one name are joined with ``|`` (ambiguous: neither is the queue's consumer). A call
anywhere in the project whose first argument is that literal and whose second is the event
(``queue_json_publish("embed_links", event)``) is then a call site of the consumer
(``analysis/interp/queue_producers.py``).
"""

from __future__ import annotations

import ast
import re

from tenantlint.index.ast_util import named_assignments

HINT = "consume"  # a file that does not spell it defines no consumer
CONSUMERS = ("consume", "consume_batch")  # in this order: the method a queue's events are given to
QUEUE_ATTRIBUTE = "queue_name"
# A queue name: a word, possibly dotted or dashed (a log format or a sentence is never one)
NAME = re.compile(r"[\w.:-]+")


def queue_literal(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and NAME.fullmatch(node.value):
        return node.value
    return None


def named_queues(module: str, tree: ast.Module) -> dict[str, str]:
    """Queue name -> the qualified name of its consumer method, for the classes of ``tree``."""
    out: dict[str, str] = {}
    for cls in tree.body:
        if not isinstance(cls, ast.ClassDef):
            continue
        methods = {n.name for n in cls.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}
        method = next((m for m in CONSUMERS if m in methods), None)
        if method is None:
            continue
        name = _registered(cls)
        if name is None:
            continue
        qualname = f"{module}.{cls.name}.{method}" if module else f"{cls.name}.{method}"
        out[name] = f"{out[name]}|{qualname}" if name in out else qualname
    return out


def _registered(cls: ast.ClassDef) -> str | None:
    """The queue name a decorator call or a ``queue_name = "..."`` class attribute gives ``cls``."""
    for d in cls.decorator_list:
        if isinstance(d, ast.Call) and d.args and not isinstance(d.args[0], ast.Starred):
            found = queue_literal(d.args[0])
            if found is not None:
                return found
    for name, value in named_assignments(cls):
        if name == QUEUE_ATTRIBUTE:
            return queue_literal(value)
    return None


def consumer_of(queues: dict[str, str], name: str) -> str | None:
    """The one consumer of queue ``name`` (None when none or several are registered under it)."""
    found = queues.get(name)
    return found if found is not None and "|" not in found else None
