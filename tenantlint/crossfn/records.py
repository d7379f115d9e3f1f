"""What one file tells the cross-function pass: its functions' summaries and its resolved call sites.
Frozen, slotted and free of libcst nodes: they are cached with the file's result, so they are defined
beside it in ``tenantlint/results.py`` and named here for the cross-function modules."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from tenantlint.results import Arg, Hop, KeyedQuery, Site, Summary, TenantEntry

PARAMETER = "parameter "  # provenance source of a parameter of a function that is not a handler
# provenance source of a value computed from literals and module-level names only (a model's content
# type): no key of a query, as a literal is not
CONSTANT = "constant "
# provenance source of a row (or a value read from it) fetched, with no tenant filter, by a query keyed
# only by these comma-separated parameters of a function that is not a handler (``interp/calls.py``)
KEYED_ROWS = "rows keyed by parameters "
# ``Arg.checked`` of an argument whose call handed back a row a trusted check verified
TRUSTED_CHECK = "trusted"
BUILDER = "query"  # return kind of a query builder: ``query:FAMILY:TABLE:SINGLE:LINE:PATH``
DICT_KIND = "dict"  # return kind of a helper returning a dict of filters: ``dict:TEMPLATE``
ANY_ENTRY = "*"  # request input in any entry of a payload (a list, a nested dict)
# ``Arg.entry_sources`` of an event put on a named queue (``analysis/interp/queue_producers.py``): an
# entry written with a value of the caller's own (no parameter), and what a ``**spread`` of something
# that is no parameter (or an event of unknown origin) may hold
OWN = ""
UNKNOWN_ENTRIES = "?"
# What a serializer's methods are given besides their parameters: ``self.context``, set by the code
# constructing the serializer (``Serializer(data=..., context={...})``; ``crossfn/context.py``)
CONTEXT = "context"
CONTEXT_SOURCE = "self.context, set by the view"  # provenance of what ``self.context`` holds
# A name-count key: ``fix`` + LOCAL_DEF counts the spellings of ``fix`` that name a nested ``def fix``
# (or class) of an enclosing function, also counted under ``fix`` (``prepass.name_counts``). There
# the name is the local function (``get_timing("..", fix)``), never a module-level one: the system
# code join leaves them out of the spellings of a module-level ``fix`` (``combine.Project.users``);
# the id-keyed join does not (a call of a local function the analysis does not follow may hide
# request input that reaches the module-level one through it).
LOCAL_DEF = " local-def"
# A name-count key: ``fix`` + BARE counts the spellings of ``fix`` as a bare name (not LOCAL_DEF
# ones) outside the own scope of any class body (``prepass.name_counts``): such a name is a
# function of a module (or a builtin), never a method, which only a class body names bare.
BARE = " bare"
# A name-count key: ``fix`` + ON_OBJECT counts the spellings ``obj.fix`` / ``obj.a.fix`` whose chain
# starts at a parameter or a local variable of the enclosing function that holds no module (one
# assigned a call result, not an alias, an import or a loop target: ``prepass.name_counts``), or at
# ``super()``. Such a
# spelling names an attribute of an object, never a module-level function ``fix`` (which a module
# holds, and only a spelling of ``fix`` itself can put on an object).
ON_OBJECT = " on-object"
# A name-count key: MODULE_VALUE + ``app.helpers`` says some file uses what it imports as
# ``app.helpers`` as a value (``job(helpers)``, ``self.h = helpers``): an object may then hold that
# module (or a module under it), and ON_OBJECT spellings may name its functions. ``*``: a relative
# import so used (any module).
MODULE_VALUE = " module-value "
# A function's guards (``Summary.guards``, ``analysis/interp/guards.py``): ``checked:attr:against``,
# ``?`` first for a predicate's; ``attr`` GUARD_ID for an id parameter whose row the function fetches,
# ``against`` GUARD_TRUSTED for a trusted value the function reads itself.
GUARD_ID = "#"
GUARD_TRUSTED = "@"
GUARD_PREDICATE = "?"
# A name-count key: CLASS_NAME + ``Executor`` counts the spellings of a capitalised name (a class):
# a construction ``Executor(...)`` is a call of ``Executor.__init__`` (``combine.Project.resolve``),
# whose callers are known when every spelling of the class is a resolved construction.
CLASS_NAME = " class "
# A name-count key: STRING + ``fix`` counts the string literals that name ``fix``: the literal
# ``"fix"`` itself, or a dotted or colon path ending in it (``"app.tasks.fix"``, ``"app.jobs:fix"``):
# ``getattr(obj, "fix")``, a Celery task or a view named by its path. PREFIX + ``handle_`` counts the
# literals that start a name built at run time (``f"handle_{kind}"``, ``"handle_" + kind``,
# ``"handle_%s" % kind``): any function whose name starts so may be named (``crossfn/reach.py``).
STRING = " string "
PREFIX = " prefix "
# DYNAMIC + ``services`` counts the ``getattr(services, op)`` whose name is no literal: any function of
# a module (a method of a class) of that name may be named; DYNAMIC + ANY_MODULE, of a module loaded
# at run time: any module-level function; DYNAMIC + ANY_METHOD, a ``getattr(service, op)()`` on a
# value of a class not known: any method (``index/string_names.py``, ``crossfn/reach.py``).
DYNAMIC = " getattr "
# DYNAMIC + ``group`` + SUFFIX + ``_id``: a ``getattr(group, name + "_id")`` whose name ends in a literal
# (``f"{name}_id"``): it names only what ends so (``crossfn/reach.py``)
SUFFIX = " ending "
ANY_MODULE = "*"
ANY_METHOD = "*."
INIT = "__init__"
# A method's port for an attribute ``__init__`` set from one of its parameters (``self.source_id``):
# bound by the method's calls in ``__init__`` alone (``analysis/interp/init_attrs.py``)
PSEUDO = "self."
_ENTRY_HEAD = "self.context['"
_ENTRY_TAIL = "'], set by the view"

def short(qualname: str) -> str:
    """``billing.services.get_invoice`` -> ``services.get_invoice``: a function named for a reader."""
    parts = qualname.split(".")
    return ".".join(parts[-2:]) if len(parts) > 1 else qualname


__all__ = ["ANY_ENTRY", "ANY_METHOD", "ANY_MODULE", "BARE", "CLASS_NAME", "CONTEXT", "CONTEXT_SOURCE",
           "DYNAMIC", "INIT", "LOCAL_DEF", "MODULE_VALUE", "ON_OBJECT", "PREFIX", "PSEUDO", "STRING",
           "SUFFIX", "Arg", "Callees", "Hop", "short",
           "KeyedQuery", "Site", "Summary", "TenantEntry", "context_entry", "entry_source", "is_context"]


def entry_source(key: str) -> str:
    """The provenance source of ``self.context[key]``: that entry of what the view passed."""
    return f"{_ENTRY_HEAD}{key}{_ENTRY_TAIL}"


def context_entry(source: str) -> str | None:
    """The entry of ``self.context`` a provenance source names (:func:`entry_source`), else None."""
    if source.startswith(_ENTRY_HEAD) and source.endswith(_ENTRY_TAIL):
        return source[len(_ENTRY_HEAD):-len(_ENTRY_TAIL)]
    return None


def is_context(source: str) -> bool:
    """``self.context`` itself, or one of its entries."""
    return source == CONTEXT_SOURCE or context_entry(source) is not None


class Callees:
    """The project's functions by qualified name, and the one a call site's callee names:
    ``services.get_invoice`` (as the caller spelt it) -> ``billing.services.get_invoice``, when no
    other function of that name matches the spelling as well (an ambiguous call resolves to none).
    ``modules`` (qualified name -> its module) adds names a package re-exports: ``app.models.User.get``
    (``from app.models import User``) is ``app.models.users.User.get`` when that is the only function
    of a module under ``app.models`` whose name within its module is ``User.get``."""

    def __init__(self, qualnames: Iterable[str], modules: Mapping[str, str] | None = None) -> None:
        self._known: set[str] = set()
        self._by_last: dict[str, list[str]] = {}
        self._modules = modules or {}
        for q in qualnames:
            self._known.add(q)
            self._by_last.setdefault(q.rsplit(".", 1)[-1], []).append(q)

    def resolve(self, callee: str) -> str | None:
        if callee in self._known:
            return callee
        named = self._by_last.get(callee.rsplit(".", 1)[-1], ())
        found = [q for q in named if q.endswith("." + callee) or callee.endswith("." + q)]
        if found or not self._modules:
            return found[0] if len(found) == 1 else None
        found = [q for q in named if _reexported(callee, q, self._modules.get(q, ""))]
        return found[0] if len(found) == 1 else None


def _reexported(callee: str, qualname: str, module: str) -> bool:
    """``callee`` is ``qualname`` spelt through a package above its module (``pkg.Name.attr`` for
    ``pkg.sub.mod.Name.attr``)."""
    if not module or not qualname.startswith(module + "."):
        return False
    local = qualname[len(module) + 1:]
    if not callee.endswith("." + local):
        return False
    package = callee[:-len(local) - 1]
    return module.startswith(package + ".")


def decode_guard(guard: str) -> tuple[str, str, str, bool]:
    """(checked parameter, attribute or GUARD_ID, against, whether a predicate's) of a guard."""
    predicate = guard.startswith(GUARD_PREDICATE)
    checked, attr, against = guard.removeprefix(GUARD_PREDICATE).split(":", 2)
    return checked, attr, against, predicate
