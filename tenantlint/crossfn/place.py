"""Each file's findings once the cross-function join has moved some of them to handlers' call sites:
the moved ones are dropped where they were, the call-site ones are added to the file that holds the
call, and that file's suppression comments (``# noqa``, ``# tenantlint: ignore``) apply to them."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from tenantlint.crossfn.combine import Outcome
from tenantlint.crossfn.system_callers import SYSTEM_CODES
from tenantlint.results import FileResult, Finding
from tenantlint.suppress import resettle


def placed(result: FileResult, outcome: Outcome, added: Sequence[Finding]
           ) -> tuple[list[Finding], list[Finding]]:
    """``result``'s (reported, suppressed) findings after the join; ``added``: the outcome's findings
    in this file."""
    own = [f for f in result.findings if (f.path, f.line, f.code) not in outcome.removed
           and not (f.code in SYSTEM_CODES and outcome.system_reason(f.path, f.line) is not None)]
    if not added:
        return own, list(result.suppressed)
    if not result.comments:
        return sorted([*own, *added], key=Finding.sort_key), list(result.suppressed)
    return resettle(own, result.suppressed, added, result.comments, result.path)


def dropped(results: Sequence[FileResult], outcome: Outcome) -> frozenset[tuple[str, int, str]]:
    """(path, line, code) of the findings the join takes away: moved to call sites, or in a function
    only system code calls (what ``placed`` leaves out of each file)."""
    return outcome.removed | frozenset(
        (f.path, f.line, f.code) for r in results for f in r.findings
        if f.code in SYSTEM_CODES and outcome.system_reason(f.path, f.line) is not None)


def by_path(outcome: Outcome, allows: Callable[[str], bool]) -> dict[str, list[Finding]]:
    """The outcome's added findings the selection allows, by the path of the file holding them."""
    out: dict[str, list[Finding]] = {}
    for f in outcome.added:
        if allows(f.code):
            out.setdefault(f.path, []).append(f)
    return out
