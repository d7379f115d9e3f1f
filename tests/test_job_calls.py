"""RQ jobs and constructions as call sites (``interp/job_queues.py``, ``interp/constructors.py``)."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import libcst as cst

from tenantlint.analysis.interp.constructors import built_elsewhere
from tenantlint.crossfn.records import CLASS_NAME, ON_OBJECT
from tenantlint.prepass import name_counts
from tests.test_crossfn import found, run

JOBS = """
from app.models import Invoice


def rebuild(pk, fmt="csv"):
    return Invoice.objects.get(pk=pk), fmt
"""


def test_rq_enqueue_passing_a_scoped_id_closes_the_job(tmp_path: Path) -> None:
    result = run(tmp_path, {"app/jobs.py": JOBS, "app/views.py": """
        from rq import Queue

        from app.jobs import rebuild
        from app.models import Invoice

        queue = Queue()


        def view(request):
            inv = Invoice.objects.get(org=request.user.org, pk=request.GET["id"])
            queue.enqueue(rebuild, inv.pk, fmt="pdf", job_timeout=30)
            queue.enqueue_call(func=rebuild, args=(inv.pk,), kwargs={"fmt": "pdf"})
        """})
    assert found(result) == []


def test_rq_enqueue_of_request_input_is_reported_at_the_argument(tmp_path: Path) -> None:
    result = run(tmp_path, {"app/jobs.py": JOBS, "app/views.py": """
        from datetime import timedelta

        from rq import Queue

        from app.jobs import rebuild

        queue = Queue()


        def view(request):
            queue.enqueue_in(timedelta(seconds=5), rebuild, request.GET["id"])
        """})
    assert found(result) == [("app/views.py", 11, "TNT101")]


def test_a_spread_the_request_fills_leaves_the_job_reported(tmp_path: Path) -> None:
    result = run(tmp_path, {"app/jobs.py": JOBS, "app/views.py": """
        from rq import Queue

        from app.jobs import rebuild

        queue = Queue()


        def view(request):
            options = {"job_timeout": 30}
            options.update(request.GET)
            queue.enqueue(rebuild, **options)
        """})
    assert found(result) == [("app/jobs.py", 5, "TNT101")]


def test_enqueue_outside_rq_is_no_call_site(tmp_path: Path) -> None:
    result = run(tmp_path, {"app/jobs.py": JOBS, "app/views.py": """
        from app.jobs import rebuild


        def view(request, buffer):
            buffer.enqueue(rebuild, 1)
        """})
    assert found(result) == [("app/jobs.py", 5, "TNT101")]


CLASS = """
from app.models import Invoice


class Exporter:
    def __init__(self, pk):
        self.invoice = Invoice.objects.get(pk=pk)
"""


def test_constructions_are_calls_of_init(tmp_path: Path) -> None:
    result = run(tmp_path, {"app/export.py": CLASS, "app/views.py": """
        from app.export import Exporter
        from app.models import Invoice


        def view(request):
            inv = Invoice.objects.get(org=request.user.org, pk=request.GET["id"])
            Exporter(inv.pk)


        def other(request):
            return Exporter(request.GET["id"])
        """})
    assert found(result) == [("app/views.py", 11, "TNT101")]


def test_a_reference_to_the_class_leaves_init_reported(tmp_path: Path) -> None:
    result = run(tmp_path, {"app/export.py": CLASS, "app/views.py": """
        from app.export import Exporter
        from app.models import Invoice

        FACTORIES = [Exporter]


        def view(request):
            inv = Invoice.objects.get(org=request.user.org, pk=request.GET["id"])
            Exporter(inv.pk)
        """})
    assert found(result) == [("app/export.py", 6, "TNT101")]


def _cls(text: str) -> cst.ClassDef:
    node = cst.parse_module(textwrap.dedent(text)).body[0]
    assert isinstance(node, cst.ClassDef)
    return node


def test_classes_built_elsewhere() -> None:
    assert not built_elsewhere(_cls("class A:\n    def __init__(self, x): pass\n"))
    assert not built_elsewhere(_cls("class A(object):\n    pass\n"))
    assert built_elsewhere(_cls("class A(Base):\n    pass\n"))
    assert built_elsewhere(_cls("class A(metaclass=M):\n    pass\n"))
    assert built_elsewhere(_cls("@register('a')\nclass A:\n    pass\n"))
    assert built_elsewhere(_cls("class A:\n    @classmethod\n    def make(cls):\n        return cls(1)\n"))
    assert built_elsewhere(_cls("class A:\n    def copy(self):\n        return type(self)(1)\n"))
    assert built_elsewhere(_cls("class A:\n    def copy(self):\n        return self.__class__(1)\n"))


def test_class_names_are_counted_and_self_attributes_hold_no_module() -> None:
    counts = dict(name_counts(ast.parse(textwrap.dedent("""
        from app.export import Exporter


        class Runner:
            def run(self, user):
                self.user = user
                self.rebuild(Exporter(1), app.Exporter)
        """))))
    assert counts[CLASS_NAME + "Exporter"] == 2
    assert counts["rebuild" + ON_OBJECT] == 1  # ``self`` was given a name, not made a module


def _init_fed(body: str) -> dict[str, str]:
    exporter = """
        from app.models import Invoice


        class Exporter:
            def __init__(self, pk):
                {body}

            def _load(self):
                return Invoice.objects.get(pk=self.pk)
        """
    return {"app/export.py": exporter.replace("{body}", body), "app/views.py": """
        from app.export import Exporter
        from app.models import Invoice


        def view(request):
            inv = Invoice.objects.get(org=request.user.org, pk=request.GET["id"])
            Exporter(inv.pk)


        def other(request):
            Exporter(request.GET["id"])
        """}


def test_a_method_init_calls_reads_the_attribute_init_set(tmp_path: Path) -> None:
    result = run(tmp_path, _init_fed("self.pk = pk\n                self.invoice = self._load()"))
    assert found(result) == [("app/views.py", 11, "TNT101")]


def test_a_method_called_before_the_attribute_is_set_stays_reported(tmp_path: Path) -> None:
    result = run(tmp_path, _init_fed("self.invoice = self._load()\n                self.pk = pk"))
    assert ("app/export.py", 10, "TNT101") in found(result)


def test_an_attribute_set_twice_is_no_port(tmp_path: Path) -> None:
    result = run(tmp_path, _init_fed("self.pk = pk\n                self.invoice = self._load()\n"
                                     "                self.pk = None"))
    assert ("app/export.py", 11, "TNT101") in found(result)
