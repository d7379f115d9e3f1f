"""A queue worker's lifecycle methods (``analysis/interp/worker_lifecycle.py``): which methods of a
registered worker class run for no event, and what makes one not."""

from __future__ import annotations

import textwrap

import libcst as cst
import pytest

from tenantlint.analysis.interp.function_state import decorator_names
from tenantlint.analysis.interp.worker_lifecycle import LIFECYCLE, lifecycle_reason, registered_classes

QUEUES = {"emails": "app.worker.Emails.consume", "twice": "app.a.A.consume|app.b.B.consume"}

WORKER = """
class Emails(QueueProcessingWorker):
    def consume(self, event):
        self.flush()

    def flush(self):
        pass

    @override
    def start(self):
        self.thread = threading.Thread(target=self.work)
        super().start()

    def work(self):
        pass

    def stop(self):
        pass

    def timer_expired(self, limit, events):
        pass

    @register_hook
    def hooked(self):
        pass

    @staticmethod
    def helper():
        pass

    def __del__(self):
        pass
"""


def _reason(name: str, queues: dict[str, str] = QUEUES, module: str = "app.worker") -> str | None:
    cls = cst.parse_module(textwrap.dedent(WORKER)).body[0]
    assert isinstance(cls, cst.ClassDef)
    for item in cls.body.body:
        if isinstance(item, cst.FunctionDef) and item.name.value == name:
            return lifecycle_reason(queues, f"{module}.Emails.{name}", cls, item, decorator_names(item))
    raise AssertionError(name)


def test_registered_classes() -> None:
    assert registered_classes(QUEUES) == {"app.worker.Emails", "app.a.A", "app.b.B"}


@pytest.mark.parametrize("name", ["start", "stop"])
def test_what_only_the_framework_runs_is_lifecycle(name: str) -> None:
    reason = _reason(name)
    assert reason is not None and reason.startswith(LIFECYCLE) and f"Emails.{name}" in reason


@pytest.mark.parametrize(("name", "why"), [
    ("consume", "the consumer: its producers are its callers"),
    ("flush", "called by the consumer"),
    ("work", "named by start (a thread target): judged by its users"),
    ("timer_expired", "given arguments (events)"),
    ("hooked", "a decorator that may register it"),
    ("helper", "a static method"),
    ("__del__", "a dunder"),
])
def test_what_is_not_lifecycle(name: str, why: str) -> None:
    assert _reason(name) is None, why


def test_only_a_registered_worker_has_a_lifecycle() -> None:
    assert _reason("start", module="app.other") is None
    assert _reason("start", queues={}) is None
