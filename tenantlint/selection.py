"""``select`` / ``ignore`` by code prefix, longest prefix wins (flake8's ``DecisionEngine``).

An empty ``select`` selects every code implicitly. A code is reported when it is selected and not
ignored; when both lists match, the longer prefix decides, and a tie goes to ``ignore``.

>>> Selection(select=("TNT1",), ignore=("TNT10",)).allows("TNT101")
False
>>> Selection(select=("TNT101",), ignore=("TNT1",)).allows("TNT101")
True
>>> Selection(ignore=("TNT3",)).allows("TNT301")
False
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from tenantlint.results import Finding


def parse_codes(text: str) -> tuple[str, ...]:
    """``"TNT1, tnt201"`` -> ``("TNT1", "TNT201")``: the CLI's ``--select``/``--ignore`` value."""
    return normalise_codes(text.replace(",", " ").split())


def normalise_codes(codes: Iterable[str]) -> tuple[str, ...]:
    """Upper-cased, stripped, de-duplicated, order kept."""
    out: list[str] = []
    for code in codes:
        c = code.strip().upper()
        if c and c not in out:
            out.append(c)
    return tuple(out)


def _longest(prefixes: Sequence[str], code: str) -> int:
    """Length of the longest prefix of ``code`` in ``prefixes``, -1 when none matches."""
    return max((len(p) for p in prefixes if code.startswith(p)), default=-1)


@dataclass(frozen=True, slots=True)
class Selection:
    select: tuple[str, ...] = ()  # empty: every code
    ignore: tuple[str, ...] = ()

    @classmethod
    def of(cls, select: Iterable[str] = (), ignore: Iterable[str] = ()) -> Selection:
        return cls(normalise_codes(select), normalise_codes(ignore))

    def allows(self, code: str) -> bool:
        code = code.upper()
        selected = _longest(self.select, code) if self.select else 0
        if selected < 0:
            return False
        ignored = _longest(self.ignore, code)
        if ignored < 0:
            return True
        return selected > ignored

    def split(self, findings: Iterable[Finding]) -> tuple[list[Finding], list[Finding]]:
        """(allowed, dropped), order kept."""
        allowed: list[Finding] = []
        dropped: list[Finding] = []
        for f in findings:
            (allowed if self.allows(f.code) else dropped).append(f)
        return allowed, dropped
