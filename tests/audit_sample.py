"""A hand-built AuditData full of HTML/JS injection attempts (shared by the audit tests)."""

from __future__ import annotations

from pathlib import Path

from tenantlint.audit import AuditData
from tenantlint.audit_meta import AuditMeta
from tenantlint.config.options import Config
from tenantlint.index.records import ProjectIndex, TenantTable
from tenantlint.results import FileError, Finding, QuerySite, RunResult, Span, Stats, Suppression

TITLE_PAYLOAD = "<script>document.title='PWNED'</script>"
ATTR_PAYLOAD = "<img src=x onerror=\"document.body.setAttribute('data-pwned','1')\">"
QUOTE_PAYLOAD = '"onerror=alert(1)'
ALERT_PAYLOAD = "<script>alert(1)</script>"
CLOSE_PAYLOAD = "</pre></td></tr></table><script>document.title='PWNED'</script>"

VIEWS = (
    "from billing.models import Invoice\n"
    "\n"
    "def list_invoices(request):\n"
    f"    tag = request.GET['t']  # {TITLE_PAYLOAD}\n"
    "    return Invoice.objects.filter(tags__in=[tag])\n"
    f"    # {ATTR_PAYLOAD}\n"
)
REPORTS = (
    "def export(cursor, name):\n"
    f'    cursor.execute(f"SELECT * FROM invoices WHERE name = {{name}}")  # {QUOTE_PAYLOAD}\n'
    f"    # {CLOSE_PAYLOAD}\n"
)
SOURCES = {"billing/views.py": VIEWS, "billing/reports.py": REPORTS}


def read_source(path: str) -> str | None:
    return SOURCES.get(path)


UNSCOPED = Finding(
    "TNT101",
    f"query on tenant table 'invoices' has no tenant filter {QUOTE_PAYLOAD}",
    "billing/views.py",
    Span(5, 12, 5, 50),
    "invoices",
    "list_invoices",
    f"Invoice.objects.filter(tags__in=[tag])  # {ALERT_PAYLOAD}",
)
DYNAMIC_SQL = Finding(
    "TNT301",
    f"SQL built at run time | {ATTR_PAYLOAD}",
    "billing/reports.py",
    Span(2, 5, 2, 70),
    "invoices",
    "export",
    None,
)
FROM_REQUEST = Finding(
    "TNT201",
    "handler reads tenant key 'org_id' from the request body",
    "billing/api.py",
    Span(9, 11, 9, 40),
    None,
    f"create{TITLE_PAYLOAD}",
    f"request.data['org_id']  # {TITLE_PAYLOAD}",
)
SUPPRESSED = Finding(
    "TNT101",
    "query on tenant table 'line_items' has no tenant filter",
    "billing/admin.py",
    Span(30, 9, 30, 40),
    "line_items",
    "admin_export",
    "LineItem.objects.all()",
    Suppression("tenantlint", f"staff-only export | reviewed `2024` {ATTR_PAYLOAD}"),
)
NOQA = Finding(
    "TNT102",
    "update on tenant table 'invoices' has no tenant filter",
    "billing/tasks.py",
    Span(4, 5, 4, 30),
    "invoices",
    None,
    "Invoice.objects.update(paid=True)",
    Suppression("noqa", ""),
)

SITES = (
    QuerySite("billing/views.py", 5, 12, "invoices", "read", "unscoped", "list_invoices",
              f"Invoice.objects.filter(tags__in=[tag]) {TITLE_PAYLOAD}"),
    QuerySite("billing/views.py", 9, 12, "invoices", "read", "trusted-filter", "detail",
              "Invoice.objects.filter(org=request.user.org)", "filter(org=request.user.org)"),
    QuerySite("billing/reports.py", 2, 5, "invoices", "read", "untrusted-filter", "export",
              'cursor.execute(f"SELECT ...")', ATTR_PAYLOAD),
    QuerySite("billing/tasks.py", 12, 5, "invoices", "write", "system-scope", None,
              "Invoice.objects.filter(due__lt=today).update(late=True)",
              "inside system_scope(): nightly dunning job"),
    QuerySite("billing/views.py", 20, 12, "invoices", "read", "auto-scoped-manager", "mine",
              "Invoice.scoped.all()", "manager Invoice.scoped"),
    QuerySite("billing/views.py", 25, 12, "line_items", "read", "related-manager", "lines",
              "invoice.line_items.all()"),
    QuerySite("billing/views.py", 26, 12, "line_items", "read", "weakened", "lines2",
              "LineItem.objects.filter(Q(invoice__org=org) | Q(public=True))", "OR alternative"),
)

INDEX = ProjectIndex(
    tables={
        "invoices": TenantTable(
            "invoices", ("Invoice",), "org", "org_id",
            reason="column org_id (billing/models.py:12)", path="billing/models.py", line=10,
        ),
        "line_items": TenantTable(
            "line_items", (f"LineItem{ATTR_PAYLOAD}",), None, None, ("invoice",), ("invoice_id",),
            reason=f"foreign key invoice -> invoices {TITLE_PAYLOAD}",
            path="billing/models.py", line=30,
        ),
        "audit_log": TenantTable(
            "audit_log", ("AuditLog",), "tenant", "tenant_id",
            reason="listed in tenant_tables", path="", line=0,
        ),
    },
    by_model={"Invoice": "invoices", "AuditLog": "audit_log"},
)

CONFIG = Config(
    trusted_sources=("request.user.*", f"request.{TITLE_PAYLOAD}"),
    auto_scoped_managers=("scoped",),
    source=Path("/srv/repo/project/pyproject.toml"),
    root=Path("/srv/repo/project"),
)

RESULT = RunResult(
    findings=(DYNAMIC_SQL, FROM_REQUEST, UNSCOPED),
    suppressed=(SUPPRESSED, NOQA),
    errors=(FileError("billing/broken.py", f"syntax error {ALERT_PAYLOAD}"),),
    query_sites=SITES,
    stats=Stats(files=42, queries=57, seconds=1.5),
)

META = AuditMeta(
    generated="2026-01-02 03:04 UTC",
    project="repo/project",
    commit="0123456789abcdef0123456789abcdef01234567",
    branch="main",
    source_url="https://git.example/org/repo/blob/{commit}/{path}#L{line}",
    cwd="/srv/repo/project",
    root="/srv/repo/project",
    repo="/srv/repo",
)
DATA = AuditData(RESULT, INDEX, CONFIG, "/srv/repo/project", "0.1.0", META)
PAYLOADS = (TITLE_PAYLOAD, ATTR_PAYLOAD, QUOTE_PAYLOAD, ALERT_PAYLOAD, CLOSE_PAYLOAD)
