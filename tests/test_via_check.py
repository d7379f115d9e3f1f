"""A fetched row checked through the parent its tenancy comes through (``interp/via_check.py``)."""

from __future__ import annotations

from pathlib import Path

from tests.small_project import flagged_lines

MODELS = """
from django.db import models


class Org(models.Model):
    name = models.CharField(max_length=40)


class Member(models.Model):
    org = models.ForeignKey(Org, on_delete=models.CASCADE)


class Board(models.Model):
    org = models.ForeignKey(Org, on_delete=models.CASCADE)


class Card(models.Model):
    board = models.ForeignKey(Board, on_delete=models.CASCADE)
    author = models.ForeignKey(Member, null=True, on_delete=models.SET_NULL)


class Note(models.Model):
    card = models.ForeignKey(Card, on_delete=models.CASCADE)


class Invite(models.Model):
    org = models.ForeignKey(Org, on_delete=models.CASCADE)
    sender = models.ForeignKey(Member, on_delete=models.CASCADE)
"""

VIEWS = """
from django.core.exceptions import PermissionDenied

from .models import Card, Invite, Note


def card_view(request, card_id):
    card = Card.objects.get(id=card_id)
    if card.board.org_id != request.user.org_id:
        raise PermissionDenied
    return card


def card_by_author(request, card_id):
    card = Card.objects.get(id=card_id)
    if card.author.org_id != request.user.org_id:
        raise PermissionDenied
    return card


def note_view(request, note_id):
    note = Note.objects.get(id=note_id)
    if note.card.board_id != request.user.org_id:
        raise PermissionDenied
    return note


def invite_view(request, invite_id):
    invite = Invite.objects.get(id=invite_id)
    if invite.sender.org != request.user.org:
        raise PermissionDenied
    return invite


def invite_by_chosen_org(request, invite_id):
    invite = Invite.objects.get(id=invite_id)
    if invite.sender.org_id != int(request.POST["org_id"]):
        raise PermissionDenied
    return invite
"""


def _flagged(tmp_path: Path) -> list[int]:
    return flagged_lines(tmp_path, 'tenant_columns = ["org_id"]\nglobal_tables = ["Org"]\n',
                         {"app/__init__.py": "", "app/models.py": MODELS, "app/views.py": VIEWS})


def test_a_foreign_key_to_a_tenant_row_checks_the_row(tmp_path: Path) -> None:
    lines = _flagged(tmp_path)
    assert 7 not in lines  # card.board.org_id: the card's tenant is its board's
    assert 14 not in lines  # card.author.org_id: a member of the card's org (no row points across)
    assert 21 in lines  # note.card.board_id: a board id compared with an org id
    assert 28 not in lines  # invite.sender.org: the sender is of the invite's org
    assert 35 in lines  # invite.sender.org_id against an org id the client chose
