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
from tenantlint.results import Summary

if TYPE_CHECKING:
    from tenantlint.analysis.interp.values import Value

# Asked instead of a callee when no function passes a parameter through (``through_args`` stops early)
PASSES_ASKED = "<passes>"


@dataclass(frozen=True)
class Returns:
    # qualified name -> ``row:TABLE`` / ``rows:TABLE`` / ``untrusted:SOURCE`` / "" (``of`` keeps only
    # the functions returning something: the others are in ``names``)
    kinds: Mapping[str, str]
    # qualified name -> (position, name) of each parameter it only extends and hands back
    passes: Mapping[str, tuple[tuple[int, str], ...]] = field(default_factory=dict)
    # qualified name -> its parameters in order and its tenant guards (``analysis/interp/guards.py``)
    guards: Mapping[str, tuple[tuple[str, ...], tuple[str, ...]]] = field(default_factory=dict)
    # qualified name -> the parameters a call binds, in order, of each function returning a dict
    dict_params: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # qualified name -> its module: names a package re-exports resolve too (``Callees``)
    modules: Mapping[str, str] = field(default_factory=dict)
    # the qualified names of the other functions, sorted: a call of a name shared with a function that
    # returns nothing useful is ambiguous (resolves to none)
    names: tuple[str, ...] = ()
    # qualified name -> (position, name) of each parameter whose entries it never changes
    # (``analysis/interp/kept_entries.py``): a caller passing a dict there keeps what it stored in it
    keeps: Mapping[str, tuple[tuple[int, str], ...]] = field(default_factory=dict)
    _callees: Callees = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_callees", Callees([*self.kinds, *self.names], self.modules))

    @staticmethod
    def of(summaries: Iterable[Summary]) -> Returns:
        kinds: dict[str, str] = {}
        passes: dict[str, tuple[tuple[int, str], ...]] = {}
        guards: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
        params: dict[str, tuple[str, ...]] = {}
        keeps: dict[str, tuple[tuple[int, str], ...]] = {}
        from tenantlint.files import module_name

        dupes: set[str] = set()
        names: set[str] = set()
        modules: dict[str, str] = {}
        by_path: dict[str, str] = {}
        for s in summaries:
            if s.qualname in names:
                dupes.add(s.qualname)
            names.add(s.qualname)
            module = by_path.get(s.path)
            if module is None:
                module = by_path[s.path] = module_name(s.path)  # one string per file
            modules[s.qualname] = module
            kinds[s.qualname] = s.returns if s.handler is None else ""
            if s.passes and s.handler is None:
                passes[s.qualname] = tuple((s.params.index(p), p) for p in s.passes)
            if s.keeps and s.handler is None:
                keeps[s.qualname] = tuple((s.params.index(p), p) for p in s.keeps)
            if s.guards and s.handler is None:
                guards[s.qualname] = (s.params, s.guards)
            if s.handler is None and s.returns.startswith(f"{DICT_KIND}:"):
                params[s.qualname] = tuple(s.params)
        return Returns({q: k for q, k in sorted(kinds.items()) if k and q not in dupes},
                       {q: p for q, p in sorted(passes.items()) if q not in dupes},
                       {q: g for q, g in sorted(guards.items()) if q not in dupes},
                       {q: p for q, p in sorted(params.items()) if q not in dupes},
                       {q: m for q, m in sorted(modules.items()) if q not in dupes},
                       tuple(q for q, k in sorted(kinds.items()) if not k and q not in dupes),
                       {q: p for q, p in sorted(keeps.items()) if q not in dupes})

    @property
    def useful(self) -> bool:
        return any(self.kinds.values()) or bool(self.passes) or bool(self.guards) or bool(self.keeps)

    def key(self) -> str:
        kinds = sorted([*self.kinds.items(), *((q, "") for q in self.names)])
        return key_of("returns", *(f"{q}={k}" for q, k in kinds),
                      *(f"{q}<{p}" for q, p in sorted(self.passes.items())),
                      *(f"{q}!{g}" for q, g in sorted(self.guards.items())),
                      *(f"{q}({','.join(p)})" for q, p in sorted(self.dict_params.items())),
                      *(f"{q}@{m}" for q, m in sorted(self.modules.items())),
                      *(f"{q}~{p}" for q, p in sorted(self.keeps.items())))

    def applies(self, callee: str, queries: bool, rows: bool = False, stored: bool = False) -> bool:
        """A call of ``callee`` gets a value, or (``queries``: with a query among its arguments) passes
        a parameter through, or (``rows``: with an unchecked row among them) checks its tenant, or
        (``stored``: given a dict the caller stored entries in) leaves a parameter's entries as they
        were: its file is walked again."""
        q = self.resolve(callee)
        return q is not None and (bool(self.kinds.get(q)) or (queries and q in self.passes)
                                  or (rows and q in self.guards) or (stored and q in self.keeps))

    def answer(self, callee: str) -> tuple[object, ...]:
        """All the analysis of a call can learn about ``callee`` (or :data:`PASSES_ASKED`) here: a
        file whose every asked callee (``FileResult.returns_asked``) has the same answer in two
        ``Returns`` is analysed alike under both (``runner._returns`` does not walk it again)."""
        if callee == PASSES_ASKED:
            return (bool(self.passes),)
        return (self.kind_of(callee) if self.kinds else "",
                self.passes_of(callee) if self.passes else (),
                self.guards_of(callee),
                self.dict_of(callee) if self.dict_params else None,
                self.keeps_of(callee) if self.keeps else ())

    def answers_alike(self, other: Returns, asked: Iterable[str]) -> bool:
        return all(self.answer(c) == other.answer(c) for c in asked)

    def answers(self, asked: Iterable[str]) -> list[tuple[object, ...]]:
        """:meth:`answer` to each of ``asked``: kept instead of these returns, to compare another's
        with (``runner._returns``)."""
        return [self.answer(c) for c in asked]

    def guards_of(self, callee: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The parameters of ``callee`` and its tenant guards (none when it has none)."""
        q = self.resolve(callee) if self.guards else None
        return self.guards.get(q, ((), ())) if q is not None else ((), ())

    def keeps_of(self, callee: str) -> tuple[tuple[int, str], ...]:
        """(position, name) of each parameter of ``callee`` whose entries it never changes."""
        q = self.resolve(callee)
        return self.keeps.get(q, ()) if q is not None else ()

    def passes_of(self, callee: str) -> tuple[tuple[int, str], ...]:
        q = self.resolve(callee)
        return self.passes.get(q, ()) if q is not None else ()

    def resolve(self, callee: str) -> str | None:
        return self._callees.resolve(callee)

    def kind_of(self, callee: str) -> str:
        q = self.resolve(callee)
        return self.kinds.get(q, "") if q is not None else ""

    def dict_of(self, callee: str) -> tuple[str, tuple[str, ...]] | None:
        """The ``dict:`` kind of ``callee`` and the parameters a call binds, if it returns a dict."""
        q = self.resolve(callee)
        if q is None or q not in self.dict_params:
            return None
        return self.kinds.get(q, ""), self.dict_params[q]

    def value_of(self, callee: str) -> Value | None:
        if not self.kinds:
            return None
        kind = self.kind_of(callee)
        if not kind:
            return None
        from tenantlint.analysis.interp.returns import returned_value

        parts = callee.split(".")
        return returned_value(kind, ".".join(parts[-2:]))
