"""Order-preserving parallel map in which the calling process works too.

``jobs`` counts processes, the parent included: ``jobs - 1`` pool workers take chunks while the
parent processes chunks itself between dispatches. Results come back in input order, so the output
does not depend on ``jobs``. Workers are forked after the caller's state is built, so the
initializer's arguments are inherited rather than pickled on Linux.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")


def _chunk(fn: Callable[[T], R], items: Sequence[T]) -> list[R]:
    return [fn(item) for item in items]


def ordered_map(
    local: Callable[[T], R],
    remote: Callable[[T], R],
    items: Sequence[T],
    jobs: int,
    initializer: Callable[..., None],
    initargs: tuple[Any, ...],
    progress: Callable[[int], None] | None = None,
    chunks_per_job: int = 16,
) -> list[R]:
    """``[local(i) for i in items]``, computed by ``jobs`` processes.

    ``remote`` must be a module-level function (it is sent to the workers by reference) that does in
    a worker, after ``initializer(*initargs)``, what ``local`` does in the parent.
    """
    if jobs <= 1 or len(items) < 2 * jobs:
        out = []
        for item in items:
            out.append(local(item))
            if progress:
                progress(1)
        return out
    size = max(1, len(items) // (jobs * chunks_per_job))
    chunks = [items[i:i + size] for i in range(0, len(items), size)]
    results: list[list[R]] = [[] for _ in chunks]
    workers = jobs - 1
    with ProcessPoolExecutor(workers, initializer=initializer, initargs=initargs) as pool:
        pending: dict[Future[list[R]], int] = {}
        nxt = 0

        def collect(done: set[Future[list[R]]]) -> None:
            for fut in done:
                index = pending.pop(fut)
                results[index] = fut.result()
                if progress:
                    progress(len(chunks[index]))

        while nxt < len(chunks):
            while nxt < len(chunks) and len(pending) < 2 * workers:
                pending[pool.submit(_chunk, remote, chunks[nxt])] = nxt
                nxt += 1
            if nxt < len(chunks):
                results[nxt] = _chunk(local, chunks[nxt])
                if progress:
                    progress(len(chunks[nxt]))
                nxt += 1
            collect({f for f in pending if f.done()})
        while pending:
            collect(wait(pending, return_when=FIRST_COMPLETED).done)
    return [r for chunk in results for r in chunk]
