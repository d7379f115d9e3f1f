"""One Django app: models, views, DRF API, services, admin, urls, forms, tests, migrations."""
# ruff: noqa: E501  (lines of generated source are kept whole so they read as they will be written)

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from . import django_queries as q
from .common import (
    FIELD_KINDS,
    GLOBAL_NOUNS,
    UNSCOPED_VIEW,
    Dice,
    GeneratedFile,
    Names,
    Writer,
    plural,
    snake,
)
from .django_queries import Ctx, Entity
from .django_support import (
    admin_py,
    apps_py,
    command_py,
    constants_py,
    forms_py,
    migration_py,
    serializers_py,
    tests_py,
    urls_py,
    utils_py,
)

FUNC_CTX = Ctx(org="request.user.org", request="request", body="POST")
CBV_CTX = Ctx(org="self.request.user.org", request="self.request", body="POST")
API_CTX = Ctx(org="self.request.user.org", request="self.request", body="data")
SERVICE_CTX = Ctx(org="org", request=None)


@dataclass(frozen=True, slots=True)
class App:
    name: str
    tenant: tuple[Entity, ...]
    child: Entity
    glob: Entity | None
    fields: dict[str, tuple[tuple[str, str], ...]]


def plan_app(names: Names, dice: Dice) -> App:
    name = names.app()
    tenant: list[Entity] = []
    fields: dict[str, tuple[tuple[str, str], ...]] = {}
    for _ in range(dice.between(3, 6)):
        cls = names.model(name)
        e = Entity(cls, snake(cls), plural(snake(cls)), True, tenant_manager=dice.chance(0.3))
        tenant.append(e)
        fields[cls] = tuple(
            FIELD_KINDS[i] for i in sorted(dice.rng.sample(range(10), dice.between(5, 8)))
        )
    parent = tenant[0]
    child_cls = names.model(name, (parent.cls + "Item", parent.cls + "Line", parent.cls + "Entry"))
    child = Entity(
        child_cls,
        snake(child_cls),
        plural(snake(child_cls)),
        False,
        parent=parent.cls,
        parent_var=parent.var,
    )
    fields[child_cls] = (FIELD_KINDS[0], FIELD_KINDS[2])
    glob = None
    if dice.chance(0.5):
        gcls = names.model(name, GLOBAL_NOUNS)
        glob = Entity(gcls, snake(gcls), plural(snake(gcls)), False)
        fields[gcls] = (FIELD_KINDS[0],)
    return App(name, tuple(tenant), child, glob, fields)


def models_py(app: App, dice: Dice) -> Writer:
    w = Writer()
    w.add(
        f'"""Data model of the {app.name} app."""',
        "",
        "from decimal import Decimal",
        "",
        "from django.conf import settings",
        "from django.db import models",
        "from django.db.models import Sum",
        "",
        "from core.models import Organization, TimeStampedModel",
        "from core.tenancy import TenantManager",
        "",
        "STATUS_CHOICES = [",
        '    ("draft", "Draft"),',
        '    ("open", "Open"),',
        '    ("closed", "Closed"),',
        '    ("archived", "Archived"),',
        "]",
        "",
        "",
    )
    entities = [*app.tenant, app.child] + ([app.glob] if app.glob else [])
    for e in entities:
        w.add(f"class {e.cls}(TimeStampedModel):", f'    """A {e.var.replace("_", " ")}."""', "")
        if e.tenant:
            w.add(
                "    org = models.ForeignKey(",
                "        Organization,",
                "        on_delete=models.CASCADE,",
                f'        related_name="{e.plural}",',
                "    )",
                "    owner = models.ForeignKey(",
                "        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL",
                "    )",
            )
        if e.parent:
            w.add(
                f"    {e.parent_var} = models.ForeignKey(",
                f'        {e.parent}, on_delete=models.CASCADE, related_name="items"',
                "    )",
                "    position = models.PositiveIntegerField(default=0)",
            )
        for fname, fdef in app.fields[e.cls]:
            w.add(f"    {fname} = {fdef}")
        if e.tenant_manager:
            w.add("", "    objects = TenantManager()")
        w.add("", "    class Meta:")
        if e.tenant:
            w.add(
                '        ordering = ["-created_at"]',
                '        indexes = [models.Index(fields=["org", "created_at"])]',
            )
        else:
            w.add(f'        verbose_name_plural = "{e.plural.replace("_", " ")}"')
        w.add("", "    def __str__(self) -> str:", f'        return f"{e.cls} {{self.pk}}"', "")
        if e.tenant and dice.chance(0.6):
            w.add("    def sibling_count(self) -> int:")
            w.query([f"        return {e.cls}.objects.filter(org=self.org).count()"], None)
            w.blank()
        if e is app.tenant[0]:
            w.add(
                "    @property",
                "    def total(self) -> Decimal:",
                '        return self.items.aggregate(total=Sum("amount"))["total"] or Decimal(0)',
                "",
            )
        w.blank()
    return w


