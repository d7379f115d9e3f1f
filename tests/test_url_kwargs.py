"""The pre-pass reader of the URL keyword arguments each view is routed with (``index/url_kwargs.py``)."""

from __future__ import annotations

import ast
import textwrap

from tenantlint.index.url_kwargs import closed_url_kwargs, view_url_kwargs


def _read(src: str) -> dict[str, str]:
    return view_url_kwargs(ast.parse(textwrap.dedent(src)))


def test_path_and_re_path_parameters_and_extra_kwargs() -> None:
    table = _read("""
        from django.urls import include, path, re_path
        from app import views
        urlpatterns = [
            path("anchor/<str:anchor>/issues/<uuid:issue_id>/", views.ReactionViewSet.as_view({"get": "x"})),
            path("anchor/<anchor>/", views.ReactionViewSet.as_view({"delete": "destroy"}), {"kind": "x"}),
            re_path(r"^boards/(?P<board>[0-9]+)/(\\d+)/$", BoardView.as_view()),
            path("me/", MeView.as_view()),
        ]
    """)
    assert closed_url_kwargs(table, "ReactionViewSet") == {"anchor", "issue_id", "kind"}
    assert closed_url_kwargs(table, "BoardView") == {"board"}
    assert closed_url_kwargs(table, "MeView") == frozenset()  # routed, with no parameter at all
    assert closed_url_kwargs(table, "NeverRouted") is None


def test_routes_not_read_leave_the_view_open() -> None:
    table = _read("""
        from django.urls import path
        from rest_framework.routers import DefaultRouter
        router = DefaultRouter()
        router.register("cycles", CycleViewSet)
        held = PageView.as_view()
        urlpatterns = [
            path("pages/", PageView.as_view()),
            path(PREFIX + "<slug>/", LabelView.as_view()),
            path("x/", ExtraView.as_view(), extra_kwargs),
            path("cycles/<int:pk>/", CycleViewSet.as_view({"get": "retrieve"})),
        ]
    """)
    for view in ("CycleViewSet", "PageView", "LabelView", "ExtraView"):
        assert closed_url_kwargs(table, view) is None, view


def test_include_prefixes_reach_every_view_but_a_router_s() -> None:
    urls = _read("""
        from django.urls import include, path
        from rest_framework.routers import DefaultRouter
        router = DefaultRouter()
        urlpatterns = [
            path("workspaces/<str:slug>/", include(router.urls)),
            path("orgs/<int:org_id>/", include("app.org_urls")),
        ]
    """)
    views = _read("""
        from django.urls import path
        urlpatterns = [path("anchor/<str:anchor>/", ReactionView.as_view())]
    """)
    table = {**views, **urls}
    assert closed_url_kwargs(table, "ReactionView") == {"anchor", "org_id"}
    opened = _read("""
        from django.urls import include, path
        urlpatterns = [path(prefix, include("app.urls"))]
    """)
    assert closed_url_kwargs({**views, **opened}, "ReactionView") is None


def test_format_suffix_patterns_give_every_view_a_format() -> None:
    views = _read("""
        from django.urls import path
        from rest_framework.urlpatterns import format_suffix_patterns
        urlpatterns = format_suffix_patterns([path("boards/", BoardView.as_view())])
    """)
    assert closed_url_kwargs(views, "BoardView") == {"format"}
