"""Serializers the project builds only for the authenticated user (``index/caller_serializers.py``)."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

from tenantlint.config.patterns import PatternSet
from tenantlint.index.caller_serializers import caller_serializers, represents_caller
from tests.test_crossfn import found, run

TRUSTED = PatternSet.compile(["request.user.*", "self.request.user.*", "current_user.*"])


def read(src: str) -> dict[str, str]:
    return caller_serializers(ast.parse(textwrap.dedent(src)), TRUSTED)


def test_constructions_for_the_caller() -> None:
    assert read('''
        def me(request):
            return MeSerializer(request.user).data

        def settings(self, request):
            return serializers.SettingsSerializer(instance=self.request.user).data
    ''') == {"MeSerializer": "caller", "SettingsSerializer": "caller"}


def test_any_other_use_spoils_it() -> None:
    found = read('''
        class View(APIView):
            serializer_class = ListedSerializer

        class Sub(BaseSerializer):
            pass

        def me(request):
            a = ListedSerializer(request.user).data
            b = ManySerializer(request.user, many=True).data
            c = OtherSerializer(request.user.workspace).data
            d = BaseSerializer(request.user).data
            e = SpreadSerializer(request.user, **options).data
            f = NamedSerializer(request.user).data

        SERIALIZERS = {"user": "app.serializers.NamedSerializer"}
    ''')
    assert set(found.values()) == {"other"}
    assert set(found) == {"ListedSerializer", "BaseSerializer", "ManySerializer", "OtherSerializer",
                          "SpreadSerializer", "NamedSerializer"}


def test_every_file_must_agree() -> None:
    assert represents_caller("caller|caller")
    assert not represents_caller("caller|other")
    assert not represents_caller(None)


MODELS = """
from django.db import models

from app.models import Organization


class User(models.Model):
    email = models.EmailField(unique=True)


class Invite(models.Model):
    org = models.ForeignKey(Organization, on_delete=models.CASCADE)
    email = models.EmailField()
"""


def test_the_object_of_a_serializer_built_only_for_the_caller_is_the_caller(tmp_path: Path) -> None:
    result = run(tmp_path, {"app/users.py": MODELS, "app/views.py": """
        from rest_framework import serializers

        from app.users import Invite, User


        class MeSerializer(serializers.ModelSerializer):
            invites = serializers.SerializerMethodField()

            class Meta:
                model = User
                fields = ["email", "invites"]

            def get_invites(self, obj):
                return Invite.objects.filter(email=obj.email).count()


        class CardSerializer(serializers.ModelSerializer):
            invites = serializers.SerializerMethodField()

            class Meta:
                model = User
                fields = ["email", "invites"]

            def get_invites(self, obj):
                return Invite.objects.filter(email=obj.email).count()


        def me(request):
            return MeSerializer(request.user).data


        def card(request):
            other = User.objects.get(pk=request.GET["user"])
            return [CardSerializer(request.user).data, CardSerializer(other).data]
        """})
    # Only the serializer also built for a user the client names reads anybody's invitations.
    assert found(result) == [("app/views.py", 25, "TNT101")]
