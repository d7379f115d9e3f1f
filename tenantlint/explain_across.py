"""``tenantlint explain``: what the cross-function join decided for the id-keyed queries on a line.

For a query keyed only by its function's parameters (an id-keyed helper) the explanation says
whether it is closed over its callers (every call site known, none passing request input: not
reported there) or why it stays reported where it is (``crossfn/closure.py``), and, when the name
of a function on the way is spelled more often than resolved calls use it, where the first
spellings that were not resolved to it are, so that a reader sees which call tenantlint could not
follow.
"""

from __future__ import annotations

import ast
import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from tenantlint.config.options import Config
from tenantlint.crossfn.closure import SPELLED, Blame, describe
from tenantlint.crossfn.combine import Combiner
from tenantlint.crossfn.join import joined_project
from tenantlint.crossfn.shapes import ast_shape, binds, is_method
from tenantlint.results import FileResult

SHOWN = 3  # unresolved spellings listed
WALKS_SHOWN = 8  # reasons listed for the concrete classes of a generic base method
SYSTEM_NOTE = "across functions: system scope, not reported: "


def across_notes(display: str, line: int, results: Sequence[FileResult], counts: dict[str, int] | None,
                 config: Config, files: Iterable[str]) -> list[str]:
    """The notes on the id-keyed queries at ``display:line``, from the project ``check`` joins;
    ``files``: the project's files whose names the counts are of (absolute paths)."""
    project = joined_project(results, counts, config.membership_checks, config)
    combiner = Combiner(project)
    outcome = combiner.run()
    out: list[str] = []
    system = outcome.system.get((display, line)) or outcome.system_reason(display, line)
    if system is not None:  # a helper only system code reaches, or one no product code calls
        out.append(SYSTEM_NOTE + system)
    seen: set[tuple[str, str, tuple[str, ...]]] = set()
    for fn in project.funcs.values():
        if fn.path != display:
            continue
        for q in fn.keyed:
            # a generic base method is walked once per concrete model: one note per query
            if q.line != line or (fn.qualname, q.label, q.keys) in seen:
                continue
            seen.add((fn.qualname, q.label, q.keys))
            keys = ", ".join(q.keys)
            sites = project.sites_of.get(fn.qualname, ())
            head = (f"across functions: {q.label} in {fn.qualname} is keyed only by its parameters "
                    f"({keys}); {len(sites)} resolved call site{'s' if len(sites) != 1 else ''}")
            open_callers = outcome.rows.get((fn.path, q.line))
            if open_callers is not None:
                rows = ", ".join(q.rows)
                out.append(f"{head}; not reported here: it reads the rows of the rows passed as {rows} "
                           f"(a model instance or a queryset, fetched by a query judged where it "
                           f"runs), though "
                           f"{describe(open_callers)}")
                continue
            if all((fn.path, q.line, code) in outcome.removed for code in q.codes):
                out.append(f"{head}; every call site is known: not reported here (a call passing "
                           "request input into a key is reported at that call)")
                continue
            blame = outcome.blames.get((fn.path, q.line))
            if blame is None:
                out.append(f"{head}; reported here")
                continue
            out.append(f"{head}; reported here: {describe(blame)}")
            out.extend(walk_reasons(outcome.walks.get((fn.path, q.line), ())))
            if blame.kind == SPELLED:
                target = project.funcs.get(blame.function)
                if target is not None:
                    resolved = [(s.path, s.line) for sites_of in (project.sites_of, project.refs_of)
                                for q2, found in sites_of.items() if q2.rsplit(".", 1)[-1] == target.name
                                for s in found if not s.system]
                    spots = unresolved_spellings(target.name, files, resolved, target.signature)
                    if spots:
                        out.append(f"  spellings of '{target.name}' not resolved to it: "
                                   + ", ".join(spots[:SHOWN]) + (" ..." if len(spots) > SHOWN else ""))
    return out


def walk_reasons(walks: Sequence[tuple[str, Blame]]) -> list[str]:
    """For a generic base method's query (walked once per concrete class), why each class's walk is
    open, the classes with the same reason on one line; nothing when every walk has one reason (the
    note gives it)."""
    by_reason: dict[str, list[str]] = {}
    for binding, why in walks:
        found = by_reason.setdefault(describe(why), [])
        if binding not in found:
            found.append(binding)
    if len(by_reason) < 2:
        return []
    shown = list(by_reason.items())[:WALKS_SHOWN]
    out = [f"  as {', '.join(classes)}: {reason}" for reason, classes in shown]
    if len(by_reason) > WALKS_SHOWN:
        out.append(f"  ... and {len(by_reason) - WALKS_SHOWN} more reasons")
    return out


def unresolved_spellings(name: str, files: Iterable[str], resolved: Sequence[tuple[str, int]],
                         signature: str = "") -> list[str]:
    """``path:line (spelling)`` of the spellings of ``name`` in each of ``files`` that spells it more
    often (as the project's name counts count) than resolved calls of a function of that name are
    made there, the ones on a line with no such call first; not the calls that cannot bind
    ``signature`` (``crossfn/shapes.py``)."""
    from tenantlint.prepass import _class_level, name_counts

    word = re.compile(rf"\b{re.escape(name)}\b")
    out: list[str] = []
    cwd = Path.cwd()
    for path in sorted(files):
        try:
            text = Path(path).read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        if not word.search(text):
            continue
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError, RecursionError):
            continue
        rel = os.path.relpath(path, cwd)
        lines = [line for p, line in resolved if p == rel]
        if dict(name_counts(tree)).get(name, 0) <= len(lines):
            continue
        spots: list[tuple[bool, int, str]] = []
        unbound = {id(node.func) for node in ast.walk(tree)
                   if isinstance(node, ast.Call) and not binds(signature, ast_shape(node))}
        if is_method(signature):  # a bare name outside a class body names no method
            class_level = {i for node in ast.walk(tree) if isinstance(node, ast.ClassDef)
                           for i in _class_level(node)}
            unbound.update(id(node) for node in ast.walk(tree)
                           if isinstance(node, ast.Name) and id(node) not in class_level)
        for node in ast.walk(tree):
            if id(node) in unbound:
                continue
            if isinstance(node, ast.Attribute) and node.attr == name and isinstance(node.ctx, ast.Load):
                spelled = ast.unparse(node)
            elif isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Load):
                spelled = name
            else:
                continue
            spots.append((node.lineno in lines, node.lineno, spelled[-60:]))
        out.extend(f"{rel}:{line} ({spelled})" for _, line, spelled in sorted(spots))
    return out
