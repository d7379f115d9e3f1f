"""View classes of a web framework, and the only methods that framework calls on a subclass.

A DRF ``APIView``/``GenericAPIView``/viewset, a Django ``View`` or a Flask ``MethodView``/Flask-RESTful
``Resource`` calls a subclass's methods by a fixed set of names: the HTTP verbs it dispatches
(``getattr(self, request.method.lower())``), the generic actions a router or an ``as_view({...})``
mapping names (``list``, ``create``, ...), and its own hooks (``get_queryset``, ``perform_create``,
``check_permissions``, ...). A method of another name on a class whose bases outside the project
are all such view classes is called only by code naming it (``crossfn/reach.py``): an extra action
is registered by its decorator (``@action``), and a mapping ``as_view({"get": "archived"})`` names it
in a string, both of which keep it reached.

A view instance is made by the framework for one request and reaches project code only as ``self``
in its own class's methods and as the ``view`` the framework hands its hooks: so a method of such
a class is not taken as returned by a ``getattr(obj, op)()`` by a computed name on an object of
unknown class (``records.ANY_METHOD``), only by one on ``self`` in a related class or on a value
spelled ``view`` (:data:`VIEW_RECEIVER`).
"""

from __future__ import annotations

_DRF = ("rest_framework.views.APIView", "rest_framework.generics.GenericAPIView")
_DRF_GENERICS = tuple(f"rest_framework.generics.{name}" for name in (
    "CreateAPIView", "ListAPIView", "RetrieveAPIView", "DestroyAPIView", "UpdateAPIView",
    "ListCreateAPIView", "RetrieveUpdateAPIView", "RetrieveDestroyAPIView",
    "RetrieveUpdateDestroyAPIView"))
_DRF_VIEWSETS = tuple(f"rest_framework.viewsets.{name}" for name in (
    "ViewSetMixin", "ViewSet", "GenericViewSet", "ReadOnlyModelViewSet", "ModelViewSet"))
_DRF_MIXINS = tuple(f"rest_framework.mixins.{name}" for name in (
    "CreateModelMixin", "ListModelMixin", "RetrieveModelMixin", "UpdateModelMixin",
    "DestroyModelMixin"))
_DJANGO = ("django.views.View", "django.views.generic.View", "django.views.generic.base.View")
_FLASK = ("flask.views.View", "flask.views.MethodView", "flask_restful.Resource",
          "flask_restx.Resource")

# Qualified names (through the file's imports) of the framework view classes known here
VIEW_CLASSES = frozenset((*_DRF, *_DRF_GENERICS, *_DRF_VIEWSETS, *_DRF_MIXINS, *_DJANGO, *_FLASK))

# Every method name one of those classes calls on ``self`` (or dispatches to by name), whichever
# class it is: one set, so a class mixing several of them is covered too.
VIEW_CALLS = frozenset({
    # HTTP verbs (Django's and Flask's dispatch, DRF's through Django's)
    "get", "post", "put", "patch", "delete", "head", "options", "trace",
    # Django View
    "setup", "dispatch", "http_method_not_allowed", "as_view", "_allowed_methods",
    # DRF APIView
    "allowed_methods", "default_response_headers", "permission_denied", "throttled",
    "get_authenticate_header", "get_parser_context", "get_renderer_context",
    "get_exception_handler_context", "get_view_name", "get_view_description", "get_format_suffix",
    "get_renderers", "get_parsers", "get_authenticators", "get_permissions", "get_throttles",
    "get_content_negotiator", "get_exception_handler", "perform_content_negotiation",
    "perform_authentication", "check_permissions", "check_object_permissions", "check_throttles",
    "determine_version", "initialize_request", "initial", "finalize_response", "handle_exception",
    "raise_uncaught_exception",
    # DRF GenericAPIView (and the schema generators reading it)
    "get_queryset", "get_object", "get_serializer", "get_serializer_class",
    "get_serializer_context", "filter_queryset", "paginator", "paginate_queryset",
    "get_paginated_response", "get_paginated_response_schema",
    # DRF mixins and viewsets
    "create", "perform_create", "get_success_headers", "list", "retrieve", "update",
    "perform_update", "partial_update", "destroy", "perform_destroy", "reverse_action",
    "get_extra_actions", "get_extra_action_url_map",
    # Flask View / MethodView / Flask-RESTful Resource
    "dispatch_request",
})


# The name a view instance goes by outside its own methods: the ``view`` argument of the framework's
# hooks (``has_permission(self, request, view)``, ``paginate_queryset(qs, request, view)``) and the
# ``"view"`` entry of a serializer's or renderer's context. A ``getattr(view, op)()`` by a computed
# name is counted under it (``index/string_names.py``): it may run any method of any view.
VIEW_RECEIVER = "view"


def framework_calls(name: str) -> bool:
    """A known view class may call a subclass's method of this name."""
    return name in VIEW_CALLS or (name.startswith("__") and name.endswith("__"))
