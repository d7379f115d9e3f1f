"""A fetched row passed to a check named in ``membership_checks`` (``interp/declared_checks.py``)."""

from __future__ import annotations

from pathlib import Path

from tests.small_project import flagged_lines

MODELS = """
from django.db import models


class Org(models.Model):
    name = models.CharField(max_length=40)


class Board(models.Model):
    org = models.ForeignKey(Org, on_delete=models.CASCADE)
"""

VIEWS = """
from django.core.exceptions import PermissionDenied

from .models import Board
from .rules import can_see, ensure_can_see, is_recent


def shown(request, board_id):
    board = Board.objects.get(id=board_id)
    if not can_see(request.user, board):
        raise PermissionDenied
    return board


def ensured(request, board_id):
    board = Board.objects.get(id=board_id)
    ensure_can_see(request.user, board)
    return board


def logged(request, board_id):
    board = Board.objects.get(id=board_id)
    if not can_see(request.user, board):
        print("denied")
    return board


def unnamed(request, board_id):
    board = Board.objects.get(id=board_id)
    if not is_recent(request.user, board):
        raise PermissionDenied
    return board


def chosen_user(request, board_id):
    board = Board.objects.get(id=board_id)
    if not can_see(request.GET["user"], board):
        raise PermissionDenied
    return board


def kept(request, board_id):
    board = Board.objects.get(id=board_id)
    ok = can_see(request.user, board)
    return board, ok
"""


def _flagged(tmp_path: Path, checks: str) -> list[int]:
    config = f'tenant_columns = ["org_id"]\nglobal_tables = ["Org"]\nmembership_checks = [{checks}]\n'
    return flagged_lines(tmp_path, config, {
        "app/__init__.py": "", "app/models.py": MODELS, "app/views.py": VIEWS,
        "app/rules.py": "from external import can_see, ensure_can_see, is_recent\n"})


def test_a_named_check_whose_no_leaves_checks_the_row(tmp_path: Path) -> None:
    lines = _flagged(tmp_path, '"can_see", "ensure_can_see"')
    assert 8 not in lines  # if not can_see(request.user, board): raise
    assert 15 not in lines  # ensure_can_see(request.user, board) as a statement
    assert 21 in lines  # the "no" only logged
    assert 28 in lines  # is_recent is no configured check
    assert 35 in lines  # checked for a user the client names
    assert 42 in lines  # the answer kept, not acted on


def test_without_the_configuration_nothing_is_checked(tmp_path: Path) -> None:
    lines = _flagged(tmp_path, "")
    assert {8, 15}.issubset(lines)
