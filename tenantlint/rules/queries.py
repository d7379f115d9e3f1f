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
    details = """
Reads are `all`/`filter`/`get`/`first`/`count`/`exists`/`aggregate`, iteration, `get_object_or_404`,
SQLAlchemy `select`/`session.query`/`session.get`, Peewee and Tortoise queries, and raw `SELECT`.
A tenant filter pins the tenant column (or a relation path ending in it, `invoice__org=`) to a value
that is not request input; a related manager of a trusted tenant object (`request.user.org.invoices`),
a foreign key to a row fetched by a scoped query, a `scoping_methods` call, an `auto_scoped_managers`
manager and code under `system_scope` count too. A foreign key to the user model pinned to the
caller (`created_by=request.user`, `owner_id=current_user.id`) confines the query to the caller's
own rows: not reported, and listed as owner-scoped in the audit; so does a column named for a
unique field of the user model pinned to the caller's value (`email=request.user.email`: the rows
addressed to the caller). A lookup pinning a secret column to a value (`ApiKey.objects.get(key=key)`:
a column listed in `secret_token_columns`, or unique, not the primary key, and filled by a secret
generator by default or named as a secret), or a row refused unless its secret column equals the
client's value (`if invite.token != token: return 403`), is a capability lookup the client's token
authorises, wherever it is written: listed as capability in the audit. In a view whose permission
classes are all `AllowAny`, any random unique column counts (`anchor=anchor`).
Filters on other ids, even trusted ones (`customer_id=request.user.customer_id`), do not. Only a
query entry point (a manager) starts a query: model constants, nested choices and classmethods do
not, unless a queryset method is applied to what they return. A queryset kept in a variable is
reported once, at the statement that built it, unless a later statement in the same function scopes
it before it is used.
"""
    why = """
A query on a shared table that is not pinned to the caller's tenant returns every customer's rows.
Row-level security and scoped managers do not help when the query goes around them. One missing
`org=` shows one customer another customer's data.
"""
    invalid = ("""
from billing.models import Invoice


def list_invoices(request):
    return Invoice.objects.filter(status="open")  # every org's open invoices
""",)
    valid = ("""
from billing.models import Invoice


def list_invoices(request):
    return Invoice.objects.filter(org=request.user.org, status="open")
""", """
def list_invoices(request):
    return request.user.org.invoice_set.filter(status="open")  # a related manager of the trusted org
""")
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
    details = """
Writes are queryset `update()`/`delete()`, SQLAlchemy `update(M)`/`delete(M)` and `Query.update`/
`Query.delete`, Peewee `update().where()`/`delete().where()`, Tortoise `filter().update()`/`delete()`,
and raw `UPDATE`/`DELETE` (an unscoped table in `UPDATE … FROM` or `DELETE … USING` is part of the same
finding). What counts as a tenant filter is the same as for TNT101.
"""
    why = """
A bulk update or delete that is not pinned to the caller's tenant changes or destroys other
customers' rows. Unlike a leaky read, the damage cannot be taken back by fixing the code.
"""
    invalid = ("""
from billing.models import Project


def archive(request, pk):
    Project.objects.filter(pk=pk).update(archived=True)  # any org's project
""",)
    valid = ("""
from billing.models import Project


def archive(request, pk):
    Project.objects.filter(pk=pk, org=request.user.org).update(archived=True)
""",)
    options = UnscopedQuery.options

    def check(self, facts: FileFacts) -> Iterator[Issue]:
        return _issues(facts, self.code, {QueryKind.WRITE}, Scoping.UNSCOPED,
                       "write to tenant table '{table}' has no tenant filter")


class InsertWithoutTenant(Rule):
    code = "TNT104"
    name = "insert-without-tenant"
    severity = "error"
    summary = "A create/insert of a tenant-table row that never sets the tenant column."
    details = """
Inserts are `Model.objects.create`/`get_or_create`/`update_or_create`/`bulk_create`, a model instance
that is saved without its tenant attribute being set, SQLAlchemy `session.add(M(...))`/`add_all`/
`bulk_save_objects`/`bulk_insert_mappings`/`insert(M)`, Peewee and Tortoise `create`/`insert`, DRF
`serializer.save()` in `perform_create` on a serializer of a tenant model, and raw `INSERT` whose column
list lacks the tenant column. A create through a related manager of a tenant object
(`org.invoices.create(...)`) sets the tenant. For a table scoped through a parent, the parent foreign
key is its tenant column. A Django `create()` into a table whose tenant foreign key is nullable that
sets a foreign key to the user model to the authenticated user (`ApiKey.objects.create(user=
request.user)`) makes a user-level row of the caller's: owner-scoped, not reported. `save()` of a
serializer whose own `create()` inserts its model with the tenant (or a foreign key the model's
`save()` copies the tenant from) inserts as that `create()` does, and is judged there.
"""
    why = """
A row inserted without its tenant column either fails at run time or, worse, lands with a default
or NULL tenant and becomes visible to the wrong customer (or to none, until someone "fixes" it).
"""
    invalid = ("""
from billing.models import Invoice


def create_invoice(request):
    Invoice.objects.create(number=request.POST["number"])
""",)
    valid = ("""
from billing.models import Invoice


def create_invoice(request):
    Invoice.objects.create(org=request.user.org, number=request.POST["number"])
""", """
def create_invoice(request):
    request.user.org.invoice_set.create(number=request.POST["number"])  # the related manager sets org
""")
    options = ("tenant_columns", "tenant_models", "tenant_tables")

    def check(self, facts: FileFacts) -> Iterator[Issue]:
        return _issues(facts, self.code, {QueryKind.INSERT}, Scoping.INSERT_MISSING_TENANT,
                       "insert into tenant table '{table}' does not set the tenant column")


class WeakenedTenantFilter(Rule):
    code = "TNT105"
    name = "weakened-tenant-filter"
    severity = "error"
    summary = "A tenant predicate that is not mandatory: under OR, negated, or beside an IS NULL alternative."
    details = """
Django `Q(org=o) | Q(...)`, `~Q(org=o)`, `exclude(org=o)`, a queryset union `qs_scoped | qs_other`;
SQLAlchemy `or_(M.org_id == o, ...)`, `not_(...)`, `!=`; raw SQL `org_id = %s OR ...`,
`org_id = %s OR org_id IS NULL`. A statement flagged TNT105 is not also flagged TNT101/TNT102 for the
same table. An OR whose every alternative pins the tenant is mandatory and is not flagged.
"""
    why = """
`org = :org OR is_public` or `exclude(org=...)` looks scoped in review but lets rows of other tenants
through. A tenant predicate only isolates when every row returned must satisfy it.
"""
    invalid = ("""
from django.db.models import Q

from billing.models import Invoice


def visible_invoices(request):
    return Invoice.objects.filter(Q(org=request.user.org) | Q(shared=True))
""",)
    valid = ("""
from django.db.models import Q

from billing.models import Invoice


def visible_invoices(request):
    return Invoice.objects.filter(Q(org=request.user.org) & (Q(shared=True) | Q(owner=request.user)))
""",)
    options = ("tenant_columns",)

    def check(self, facts: FileFacts) -> Iterator[Issue]:
        return _issues(facts, self.code, {QueryKind.READ, QueryKind.WRITE}, Scoping.WEAKENED,
                       "tenant filter on '{table}' is not mandatory")
