"""The ORM plug-ins the evaluator consults. Adding one is adding a module and a line here."""

from __future__ import annotations

from tenantlint.analysis.orm import django, peewee, sqlalchemy, tortoise
from tenantlint.analysis.plugins import OrmPlugin

ORMS: tuple[OrmPlugin, ...] = (django.ORM, sqlalchemy.ORM, peewee.ORM, tortoise.ORM)
