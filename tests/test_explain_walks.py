"""``tenantlint explain`` on a generic base method's query: why each concrete class's walk is open
(``explain_across.walk_reasons``), the classes with one reason together."""

from __future__ import annotations

from tenantlint.crossfn.closure import NO_SITES, OPEN, Blame
from tenantlint.explain_across import walk_reasons


def test_one_reason_for_every_walk_adds_nothing() -> None:
    why = Blame(NO_SITES, "app.services.CommonService.get")
    assert walk_reasons([("FileService", why), ("DialogService", why)]) == []


def test_walks_with_different_reasons_are_listed_by_reason() -> None:
    caller = Blame(OPEN, "app.tasks.run_flow")
    none = Blame(NO_SITES, "app.sync.SyncBase.__call__")
    lines = walk_reasons([("FileService", caller), ("DialogService", none), ("KbService", caller),
                          ("KbService", caller)])
    assert lines == [
        "  as FileService, KbService: app.tasks.run_flow is registered by a decorator: its callers "
        "are not all in the project",
        "  as DialogService: no call site in the project resolves to app.sync.SyncBase.__call__",
    ]
