"""Forwarding decorators: project decorators that only wrap leave the decorated function's callers
as they are (``index/forwarding.py``)."""

from __future__ import annotations

import ast
import textwrap

import pytest

from tenantlint.index.forwarding import FACTORY, PLAIN, forwarding_decorators


def kinds(source: str) -> dict[str, str]:
    return forwarding_decorators("app.deco", ast.parse(textwrap.dedent(source)))


def test_caching_factory_and_plain_wrapper_forward() -> None:
    found = kinds("""
        import functools
        from functools import wraps

        def cache_with_key(keyfunc, timeout=None):
            def decorator(func):
                @wraps(func)
                def with_caching(*args, **kwargs):
                    key = keyfunc(*args, **kwargs)
                    if key in CACHE:
                        return CACHE[key]
                    value = func(*args, **kwargs)
                    CACHE[key] = value
                    return value
                return with_caching
            return decorator

        def logged(func):
            @functools.wraps(func)
            def wrapper(*a, **kw):
                log("calling")
                return func(*a, **kw)
            return wrapper
    """)
    assert found == {"app.deco.cache_with_key": FACTORY, "app.deco.logged": PLAIN}


@pytest.mark.parametrize("source", [
    # stores the function: a registration
    """
    def register(func):
        REGISTRY.append(func)
        @wraps(func)
        def wrapper(*args, **kwargs):
            return func(*args, **kwargs)
        return wrapper
    """,
    # injects an argument: the callers' arguments are not the function's
    """
    def with_user(func):
        @wraps(func)
        def wrapper(request, *args, **kwargs):
            return func(request, request.user, *args, **kwargs)
        return wrapper
    """,
    # adds a keyword
    """
    def with_flag(func):
        def wrapper(*args, **kwargs):
            return func(*args, flag=True, **kwargs)
        return wrapper
    """,
    # reads the function's attributes
    """
    def timed(func):
        def wrapper(*args, **kwargs):
            print(func.__name__)
            return func(*args, **kwargs)
        return wrapper
    """,
    # returns the function itself after registering it by name
    """
    def on_event(name):
        def register(func):
            HANDLERS[name] = func
            return func
        return register
    """,
    # returns something else than its wrapper
    """
    def swap(func):
        def wrapper(*args, **kwargs):
            return func(*args, **kwargs)
        return other
    """,
    # never calls the function
    """
    def drop(func):
        def wrapper(*args, **kwargs):
            return None
        return wrapper
    """,
])
def test_decorators_doing_more_than_forwarding_are_not_forwarding(source: str) -> None:
    assert kinds(source) == {}