def _view_imports(w: Writer, app: App) -> None:
    names = ", ".join(e.cls for e in (*app.tenant, app.child))
    w.add(
        f'"""HTML views of the {app.name} app."""',
        "",
        "from django.contrib import messages",
        "from django.contrib.auth.decorators import login_required",
        "from django.contrib.auth.mixins import LoginRequiredMixin",
        "from django.core.paginator import Paginator",
        "from django.db.models import Sum",
        "from django.shortcuts import get_object_or_404, redirect, render",
        "from django.views.decorators.http import require_POST",
        "from django.views.generic import DetailView, ListView",
        "",
        f"from .forms import {app.tenant[0].cls}Form",
        f"from .models import {names}",
        "",
        "",
    )


def views_py(app: App, dice: Dice) -> Writer:
    w = Writer()
    _view_imports(w, app)
    for e in app.tenant:
        w.add(
            "@login_required",
            f"def {e.var}_list(request):",
            f'    """List the {e.plural.replace("_", " ")} of the current organization."""',
        )
        q.list_query(w, dice, e, FUNC_CTX, "    ", e.plural)
        w.add(
            f"    paginator = Paginator({e.plural}, 25)",
            '    page = paginator.get_page(request.GET.get("page"))',
            f'    return render(request, "{app.name}/{e.var}_list.html", {{"page": page}})',
            "",
            "",
        )
        w.add(
            "@login_required",
            f"def {e.var}_detail(request, pk):",
            f'    """Show one {e.var.replace("_", " ")}; 404 unless it belongs to the user\'s organization."""',
        )
        q.get_query(w, dice, e, FUNC_CTX, "    ", "pk")
        ctx_items = ""
        if e is app.tenant[0]:
            q.child_query(w, dice, app.child, FUNC_CTX, "    ", "items", e.var)
            ctx_items = ', "items": items'
        w.add(
            f'    return render(request, "{app.name}/{e.var}_detail.html", '
            f'{{"{e.var}": {e.var}{ctx_items}}})',
            "",
            "",
        )
        w.add("@login_required", "@require_POST", f"def {e.var}_archive(request, pk):")
        q.write_query(w, dice, e, FUNC_CTX, "    ", "pk")
        w.add(
            "    if not changed:",
            f'        messages.error(request, "{e.cls} not found.")',
            f'        return redirect("{app.name}:{e.var}-list")',
            f'    messages.success(request, "{e.cls} archived.")',
            f'    return redirect("{app.name}:{e.var}-list")',
            "",
            "",
        )
        if dice.chance(0.7):
            w.add(
                f"class {e.cls}ListView(LoginRequiredMixin, ListView):",
                f"    model = {e.cls}",
                "    paginate_by = 50",
                f'    template_name = "{app.name}/{e.var}_list.html"',
                "",
                "    def get_queryset(self):",
            )
            q.list_query(w, dice, e, CBV_CTX, "        ", "queryset")
            w.add("        return queryset", "", "")
    first = app.tenant[0]
    w.add(
        "@login_required",
        f"def {first.var}_create(request):",
        f"    form = {first.cls}Form(request.POST or None, org=request.user.org)",
        '    if request.method == "POST" and form.is_valid():',
    )
    q.create_query(w, dice, first, FUNC_CTX, "        ", "form.cleaned_data")
    w.add(
        f"        {first.var}.owner = request.user",
        f"        {first.var}.save()",
        f'        return redirect("{app.name}:{first.var}-detail", pk={first.var}.pk)',
        f'    return render(request, "{app.name}/{first.var}_form.html", {{"form": form}})',
        "",
    )
    return w


