"""The rule base class: metadata declared once, used by the engine, docs, SARIF, flake8 and the CLI."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from tenantlint.analysis.facts import FileFacts

if TYPE_CHECKING:
    import libcst as cst


@dataclass(frozen=True, slots=True)
class Issue:
    """A rule's verdict on one node, before positions and suppressions are applied."""

    code: str
    node: cst.CSTNode
    message: str
    table: str | None = None
    handler: str | None = None


class Rule:
    """One rule. Subclasses set the metadata and, when the rule reads analysis facts, ``check``.

    The doc fields follow ruff's rule pages: what it does, why it is bad, an example, the fix. The
    examples are the rule's cases (as in Fixit): each ``invalid`` case is a complete
    ``billing/views.py`` of :mod:`tenantlint.rules.example_project` that must get the rule's code, each
    ``valid`` case one that must get no finding at all; ``tests/test_rule_cases.py`` runs them all.
    """

    code: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[str]  # "error" | "warning"
    summary: ClassVar[str]  # one line, used by `tenantlint rules`, SARIF shortDescription, flake8
    why: ClassVar[str]
    invalid: ClassVar[tuple[str, ...]]  # cases the rule flags (the page's "Example")
    valid: ClassVar[tuple[str, ...]]  # cases nothing flags (the page's "Use instead")
    details: ClassVar[str] = ""  # how tenantlint decides: what counts, where it is reported
    options: ClassVar[tuple[str, ...]] = ()  # config keys that change the rule's behaviour

    def check(self, facts: FileFacts) -> Iterator[Issue]:
        """Rules produced outside the fact pipeline (TNT9xx) yield nothing here."""
        return iter(())

    @classmethod
    def documentation(cls) -> str:
        """The rule's page in Markdown (docs/rules/CODE.md is generated from this)."""
        opts = "\n".join(f"- `{o}`" for o in cls.options) or "None."
        return (
            f"# {cls.code} {cls.name}\n\n"
            f"Severity: **{cls.severity}**\n\n"
            f"## What it does\n\n{cls.summary}\n\n"
            + (f"{cls.details.strip()}\n\n" if cls.details.strip() else "")
            + f"## Why is this bad?\n\n{cls.why.strip()}\n\n"
            f"## Example\n\n{_blocks(cls.invalid)}"
            f"## Use instead\n\n{_blocks(cls.valid)}"
            f"## Options\n\n{opts}\n"
        )


def _blocks(cases: tuple[str, ...]) -> str:
    """The cases as code blocks; invisible characters (TNT903's bidi controls) shown escaped."""
    from tenantlint.untrusted import visible

    return "".join(f"```python\n{visible(case.strip(), keep_lines=True)}\n```\n\n" for case in cases)
