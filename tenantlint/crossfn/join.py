"""The one entry of the project-wide join, shared by ``tenantlint check`` and the flake8 plugin:
serializer constructions become call sites of the methods reading ``self.context``
(``crossfn/context.py``), calls from system files the analysis did not read are collected
(``crossfn/system_callers.py``), then summaries and call sites are joined (``crossfn/combine.py``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from tenantlint.config.options import Config
from tenantlint.crossfn.combine import Combiner, Outcome, Project
from tenantlint.crossfn.context import serializer_context
from tenantlint.crossfn.system_callers import SystemCalls
from tenantlint.crossfn.system_callers import collect as system_calls
from tenantlint.results import FileResult


def joined_project(results: Sequence[FileResult], name_counts: Mapping[str, int] | None,
                   membership_checks: Iterable[str] = (), config: Config | None = None) -> Project:
    """The project the join runs over (``tenantlint explain`` reads the same one)."""
    joined, counts = serializer_context(results, name_counts)
    system = system_calls(config, joined) if config is not None and counts is not None else SystemCalls()
    return Project(joined, counts, membership_checks, system.sites, system.reasons,
                   config is not None and config.whole_application)


def join(results: Sequence[FileResult], name_counts: Mapping[str, int] | None,
         membership_checks: Iterable[str] = (), config: Config | None = None) -> Outcome:
    """``config``: when given (and the project was indexed whole), calls from system files the
    analysis did not read (migrations, ``crossfn/system_callers.py``) count as system callers, and
    its ``whole_application`` makes the functions no product code reaches system code
    (``crossfn/reach.py``)."""
    return Combiner(joined_project(results, name_counts, membership_checks, config)).run()
