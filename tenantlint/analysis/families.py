"""The ORM and web-framework families the analysis knows, and their plug-ins."""

from __future__ import annotations

from functools import cache

from tenantlint.analysis.plugins import Plugins


@cache
def registered_plugins() -> Plugins:
    """The plug-ins of every known ORM and framework family, in the order they are asked."""
    from tenantlint.analysis.frameworks.registry import FRAMEWORKS
    from tenantlint.analysis.orm.registry import ORMS

    return Plugins(FRAMEWORKS, ORMS)
