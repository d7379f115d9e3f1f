"""Output formats by name. Reporters are imported on first use (only ``text`` needs rich).

To add a format, add its ``"module:Class"`` here; ``html`` joins with the audit report.
"""

from __future__ import annotations

import importlib

from tenantlint.reporters.base import Reporter

_REPORTERS: dict[str, str] = {
    "text": "tenantlint.reporters.text:TextReporter",
    "json": "tenantlint.reporters.json:JsonReporter",
    "sarif": "tenantlint.reporters.sarif:SarifReporter",
    "github": "tenantlint.reporters.github:GithubReporter",
    "markdown": "tenantlint.reporters.markdown:MarkdownReporter",
}


class UnknownReporterError(ValueError):
    """``--format`` named no known reporter (a usage error, exit 2)."""


def reporter_names() -> tuple[str, ...]:
    return tuple(_REPORTERS)


def get_reporter(name: str) -> Reporter:
    """A fresh reporter for ``name`` (``text``, ``json``, ``sarif``, ``github``, ``markdown``)."""
    target = _REPORTERS.get(name)
    if target is None:
        known = ", ".join(_REPORTERS)
        raise UnknownReporterError(f"unknown format {name!r}; expected one of: {known}")
    module_name, _, class_name = target.partition(":")
    cls = getattr(importlib.import_module(module_name), class_name)
    if not (isinstance(cls, type) and issubclass(cls, Reporter)):
        raise TypeError(f"{target} is not a Reporter")
    return cls()
