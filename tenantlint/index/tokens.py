"""Token columns: unique, not the primary key, filled by a random generator by default.

``anchor = models.CharField(unique=True, default=make_anchor)`` with ``make_anchor`` returning
``uuid4().hex``, ``token = models.CharField(unique=True, default=secrets.token_urlsafe)``: the value
is unguessable. Two kinds (``analysis/orm/capability.py``):

* a *token* column (``FieldInfo.token``) is any such column. A ``uuid = UUIDField(unique=True,
  default=uuid4)`` is one too, and is often a row's public identifier, used in URLs instead of the
  primary key: a lookup by it is a capability only in a view that declares itself public.
* a *secret* column (``FieldInfo.secret``) is a token column that is plainly a secret: its default
  draws from a generator made for secrets (``secrets.token_urlsafe``/``token_hex``/``token_bytes``,
  Django's ``get_random_string``, or a function of the module returning one), or its name says so
  (a word ``token``, ``secret``, ``key``, ``apikey``, ``nonce``: ``api_key``, ``email_token``); a
  unique column so named whose default is a function of another module (``default=generate_api_key``,
  imported, or ``lambda: generate_token(40)``) is one too. A lookup by it is a capability wherever
  it is written.
"""

from __future__ import annotations

import ast

from tenantlint.index.ast_util import dotted, walk

# Calls that return an unguessable value (``uuid1`` is time-based, ``random`` is predictable).
SECRET_CALLS = frozenset({"token_urlsafe", "token_hex", "token_bytes", "get_random_string"})
RANDOM_CALLS = SECRET_CALLS | {"uuid4"}
# Words of a column name that say it holds a secret (``api_key``, ``email_token``, ``secret``).
SECRET_WORDS = frozenset({"token", "secret", "key", "apikey", "nonce"})


def _last(node: ast.expr) -> str:
    return (dotted(node, calls="reject") or "").rsplit(".", 1)[-1]


def _calls(node: ast.AST, calls: frozenset[str]) -> bool:
    return any(isinstance(sub, ast.Call) and _last(sub.func) in calls for sub in walk(node))


def random_functions(module: ast.Module, calls: frozenset[str] = RANDOM_CALLS) -> frozenset[str]:
    """Top-level functions of the module that return a random value (``return uuid4().hex``), or
    with ``calls=SECRET_CALLS`` a secret one (``return "mm" + secrets.token_hex(16)``)."""
    out: set[str] = set()
    for stmt in module.body:
        if not isinstance(stmt, ast.FunctionDef):
            continue
        returns = [n for n in walk(stmt) if isinstance(n, ast.Return) and n.value is not None]
        if returns and all(_calls(r, calls) for r in returns):
            out.add(stmt.name)
    return frozenset(out)


def random_default(node: ast.expr | None, local: frozenset[str],
                   calls: frozenset[str] = RANDOM_CALLS) -> bool:
    """A column ``default=`` that draws a random value on each insert: a random generator itself
    (``uuid.uuid4``, ``secrets.token_urlsafe``), a function of the module returning one (``local``),
    or a lambda calling one; ``calls`` are the generators that count."""
    if node is None:
        return False
    if isinstance(node, ast.Lambda):
        return _calls(node.body, calls)
    name = _last(node)
    return name in calls or (isinstance(node, ast.Name) and name in local)


def secret_name(name: str) -> bool:
    """A column name that says it holds a secret: ``api_key``, ``email_token``, ``secret``."""
    return any(word in SECRET_WORDS for word in name.lower().split("_"))


def token_kinds(name: str, default: ast.expr | None, unique: bool, primary: bool,
                random_local: frozenset[str] = frozenset(),
                secret_local: frozenset[str] = frozenset()) -> tuple[bool, bool]:
    """(token, secret) for a column ``name`` with ``default=`` (see the module docstring);
    ``random_local``/``secret_local``: the module's functions returning a random/secret value."""
    token = unique and not primary and random_default(default, random_local)
    if token:
        secret = secret_name(name) or random_default(default, secret_local, SECRET_CALLS)
    else:  # ``api_key = CharField(unique=True, default=generate_api_key)``, imported
        secret = unique and not primary and _generated(default) and secret_name(name)
    return token, secret


def _generated(node: ast.expr | None) -> bool:
    """A ``default=`` naming a function (``generate_api_key``, ``utils.new_key``) or a lambda calling
    one (``lambda: generate_token(40)``): a value made for each row, not a constant."""
    if isinstance(node, ast.Lambda):
        return isinstance(node.body, ast.Call)
    return isinstance(node, ast.Name | ast.Attribute) and _last(node) not in (
        "None", "True", "False", "str", "int", "dict", "list")
