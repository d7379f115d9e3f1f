"""What the project's functions return, looked up by the dotted name a call resolves to.

Built from the first pass's summaries (``Summary.returns``) and handed to the analysis in
``Settings.returns`` for a second pass over the files that call them (``runner``). A callee matches a
function as the cross-function join resolves it (``combine.Project.resolve``): the same qualified
name, or the only function whose qualified name ends with the callee's (or the other way round).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tenantlint.cache import key_of
from tenantlint.crossfn.records import DICT_KIND, Callees
from tenantlint.results import Site, Summary

if TYPE_CHECKING:
    from tenantlint.analysis.interp.values import Value


QUEUEING = ("delay", "apply_async", "s", "si")  # a Celery task's queueing methods (interp/calls.py)


@dataclass(frozen=True)
class Returns:
    # qualified name of every function -> ``row:TABLE`` / ``rows:TABLE`` / ``untrusted:SOURCE`` / ""
    # (all of them: a name shared with a function that returns nothing useful makes a call ambiguous)
    kinds: Mapping[str, str]
    # qualified name -> (position, name) of each parameter it only extends and hands back
    passes: Mapping[str, tuple[tuple[int, str], ...]] = field(default_factory=dict)
    # qualified name -> its parameters in order and its tenant guards (``analysis/interp/guards.py``)
    guards: Mapping[str, tuple[tuple[str, ...], tuple[str, ...]]] = field(default_factory=dict)
    # qualified name -> the parameters a call binds, in order, of each function returning a dict
    dict_params: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    _callees: Callees = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_callees", Callees(self.kinds))

    @staticmethod
    def of(summaries: Iterable[Summary]) -> Returns:
        kinds: dict[str, str] = {}
        passes: dict[str, tuple[tuple[int, str], ...]] = {}
        guards: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
        params: dict[str, tuple[str, ...]] = {}
        dupes: set[str] = set()
        names: set[str] = set()
        for s in summaries:
            if s.qualname in names:
                dupes.add(s.qualname)
            names.add(s.qualname)
            kinds[s.qualname] = s.returns if s.handler is None else ""
            if s.passes and s.handler is None:
                passes[s.qualname] = tuple((s.params.index(p), p) for p in s.passes)
            if s.guards and s.handler is None:
                guards[s.qualname] = (s.params, s.guards)
            if s.handler is None and s.returns.startswith(f"{DICT_KIND}:"):
                params[s.qualname] = tuple(s.params)
        return Returns({q: k for q, k in sorted(kinds.items()) if q not in dupes},
                       {q: p for q, p in sorted(passes.items()) if q not in dupes},
                       {q: g for q, g in sorted(guards.items()) if q not in dupes},
                       {q: p for q, p in sorted(params.items()) if q not in dupes})

    @property
    def useful(self) -> bool:
        return any(self.kinds.values()) or bool(self.passes) or bool(self.guards)

    def key(self) -> str:
        return key_of("returns", *(f"{q}={k}" for q, k in sorted(self.kinds.items())),
                      *(f"{q}<{p}" for q, p in sorted(self.passes.items())),
                      *(f"{q}!{g}" for q, g in sorted(self.guards.items())),
                      *(f"{q}({','.join(p)})" for q, p in sorted(self.dict_params.items())))

    def answers(self, calls: Iterable[Site]) -> str:
        """A key of this table's answers to every question the analysis of a file with these call
        sites asks it: for each callee (and a queued task's ``task.delay``, ``through_args``'s
        spelling), the function it resolves to and that function's entries. A file analysed with one
        table is analysed alike with any other giving the same answers: the walk asks about the
        callees of the calls it records, and only them, so it cannot take another path."""
        asked: set[str] = set()
        for c in calls:
            asked.add(c.callee)
            if c.celery:
                asked.update(f"{c.callee}.{m}" for m in QUEUEING)
        parts: list[str] = []
        for callee in sorted(asked):
            q = self.resolve(callee)
            if q is None:
                parts.append(callee)
                continue
            parts.append(f"{callee}>{q}={self.kinds[q]}<{self.passes.get(q, ())}"
                         f"!{self.guards.get(q, ((), ()))}({','.join(self.dict_params.get(q, ()))})")
        return key_of("answers", *parts)

    def applies(self, callee: str, queries: bool, rows: bool = False) -> bool:
        """A call of ``callee`` gets a value, or (``queries``: with a query among its arguments) passes
        a parameter through, or (``rows``: with an unchecked row among them) checks its tenant: its
        file is walked again."""
        q = self.resolve(callee)
        return q is not None and (bool(self.kinds[q]) or (queries and q in self.passes)
                                  or (rows and q in self.guards))

    def guards_of(self, callee: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The parameters of ``callee`` and its tenant guards (none when it has none)."""
        q = self.resolve(callee) if self.guards else None
        return self.guards.get(q, ((), ())) if q is not None else ((), ())

    def passes_of(self, callee: str) -> tuple[tuple[int, str], ...]:
        q = self.resolve(callee)
        return self.passes.get(q, ()) if q is not None else ()

    def resolve(self, callee: str) -> str | None:
        return self._callees.resolve(callee)

    def kind_of(self, callee: str) -> str:
        q = self.resolve(callee)
        return self.kinds[q] if q is not None else ""

    def dict_of(self, callee: str) -> tuple[str, tuple[str, ...]] | None:
        """The ``dict:`` kind of ``callee`` and the parameters a call binds, if it returns a dict."""
        q = self.resolve(callee)
        if q is None or q not in self.dict_params:
            return None
        return self.kinds[q], self.dict_params[q]

    def value_of(self, callee: str) -> Value | None:
        if not self.kinds:
            return None
        kind = self.kind_of(callee)
        if not kind:
            return None
        from tenantlint.analysis.interp.returns import returned_value

        parts = callee.split(".")
        return returned_value(kind, ".".join(parts[-2:]))
