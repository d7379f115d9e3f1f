"""Project-wide files every generated tree starts with (fixed text, no randomness)."""
# ruff: noqa: E501  (lines of generated source are kept whole so they read as they will be written)

from __future__ import annotations

from .common import GeneratedFile, Writer

_SETTINGS_APPS = (
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "core",
)


def _manage() -> Writer:
    w = Writer()
    w.add(
        "#!/usr/bin/env python",
        '"""Django\'s command-line utility for administrative tasks."""',
        "import os",
        "import sys",
        "",
        "",
        "def main():",
        '    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")',
        "    try:",
        "        from django.core.management import execute_from_command_line",
        "    except ImportError as exc:",
        '        raise ImportError("Couldn\'t import Django. Is it installed?") from exc',
        "    execute_from_command_line(sys.argv)",
        "",
        "",
        'if __name__ == "__main__":',
        "    main()",
    )
    return w


def _settings() -> Writer:
    w = Writer()
    w.add(
        '"""Settings of the synthetic SaaS back end."""',
        "",
        "import os",
        "from pathlib import Path",
        "",
        "BASE_DIR = Path(__file__).resolve().parent.parent",
        'SECRET_KEY = os.environ.get("SECRET_KEY", "insecure-dev-key")',
        'DEBUG = os.environ.get("DEBUG", "0") == "1"',
        'ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "localhost").split(",")',
        "",
        "INSTALLED_APPS = [",
    )
    w.add(*(f'    "{a}",' for a in _SETTINGS_APPS))
    w.add(
        "]",
        "",
        "MIDDLEWARE = [",
        '    "django.middleware.security.SecurityMiddleware",',
        '    "django.contrib.sessions.middleware.SessionMiddleware",',
        '    "django.middleware.common.CommonMiddleware",',
        '    "django.middleware.csrf.CsrfViewMiddleware",',
        '    "django.contrib.auth.middleware.AuthenticationMiddleware",',
        '    "core.middleware.TenantMiddleware",',
        '    "django.contrib.messages.middleware.MessageMiddleware",',
        "]",
        "",
        'ROOT_URLCONF = "config.urls"',
        'WSGI_APPLICATION = "config.wsgi.application"',
        "",
        "DATABASES = {",
        '    "default": {',
        '        "ENGINE": "django.db.backends.postgresql",',
        '        "NAME": os.environ.get("DB_NAME", "saas"),',
        '        "USER": os.environ.get("DB_USER", "saas"),',
        '        "PASSWORD": os.environ.get("DB_PASSWORD", ""),',
        '        "HOST": os.environ.get("DB_HOST", "localhost"),',
        '        "PORT": int(os.environ.get("DB_PORT", "5432")),',
        '        "CONN_MAX_AGE": 60,',
        "    }",
        "}",
        "",
        'AUTH_USER_MODEL = "core.User"',
        'LANGUAGE_CODE = "en-us"',
        'TIME_ZONE = "UTC"',
        "USE_I18N = True",
        "USE_TZ = True",
        'STATIC_URL = "static/"',
        'DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"',
        "",
        "REST_FRAMEWORK = {",
        '    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],',
        '    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],',
        '    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",',
        '    "PAGE_SIZE": 50,',
        "}",
        "",
        'CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "redis://localhost:6379/0")',
        "CELERY_TASK_ACKS_LATE = True",
        "",
        "LOGGING = {",
        '    "version": 1,',
        '    "disable_existing_loggers": False,',
        '    "handlers": {"console": {"class": "logging.StreamHandler"}},',
        '    "root": {"handlers": ["console"], "level": "INFO"},',
        "}",
    )
    return w


def _urls() -> Writer:
    w = Writer()
    w.add(
        "from django.contrib import admin",
        "from django.urls import include, path",
        "",
        "urlpatterns = [",
        '    path("admin/", admin.site.urls),',
        "]",
    )
    return w


