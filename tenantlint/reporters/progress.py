"""A rich progress bar on stderr while a large tree is scanned (``tenantlint audit``).

``with progress(total, enabled) as advance: ... advance(n)`` advances by ``n`` files done. Disabled,
it prints nothing and ``advance`` does nothing, so callers need no branches.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.status import Status


def _ignore(files: int) -> None:
    """The advance function of a disabled progress bar."""


@contextmanager
def progress(
    total: int, enabled: bool, *, console: Console | None = None
) -> Iterator[Callable[[int], None]]:
    """A progress bar over ``total`` files; yields ``advance(files_done)``.

    ``console`` defaults to stderr (the report or JSON may be going to stdout). The bar is removed
    when the block ends.
    """
    if not enabled:
        yield _ignore
        return
    bar = Progress(
        SpinnerColumn(),
        TextColumn("[bold]Scanning"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("files"),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console or Console(stderr=True),
        transient=True,
    )
    with bar:
        task = bar.add_task("scan", total=max(total, 0))

        def advance(files: int) -> None:
            bar.advance(task, files)

        yield advance


@contextmanager
def delayed_progress(
    total: int, enabled: bool, *, delay: float = 1.0, console: Console | None = None
) -> Iterator[Callable[[int], None]]:
    """:func:`progress` for ``tenantlint check``: the bar appears only once the run has taken
    ``delay`` seconds and files remain, so a warm or small run prints nothing at all."""
    if not enabled or total <= 0:
        yield _ignore
        return
    import time

    started = time.monotonic()
    done = 0
    shown: list[Callable[[int], None]] = []
    stack = ExitStack()

    def advance(files: int) -> None:
        nonlocal done
        done += files
        if shown:
            shown[0](files)
        elif done < total and time.monotonic() - started >= delay:
            bar = stack.enter_context(progress(total, True, console=console))
            bar(done)
            shown.append(bar)

    with stack:
        yield advance


@contextmanager
def delayed_status(
    message: str, enabled: bool, *, delay: float = 1.0, console: Console | None = None
) -> Iterator[None]:
    """A spinner with ``message`` on stderr while the block runs, shown only once it has run for
    ``delay`` seconds (the project index of a cold run); removed when the block ends."""
    if not enabled:
        yield
        return
    import threading

    lock = threading.Lock()
    live: list[Status] = []
    finished = False

    def start() -> None:
        with lock:
            if finished:
                return
            status = (console or Console(stderr=True)).status(message)
            status.start()
            live.append(status)

    timer = threading.Timer(delay, start)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
        with lock:
            finished = True
            for status in live:
                status.stop()
