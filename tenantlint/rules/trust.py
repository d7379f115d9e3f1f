"""Rules on where the tenant value comes from: TNT103, TNT201."""

from __future__ import annotations

from collections.abc import Iterator

from tenantlint.analysis.facts import FileFacts
from tenantlint.rules.base import Issue, Rule


class UntrustedTenantValue(Rule):
    code = "TNT103"
    name = "untrusted-tenant-value"
    severity = "error"
    summary = ("A tenant filter, or a tenant column being written, whose value derives from request "
               "input that no membership check has verified.")
    details = """
Request input is, whatever the framework: Flask `request.json`/`get_json()`/`form`/`args`/`values`/
`data`/`headers`/`cookies`/`view_args`; Django `request.POST`/`GET`/`body`/`headers`/`META`/`COOKIES`,
view kwargs from the URL and `self.kwargs`; DRF `request.data`/`query_params`/
`serializer.validated_data`; Starlette/FastAPI `await request.json()`/`form()`/`query_params`/
`path_params`/`headers` and handler parameters bound from path, query, body or pydantic models; plus
`untrusted_sources`. Values derived from them (subscripts, `.get()`, attributes, `int()`,
`json.loads`, assignments) are request input too. A path parameter becomes trusted after a
membership check has verified it: a call, decorator or DRF `permission_classes` entry named in
`membership_checks`, or one tenantlint recognises by its body (it looks the authenticated user up
in a membership table, a table linking users to the tenant, by that parameter and refuses when no
row is found; `tenantlint tables` lists them). A check anywhere in the handler counts for the reads
whose rows have not left the function yet. A filter through the tenant relation to a unique field
of the tenant model (`workspace__slug=slug`, or a field in `tenant_lookup_fields`) is a tenant
filter on that value: an unverified slug from the URL is TNT103, unless the row is then refused
unless its secret token equals the client's (a capability lookup, see TNT101). A request value
beside a tenant filter that is trusted by itself (a foreign key to a scoped row, a prefetch or
`OuterRef` of a scoped outer query, the caller's own rows) can only narrow the rows that filter
confines, and is not reported. Trusted values are
`trusted_sources` (`request.user.*`, `g.*`, `current_user.*`, `request.state.*` …), `Depends(f)` with `f` in
`trusted_dependencies`, rows fetched by scoped queries, and parameters of functions that are not
request handlers. Reported at the query (or insert) that uses the value.
"""
    why = """
Filtering by an org id the client sent is no filter at all: the client picks the org. The tenant
must come from the authenticated context (the session's user, `request.tenant`, a trusted
dependency), or the id must be checked against the user's memberships first.
"""
    invalid = ("""
from billing.models import Invoice


def invoices(request, org_id):
    return Invoice.objects.filter(org_id=org_id)  # org_id comes from the URL
""",)
    valid = ("""
from billing.models import Invoice


def invoices(request):
    return Invoice.objects.filter(org=request.user.org)
""",)
    options = ("trusted_sources", "untrusted_sources", "trusted_dependencies", "membership_checks")

    def check(self, facts: FileFacts) -> Iterator[Issue]:
        for q in facts.queries:
            seen: set[str] = set()
            for use in q.uses:
                if use.untrusted is not None and use.table not in seen:
                    seen.add(use.table)
                    yield Issue(self.code, q.node,
                                f"tenant value for '{use.table}' comes from {use.untrusted.source}",
                                use.table, q.handler)


class TenantIdFromRequest(Rule):
    code = "TNT201"
    name = "tenant-id-from-request"
    severity = "error"
    summary = "A request handler reading a tenant key from the request body, query string, form or headers."
    details = """
Tenant keys are `tenant_keys` (by default the `tenant_columns`, their camelCase forms, `tenant`, `org`,
`organization`); header names are normalised (`X-Org-Id` reads `org_id`). Reported at the read itself:
`request.POST["org_id"]`, `request.GET.get("org")`, `data["orgId"]` after `data = json.loads(request.body)`,
`payload.org_id` on a pydantic body model, and a FastAPI query/header/body parameter named like a
tenant key (the declaration is the read). URL path parameters are not TNT201 (see TNT103).

A read that only names a new tenant is not reported: a handler creating a workspace or probing
whether a slug is free reads the new tenant's key on purpose. That holds when the key is a field of
the tenant model itself (`Workspace.slug`; not a tenant column or a foreign key), the read is bound
once to a local, and every use of that local is a test (`if not slug`, `slug in RESERVED`,
`len(slug) > 48`), the key of an existence probe on the tenant model
(`Workspace.objects.filter(slug=slug).exists()`), or a column of a new tenant row
(`Workspace.objects.create(slug=slug)`, `Workspace(slug=slug)`). Looking the tenant up by it
(`Workspace.objects.get(slug=slug)`, `get_or_create`) or passing it anywhere else keeps TNT201.
"""
    why = """
The client controls the body, the query string, the form and the headers. A handler that takes the
org id from there lets any logged-in user act in any org by changing one field.
"""
    invalid = ("""
from flask import Flask, request

app = Flask(__name__)


@app.post("/invoices")
def create_invoice():
    org_id = request.json["org_id"]
    return {"org": org_id}
""",)
    valid = ("""
from flask import Flask, g

app = Flask(__name__)


@app.post("/invoices")
def create_invoice():
    org_id = g.user.org_id
    return {"org": org_id}
""",)
    options = ("tenant_keys", "untrusted_sources", "handler_decorators")

    def check(self, facts: FileFacts) -> Iterator[Issue]:
        for r in facts.request_reads:
            yield Issue(self.code, r.node, f"tenant key '{r.key}' read from {r.source}", None, r.handler)