def _core_models() -> Writer:
    w = Writer()
    w.add(
        '"""The tenant (Organization), users and memberships."""',
        "",
        "from django.contrib.auth.models import AbstractUser",
        "from django.db import models",
        "",
        "",
        "class TimeStampedModel(models.Model):",
        "    created_at = models.DateTimeField(auto_now_add=True)",
        "    updated_at = models.DateTimeField(auto_now=True)",
        "",
        "    class Meta:",
        "        abstract = True",
        "",
        "",
        "class Organization(TimeStampedModel):",
        "    name = models.CharField(max_length=200)",
        "    slug = models.SlugField(unique=True)",
        '    plan = models.CharField(max_length=20, default="free")',
        "    is_active = models.BooleanField(default=True)",
        "",
        "    def __str__(self) -> str:",
        "        return self.name",
        "",
        "",
        "class User(AbstractUser):",
        '    org = models.ForeignKey(Organization, null=True, on_delete=models.SET_NULL, related_name="users")',
        "",
        "",
        "class Membership(TimeStampedModel):",
        '    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")',
        '    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")',
        '    role = models.CharField(max_length=20, default="member")',
        "",
        "    class Meta:",
        '        unique_together = [("org", "user")]',
    )
    return w


def _tenancy() -> Writer:
    w = Writer()
    w.add(
        '"""Tenant helpers: a queryset that scopes itself, and the deliberate cross-tenant escape."""',
        "",
        "import contextlib",
        "import contextvars",
        "",
        "from django.db import models",
        "",
        '_SYSTEM = contextvars.ContextVar("system_scope", default=False)',
        "",
        "",
        "class TenantQuerySet(models.QuerySet):",
        "    def for_tenant(self, org):",
        "        return self.filter(org=org)",
        "",
        "",
        "TenantManager = models.Manager.from_queryset(TenantQuerySet)",
        "",
        "",
        "@contextlib.contextmanager",
        "def system_scope():",
        '    """Mark a block as deliberately cross-tenant (jobs, admin tooling)."""',
        "    token = _SYSTEM.set(True)",
        "    try:",
        "        yield",
        "    finally:",
        "        _SYSTEM.reset(token)",
        "",
        "",
        "def in_system_scope() -> bool:",
        "    return _SYSTEM.get()",
    )
    return w


def _db() -> Writer:
    w = Writer()
    w.add(
        '"""SQLAlchemy engine, session and FastAPI dependencies."""',
        "",
        "import os",
        "",
        "from fastapi import Depends, HTTPException, Request",
        "from sqlalchemy import create_engine",
        "from sqlalchemy.orm import DeclarativeBase, sessionmaker",
        "",
        'ENGINE = create_engine(os.environ.get("DATABASE_URL", "postgresql://localhost/saas"), pool_pre_ping=True)',
        "SessionLocal = sessionmaker(bind=ENGINE, autoflush=False)",
        "",
        "",
        "class Base(DeclarativeBase):",
        "    pass",
        "",
        "",
        "def get_db():",
        "    session = SessionLocal()",
        "    try:",
        "        yield session",
        "    finally:",
        "        session.close()",
        "",
        "",
        "def get_current_user(request: Request):",
        '    user = getattr(request.state, "user", None)',
        "    if user is None:",
        '        raise HTTPException(status_code=401, detail="not authenticated")',
        "    return user",
    )
    return w


def _sqldb() -> Writer:
    w = Writer()
    w.add(
        '"""A DB-API connection per request for the raw-SQL stores."""',
        "",
        "import os",
        "",
        "import psycopg2",
        "import psycopg2.extras",
        "from flask import g",
        "",
        "",
        "def get_connection():",
        '    if "db_conn" not in g:',
        "        g.db_conn = psycopg2.connect(",
        '            os.environ.get("DATABASE_URL", "dbname=saas"),',
        "            cursor_factory=psycopg2.extras.RealDictCursor,",
        "        )",
        "    return g.db_conn",
        "",
        "",
        "def close_connection(exc=None):",
        '    conn = g.pop("db_conn", None)',
        "    if conn is not None:",
        "        conn.close()",
    )
    return w


def _lookups() -> Writer:
    w = Writer()
    w.add(
        '"""Look-ups of tenants themselves (Organization is the tenant, not tenant-scoped)."""',
        "",
        "from core.models import Organization",
        "",
        "",
        "def organization_by_slug(slug):",
    )
    w.query(["    return Organization.objects.filter(slug=slug, is_active=True).first()"], None)
    return w


def build() -> list[GeneratedFile]:
    parts = (
        ("core/models.py", "models", _core_models),
        ("core/tenancy.py", "utils", _tenancy),
        ("config/settings.py", "settings", _settings),
        ("core/db.py", "utils", _db),
        ("core/sqldb.py", "utils", _sqldb),
        ("core/lookups.py", "services", _lookups),
        ("manage.py", "script", _manage),
        ("config/urls.py", "urls", _urls),
    )
    return [make().build(path, "project", role) for path, role, make in parts]
