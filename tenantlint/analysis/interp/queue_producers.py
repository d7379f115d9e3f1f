"""Events put on a named queue: call sites of the queue's consumer (``index/named_queues.py``).

A call whose first argument is the string literal naming a queue some worker class is registered
under, and whose second is the event (``queue_json_publish("embed_links", event)``,
``queue_event_on_commit("thumbnail", {"id": row.id})``), runs that class's ``consume(event)`` in a
worker: ``interp/calls.py`` records it as a call site of the consumer binding its event parameter.
An event that is a dict display (or a name still bound to one) maps the consumer's reads
``event["k"]`` to the values written under ``"k"``: an entry holding a parameter of the calling
function passes that parameter on (``ArgFact.entry_sources``); a ``**spread`` of anything but a
parameter, or an event of unknown origin, may hold any entry. ``on_commit(lambda: publish("q",
event))`` puts the event on the queue as the call in the lambda would (``interp/operators.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import libcst as cst

from tenantlint.analysis.facts import Trust
from tenantlint.analysis.interp.exprs import string_value
from tenantlint.analysis.interp.values import DictValue, Dispatch, Value
from tenantlint.crossfn.records import ANY_ENTRY, OWN, PARAMETER, UNKNOWN_ENTRIES
from tenantlint.index.named_queues import NAME, consumer_of

if TYPE_CHECKING:
    from tenantlint.analysis.interp.file_context import FileContext
    from tenantlint.analysis.interp.function_state import FunctionState


@dataclass(frozen=True, slots=True)
class Produced:
    consumer: str  # the qualified name of the consumer method
    event: cst.BaseExpression  # the event argument
    value: Value
    entry_sources: tuple[tuple[str, str], ...]


def consumer_called(ctx: FileContext, node: cst.Call) -> str | None:
    """The consumer of the queue ``node`` names as its first argument (a string literal), if any."""
    queues = ctx.settings.facts.named_queues
    if not queues or len(node.args) < 2:
        return None
    first, second = node.args[0], node.args[1]
    if first.star or second.star or first.keyword is not None or second.keyword is not None:
        return None
    name = string_value(first.value)
    if name is None or not NAME.fullmatch(name):
        return None
    return consumer_of(queues, name)


def produced(ctx: FileContext, fn: FunctionState, node: cst.Call, values: list[Value]) -> Produced | None:
    """The event ``node`` puts on a named queue of the project, when it is one."""
    consumer = consumer_called(ctx, node)
    if consumer is None:
        return None
    event, value = node.args[1].value, values[1]
    return Produced(consumer, event, value, entry_sources(fn, event, value))


def entry_sources(fn: FunctionState, node: cst.BaseExpression, value: Value) -> tuple[tuple[str, str], ...]:
    """What each entry of the event holds: (entry, ``parameter NAME``) for a parameter of the
    caller, (entry, OWN) for anything else written; (``*``, ...) for what a ``**spread`` may add.
    An event that is no dict built here may hold any entry: (``*``, its parameter, or
    UNKNOWN_ENTRIES for a value of unknown origin, or OWN for a trusted or request value, which the
    argument's own provenance stands for)."""
    if not isinstance(value, DictValue) or isinstance(value, Dispatch):
        if _parameter(value):
            return ((ANY_ENTRY, value.prov.source),)
        return ((ANY_ENTRY, UNKNOWN_ENTRIES if value.prov.trust is Trust.UNKNOWN else OWN),)
    out = [(key, item.prov.source if _parameter(item) else OWN) for key, item in value.items]
    display = node
    if isinstance(node, cst.Name):
        held = fn.held_expr(node.value)
        display = held[0] if held is not None else node
    if isinstance(display, cst.Dict):
        for el in display.elements:
            if isinstance(el, cst.StarredDictElement):
                out.append((ANY_ENTRY, _spread_source(fn, el.value)))
    return tuple(out)


def _parameter(value: Value) -> bool:
    return value.prov.trust is Trust.UNKNOWN and value.prov.source.startswith(PARAMETER)


def _spread_source(fn: FunctionState, node: cst.BaseExpression) -> str:
    """``parameter NAME`` for a spread of the caller's parameter, else UNKNOWN_ENTRIES."""
    if not isinstance(node, cst.Name):
        return UNKNOWN_ENTRIES
    value = fn.env.get(node.value)
    if value is None:
        return PARAMETER + node.value if node.value in fn.params else UNKNOWN_ENTRIES
    return value.prov.source if _parameter(value) else UNKNOWN_ENTRIES
