"""The web frameworks the engine knows. Adding one is adding a module and a line here."""

from __future__ import annotations

from tenantlint.analysis.frameworks import django
from tenantlint.analysis.frameworks.base import Framework

FRAMEWORKS: tuple[Framework, ...] = (django.FRAMEWORK,)
