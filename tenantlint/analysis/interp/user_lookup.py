"""A user looked up by the id its caller passes: ``def get_user(user_id): return
UserProfile.objects.get(id=user_id)``, when the user model is a tenant table (a user belongs to one
tenant).

The lookup is an id-keyed query, judged at its call sites ("Across functions": request input passed
in is reported there, through any chain of helpers passing the id on). The row it returns is then as
good as the id its caller passes: a caller passing its own parameter (``user = get_user(user_id)``
in a helper) or a trusted id holds a row of that user, which carries its tenant, so a foreign key to
it (``DeviceToken.objects.filter(user=user)``) confines the caller's query; the lookup stays the one
place a wrong id is reported. Request input passed in gives an untrusted row; any other id (of unknown
origin) nothing known.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import libcst as cst

from tenantlint.analysis.facts import Provenance, Scoping, Trust
from tenantlint.analysis.interp.caller_fields import caller_table
from tenantlint.analysis.interp.returns import NO_VALUE
from tenantlint.analysis.interp.values import RowValue, Value
from tenantlint.crossfn.records import PARAMETER

if TYPE_CHECKING:
    from tenantlint.analysis.plugins import FileView

USER_LOOKUP = "user"  # return kind ``user:TABLE:POSITION:PARAM``


def user_lookup_kind(ctx: FileView, returns: Sequence[Value], params: Sequence[str]) -> str:
    """The return kind of a function (not a method) whose every returned value is one row of the
    user model fetched with no tenant filter, keyed by one of its parameters alone."""
    values = [r for r in returns if r is not NO_VALUE]
    if not values or not params or params[0] in ("self", "cls"):
        return ""
    table = caller_table(ctx)
    if table is None:
        return ""
    keys: set[str] = set()
    for value in values:
        origin = value.fetched_by if isinstance(value, RowValue) else None
        if origin is None or origin.table != table or origin.keys is None or len(origin.keys) != 1:
            return ""
        if any(state.verdict()[0] is not Scoping.UNSCOPED for _, state in origin.uses):
            return ""
        keys.add(origin.keys[0])
    if len(keys) != 1:
        return ""
    (key,) = keys
    if key not in params:
        return ""
    return f"{USER_LOOKUP}:{table}:{list(params).index(key)}:{key}"


def bound_argument(node: cst.Call, values: Sequence[Value], position: int, name: str
                   ) -> tuple[cst.Arg, Value] | None:
    """The argument (and its value) a call binds to the parameter ``name`` at ``position``; None when
    the call does not pass it or spreads ``*args``/``**kwargs`` (it may bind it)."""
    passed: tuple[cst.Arg, Value] | None = None
    index = 0
    for arg, value in zip(node.args, values, strict=False):
        if arg.star:
            return None
        if arg.keyword is not None:
            if arg.keyword.value == name:
                passed = arg, value
        else:
            if index == position:
                passed = arg, value
            index += 1
    return passed


def looked_up_user(kind: str, node: cst.Call, values: Sequence[Value], helper: str) -> Value | None:
    """The caller's value of a call of a user lookup (``kind`` from :func:`user_lookup_kind`)."""
    what, _, rest = kind.partition(":")
    parts = rest.split(":", 2)
    if what != USER_LOOKUP or len(parts) != 3 or not parts[1].isdigit():
        return None
    table, position, name = parts[0], int(parts[1]), parts[2]
    bound = bound_argument(node, values, position, name)
    if bound is None:
        return None
    passed = bound[1]
    if passed.untrusted:
        return RowValue(passed.prov, table=table)
    prov = passed.prov
    if prov.trust is Trust.TRUSTED or (prov.trust is Trust.UNKNOWN and prov.source.startswith(PARAMETER)
                                       and len(prov.source) > len(PARAMETER)):
        return RowValue(Provenance.trusted(f"the {table} row {helper}() looks up by {prov.source}"),
                        scoped_row_of=table, table=table)
    return None
