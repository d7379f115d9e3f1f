"""Project manager/queryset methods filtering by their parameters (``index/manager_methods.py``) and
the calls judged with the caller's arguments bound (``analysis/orm/manager_calls.py``)."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

from tenantlint.api import check_paths, load_config
from tenantlint.index.manager_methods import Summary, decode, encode, manager_methods, model_managers
from tests.test_crossfn import chdir


def _methods(source: str) -> dict[str, Summary | None]:
    return {k: decode(v) for k, v in manager_methods(ast.parse(textwrap.dedent(source))).items()}


def test_filter_on_self_binds_parameters() -> None:
    found = _methods("""
        class EventManager(models.Manager):
            def latest_for_project(self, project, *, kind=None):
                return self.get_queryset().filter(feature__project=project).order_by("-id").distinct()
    """)
    assert found == {"EventManager.latest_for_project": Summary(("project",), ("kind",),
                                                                (("feature__project", "project"),))}


def test_local_q_only_narrowed_and_kwargs_spread() -> None:
    found = _methods("""
        class StateManager(SoftDeleteManager):
            def live(self, environment, extra=None, **kwargs):
                q = Q(environment=environment, deleted_at__isnull=True)
                if environment.versioned:
                    q &= Q(version__isnull=False)
                if extra:
                    q &= extra
                return self.filter(q, **kwargs)
    """)
    assert found == {"StateManager.live": Summary(("environment", "extra"), (),
                                                  (("environment", "environment"),), spread=True)}


def test_shapes_not_recorded() -> None:
    found = _methods("""
        class StateManager(models.Manager):
            def widened(self, environment):
                q = Q(environment=environment)
                q |= Q(shared=True)
                return self.filter(q)

            def or_in_place(self, environment):
                q = Q(environment=environment)
                q.add(Q(shared=True), Q.OR)
                return self.filter(q)

            def reassigned(self, environment):
                environment = environment.parent
                return self.filter(environment=environment)

            def two_returns(self, environment):
                if environment is None:
                    return self.all()
                return self.filter(environment=environment)

            def no_filter(self, environment):
                return self.order_by("-id")

            def other_model(self, environment):
                return Other.objects.filter(environment=environment)

            def union(self, environment):
                return self.filter(environment=environment).union(self.all())

            @classmethod
            def decorated(cls, environment):
                return cls.objects.filter(environment=environment)

        class NotAManager(Base):
            def for_env(self, environment):
                return self.filter(environment=environment)
    """)
    assert found == {}


def test_kwargs_changed_in_place_are_no_lookups() -> None:
    found = _methods("""
        class StateManager(models.Manager):
            def live(self, environment, **kwargs):
                kwargs.pop("feature_id", None)
                return self.filter(environment=environment, **kwargs)
    """)
    assert found == {"StateManager.live": Summary(("environment",), (), (("environment", "environment"),))}


def test_queryset_class_and_super_get_queryset() -> None:
    found = _methods("""
        class SegmentQuerySet(models.QuerySet["Segment"]):
            def for_project(self, project):
                return self.filter(project=project, deleted=False)

        class SegmentManager(Manager):
            def for_org(self, org):
                return super().get_queryset().filter(project__organisation=org)
    """)
    assert set(found) == {"SegmentQuerySet.for_project", "SegmentManager.for_org"}


def test_model_managers_kinds() -> None:
    tree = ast.parse(textwrap.dedent("""
        class Segment(models.Model):
            objects = SegmentQuerySet.as_manager()
            live = SegmentManager.from_queryset(SegmentQuerySet)()
            plain: SegmentManager = SegmentManager()
            name = models.CharField()
    """))
    assert model_managers(tree) == {"Segment.objects": ",SegmentQuerySet",
                                    "Segment.live": "SegmentManager,SegmentQuerySet",
                                    "Segment.plain": "SegmentManager,"}


def test_encoding_round_trip_and_conflict() -> None:
    s = Summary(("a", "b"), ("c",), (("x__y", "a"), ("z", "c")), spread=True)
    assert decode(encode(s)) == s
    assert decode(f"{encode(s)}|{encode(s)}") == s
    assert decode(f"{encode(s)}|{encode(Summary(('a',), (), (('x', 'a'),)))}") is None


FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "django_manager_methods"

HEAD = """
    from flags.models import Environment, Event, FeatureState, Project, Segment

"""


def _leaks(views: str) -> set[int]:
    return {i for i, line in enumerate(textwrap.dedent(views).splitlines(), 1) if "# leak" in line}


def _lines(tmp_path: Path, views: str) -> set[int]:
    app = tmp_path / "app"
    (app / "flags").mkdir(parents=True)
    for f in (FIXTURE / "flags").iterdir():
        if f.suffix == ".py" and f.name != "views.py":
            (app / "flags" / f.name).write_text(f.read_text())
    (app / "tenantlint.toml").write_text((FIXTURE / "tenantlint.toml").read_text())
    (app / "flags" / "views.py").write_text(textwrap.dedent(views))
    with chdir(app):
        result = check_paths([Path(".")], load_config(app))
    return {f.line for f in result.findings if f.path.endswith("views.py")}


def test_manager_call_judged_with_the_callers_arguments(tmp_path: Path) -> None:
    views = HEAD + """
    def by_keyword(request):
        return FeatureState.objects.get_live(environment=request.environment)

    def by_position_with_extra_lookups(request, feature_id):
        return FeatureState.objects.get_live(request.environment, None, feature_id=feature_id).first()

    def default_left_out(request):
        return FeatureState.objects.get_live(**request.GET.dict())  # leak

    def request_value(request):
        return FeatureState.objects.get_live(environment=request.GET["env"])  # leak

    def queryset_method_on_a_chain(request):
        return Segment.objects.filter(deleted=False).for_project(request.environment.project)

    def not_a_filtering_method(request):
        return FeatureState.objects.recent(request.environment)  # leak

    def unknown_method(request):
        return Event.objects.somewhere(request.environment.project)  # leak
    """
    assert _lines(tmp_path, views) == _leaks(views)


def test_a_method_defined_twice_differently_is_not_read(tmp_path: Path) -> None:
    (tmp_path / "app" / "other").mkdir(parents=True)
    (tmp_path / "app" / "other" / "managers.py").write_text(textwrap.dedent("""
        from django.db import models

        class EventManager(models.Manager):
            def latest_for_project(self, project):
                return self.filter(owner=project)
    """))
    views = HEAD + """
    def events(request):
        return Event.objects.latest_for_project(request.environment.project)  # leak
    """
    assert _lines(tmp_path, views) == _leaks(views)