def api_views_py(app: App, dice: Dice) -> Writer:
    w = Writer()
    ser = ", ".join(f"{e.cls}Serializer" for e in app.tenant)
    w.add(
        f'"""REST API of the {app.name} app (Django REST framework)."""',
        "",
        "from rest_framework import permissions, status, viewsets",
        "from rest_framework.decorators import action, api_view",
        "from rest_framework.response import Response",
        "",
        f"from ..models import {', '.join(e.cls for e in app.tenant)}",
        f"from .serializers import {ser}",
        "",
        "",
    )
    for e in app.tenant:
        w.add(
            f"class {e.cls}ViewSet(viewsets.ModelViewSet):",
            f"    serializer_class = {e.cls}Serializer",
            "    permission_classes = [permissions.IsAuthenticated]",
        )
        if dice.chance(dice.bug_rate * 2):
            w.query([f"    queryset = {e.cls}.objects.all()"], UNSCOPED_VIEW)
            w.add(
                "",
                "    def perform_create(self, serializer):",
                "        serializer.save(org=self.request.user.org, owner=self.request.user)",
                "",
                "",
            )
            continue
        w.add("", "    def get_queryset(self):")
        q.list_query(w, dice, e, API_CTX, "        ", "queryset")
        w.add(
            '        status_filter = self.request.query_params.get("status")',
            "        if status_filter:",
            "            queryset = queryset.filter(status=status_filter)",
            "        return queryset",
            "",
            "    def perform_create(self, serializer):",
            "        serializer.save(org=self.request.user.org, owner=self.request.user)",
            "",
            '    @action(detail=False, methods=["get"])',
            "    def summary(self, request):",
        )
        q.count_query(w, dice, e, Ctx("request.user.org", "request", "data"), "        ", "value")
        w.add('        return Response({"value": value})', "", "")
    e = app.tenant[-1]
    w.add(
        '@api_view(["POST"])',
        f"def bulk_archive_{e.plural}(request):",
        '    ids = request.data.get("ids", [])',
    )
    w.query(
        [
            f"    changed = {e.cls}.objects.filter(org=request.user.org, pk__in=ids).update(",
            '        status="archived"',
            "    )",
        ],
        None,
    )
    w.add('    return Response({"archived": changed}, status=status.HTTP_200_OK)', "")
    return w


def services_py(app: App, dice: Dice) -> Writer:
    w = Writer()
    w.add(
        f'"""Business operations of the {app.name} app; callers pass the tenant."""',
        "",
        "from datetime import date, timedelta",
        "",
        "from django.db import transaction",
        "from django.db.models import Sum",
        "",
        f"from .models import {', '.join(e.cls for e in (*app.tenant, app.child))}",
        "",
        "",
    )
    for e in app.tenant:
        w.add(
            f"def close_stale_{e.plural}(org, days=30):",
            "    cutoff = date.today() - timedelta(days=days)",
        )
        w.query(
            [
                f"    return {e.cls}.objects.filter(org=org, updated_at__date__lt=cutoff).update(",
                '        status="closed"',
                "    )",
            ],
            None,
        )
        w.add("", "")
        w.add(f"def {e.var}_totals(org):")
        q.list_query(w, dice, e, SERVICE_CTX, "    ", "rows")
        w.add(
            "    result = {}",
            "    for row in rows:",
            "        result[row.status] = result.get(row.status, 0) + 1",
            "    return result",
            "",
            "",
        )
    first = app.tenant[0]
    w.add("@transaction.atomic", f"def duplicate_{first.var}(org, {first.var}_id, user):")
    q.get_query(w, dice, first, SERVICE_CTX, "    ", f"{first.var}_id")
    q.child_query(w, dice, app.child, SERVICE_CTX, "    ", "items", first.var)
    w.add(
        f"    {first.var}.pk = None",
        f"    {first.var}.owner = user",
        f"    {first.var}.save()",
        "    for item in items:",
        "        item.pk = None",
        f"        item.{first.var} = {first.var}",
        "        item.save()",
        f"    return {first.var}",
        "",
    )
    return w


def selectors_py(app: App, dice: Dice) -> Writer:
    w = Writer()
    w.add(
        f'"""Read-only queries of the {app.name} app."""',
        "",
        "from django.db.models import Count, Q, Sum",
        "",
        f"from .models import {', '.join(e.cls for e in (*app.tenant, app.child))}",
        "",
        "",
    )
    for e in app.tenant:
        w.add(f"def open_{e.plural}(org, limit=100):")
        q.list_query(w, dice, e, SERVICE_CTX, "    ", "qs")
        w.add("    return list(qs[:limit])", "", "")
        w.add(f"def {e.var}_stats(org):")
        q.count_query(w, dice, e, SERVICE_CTX, "    ", "value")
        w.add('    return {"value": value}', "", "")
    w.add(f"def {app.child.plural}_for(org):")
    q.child_query(w, dice, app.child, SERVICE_CTX, "    ", "items", None)
    w.add("    return items", "")
    if app.glob:
        w.add("", "", f"def all_{app.glob.plural}():")
        w.query([f'    return {app.glob.cls}.objects.all().order_by("name")'], None)
    return w


