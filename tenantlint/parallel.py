"""Order-preserving parallel map in which the calling process works too.

``jobs`` counts processes, the parent included: ``jobs - 1`` pool workers take chunks while the
parent processes chunks itself between dispatches. Results come back in input order, so the output
does not depend on ``jobs``. Workers are forked after the caller's state is built, so the
initializer's arguments are inherited rather than pickled on Linux.

With ``died`` given, a worker that dies (segfault, OOM kill, ``os._exit``) loses only its own
item: the chunks in flight when the pool broke are re-run one item at a time in a fresh single
worker, the item that kills that worker gets ``died(item)``, and the remaining chunks then go on in
a new pool as before. The parent never runs an item a worker was running when it died.
"""

from __future__ import annotations

import gc
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:  # the pool machinery (multiprocessing) is imported only when a pool starts
    from concurrent.futures import Future, ProcessPoolExecutor

T = TypeVar("T")
R = TypeVar("R")


def _chunk(fn: Callable[[T], R], items: Sequence[T]) -> list[R]:
    return [fn(item) for item in items]


def _start(initializer: Callable[..., None], *initargs: Any) -> None:
    # Inherited objects go to the permanent generation: the worker's collections then never walk
    # (and so never write to, un-sharing) the pages it shares with the parent.
    gc.freeze()
    initializer(*initargs)


@dataclass
class _Map(Generic[T, R]):
    local: Callable[[T], R]
    remote: Callable[[T], R]
    chunks: list[Sequence[T]]
    initializer: Callable[..., None]
    initargs: tuple[Any, ...]
    progress: Callable[[int], None] | None

    def pool(self, workers: int) -> ProcessPoolExecutor:
        from concurrent.futures import ProcessPoolExecutor

        return ProcessPoolExecutor(workers, initializer=_start,
                                   initargs=(self.initializer, *self.initargs))

    def tick(self, n: int) -> None:
        if self.progress:
            self.progress(n)

    def shared(self, todo: deque[int], results: list[list[R] | None], workers: int) -> list[int]:
        """Run chunks ``todo`` (consumed) with the parent and ``workers`` workers; return the
        indices of the chunks lost to a broken pool (empty when none broke)."""
        from concurrent.futures import FIRST_COMPLETED, wait
        from concurrent.futures.process import BrokenProcessPool

        lost: list[int] = []
        with self.pool(workers) as pool:
            pending: dict[Future[list[R]], int] = {}

            def collect(done: set[Future[list[R]]]) -> None:
                for fut in done:
                    index = pending.pop(fut)
                    try:
                        results[index] = fut.result()
                    except BrokenProcessPool:
                        lost.append(index)
                        continue
                    self.tick(len(self.chunks[index]))

            while todo and not lost:
                try:
                    while todo and len(pending) < 2 * workers:
                        pending[pool.submit(_chunk, self.remote, self.chunks[todo[0]])] = todo[0]
                        todo.popleft()
                except BrokenProcessPool:
                    break
                if todo:
                    index = todo.popleft()
                    results[index] = _chunk(self.local, self.chunks[index])
                    self.tick(len(self.chunks[index]))
                collect({f for f in pending if f.done()})
            while pending:
                collect(wait(pending, return_when=FIRST_COMPLETED).done)
        return sorted(lost)

    def isolated(self, items: Sequence[T], died: Callable[[T], R]) -> list[R]:
        """``items`` one at a time in a single worker; the first one without a result when the
        worker dies is the one that killed it."""
        from concurrent.futures.process import BrokenProcessPool

        out: list[R] = []
        while len(out) < len(items):
            try:
                with self.pool(1) as pool:
                    for r in pool.map(self.remote, items[len(out):]):
                        out.append(r)
                        self.tick(1)
            except BrokenProcessPool:
                out.append(died(items[len(out)]))
                self.tick(1)
        return out


def ordered_map(
    local: Callable[[T], R],
    remote: Callable[[T], R],
    items: Sequence[T],
    jobs: int,
    initializer: Callable[..., None],
    initargs: tuple[Any, ...],
    progress: Callable[[int], None] | None = None,
    chunks_per_job: int = 16,
    died: Callable[[T], R] | None = None,
) -> list[R]:
    """``[local(i) for i in items]``, computed by ``jobs`` processes.

    ``remote`` must be a module-level function (it is sent to the workers by reference) that does in
    a worker, after ``initializer(*initargs)``, what ``local`` does in the parent. Without ``died``
    a dying worker raises ``BrokenProcessPool``; with it, see the module docstring.
    """
    if jobs <= 1 or len(items) < 2 * jobs:
        out = []
        for item in items:
            out.append(local(item))
            if progress:
                progress(1)
        return out
    size = max(1, len(items) // (jobs * chunks_per_job))
    m = _Map(local, remote, [items[i:i + size] for i in range(0, len(items), size)],
             initializer, initargs, progress)
    results: list[list[R] | None] = [None] * len(m.chunks)
    todo = deque(range(len(m.chunks)))
    while todo:
        lost = m.shared(todo, results, jobs - 1)
        if lost and died is None:
            from concurrent.futures.process import BrokenProcessPool

            raise BrokenProcessPool("a worker process died")
        for index in lost:
            assert died is not None
            results[index] = m.isolated(m.chunks[index], died)
    out = []
    for chunk in results:
        assert chunk is not None
        out.extend(chunk)
    return out
