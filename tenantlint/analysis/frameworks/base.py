"""What a web framework plugs into the engine: which functions are handlers, and what is input.

A framework module exposes one ``Framework`` object; ``tenantlint.analysis.frameworks.registry``
lists them. The core never names a framework.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

import libcst as cst

from tenantlint.analysis.interp.values import Value

if TYPE_CHECKING:
    from tenantlint.analysis.interp.evaluator import Evaluator
    from tenantlint.analysis.interp.file_context import FileContext

# Source kinds of request input. TNT201 applies to the first four.
BODY = "request body"
QUERY = "query string"
FORM = "form"
HEADERS = "headers"
COOKIES = "cookies"
PATH = "URL path parameter"
TNT201_KINDS = frozenset({BODY, QUERY, FORM, HEADERS})


@dataclass(frozen=True, slots=True)
class ClassInfo:
    """The class a method is defined in, as far as one file tells."""

    name: str
    bases: tuple[str, ...]  # qualified base names through the file's imports
    node: cst.ClassDef


@dataclass(frozen=True)
class HandlerInfo:
    name: str
    framework: str
    params: Mapping[str, Value] = field(default_factory=dict)  # initial values of parameters
    request_names: frozenset[str] = frozenset({"request"})  # names bound to the request object
    # Parameters made trusted by a membership-check decorator.
    verified: frozenset[str] = frozenset()
    # Tenant keys read by the handler's signature itself (a FastAPI ``org_id: int = Query()``):
    # (parameter node, key, input kind); reported as TNT201 at the parameter.
    reads: tuple[tuple[cst.CSTNode, str, str], ...] = ()


class Framework(Protocol):
    name: str

    def handler(
        self, ctx: FileContext, fn: cst.FunctionDef, cls: ClassInfo | None
    ) -> HandlerInfo | None:
        """A HandlerInfo when ``fn`` is a request handler of this framework."""
        ...

    def request_attribute(self, attr: str) -> str | None:
        """The input kind of ``request.<attr>`` (``POST`` -> form), None when not input."""
        ...

    def request_method(self, method: str) -> str | None:
        """The input kind of ``request.<method>()`` (``get_json`` -> body), None when not input."""
        ...

    def view_class(self, ctx: FileContext, cls: ClassInfo) -> bool:
        """True when the class is a class-based view / viewset that serves ``queryset``/``model``."""
        ...

    def attribute(self, ev: Evaluator, node: cst.Attribute) -> Value | None:
        """The value of an attribute this framework knows (``self.kwargs``), else None.

        Called before the generic evaluation; must not evaluate sub-expressions with side effects
        unless it returns a value.
        """
        ...

    def call(self, ev: Evaluator, node: cst.Call) -> Value | None:
        """The value of a call this framework knows (``serializer.save()``), else None.

        Same contract as ``attribute``: no side effects unless a value is returned.
        """
        ...


class FrameworkBase:
    """Defaults for the optional hooks of :class:`Framework`: a framework overrides what it knows."""

    def view_class(self, ctx: FileContext, cls: ClassInfo) -> bool:
        return False

    def attribute(self, ev: Evaluator, node: cst.Attribute) -> Value | None:
        return None

    def call(self, ev: Evaluator, node: cst.Call) -> Value | None:
        return None

    def request_method(self, method: str) -> str | None:
        return None
