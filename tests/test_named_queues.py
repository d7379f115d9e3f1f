"""Named queues: a worker class registered under a queue name, and the calls putting events on it as
call sites of its ``consume`` (``index/named_queues.py``, ``interp/queue_producers.py``)."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

from tenantlint.crossfile import CrossFileFacts
from tenantlint.index.named_queues import consumer_of, named_queues
from tests.test_crossfn import found, run

WORKER = """
from app.models import Invoice

registry = {}


def assign_queue(name):
    def decorate(cls):
        registry[name] = cls
        return cls
    return decorate


@assign_queue("invoices")
class InvoiceWorker:
    def consume(self, event):
        if event["type"] == "render":
            return Invoice.objects.get(pk=event["invoice_id"])
        if event["type"] == "again":
            publish("invoices", {**event, "attempt": 2})


def publish(queue_name, event):
    print(queue_name, event)
"""


def _queues(source: str, module: str = "app.workers") -> dict[str, str]:
    return named_queues(module, ast.parse(textwrap.dedent(source)))


def test_a_decorator_literal_or_a_queue_name_attribute_registers_the_consumer() -> None:
    assert _queues("""
        @assign_queue("thumbnail")
        class ThumbnailWorker(Base):
            def consume(self, event): ...

        class DigestWorker(Base):
            queue_name = "digests"
            def consume_batch(self, events): ...

        class Base:
            queue_name: str = "not a worker"
            def run(self): ...

        @register("bulk sends %s")
        class Logged:
            def consume(self, event): ...
        """) == {"thumbnail": "app.workers.ThumbnailWorker.consume",
                 "digests": "app.workers.DigestWorker.consume_batch"}


def test_two_classes_under_one_name_have_no_consumer() -> None:
    facts = CrossFileFacts.merge([
        CrossFileFacts(named_queues={"q": "a.A.consume"}), CrossFileFacts(named_queues={"q": "b.B.consume"})])
    assert consumer_of(facts.named_queues, "q") is None
    assert consumer_of({"q": "a.A.consume"}, "q") == "a.A.consume"


def test_producers_passing_ids_of_scoped_rows_close_the_consumer(tmp_path: Path) -> None:
    result = run(tmp_path, {"app/workers.py": WORKER, "app/views.py": """
        from django.db import transaction

        from app.models import Invoice
        from app.workers import publish


        def view(request):
            inv = Invoice.objects.get(org=request.user.org, pk=request.GET["id"])
            transaction.on_commit(lambda: publish("invoices", {"type": "render", "invoice_id": inv.pk}))
        """})
    assert found(result) == []


def test_request_input_in_the_entry_read_is_reported_at_the_producer(tmp_path: Path) -> None:
    result = run(tmp_path, {"app/workers.py": WORKER, "app/views.py": """
        from app.workers import publish


        def view(request):
            event = {"type": "render", "invoice_id": request.GET["id"]}
            publish("invoices", event)
        """})
    assert found(result) == [("app/views.py", 6, "TNT101")]


def test_request_input_in_an_entry_not_read_is_no_finding(tmp_path: Path) -> None:
    result = run(tmp_path, {"app/workers.py": WORKER, "app/views.py": """
        from app.models import Invoice
        from app.workers import publish


        def view(request):
            inv = Invoice.objects.get(org=request.user.org, pk=1)
            publish("invoices", {"type": "render", "invoice_id": inv.pk, "note": request.GET["note"]})
        """})
    assert found(result) == []


def test_a_parameter_in_an_entry_is_followed_to_the_callers(tmp_path: Path) -> None:
    result = run(tmp_path, {"app/workers.py": WORKER, "app/enqueue.py": """
        from app.workers import publish


        def render_later(invoice_id):
            publish("invoices", {"type": "render", "invoice_id": invoice_id})
        """, "app/views.py": """
        from app.enqueue import render_later


        def view(request):
            render_later(request.GET["id"])
        """})
    assert found(result) == [("app/views.py", 5, "TNT101")]


def test_no_producer_or_an_unwritten_entry_or_an_unknown_event_stays_reported(tmp_path: Path) -> None:
    query = ("app/workers.py", 17, "TNT101")
    for name in ("none", "unwritten", "unknown"):
        (tmp_path / name).mkdir()
    assert found(run(tmp_path / "none", {"app/workers.py": WORKER})) == [query]
    unwritten = run(tmp_path / "unwritten", {"app/workers.py": WORKER, "app/views.py": """
        from app.workers import publish


        def view(request):
            publish("invoices", {"type": "render"})
        """})
    assert found(unwritten) == [query]
    unknown = run(tmp_path / "unknown", {"app/workers.py": WORKER, "app/views.py": """
        from somewhere import build_event

        from app.workers import publish


        def view(request):
            publish("invoices", build_event())
        """})
    assert found(unknown) == [query]


def test_request_input_in_another_entry_does_not_hide_a_parameter_read(tmp_path: Path) -> None:
    result = run(tmp_path, {"app/workers.py": WORKER, "app/enqueue.py": """
        from flask import request

        from app.workers import publish


        def render_later(invoice_id):
            publish("invoices", {"type": "render", "invoice_id": invoice_id, "note": request.args["n"]})
        """, "app/views.py": """
        from app.enqueue import render_later


        def view(request):
            render_later(request.GET["id"])
        """})
    assert ("app/views.py", 5, "TNT101") in found(result)
