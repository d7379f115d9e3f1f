"""Property (8.6): generated modules and arbitrary text never make ``analyze_text`` raise."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tenantlint.analysis.engine import analyze_text
from tenantlint.analysis.settings import Settings
from tenantlint.config.options import Config
from tenantlint.results import FileResult
from tenantlint.runner import build_project

ROOT = Path(__file__).resolve().parents[1]
_PROJECT = build_project(Config(root=ROOT / "fixtures" / "demo"))
SETTINGS = Settings(Config(root=ROOT / "fixtures" / "demo"), _PROJECT.index, _PROJECT.facts)

names = st.sampled_from(["qs", "inv", "org", "pk", "data", "row", "x"])
models = st.sampled_from(["Invoice", "InvoiceLine", "Organization", "Other"])
sources = st.sampled_from([
    "request.user.org", "request.GET['org_id']", "request.POST.get('org')", "request.data['tenant_id']",
    "pk", "1", "None", "org", "json.loads(request.body)['org_id']", "self.kwargs['pk']",
])
lookups = st.sampled_from(["org", "org_id", "org__id", "invoice__org", "pk", "status", "org__in"])
exprs = st.deferred(lambda: st.one_of(
    sources,
    names,
    st.builds("Q({}={})".format, lookups, sources),
    st.builds("{} | {}".format, exprs, exprs),
    st.builds("~{}".format, exprs),
    st.builds("{}.objects.filter({}={})".format, models, lookups, sources),
    st.builds("{}.objects.exclude({})".format, models, exprs),
    st.builds("{}.objects.all()".format, models),
    st.builds("{}.filter({}={})".format, names, lookups, exprs),
    st.builds("get_object_or_404({}, pk={})".format, models, sources),
    st.builds('f"SELECT * FROM billing_invoice WHERE org_id = {{{}}}"'.format, names),
    st.builds('"SELECT * FROM billing_invoice WHERE id = %s" % {}'.format, names),
    st.builds("cursor.execute({}, [{}])".format, exprs, sources),
    st.builds("{}.objects.create({}={})".format, models, lookups, sources),
    st.builds("[r for r in {}]".format, exprs),
))
simple = st.one_of(
    st.builds("{} = {}".format, names, exprs),
    st.builds("return {}".format, exprs),
    st.builds("({}).update(status='x')".format, exprs),
    st.builds("({}).delete()".format, exprs),
    st.builds("print({})".format, exprs),
)
statements = st.deferred(lambda: st.one_of(
    simple,
    st.builds("if {}:\n{}\nelse:\n{}".format, exprs, block, block),
    st.builds("for {} in {}:\n{}".format, names, exprs, block),
    st.builds("with system_scope():\n{}".format, block),
    st.builds("try:\n{}\nexcept Exception:\n{}".format, block, block),
))
block = st.lists(statements, min_size=1, max_size=3).map(
    lambda stmts: "\n".join("    " + line for s in stmts for line in s.splitlines()))
decorators = st.sampled_from(["", "@api_view(['GET'])\n", "@app.route('/x')\n", "@login_required\n"])
functions = st.builds("{}def {}(request, pk):\n{}\n".format, decorators,
                      st.sampled_from(["view", "get", "list_invoices"]), block)
view_class = "class V(ListView):\n    queryset = {}.objects.all()\n    model = {}\n\n{}"
classes = st.builds(view_class.format, models, models,
                    st.builds("    def get_queryset(self):\n        return {}\n".format, exprs))
HEADER = ("import json\nfrom django.db.models import Q\nfrom django.shortcuts import get_object_or_404\n"
          "from billing.models import Invoice, InvoiceLine, Organization\n\n")
modules = st.lists(st.one_of(functions, classes), min_size=1, max_size=4).map(
    lambda parts: HEADER + "\n\n".join(parts))


def check(result: FileResult) -> None:
    assert isinstance(result, FileResult)
    for f in result.findings:
        assert f.span.line >= 1 and f.span.column >= 1 and f.code.startswith("TNT")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(modules)
def test_generated_modules_never_raise(text: str) -> None:
    compile(text, "gen.py", "exec")  # the grammar builds valid Python
    check(analyze_text("gen.py", text, SETTINGS, want_sites=True))


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=300))
def test_arbitrary_text_never_raises(text: str) -> None:
    check(analyze_text("any.py", text, SETTINGS))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["(", ")", "[", "]", "Invoice", ".objects", ".filter(", "org=", " and ",
                                 "\n", "    ", "'", '"""', "#", "f'{", "}", ":", "def ", "\\", "\r"]),
                max_size=80).map("".join))
def test_token_soup_never_raises(text: str) -> None:
    check(analyze_text("soup.py", text, SETTINGS))
