"""``tenantlint init``: what the code (not the models) suggests for the config.

Reads the project's Python files as text, parsing with CPython's ``ast`` only the few that mention a
membership table; nothing is imported or run.

* membership checks: functions named like a check (``allow_permission``, ``require_org_member``)
  whose body looks up a membership table, ranked by how often the project uses them;
* trusted sources: a module-level ``current_org = …`` proxy, and the parameter name handlers give
  the user model when it is not ``request.user`` (``user_profile``).
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from tenantlint.analysis.source.cpython import parse_quietly
from tenantlint.files import walk_rel
from tenantlint.index.ast_util import refuses
from tenantlint.setup.candidates import snake

_CHECK_WORDS = ("permission", "member", "access", "allow", "authoriz", "authoris")
_NOT_CHECKS = ("get_", "list_", "create_", "update_", "delete_", "add_", "remove_", "test", "_")
MAX_CHECKS = 6
_MIN_PARAM_USES = 3


@dataclass(frozen=True, slots=True)
class Hint:
    value: str  # what goes in the config list
    evidence: str  # why: "defined at app/permissions.py:12, used 41 times; looks up WorkspaceMember"


@dataclass(frozen=True, slots=True)
class CodeHints:
    membership_checks: tuple[Hint, ...] = ()
    trusted_sources: tuple[Hint, ...] = ()
    files: int = 0


def _mentions(node: ast.AST, names: frozenset[str]) -> str | None:
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name) and sub.id in names:
            return sub.id
        if isinstance(sub, ast.Attribute) and sub.attr in names:
            return sub.attr
    return None


def _refuses(node: ast.AST) -> bool:
    """The function raises, aborts, or returns False / a 403-404 response somewhere. Looser than
    ``index/membership._refuses`` on purpose: this only proposes names for the config, so any
    ``abort()`` and any 403/404 text in a returned value count."""
    if refuses(node, _refusal_text):
        return True
    return any(isinstance(sub, ast.Call) and isinstance(sub.func, ast.Name) and sub.func.id == "abort"
               for sub in ast.walk(node))


def _refusal_text(value: ast.expr) -> bool:
    text = ast.dump(value)
    return "403" in text or "404" in text or "FORBIDDEN" in text or "NOT_FOUND" in text


def _check_named(name: str) -> bool:
    low = name.lower()
    return any(w in low for w in _CHECK_WORDS) and not low.startswith(_NOT_CHECKS)


def _membership_defs(rel: str, text: str, tables: frozenset[str]
                     ) -> list[tuple[str, str, int, str]]:
    """(function name, path, line, membership table mentioned) for each check-like function."""
    try:
        tree = parse_quietly(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    out = []
    for node in tree.body:  # module-level functions and permission classes
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if not _check_named(node.name) or not _refuses(node):
                continue
        elif isinstance(node, ast.ClassDef):
            if not (_check_named(node.name) and _is_permission_class(node)):
                continue
        else:
            continue
        table = _mentions(node, tables)
        if table is not None:
            out.append((node.name, rel, node.lineno, table))
    return out


def _is_permission_class(node: ast.ClassDef) -> bool:
    """A DRF-style permission class: it defines ``has_permission``/``has_object_permission``."""
    return any(
        isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))
        and item.name in ("has_permission", "has_object_permission")
        for item in node.body
    )


def collect(root: Path, exclude: tuple[str, ...], membership_tables: tuple[str, ...],
            tenant_words: tuple[str, ...], user_models: tuple[str, ...]) -> CodeHints:
    """Hints from the code under ``root`` (minus ``exclude``)."""
    tables = frozenset(membership_tables)
    texts: list[tuple[str, str]] = []
    for rel, path in walk_rel(root, exclude):
        try:
            texts.append((rel, Path(path).read_text(encoding="utf-8", errors="replace")))
        except OSError:
            continue
    defs: list[tuple[str, str, int, str]] = []
    if tables:
        pattern = re.compile(r"\b(" + "|".join(re.escape(t) for t in sorted(tables)) + r")\b")
        for rel, text in texts:
            if pattern.search(text):
                defs.extend(_membership_defs(rel, text, tables))
    checks = _rank_checks(defs, texts)
    trusted = _current_proxies(texts, tenant_words) + _user_params(texts, user_models)
    return CodeHints(checks, tuple(trusted), len(texts))


def _rank_checks(defs: list[tuple[str, str, int, str]], texts: list[tuple[str, str]]) -> tuple[Hint, ...]:
    if not defs:
        return ()
    first: dict[str, tuple[str, int, str]] = {}
    for name, rel, line, table in defs:
        first.setdefault(name, (rel, line, table))
    uses: Counter[str] = Counter()
    names = re.compile(r"\b(" + "|".join(re.escape(n) for n in sorted(first)) + r")\b")
    for _, text in texts:
        uses.update(m.group(1) for m in names.finditer(text))
    ranked = sorted(first, key=lambda n: (-uses[n], n))
    return tuple(
        Hint(n, f"{first[n][0]}:{first[n][1]} looks up {first[n][2]}; named {uses[n]} times")
        for n in ranked[:MAX_CHECKS]
        if uses[n] > 1  # defined and used at least once
    )


def _current_proxies(texts: list[tuple[str, str]], tenant_words: tuple[str, ...]) -> list[Hint]:
    """``current_org = LocalProxy(...)`` at module level: a trusted name for the caller's tenant."""
    if not tenant_words:
        return []
    words = "|".join(re.escape(w) for w in sorted(set(tenant_words)))
    pattern = re.compile(rf"^(current_(?:{words}))\s*(?::[^=\n]*)?=", re.MULTILINE)
    found: dict[str, str] = {}
    for rel, text in texts:
        for m in pattern.finditer(text):
            line = text.count("\n", 0, m.start()) + 1
            found.setdefault(m.group(1), f"{rel}:{line} defines it for the current request")
    return [Hint(name, why) for name, why in sorted(found.items())]


def _user_params(texts: list[tuple[str, str]], user_models: tuple[str, ...]) -> list[Hint]:
    """Handlers receiving the authenticated user as ``user_profile: UserProfile``."""
    out = []
    for model in user_models:
        param = snake(model)
        if param in ("user", "users"):
            continue  # request.user.* / current_user.* are trusted already
        pattern = re.compile(rf"\bdef\s+\w+\s*\([^)]*?\b{re.escape(param)}\s*:\s*{re.escape(model)}\b")
        count = sum(len(pattern.findall(text)) for _, text in texts)
        if count >= _MIN_PARAM_USES:
            out.append(Hint(f"{param}.*", f"{count} functions receive the user as "
                                          f"'{param}: {model}'"))
    return out
