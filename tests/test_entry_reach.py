"""Command-line commands as system code, and which subclasses reach a generic base method."""

from __future__ import annotations

import ast

import libcst as cst

from tenantlint.analysis.frameworks.django import command_base
from tenantlint.analysis.interp.cli_commands import cli_command
from tenantlint.analysis.interp.imports import ImportTable, collect_imports
from tenantlint.analysis.interp.method_refs import ANY, chain_to, module_method_refs, reached


def _imports(src: str) -> ImportTable:
    return collect_imports(cst.parse_module(src))


def test_click_typer_and_flask_cli_commands_are_recognised() -> None:
    click_file = _imports("import click\nfrom flask.cli import AppGroup\n")
    assert cli_command(["manager.command"], click_file) == "manager.command"
    assert cli_command(["click.command"], click_file) == "click.command"
    assert cli_command(["command"], _imports("from click import command\n")) == "command"
    assert cli_command(["app.command"], _imports("import typer\n")) == "app.command"
    assert cli_command(["app.cli.command"], _imports("from flask import Flask\n")) == "app.cli.command"


def test_command_look_alikes_are_not_commands() -> None:
    plain = _imports("import discord\n")
    assert cli_command(["bot.command"], plain) is None  # a chat bot's command runs on a user's message
    assert cli_command(["manager.route"], _imports("import click\n")) is None
    assert cli_command([], _imports("import click\n")) is None


def test_django_command_classes_are_recognised_through_their_bases() -> None:
    base = "django.core.management.base.BaseCommand"
    assert command_base(("app.lib.management.ZulipBase", base)) == base
    assert command_base(("django.core.management.LabelCommand",)) == "django.core.management.LabelCommand"
    assert command_base(("app.commands.BaseCommand",)) is None  # the project's own class of that name
    assert command_base(("rest_framework.views.APIView",)) is None


def test_method_refs_name_the_classes_a_method_is_spelled_on() -> None:
    tree = ast.parse(
        "from app import services\n"
        "from app.services import LLMService\n"
        "class DocService(Base):\n"
        "    @classmethod\n"
        "    def touch(cls):\n"
        "        return cls.get_by_id(1)\n"
        "def f():\n"
        "    LLMService.get_all()\n"
        "    services.get_all()\n"  # a module's function, not a method
        "    svc = pick()\n"
        "    svc.get_by_id(2)\n"
    )
    refs = module_method_refs(tree)
    assert refs["get_all"] == "LLMService"
    assert set(refs["get_by_id"].split(",")) == {"DocService", ANY}


def test_a_subclass_reaches_a_base_method_only_through_its_spellings() -> None:
    bases = {"m.A": "m.Base", "m.B": "m.Base", "m.C": "m.B"}
    refs = {"get_all": "A", "count": "Base|C", "load": "A,*"}
    assert reached(refs, "get_all", chain_to(bases, "A", "Base"))
    assert not reached(refs, "get_all", chain_to(bases, "B", "Base"))
    assert reached(refs, "count", chain_to(bases, "B", "Base"))  # ``cls.count()`` in the base
    assert reached(refs, "load", chain_to(bases, "B", "Base"))  # spelled on a variable too
    assert reached(refs, "never_called", chain_to(bases, "B", "Base"))  # no caller known
    assert chain_to(bases, "C", "Base") == ["C", "B", "Base"]
