"""A keyword filter lookup as a check (docs/concepts.md, "Across functions").

``Service.query(tenant_id=t, id=i)``, a method taking its ``**kwargs`` as column filters
(``index/keyword_lookups.py``), answers rows only when the row ``i`` names has the tenant ``t``: it
is a predicate guarding the id keyword (``id``, ``pk``) by the tenant keyword, as
``Service.accessible(i, t)`` reading the row and comparing its tenant is. So ``if not
Service.query(tenant_id=current_user.id, id=chat_id): return`` proves ``chat_id`` from there on,
and a helper returning such a lookup of its parameter (``def owned(chat_id): return
Service.query(tenant_id=current_user.id, id=chat_id)``) is a predicate on that parameter.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tenantlint.analysis.interp.access_predicates import ID
from tenantlint.analysis.interp.guards import encode, tenant_attrs
from tenantlint.index.keyword_lookups import is_keyword_lookup

if TYPE_CHECKING:
    from tenantlint.analysis.interp.file_context import FileContext

ID_KEYWORDS = ("id", "pk")
_MEMO = ("guards", "keyword-lookups")


def keyword_guards(ctx: FileContext, callee: str) -> tuple[str, ...]:
    """The predicate guards of ``callee`` when it is a keyword filter lookup of the project: each id
    keyword checked against each keyword naming a tenant column (bound by keyword at a call)."""
    lookups = ctx.settings.facts.keyword_lookups
    if not lookups:
        return ()
    resolved = ctx.settings.returns.resolve(callee) or callee
    if not is_keyword_lookup(resolved, lookups):
        return ()
    memo = ctx.settings.memo
    found = memo.get(_MEMO)
    if not isinstance(found, tuple):
        names = sorted(tenant_attrs(ctx.index))
        found = memo[_MEMO] = tuple(encode(i, ID, t, predicate=True) for i in ID_KEYWORDS for t in names)
    return found
