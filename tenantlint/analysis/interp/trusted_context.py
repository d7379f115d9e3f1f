"""Trust that comes from where code sits or how it is decorated, as the config declares it.

- ``system_paths``: a file matching one of these globs (management commands by default) queries
  across tenants on purpose; everything in it runs in system scope.
- ``trusted_parameters``: ``decorator:param`` entries; a function decorated with ``@decorator``
  receives ``param`` from trusted context (``@require_realm_admin`` injects the authenticated
  ``user_profile``), so that parameter is trusted, never request input. A handler parameter whose
  name ``trusted_sources`` covers is trusted too.
"""

from __future__ import annotations

from collections.abc import Mapping

from tenantlint.analysis.facts import Provenance, Trust
from tenantlint.analysis.interp.values import Value
from tenantlint.config.options import Config
from tenantlint.config.patterns import PatternSet
from tenantlint.files import excluded

SCHEDULED = "scheduled by "  # why a task a scheduler runs is system code (``index/schedules.py``)
SYSTEM_PATH = "in a system_paths file"  # why the code of a management command is system code
INJECTED = "injected by a decorator: "  # provenance text of a trusted parameter
# The last part of an expression that is the authenticated user (``request.user``, ``current_user``,
# ``g.user``, ``self.user``), once ``.id``/``.pk`` is taken off.
CALLER_NAMES = frozenset({"user", "current_user", "user_profile", "auth_user", "authenticated_user"})
_ID_SUFFIXES = (".id", ".pk", ".uuid")


def is_caller(value: Value) -> bool:
    """Whether ``value`` is the authenticated user (or its id), by the trusted source it comes from."""
    prov = value.prov
    if prov.trust is not Trust.TRUSTED:
        return False
    source = prov.source
    if source.startswith("dependency "):  # FastAPI ``Depends(get_current_user)``
        return "user" in source
    if source.startswith(INJECTED):  # ``trusted_parameters``: a user a decorator injects is the caller
        return True
    for suffix in _ID_SUFFIXES:
        if source.endswith(suffix):
            source = source[: -len(suffix)]
            break
    return source.rsplit(".", 1)[-1] in CALLER_NAMES


def in_system_path(path: str, config: Config) -> bool:
    """``path`` (relative to the project root, ``/``-separated) matches ``system_paths``."""
    return bool(config.system_paths) and excluded(path.lstrip("./"), config.system_paths)


def parse_trusted_parameters(entries: tuple[str, ...]) -> dict[str, frozenset[str]]:
    """``("require_realm_admin:user_profile",)`` -> ``{"require_realm_admin": {"user_profile"}}``,
    keyed by the decorator's last dotted part (``@decorators.require_realm_admin`` matches)."""
    out: dict[str, set[str]] = {}
    for entry in entries:
        decorator, _, param = entry.partition(":")
        out.setdefault(decorator.strip().rsplit(".", 1)[-1], set()).add(param.strip())
    return {k: frozenset(v) for k, v in out.items()}


def injected_parameters(decorators: list[str], table: dict[str, frozenset[str]]) -> dict[str, Value]:
    """The parameters the function's decorators inject, each trusted (its provenance names it)."""
    out: dict[str, Value] = {}
    for name in decorators:
        for param in table.get(name.rsplit(".", 1)[-1], ()):
            out[param] = Value(Provenance.trusted(f"{INJECTED}{param}"))
    return out


def named_trusted(params: Mapping[str, Value], trusted: PatternSet,
                  taken: Mapping[str, Value]) -> dict[str, Value]:
    """Handler parameters whose very name ``trusted_sources`` declares trusted (``user_profile.*``
    covers the ``user_profile`` a framework decorator passes in): the config wins over the guess
    that a handler parameter is a URL path parameter."""
    return {k: Value(Provenance.trusted(k)) for k in params if k not in taken and trusted.match(k)}
