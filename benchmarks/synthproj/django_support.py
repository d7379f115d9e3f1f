"""Django app files that hold no tenant query: serializers, forms, admin, urls, tests, migrations."""
# ruff: noqa: E501  (lines of generated source are kept whole so they read as they will be written)

from __future__ import annotations

from typing import TYPE_CHECKING

from .common import Dice, Writer

if TYPE_CHECKING:
    from .django_app import App


def serializers_py(app: App, dice: Dice) -> Writer:
    w = Writer()
    w.add(
        f'"""Serializers of the {app.name} API."""',
        "",
        "from rest_framework import serializers",
        "",
        f"from ..models import {', '.join(e.cls for e in app.tenant)}",
        "",
        "",
    )
    for e in app.tenant:
        fnames = ", ".join(f'"{f}"' for f, _ in app.fields[e.cls])
        w.add(
            f"class {e.cls}Serializer(serializers.ModelSerializer):",
            "    owner_name = serializers.SerializerMethodField()",
            "",
            "    class Meta:",
            f"        model = {e.cls}",
            f'        fields = ["id", {fnames}, "owner_name", "created_at"]',
            '        read_only_fields = ["id", "created_at"]',
            "",
            "    def get_owner_name(self, obj):",
            '        return obj.owner.get_full_name() if obj.owner else ""',
            "",
        )
        if dice.chance(0.5):
            w.add(
                "    def validate_name(self, value):",
                "        value = value.strip()",
                "        if len(value) < 2:",
                '            raise serializers.ValidationError("Name is too short.")',
                "        return value",
                "",
            )
        w.blank()
    return w


def forms_py(app: App, dice: Dice) -> Writer:
    w = Writer()
    first = app.tenant[0]
    w.add(
        f'"""Forms of the {app.name} app."""',
        "",
        "from django import forms",
        "",
        f"from .models import {', '.join(e.cls for e in app.tenant)}",
        "",
        "",
    )
    for e in app.tenant:
        fnames = ", ".join(f'"{f}"' for f, _ in app.fields[e.cls] if f != "metadata")
        w.add(
            f"class {e.cls}Form(forms.ModelForm):",
            "    class Meta:",
            f"        model = {e.cls}",
            f"        fields = [{fnames}]",
            "",
        )
        if e is first:
            w.add(
                "    def __init__(self, *args, org=None, **kwargs):",
                "        super().__init__(*args, **kwargs)",
                "        self.org = org",
                "",
            )
            w.add("    def clean_name(self):", '        name = self.cleaned_data["name"].strip()')
            w.query(
                [f"        exists = {e.cls}.objects.filter(org=self.org, name=name).exists()"], None
            )
            w.add(
                "        if exists:",
                '            raise forms.ValidationError("This name is already used.")',
                "        return name",
                "",
            )
        w.blank()
    return w


def admin_py(app: App, dice: Dice) -> Writer:
    w = Writer()
    w.add(
        "from django.contrib import admin",
        "",
        f"from .models import {', '.join(e.cls for e in (*app.tenant, app.child))}",
        "",
        "",
    )
    w.add(
        f"class {app.child.cls}Inline(admin.TabularInline):",
        f"    model = {app.child.cls}",
        "    extra = 0",
        "",
        "",
    )
    for e in app.tenant:
        fnames = ", ".join(f'"{f}"' for f, _ in app.fields[e.cls][:3])
        w.add(
            f"@admin.register({e.cls})",
            f"class {e.cls}Admin(admin.ModelAdmin):",
            f'    list_display = ("id", "org", {fnames})',
            '    list_filter = ("org",)',
            '    search_fields = ("name", "reference")',
            '    raw_id_fields = ("org", "owner")',
        )
        if e is app.tenant[0]:
            w.add(f"    inlines = [{app.child.cls}Inline]")
        w.add("", "")
    return w


def urls_py(app: App, dice: Dice) -> Writer:
    w = Writer()
    w.add(
        "from django.urls import include, path",
        "from rest_framework.routers import DefaultRouter",
        "",
        "from . import exports, views",
        "from .api import views as api_views",
        "",
        f'app_name = "{app.name}"',
        "",
        "router = DefaultRouter()",
    )
    for e in app.tenant:
        w.add(f'router.register("{e.plural}", api_views.{e.cls}ViewSet, basename="{e.var}")')
    w.add("", "urlpatterns = [")
    for e in app.tenant:
        w.add(
            f'    path("{e.plural}/", views.{e.var}_list, name="{e.var}-list"),',
            f'    path("{e.plural}/<int:pk>/", views.{e.var}_detail, name="{e.var}-detail"),',
            f'    path("{e.plural}/<int:pk>/archive/", views.{e.var}_archive, name="{e.var}-archive"),',
            f'    path("{e.plural}/export.csv", exports.export_{e.plural}, name="{e.var}-export"),',
        )
    w.add('    path("api/", include(router.urls)),', "]")
    return w


def apps_py(app: App, dice: Dice) -> Writer:
    w = Writer()
    w.add(
        "from django.apps import AppConfig",
        "",
        "",
        f"class {app.name.capitalize()}Config(AppConfig):",
        '    default_auto_field = "django.db.models.BigAutoField"',
        f'    name = "{app.name}"',
        f'    verbose_name = "{app.name.capitalize()}"',
    )
    return w


