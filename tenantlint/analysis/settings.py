"""What every file of a run shares: the config, the project index and the cross-file facts."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import TYPE_CHECKING

from tenantlint.config.options import Config
from tenantlint.config.patterns import PatternSet
from tenantlint.crossfile import CrossFileFacts
from tenantlint.crossfn.returns import Returns
from tenantlint.index.delegated_checks import recognise_delegated
from tenantlint.index.membership import VIEW_PROPERTY, RecognisedCheck, recognise
from tenantlint.index.records import ProjectIndex

if TYPE_CHECKING:
    from tenantlint.analysis.interp.class_models import ClassModels
    from tenantlint.analysis.interp.member_types import MemberTypes
    from tenantlint.index.schedules import Schedules


# Context managers and decorators of scoping libraries that lift their scope: django-scopes'
# ``with scopes_disabled():`` / ``@scopes_disabled()``.
LIBRARY_SYSTEM_SCOPE = frozenset({"scopes_disabled"})


@dataclass(frozen=True)
class Settings:
    """What every file of a run shares: config, index, cross-file facts, compiled patterns."""

    config: Config
    index: ProjectIndex
    # What the other files of the project tell (``tenantlint/crossfile.py``).
    facts: CrossFileFacts = field(default_factory=CrossFileFacts, compare=False, hash=False)
    # What the project's functions return, by qualified name (``row:TABLE``, ``untrusted:SOURCE``...):
    # known after a first pass over the project, applied at their call sites in a second one.
    returns: Returns = field(default_factory=lambda: Returns({}), compare=False, hash=False)
    # Per-run memo of derived lookups (e.g. Django tenant lookup paths per table).
    memo: dict[tuple[str, str], object] = field(default_factory=dict, compare=False, hash=False)
    # The names of every function of the project (``def``, from the pre-pass), when it read every file
    # analysed: a call of a callee of another name resolves to no summary, so its call site is not
    # recorded (``analysis/summaries.py``). None: every call site is.
    defined: frozenset[str] | None = field(default=None, compare=False, hash=False)

    def with_returns(self, returns: Returns) -> Settings:
        """These settings with ``returns`` (the second passes across functions): what is derived
        from the config, the index and the facts (the cached properties, the memo) is kept, not
        computed again."""
        again = replace(self, returns=returns)
        for name in _CACHED:
            if name in self.__dict__:
                again.__dict__[name] = self.__dict__[name]
        return again

    @cached_property
    def class_models(self) -> ClassModels:
        from tenantlint.analysis.interp.class_models import ClassModels

        f = self.facts
        return ClassModels(f.class_attrs, f.class_slots, f.class_calls, f.class_bases)

    @cached_property
    def member_types(self) -> MemberTypes:
        from tenantlint.analysis.interp.member_types import MemberTypes

        return MemberTypes(self.facts.member_types, self.facts.class_bases)

    @cached_property
    def trusted(self) -> PatternSet:
        return PatternSet.compile(self.config.trusted_sources)

    @cached_property
    def untrusted(self) -> PatternSet:
        return PatternSet.compile(self.config.untrusted_sources)

    @cached_property
    def tenant_keys(self) -> frozenset[str]:
        return frozenset(k.lower() for k in self.config.tenant_keys)

    @cached_property
    def related(self) -> dict[str, list[tuple[str, str, str]]]:
        """Reverse accessor name -> [(child model, fk field, target model or table)]."""
        out: dict[str, list[tuple[str, str, str]]] = {}
        for name, defs in sorted(self.index.models.items()):
            for m in defs:
                for f in m.fields:
                    if f.fk_target and f.related_name:
                        out.setdefault(f.related_name, []).append((name, f.name, f.fk_target))
        return out

    def last(self, names: tuple[str, ...]) -> frozenset[str]:
        return frozenset(n.rsplit(".", 1)[-1] for n in names)

    @cached_property
    def system_scope(self) -> frozenset[str]:
        return self.last(self.config.system_scope) | LIBRARY_SYSTEM_SCOPE

    @cached_property
    def operator_checks(self) -> frozenset[str]:
        """Checks admitting only the instance's operators (``operator_checks``)."""
        return self.last(self.config.operator_checks)

    @cached_property
    def system_handlers(self) -> frozenset[str]:
        """Decorators and dependencies that make a handler system code: ``system_scope`` names and
        operator checks."""
        return self.system_scope | self.operator_checks

    @cached_property
    def auto_scoped(self) -> frozenset[str]:
        return self.last(self.config.auto_scoped_managers)

    @cached_property
    def scoping_methods(self) -> frozenset[str]:
        return self.last(self.config.scoping_methods)

    @cached_property
    def recognised_checks(self) -> tuple[RecognisedCheck, ...]:
        """Membership checks tenantlint recognised by their bodies (``tenantlint tables``)."""
        own = recognise(self.index, self.facts.check_candidates)
        known = self.last(self.config.membership_checks) | {c.name for c in own}
        return own + recognise_delegated(self.index, self.facts.delegated_checks, known)

    @cached_property
    def membership_checks(self) -> frozenset[str]:
        """Configured and recognised membership checks (last dotted part)."""
        return self.last(self.config.membership_checks) | {c.name for c in self.recognised_checks}

    @cached_property
    def verified_rows(self) -> frozenset[tuple[str, str, str]]:
        """(check, URL parameter, model): the check fetched a row of that model by the verified
        parameter as its primary key (``index/delegated_checks.py``)."""
        return frozenset((c.name, param, model) for c in self.recognised_checks for param, model in c.rows)

    @cached_property
    def check_verifies(self) -> dict[str, frozenset[str] | None]:
        """Check name -> the URL parameter names it verifies: those a recognised check looks the
        caller up by (a configured check too, when tenantlint recognises its body); None (all of
        them) for a configured check whose body it cannot read or whose lookup names none."""
        found: dict[str, frozenset[str]] = {}
        for c in self.recognised_checks:  # checks of one name in several modules: what any verifies
            # (and, marked, the view properties it reads: ``checks.property_params``)
            found[c.name] = (found.get(c.name, frozenset()) | frozenset(c.verifies)
                             | frozenset(VIEW_PROPERTY + p for p in c.properties))
        out: dict[str, frozenset[str] | None] = dict(found)
        for name in self.last(self.config.membership_checks):
            if not out.get(name):
                out[name] = None
        return out

    @cached_property
    def schedules(self) -> Schedules:
        """Functions a scheduler runs on a timer (``index/schedules.py``): system scope."""
        from tenantlint.index.schedules import Schedules

        return Schedules(self.facts.scheduled, self.facts.task_names)

    @cached_property
    def handler_decorators(self) -> frozenset[str]:
        return self.last(self.config.handler_decorators)

    @cached_property
    def injections(self) -> dict[str, dict[str, str]]:
        """Project decorators that pass the wrapped function a trusted value: decorator's last
        dotted part -> {position or keyword -> the trusted source} (``index/injection.py``)."""
        from tenantlint.index.injection import parse_injections

        return parse_injections(self.facts.injecting_decorators)

    @cached_property
    def trusted_parameters(self) -> dict[str, frozenset[str]]:
        from tenantlint.analysis.interp.trusted_context import parse_trusted_parameters

        return parse_trusted_parameters(self.config.trusted_parameters)


# What ``Settings.with_returns`` carries over: every cached property (none reads ``returns``).
_CACHED = tuple(name for name, value in vars(Settings).items() if isinstance(value, cached_property))
