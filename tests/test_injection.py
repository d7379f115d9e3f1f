"""Decorators that pass the wrapped function a trusted value (index/injection.py)."""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from pathlib import Path

from tenantlint.config.patterns import PatternSet
from tenantlint.index.injection import injecting_decorators, parse_injections
from tenantlint.index.records import ProjectIndex
from tenantlint.index.render import render_tables

TRUSTED = PatternSet.compile(["request.user.*", "user_profile.*", "current_user.*"])


def _found(src: str) -> dict[str, str]:
    return injecting_decorators("app.deco", ast.parse(textwrap.dedent(src)), TRUSTED)


def test_wrapper_forwarding_its_trusted_parameter_by_position() -> None:
    assert _found("""
        def require_admin(func):
            def wrapper(request, user_profile, /, *args, **kwargs):
                return func(request, user_profile, *args, **kwargs)
            return wrapper
    """) == {"app.deco.require_admin": "1=user_profile"}


def test_factory_and_keyword_and_local_assigned_from_the_request_user() -> None:
    assert _found("""
        def authenticated(skip=False):
            def decorator(view_func):
                def inner(request, *args, **kwargs):
                    profile = request.user
                    return view_func(request, *args, acting=profile, **kwargs)
                return inner
            return decorator
    """) == {"app.deco.authenticated": "acting=request.user"}


def test_positions_stop_at_star_args_and_untrusted_values_inject_nothing() -> None:
    assert _found("""
        def with_target(func):
            def wrapper(request, realm_id, *args, **kwargs):
                return func(request, realm_id, *args, **kwargs)
            return wrapper

        def shifted(func):
            def wrapper(request, *args, **kwargs):
                return func(request, *args, request.user, **kwargs)
            return wrapper

        def reassigned(func):
            def wrapper(request, *args, **kwargs):
                user = request.user
                if args:
                    user = args[0]
                return func(request, user, *args, **kwargs)
            return wrapper
    """) == {}


def test_plain_functions_and_own_parameters_are_no_injection() -> None:
    # ``callback`` is the wrapper's own parameter, not the function the decorator was handed
    assert _found("""
        def run(func):
            def wrapper(request, callback):
                return callback(request.user)
            return wrapper

        def helper(request):
            return request.user
    """) == {}


def test_same_name_in_two_modules_keeps_what_both_inject() -> None:
    table = parse_injections({"a.deco.admin": "1=user_profile;user=request.user",
                              "b.deco.admin": "1=user_profile", "c.x.other": "2=current_user"})
    assert table == {"admin": {"1": "user_profile"}, "other": {"2": "current_user"}}



def test_tables_lists_the_decorators_that_pass_a_trusted_value() -> None:
    text = render_tables(ProjectIndex(), (), {"app.deco.require_admin": "1=user_profile;acting=request.user"})
    assert "decorators passing a trusted value (1):" in text
    assert "  app.deco.require_admin: position 1 <- user_profile, acting <- request.user" in text
    fixture = Path(__file__).resolve().parent.parent / "fixtures" / "django_realm_views"
    out = subprocess.run([sys.executable, "-m", "tenantlint", "tables"], cwd=fixture,
                         capture_output=True, text=True, check=True).stdout
    assert "realms.decorators.require_realm_admin: position 1 <- user_profile" in out
    assert "with_target" not in out