def tasks_py(app: App, dice: Dice) -> Writer:
    w = Writer()
    w.add(
        f'"""Background jobs of the {app.name} app."""',
        "",
        "import logging",
        "",
        "from celery import shared_task",
        "",
        "from core.models import Organization",
        "from core.tenancy import system_scope",
        "",
        f"from .models import {', '.join(e.cls for e in app.tenant)}",
        "",
        "logger = logging.getLogger(__name__)",
        "",
        "",
    )
    for e in app.tenant[:2]:
        w.add("@shared_task", f"def refresh_{e.plural}(org_id):")
        w.query(["    org = Organization.objects.get(pk=org_id)"], None)
        q.list_query(w, dice, e, SERVICE_CTX, "    ", "rows")
        w.add(
            "    count = 0",
            "    for row in rows:",
            '        row.save(update_fields=["updated_at"])',
            "        count += 1",
            f'    logger.info("refreshed %s {e.plural} for org %s", count, org_id)',
            "    return count",
            "",
            "",
        )
    e = app.tenant[0]
    w.add("@shared_task", f"def purge_archived_{e.plural}():", "    with system_scope():")
    w.query([f"        deleted, _ = {e.cls}.objects.filter(is_archived=True).delete()"], None)
    w.add(f'    logger.info("purged %s archived {e.plural}", deleted)', "    return deleted", "")
    return w


def exports_py(app: App, dice: Dice) -> Writer:
    w = Writer()
    w.add(
        f'"""CSV exports of the {app.name} app."""',
        "",
        "import csv",
        "",
        "from django.contrib.auth.decorators import login_required",
        "from django.http import HttpResponse",
        "",
        f"from .models import {', '.join(e.cls for e in app.tenant)}",
        "",
        "",
    )
    for e in app.tenant:
        cols = [f for f, _ in app.fields[e.cls]]
        w.add(
            "@login_required",
            f"def export_{e.plural}(request):",
            '    response = HttpResponse(content_type="text/csv")',
            f'    response["Content-Disposition"] = \'attachment; filename="{e.plural}.csv"\'',
            "    writer = csv.writer(response)",
            f"    writer.writerow({cols!r})",
        )
        q.list_query(w, dice, e, FUNC_CTX, "    ", "rows")
        w.add(
            "    for row in rows.iterator():",
            f"        writer.writerow([{', '.join('row.' + c for c in cols)}])",
            "    return response",
            "",
            "",
        )
    return w


AppFile = tuple[str, str, Callable[[App, Dice], Writer]]


def app_files(app: App) -> list[AppFile]:
    """(relative path, role, builder) in priority order (a truncated app keeps the head)."""
    a = app.name
    e = app.tenant[0]
    return [
        (f"{a}/models.py", "models", models_py),
        (f"{a}/views.py", "views", views_py),
        (f"{a}/api/views.py", "api", api_views_py),
        (f"{a}/services.py", "services", services_py),
        (f"{a}/api/serializers.py", "serializers", serializers_py),
        (f"{a}/selectors.py", "selectors", selectors_py),
        (f"{a}/admin.py", "admin", admin_py),
        (f"{a}/urls.py", "urls", urls_py),
        (f"{a}/exports.py", "views", exports_py),
        (f"{a}/tasks.py", "tasks", tasks_py),
        (f"{a}/forms.py", "forms", forms_py),
        (f"{a}/utils.py", "utils", utils_py),
        (f"{a}/tests/test_views.py", "tests", tests_py),
        (f"{a}/migrations/0001_initial.py", "migration", migration_py),
        (f"{a}/constants.py", "constants", constants_py),
        (f"{a}/apps.py", "apps", apps_py),
        (f"{a}/management/commands/close_stale_{e.plural}.py", "command", command_py),
    ]


def build_app(app: App, dice: Dice, limit: int) -> list[GeneratedFile]:
    return [
        build(app, dice).build(path, "django", role) for path, role, build in app_files(app)[:limit]
    ]