def utils_py(app: App, dice: Dice) -> Writer:
    w = Writer()
    w.add(
        f'"""Helpers of the {app.name} app (pure functions, no database)."""',
        "",
        "import re",
        "from decimal import ROUND_HALF_UP, Decimal",
        "",
        '_SLUG_RE = re.compile(r"[^a-z0-9]+")',
        "",
        "",
    )
    helpers = dice.sample(
        ("slugify", "money", "chunks", "initials", "clamp", "percent", "parse_bool"),
        dice.between(4, 7),
    )
    bodies = {
        "slugify": [
            "def slugify(text: str) -> str:",
            '    return _SLUG_RE.sub("-", text.lower()).strip("-")',
        ],
        "money": [
            "def money(value) -> Decimal:",
            '    return Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)',
        ],
        "chunks": [
            "def chunks(items, size=100):",
            "    for start in range(0, len(items), size):",
            "        yield items[start : start + size]",
        ],
        "initials": [
            "def initials(name: str) -> str:",
            "    parts = [p for p in name.split() if p]",
            '    return "".join(p[0].upper() for p in parts[:2])',
        ],
        "clamp": [
            "def clamp(value: int, low: int, high: int) -> int:",
            "    return max(low, min(high, value))",
        ],
        "percent": [
            "def percent(part, whole) -> float:",
            "    if not whole:",
            "        return 0.0",
            "    return round(100.0 * part / whole, 1)",
        ],
        "parse_bool": [
            "def parse_bool(value) -> bool:",
            '    return str(value).strip().lower() in {"1", "true", "yes", "on"}',
        ],
    }
    for h in helpers:
        head, *body = bodies[h]
        w.add(
            head,
            f'    """{h.replace("_", " ").capitalize()} helper used by views and exports."""',
            *body,
        )
        w.add("", "")
    return w


def constants_py(app: App, dice: Dice) -> Writer:
    w = Writer()
    w.add(f'"""Constants of the {app.name} app."""', "")
    for e in app.tenant:
        up = e.var.upper()
        w.add(
            f"{up}_PAGE_SIZE = {dice.pick(('25', '50', '100'))}",
            f"{up}_MAX_EXPORT_ROWS = {dice.between(1, 50) * 1000}",
            f'{up}_CACHE_KEY = "{app.name}:{e.var}:{{org_id}}:{{pk}}"',
            "",
        )
    w.add(
        "STATUS_LABELS = {",
        '    "draft": "Draft",',
        '    "open": "Open",',
        '    "closed": "Closed",',
        '    "archived": "Archived",',
        "}",
    )
    return w


def tests_py(app: App, dice: Dice) -> Writer:
    w = Writer()
    w.add("import pytest", "from django.urls import reverse", "", "")
    for e in app.tenant:
        w.add(
            "@pytest.mark.django_db",
            f"def test_{e.var}_list_requires_login(client):",
            f'    response = client.get(reverse("{app.name}:{e.var}-list"))',
            "    assert response.status_code == 302",
            "",
            "",
        )
        w.add(
            "@pytest.mark.django_db",
            f"def test_{e.var}_list_ok(admin_client):",
            f'    response = admin_client.get(reverse("{app.name}:{e.var}-list"))',
            "    assert response.status_code == 200",
            '    assert "page" in response.context',
            "",
            "",
        )
        w.add(
            "@pytest.mark.django_db",
            f"def test_{e.var}_detail_of_other_org_is_404(admin_client):",
            f'    url = reverse("{app.name}:{e.var}-detail", kwargs={{"pk": 999999}})',
            "    assert admin_client.get(url).status_code == 404",
            "",
            "",
        )
    return w


def migration_py(app: App, dice: Dice) -> Writer:
    w = Writer()
    w.add(
        "from django.conf import settings",
        "from django.db import migrations, models",
        "import django.db.models.deletion",
        "",
        "",
        "class Migration(migrations.Migration):",
        "    initial = True",
        "",
        '    dependencies = [("core", "0001_initial"), migrations.swappable_dependency(settings.AUTH_USER_MODEL)]',
        "",
        "    operations = [",
    )
    for e in (*app.tenant, app.child):
        w.add(
            "        migrations.CreateModel(",
            f'            name="{e.cls}",',
            "            fields=[",
            '                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False)),',
            '                ("created_at", models.DateTimeField(auto_now_add=True)),',
            '                ("updated_at", models.DateTimeField(auto_now=True)),',
        )
        for fname, fdef in app.fields[e.cls]:
            w.add(f'                ("{fname}", {fdef.replace("STATUS_CHOICES", "[]")}),')
        if e.tenant:
            w.add(
                '                ("org", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, '
                f'related_name="{e.plural}", to="core.organization")),'
            )
        w.add("            ],", "        ),")
    w.add("    ]")
    return w


def command_py(app: App, dice: Dice) -> Writer:
    w = Writer()
    e = app.tenant[0]
    w.add(
        "from django.core.management.base import BaseCommand, CommandError",
        "",
        f"from {app.name}.services import close_stale_{e.plural}",
        "",
        "",
        "class Command(BaseCommand):",
        f'    help = "Close stale {e.plural} of one organization."',
        "",
        "    def add_arguments(self, parser):",
        '        parser.add_argument("org_slug")',
        '        parser.add_argument("--days", type=int, default=30)',
        '        parser.add_argument("--dry-run", action="store_true")',
        "",
        "    def handle(self, *args, **options):",
        '        org = self.load_org(options["org_slug"])',
        '        if options["dry_run"]:',
        '            self.stdout.write("dry run: nothing changed")',
        "            return",
        f'        changed = close_stale_{e.plural}(org, days=options["days"])',
        '        self.stdout.write(self.style.SUCCESS(f"closed {changed}"))',
        "",
        "    def load_org(self, slug):",
        "        from core.lookups import organization_by_slug",
        "",
        "        org = organization_by_slug(slug)",
        "        if org is None:",
        '            raise CommandError(f"no organization {slug!r}")',
        "        return org",
    )
    return w
