"""Command-line commands: functions an operator runs from a shell, never a tenant's request.

A method of a framework's command class is system code wherever its file is (the framework plug-in
says which classes are: ``FrameworkPlugin.command_class``, Django's ``BaseCommand`` subclasses
through the project's own classes) — a project's shared command base in ``lib/management.py`` as
much as a command under ``management/commands/`` (the default ``system_paths``). ``manage.py`` runs
its ``handle``, which reaches the class's other methods through ``self``.

A function decorated as a command of a command-line framework is system code, as a Django
management command is (``system_paths``): ``@click.command()``, ``@click.group()``, ``@<group>.command()``
or ``@<group>.group()`` in a module that imports ``click`` or ``typer`` (a group built by
``click.group``, an ``AppGroup`` or ``typer.Typer``), and ``@app.cli.command()``. The
walker walks such a function in system scope, with the decorator as the reason, as it does a scheduled
task; the audit lists it among the deliberate bypasses. A request handler is never a command, and the
helpers a command calls are judged at their other call sites as usual.
"""

from __future__ import annotations

from tenantlint.analysis.interp.imports import ImportTable

COMMAND_LINE = "a command-line command: @"  # why the queries of such a function are system code
# likewise, for a method of a command class (``FrameworkPlugin.command_class``)
MANAGEMENT_COMMAND = "a method of a Django management command: "
_FRAMEWORKS = ("click", "typer", "asyncclick", "rich_click")
_ROOTS = frozenset(_FRAMEWORKS)
_VERBS = frozenset({"command", "group"})


def cli_command(decorators: list[str], imports: ImportTable) -> str | None:
    """The decorator (dotted, as written) that makes the function a command-line command, if any."""
    for name in decorators:
        head, _, verb = name.rpartition(".")
        if verb not in _VERBS:
            continue
        if imports.qualify(name).split(".", 1)[0] in _ROOTS:
            return name  # ``@click.command()``, ``from click import command``
        if not head:
            continue
        if head.endswith(".cli") or head == "cli":
            return name  # ``@app.cli.command()``
        if imports.imports_from(*_FRAMEWORKS):
            return name  # ``@manager.command()`` on a group of a command-line library
    return None
