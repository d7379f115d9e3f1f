"""Call sites in system code the analysis does not read: migrations, and ``system_paths`` files it
did not analyse in this run (excluded, outside the checked paths, or skipped by the prefilter).

A function whose every caller is system code runs in system scope itself (``crossfn/combine.py``,
``Combiner.system_helpers``): a helper only a data migration calls reads every tenant's rows on
purpose. Those callers sit in files the analysis never walks (the default ``exclude`` holds
migrations), so only the names they call are collected here, cheaply: a file is read only when it
spells the name of a project function worth it (one with a finding of its own, or a caller of one)
followed by ``(``, and parsed (CPython ``ast``) only then; a call counts when its name is bound by an
import (``from app.lib import fix``, ``import app.lib as lib; lib.fix(...)``), never by name alone.
Tests are never callers. Such a call site passes no request input: it binds nothing (``args=()``).
"""

from __future__ import annotations

import ast
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from tenantlint.analysis.source.ast_imports import bound_names, is_package_init
from tenantlint.config.options import DEFAULT_EXCLUDE, Config
from tenantlint.crossfn.enclosing import Enclosing
from tenantlint.crossfn.records import Callees, Site
from tenantlint.files import excluded, module_name, walk_rel
from tenantlint.results import UNVERIFIABLE, FileResult
from tenantlint.safeio import UnsafeFileError, read_regular

MIGRATIONS = ("**/migrations/**",)  # excluded by default; their code is system code wherever it is
# not walked for system files: the default ``exclude`` but migrations (tests, which are never
# callers, virtualenvs, build output, ...)
PRUNED = tuple(p for p in DEFAULT_EXCLUDE if p not in MIGRATIONS)
IN_MIGRATION = "in a migration ({path})"
# What system code does not report (it is walked in system scope): a missing or weakened tenant
# filter, request input as a tenant, an insert without its tenant, SQL built at run time (whatever
# tables it names, system code reads every tenant's rows on purpose).
SYSTEM_CODES = frozenset({"TNT101", "TNT102", "TNT103", "TNT104", "TNT105", "TNT301"})
# Audit scopings of the queries those findings are about: listed as system scope there instead.
SYSTEM_SCOPINGS = frozenset({"unscoped", "weakened", "untrusted-filter", UNVERIFIABLE})
IN_SYSTEM_FILE = "in a system_paths file ({path})"


@dataclass(frozen=True, slots=True)
class SystemCalls:
    """Call sites found in system files, and why each calling function is system code."""

    sites: tuple[Site, ...] = ()
    reasons: Mapping[str, str] | None = None  # caller qualified name -> "in a migration (path)"


def wanted(results: Sequence[FileResult]) -> dict[str, set[str]]:
    """Functions worth a system caller, by last name -> the names a calling file must also spell
    (its module's last part, or its class): those holding a finding system code would not have, and,
    transitively, the functions that call them (no handler: a handler is never system code)."""
    funcs = {s.qualname: s for r in results for s in r.summaries}
    lines: dict[str, list[int]] = {}
    for r in results:
        for f in r.findings:
            if f.code in SYSTEM_CODES:
                lines.setdefault(f.path, []).append(f.line)
    callees = Callees(funcs)
    enclosing = Enclosing(funcs.values())  # a call in a nested function is its enclosing function's
    callers: dict[str, set[str]] = {}
    for r in results:
        for site in r.calls:
            target = callees.resolve(site.callee)
            caller = enclosing.caller(site)
            if target is not None and caller is not None:
                callers.setdefault(target, set()).add(caller)
    todo = [q for q, s in funcs.items() if s.handler is None and not s.system
            and any(s.line <= line <= s.end for line in lines.get(s.path, ()))]
    seen = set(todo)
    while todo:
        for caller in callers.get(todo.pop(), ()):
            fn = funcs.get(caller)
            if fn is not None and fn.handler is None and caller not in seen:
                seen.add(caller)
                todo.append(caller)
    out: dict[str, set[str]] = {}
    for q in seen:
        parts = q.rsplit(".", 2)
        out.setdefault(parts[-1], set()).add(parts[-2] if len(parts) > 1 else "")
    return out


def system_files(config: Config, cwd: Path, analysed: set[str]) -> list[tuple[str, str, str]]:
    """``(path as reported, absolute path, reason)`` of the project's system files not in
    ``analysed`` (paths as reported): under ``system_paths`` or a migrations folder, excluded or not,
    never a test. What the default ``exclude`` holds (tests, virtualenvs, build output, ``.git``) is
    not walked, migrations aside; what only the project's ``exclude`` names is (``files.walk_rel``:
    links followed only inside the project)."""
    out: list[tuple[str, str, str]] = []
    for rel, path in walk_rel(config.root, PRUNED, (".py",)):
        migration = excluded(rel, MIGRATIONS)
        if not migration and not excluded(rel, config.system_paths):
            continue
        shown = os.path.relpath(path, cwd).replace(os.sep, "/")
        if shown not in analysed:
            why = IN_MIGRATION if migration else IN_SYSTEM_FILE
            out.append((shown, path, why.format(path=shown)))
    return sorted(out)


def collect(config: Config, results: Sequence[FileResult], cwd: Path | None = None) -> SystemCalls:
    """The call sites of wanted project functions in system files this run did not analyse."""
    names = wanted(results)
    if not names:
        return SystemCalls()
    analysed = {r.path for r in results if not r.skipped}
    sites: list[Site] = []
    reasons: dict[str, str] = {}
    for shown, path, reason in system_files(config, cwd or Path.cwd(), analysed):
        found = _calls(shown, path, names, config.max_file_bytes)
        for site in found:
            reasons[site.caller or ""] = reason
        sites.extend(found)
    return SystemCalls(tuple(sites), reasons)


def _calls(shown: str, path: str, names: Mapping[str, set[str]], config_bytes: int) -> list[Site]:
    from tenantlint.runner import called_names

    try:
        data = read_regular(path, config_bytes)
    except (OSError, UnsafeFileError):
        return []
    text = data.decode("utf-8", "replace")
    hits = called_names(text, names)
    if not any(owner in text for name in hits for owner in names[name]):
        return []
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    module = module_name(shown)
    bound = bound_names(tree, module, everywhere=True, package_init=is_package_init(shown))
    out: list[Site] = []
    for caller, call in _calls_in(tree, module):
        callee = _callee(call.func, bound)
        if callee is not None and callee.rsplit(".", 1)[-1] in hits:
            out.append(Site(callee, shown, call.lineno, caller, None, False, False, (), system=True))
    return out


def _calls_in(tree: ast.Module, module: str) -> Iterable[tuple[str, ast.Call]]:
    """Every call with the qualified name of the function it is in (the module at top level)."""
    stack: list[tuple[ast.AST, str]] = [(tree, module)]
    while stack:
        node, scope = stack.pop()
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                stack.append((child, f"{scope}.{child.name}"))
                continue
            if isinstance(child, ast.Call):
                yield scope, child
            stack.append((child, scope))


def _callee(func: ast.expr, bound: Mapping[str, str]) -> str | None:
    """``fix`` -> ``app.lib.fix_unreads.fix`` when an import binds ``fix``; ``lib.fix`` likewise
    through a module import; anything else (a local, a parameter, ``self``) resolves to nothing."""
    parts: list[str] = []
    while isinstance(func, ast.Attribute):
        parts.append(func.attr)
        func = func.value
    if not isinstance(func, ast.Name) or func.id not in bound:
        return None
    return ".".join([bound[func.id], *reversed(parts)])

