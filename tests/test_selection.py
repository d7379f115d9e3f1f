from __future__ import annotations

import pytest

from tenantlint.results import Finding, Span
from tenantlint.selection import Selection, parse_codes


@pytest.mark.parametrize(
    ("select", "ignore", "code", "allowed"),
    [
        ((), (), "TNT101", True),
        (("TNT1",), (), "TNT101", True),
        (("TNT1",), (), "TNT201", False),
        ((), ("TNT3",), "TNT301", False),
        ((), ("TNT3",), "TNT101", True),
        (("TNT1",), ("TNT10",), "TNT101", False),  # longer ignore wins
        (("TNT101",), ("TNT1",), "TNT101", True),  # longer select wins
        (("TNT101",), ("TNT1",), "TNT102", False),
        (("TNT1",), ("TNT1",), "TNT101", False),  # tie goes to ignore
        (("TNT",), ("TNT9",), "TNT902", False),
        (("TNT",), ("TNT9",), "TNT202", True),
    ],
)
def test_longest_prefix_wins(
    select: tuple[str, ...], ignore: tuple[str, ...], code: str, allowed: bool
) -> None:
    assert Selection(select, ignore).allows(code) is allowed


def test_parse_codes_normalises() -> None:
    assert parse_codes(" tnt1, TNT201 TNT1") == ("TNT1", "TNT201")
    assert Selection.of(select=["tnt2"]).allows("TNT201")


def test_split_keeps_order() -> None:
    def f(code: str) -> Finding:
        return Finding(code, "m", "a.py", Span(1, 1, 1, 2))

    allowed, dropped = Selection(ignore=("TNT2",)).split([f("TNT201"), f("TNT101"), f("TNT202")])
    assert [x.code for x in allowed] == ["TNT101"]
    assert [x.code for x in dropped] == ["TNT201", "TNT202"]
