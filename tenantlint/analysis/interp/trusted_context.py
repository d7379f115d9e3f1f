"""Trust that comes from where code sits or how it is decorated, as the config declares it.

- ``system_paths``: a file matching one of these globs (management commands by default) queries
  across tenants on purpose; everything in it runs in system scope.
- ``trusted_parameters``: ``decorator:param`` entries; a function decorated with ``@decorator``
  receives ``param`` from trusted context (``@require_realm_admin`` injects the authenticated
  ``user_profile``), so that parameter is trusted, never request input. A handler parameter whose
  name ``trusted_sources`` covers is trusted too.
- Inferred injection: a project decorator whose wrapper passes the function it wraps a trusted value
  at a position or keyword (``index/injection.py``) makes the parameter there trusted.
- A Django view parameter annotated with the user model is the authenticated user, not a URL value.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import libcst as cst

from tenantlint.analysis.facts import Provenance, Trust
from tenantlint.analysis.interp.exprs import dotted
from tenantlint.analysis.interp.values import Value
from tenantlint.config.options import Config
from tenantlint.config.patterns import PatternSet
from tenantlint.files import excluded
from tenantlint.index.caller_serializers import CALLER_NAMES

SCHEDULED = "scheduled by "  # why a task a scheduler runs is system code (``index/schedules.py``)
SYSTEM_PATH = "in a system_paths file"  # why the code of a management command is system code
INJECTED = "injected by a decorator: "  # provenance text of a trusted parameter
# provenance text of the object a serializer the project builds only for the caller represents
REPRESENTED = "the authenticated user, represented by "
PASSED_BY = ", passed by @"  # provenance text of a parameter a project decorator passes a trusted value
# ``CALLER_NAMES``: the last part of an expression that is the authenticated user (``request.user``,
# ``current_user``, ``g.user``, ``self.user``), once ``.id``/``.pk`` is taken off (one list, shared
# with the pre-pass reader of serializers built for the caller).
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
    # what a project decorator's wrapper passed; a view parameter annotated with the user model
    # (the caller when named like one: another user handed to a view helper is a row, not the caller)
    source = source.split(PASSED_BY, 1)[0].split(", " + USER_ANNOTATED, 1)[0]
    for suffix in _ID_SUFFIXES:
        if source.endswith(suffix):
            source = source[: -len(suffix)]
            break
    if source.startswith(REPRESENTED):  # the object of a serializer built only for the caller
        return source.endswith(")")  # itself (or its id), not an attribute of it
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


def forwarded_parameters(fn: cst.FunctionDef, decorators: list[str],
                         table: Mapping[str, Mapping[str, str]]) -> dict[str, Value]:
    """The parameters of ``fn`` that its project decorators' wrappers fill with a trusted value:
    ``{"1": "user_profile"}`` (position 1 gets the wrapper's trusted ``user_profile``) makes ``fn``'s
    second positional parameter trusted, whatever its name; a keyword entry names the parameter."""
    positional = [p.name.value for p in (*fn.params.posonly_params, *fn.params.params)]
    named = {p.name.value for p in positional_and_keyword(fn)}
    out: dict[str, Value] = {}
    for name in decorators:
        last = name.rsplit(".", 1)[-1]
        for key, source in table.get(last, {}).items():
            param = (positional[int(key)] if int(key) < len(positional) else None) if key.isdigit() \
                else (key if key in named else None)
            if param is not None:
                out.setdefault(param, Value(Provenance.trusted(f"{source}{PASSED_BY}{last}")))
    return out


USER_ANNOTATED = "the authenticated user (annotated "  # provenance text of a user-model parameter
def user_annotated(fn: cst.FunctionDef, url_only: bool, params: Mapping[str, Value],
                   is_user_model: Callable[[str], bool]) -> dict[str, Value]:
    """Parameters of a Django view (function or class-based) annotated with the user model: a URL
    converter yields text and numbers, never a model row, so a user row handed to a view is the
    authenticated user its authentication wrapper passes (however the view was routed), not a URL
    value. A row a custom converter or decorator fetched is judged where it is fetched."""
    if not url_only:  # a FastAPI parameter annotated with a model is a request body
        return {}
    out: dict[str, Value] = {}
    for p in positional_and_keyword(fn):
        name = p.name.value
        if name not in params or p.annotation is None:
            continue
        text = dotted(p.annotation.annotation)
        if text is not None and is_user_model(text.rsplit(".", 1)[-1]):
            out[name] = Value(Provenance.trusted(f"{name}, {USER_ANNOTATED}{text})"))
    return out


def positional_and_keyword(fn: cst.FunctionDef) -> list[cst.Param]:
    p = fn.params
    return [*p.posonly_params, *p.params, *p.kwonly_params]


def named_trusted(params: Mapping[str, Value], trusted: PatternSet,
                  taken: Mapping[str, Value]) -> dict[str, Value]:
    """Handler parameters whose very name ``trusted_sources`` declares trusted (``user_profile.*``
    covers the ``user_profile`` a framework decorator passes in): the config wins over the guess
    that a handler parameter is a URL path parameter."""
    return {k: Value(Provenance.trusted(k)) for k in params if k not in taken and trusted.match(k)}
