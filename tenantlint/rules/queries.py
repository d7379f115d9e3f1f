"""Rules on ORM and SQL queries: TNT101, TNT102, TNT104, TNT105."""

from __future__ import annotations

from collections.abc import Iterator

from tenantlint.analysis.facts import FileFacts, QueryKind, Scoping
from tenantlint.rules.base import Issue, Rule


def _issues(
    facts: FileFacts, code: str, kinds: set[QueryKind], scoping: Scoping, text: str
) -> Iterator[Issue]:
    for q in facts.queries:
        if q.kind not in kinds:
            continue
        seen: set[str] = set()
        for use in q.uses:
            if use.scoping is scoping and use.table not in seen:
                seen.add(use.table)
                detail = f" ({use.detail})" if use.detail else ""
                yield Issue(code, q.node, text.format(table=use.table) + detail, use.table, q.handler)


class UnscopedQuery(Rule):
    code = "TNT101"
    name = "unscoped-query"
    severity = "error"
    summary = "A read of a tenant table with no tenant filter."
    why = """
A query on a shared table that is not pinned to the caller's tenant returns every customer's rows.
Row-level security and scoped managers do not help when the query goes around them. One missing
`org=` shows one customer another customer's data.
"""
    example = """
def list_invoices(request):
    return Invoice.objects.filter(status="open")  # every org's open invoices
"""
    fix = """
def list_invoices(request):
    return Invoice.objects.filter(org=request.user.org, status="open")
"""
    options = ("tenant_columns", "tenant_models", "tenant_tables", "global_tables", "scoping_methods",
               "auto_scoped_managers", "system_scope")

    def check(self, facts: FileFacts) -> Iterator[Issue]:
        return _issues(facts, self.code, {QueryKind.READ}, Scoping.UNSCOPED,
                       "query on tenant table '{table}' has no tenant filter")


class UnscopedWrite(Rule):
    code = "TNT102"
    name = "unscoped-write"
    severity = "error"
    summary = "An update or delete of a tenant table with no tenant filter."
    why = """
A bulk update or delete that is not pinned to the caller's tenant changes or destroys other
customers' rows. Unlike a leaky read, the damage cannot be taken back by fixing the code.
"""
    example = """
def archive(request, pk):
    Project.objects.filter(pk=pk).update(archived=True)  # any org's project
"""
    fix = """
def archive(request, pk):
    Project.objects.filter(pk=pk, org=request.user.org).update(archived=True)
"""
    options = UnscopedQuery.options

    def check(self, facts: FileFacts) -> Iterator[Issue]:
        return _issues(facts, self.code, {QueryKind.WRITE}, Scoping.UNSCOPED,
                       "write to tenant table '{table}' has no tenant filter")


class InsertWithoutTenant(Rule):
    code = "TNT104"
    name = "insert-without-tenant"
    severity = "error"
    summary = "A create/insert of a tenant-table row that never sets the tenant column."
    why = """
A row inserted without its tenant column either fails at run time or, worse, lands with a default
or NULL tenant and becomes visible to the wrong customer (or to none, until someone "fixes" it).
"""
    example = """
def create_invoice(request):
    Invoice.objects.create(number=request.POST["number"])
"""
    fix = """
def create_invoice(request):
    Invoice.objects.create(org=request.user.org, number=request.POST["number"])
"""
    options = ("tenant_columns", "tenant_models", "tenant_tables")

    def check(self, facts: FileFacts) -> Iterator[Issue]:
        return _issues(facts, self.code, {QueryKind.INSERT}, Scoping.INSERT_MISSING_TENANT,
                       "insert into tenant table '{table}' does not set the tenant column")


class WeakenedTenantFilter(Rule):
    code = "TNT105"
    name = "weakened-tenant-filter"
    severity = "error"
    summary = "A tenant predicate that is not mandatory: under OR, negated, or beside an IS NULL alternative."
    why = """
`org = :org OR is_public` or `exclude(org=...)` looks scoped in review but lets rows of other tenants
through. A tenant predicate only isolates when every row returned must satisfy it.
"""
    example = """
Invoice.objects.filter(Q(org=request.user.org) | Q(shared=True))
"""
    fix = """
Invoice.objects.filter(Q(org=request.user.org) & (Q(shared=True) | Q(owner=request.user)))
"""
    options = ("tenant_columns",)

    def check(self, facts: FileFacts) -> Iterator[Issue]:
        return _issues(facts, self.code, {QueryKind.READ, QueryKind.WRITE}, Scoping.WEAKENED,
                       "tenant filter on '{table}' is not mandatory")
