"""The web frameworks the engine knows. Adding one is adding a module and a line here.

Order matters: the first framework that claims a function as a handler describes it, so the
decorator-based frameworks come before Django's "first parameter is ``request``" convention.
"""

from __future__ import annotations

from tenantlint.analysis.frameworks import django, drf, fastapi, flask
from tenantlint.analysis.plugins import FrameworkPlugin

FRAMEWORKS: tuple[FrameworkPlugin, ...] = (
    flask.FRAMEWORK, fastapi.FRAMEWORK, drf.FRAMEWORK, django.FRAMEWORK,
)
