"""Instance types of class members, for calls through attributes (``analysis/interp/member_types.py``)."""

from __future__ import annotations

import ast
import textwrap

from tenantlint.analysis.interp.class_bases import module_class_bases
from tenantlint.analysis.interp.member_types import MemberTypes, module_member_types

REPOS = textwrap.dedent('''
    from functools import cached_property
    from typing import Optional
    from .ratings import Ratings

    class Repos:
        def __init__(self, session, group_id=None):
            self.session = session
            self.extra = Ratings(session)

        @cached_property
        def ratings(self) -> Ratings:
            return Ratings(self.session)

        @property
        def recipes(self):
            return Recipes(self.session)

        @property
        def either(self):
            if self.session:
                return Ratings(self.session)
            return Recipes(self.session)

    class Recipes:
        def get_one(self, pk):
            return pk

    def get_repos(session) -> "Optional[Repos]":
        return Repos(session)
''')

BASE = textwrap.dedent('''
    from fastapi import Depends
    from app.repos import Repos, Recipes

    class Base:
        _repos: Repos | None = None
        service = Depends(Recipes)

        @property
        def repos(self):
            return self._repos

    class Controller(Base):
        pass
''')

RATINGS = textwrap.dedent('''
    class Ratings:
        def get_by_user(self, user_id):
            return user_id
''')


def _types() -> MemberTypes:
    table: dict[str, str] = {}
    bases: dict[str, str] = {}
    for rel, text in (("app/repos.py", REPOS), ("app/base.py", BASE), ("app/ratings.py", RATINGS)):
        tree = ast.parse(text)
        table.update(module_member_types(rel, tree))
        bases.update(module_class_bases(rel, tree))
    return MemberTypes(table, bases)


def test_members_record_their_classes() -> None:
    types = _types()
    assert types.attribute_type("app.repos.Repos", "ratings") == "app.ratings.Ratings"
    assert types.attribute_type("app.repos.Repos", "recipes") == "app.repos.Recipes"
    assert types.attribute_type("app.repos.Repos", "extra") == "app.ratings.Ratings"
    assert types.attribute_type("app.repos.Repos", "either") is None  # two classes: unknown
    assert types.attribute_type("app.repos.Repos", "session") is None  # a plain parameter


def test_inherited_members_and_self_references() -> None:
    types = _types()
    assert types.attribute_type("app.base.Controller", "repos") == "app.repos.Repos"  # via _repos
    assert types.attribute_type("app.base.Controller", "service") == "app.repos.Recipes"  # Depends
    assert types.method("app.ratings.Ratings", "get_by_user") == "app.ratings.Ratings.get_by_user"
    assert types.method("app.base.Controller", "repos") is None  # a property, not a method


def test_function_results() -> None:
    types = _types()
    assert types.returned_type("app.repos.get_repos") == "app.repos.Repos"
    assert types.returned_type("app.repos.Recipes") == "app.repos.Recipes"  # a constructor
    assert types.returned_type("app.repos.Recipes.get_one") is None
