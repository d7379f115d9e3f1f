"""Rows admitted because they belong to a set the server's configuration fixes (docs/concepts.md).

An access helper may hand back, besides the caller's tenant's rows, a few rows every tenant may
reach: the server's own system accounts, listed in its settings::

    def is_system_bot_email(email):
        return email.lower() in settings.SYSTEM_BOT_EMAILS

    def get_user_in_realm_or_system_bot(uid, realm):
        user = get_user_by_id(uid)
        if user.realm == realm:
            return user
        if is_system_bot_email(user.delivery_email):  # a fixed-set admission: not another way out
            return user
        raise UserProfile.DoesNotExist

Such an ``if`` admits only rows whose own value is in a set written into the server's configuration
(``settings.SYSTEM_BOT_EMAILS``, a module constant ``SYSTEM_BOT_EMAILS``): no request value and no
tenant chooses which rows pass it, so what it lets through is the same fixed set of rows for every
caller, shared by design. The tenant guard of the function is read from its other ways out
(``access_predicates.py``). A *fixed-set admission*, all of:

* an ``if`` with no ``else`` whose body is a single ``return`` of the tested row (or ``True``);
* its test (or one ``and``-ed part of it) is ``<the row's value> in <constant set>`` or a call of a
  *fixed-set predicate* of the project with the row's value as the tested argument, where the row's
  value reads the row and nothing else (``row.email``, ``row.email.lower()``);
* a constant set is a dotted name whose last part is upper case (``settings.SYSTEM_BOT_EMAILS``,
  ``SYSTEM_IDS``), read from no parameter and no local;
* a fixed-set predicate is a function whose body (after a docstring) is ``return <parameter's value>
  in <constant set>``.

A test of any other value (a parameter, a request value: ``if is_system_bot_email(email)``), a
column of the row itself (``if row.is_public``), a set computed at run time, or an ``or`` admits
rows a caller may choose: the branch is a way out like any other, and no guard holds.

The same test of a request value or a parameter narrows it in its branch (``walker._fixed_branch``):
inside ``if is_system_bot_email(email):`` the name holds one of the listed values, a constant.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence

import libcst as cst

from tenantlint.analysis.interp.exprs import dotted
from tenantlint.analysis.source.children import code_children

FIXED = "@fixed"  # what a fixed-set predicate's guard checks its parameter against
FIXED_ATTR = "in"

FixedArgs = Callable[[cst.Call], Sequence[cst.BaseExpression]]


def constant_set(node: cst.BaseExpression, local: Collection[str]) -> bool:
    """``settings.SYSTEM_BOT_EMAILS`` / ``SYSTEM_IDS``: a dotted name ending in an upper-case part,
    whose root is no name in ``local`` (the function's parameters and locals)."""
    text = dotted(node, calls=False)
    if not text or isinstance(node, cst.Call):
        return False
    parts = text.split(".")
    last = parts[-1]
    return parts[0] not in local and last.isupper() and any(c.isalpha() for c in last)


def names_read(node: cst.CSTNode) -> set[str]:
    """The names ``node`` reads (a name, the root of an attribute chain, an argument's value, ...)."""
    out: set[str] = set()
    todo: list[cst.CSTNode] = [node]
    while todo:
        n = todo.pop()
        if isinstance(n, cst.Name):
            out.add(n.value)
        elif isinstance(n, cst.Attribute):
            todo.append(n.value)
        elif isinstance(n, cst.Arg):
            todo.append(n.value)
        else:
            todo.extend(code_children(n))
    return out


def _value_of(node: cst.BaseExpression) -> str | None:
    """``row.email`` / ``row.email.lower()`` / ``email.strip()``: the one name the value reads, through
    attributes and argument-less method calls only."""
    while True:
        if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and not node.args:
            node = node.func.value
        elif isinstance(node, cst.Attribute):
            node = node.value
        elif isinstance(node, cst.Name):
            return node.value
        else:
            return None


def fixed_params(fn: cst.FunctionDef, params: Sequence[str]) -> list[str]:
    """The parameter a truthy answer of ``fn`` proves to be in a constant set: its body is ``return
    <parameter's value> in <constant set>``."""
    body = list(fn.body.body) if isinstance(fn.body, cst.IndentedBlock) else []
    if body and isinstance(body[0], cst.SimpleStatementLine) and len(body[0].body) == 1 \
            and isinstance(body[0].body[0], cst.Expr) \
            and isinstance(body[0].body[0].value, cst.SimpleString | cst.ConcatenatedString):
        body = body[1:]  # the docstring
    if len(body) != 1 or not isinstance(body[0], cst.SimpleStatementLine) or len(body[0].body) != 1:
        return []
    ret = body[0].body[0]
    if not isinstance(ret, cst.Return) or ret.value is None:
        return []
    test = ret.value
    if not isinstance(test, cst.Comparison) or len(test.comparisons) != 1 \
            or not isinstance(test.comparisons[0].operator, cst.In):
        return []
    name = _value_of(test.left)
    if name is None or name not in params or name in ("self", "cls"):
        return []
    return [name] if constant_set(test.comparisons[0].comparator, set(params)) else []


def admitted(test: cst.BaseExpression, local: Collection[str], fixed_args: FixedArgs | None) -> str | None:
    """The name whose value ``test`` proves to be in a constant set when it is truthy (the one name
    its tested value reads), if it does."""
    if isinstance(test, cst.Await):
        return admitted(test.expression, local, fixed_args)
    if isinstance(test, cst.BooleanOperation) and isinstance(test.operator, cst.And):
        return admitted(test.left, local, fixed_args) or admitted(test.right, local, fixed_args)
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1 \
            and isinstance(test.comparisons[0].operator, cst.In) \
            and constant_set(test.comparisons[0].comparator, local):
        return _value_of(test.left)
    if isinstance(test, cst.Call) and fixed_args is not None:
        for arg in fixed_args(test):
            name = _value_of(arg)
            if name is not None and names_read(arg) == {name}:
                return name
    return None


def fixed_admission(stmt: cst.If, rows: Collection[str], local: Collection[str],
                    fixed_args: FixedArgs | None) -> bool:
    """``if <row's value> in <constant set>: return row`` (no ``else``), ``row`` one of ``rows``."""
    if stmt.orelse is not None or not isinstance(stmt.body, cst.IndentedBlock) or len(stmt.body.body) != 1:
        return False
    line = stmt.body.body[0]
    if not isinstance(line, cst.SimpleStatementLine) or len(line.body) != 1 \
            or not isinstance(line.body[0], cst.Return) or line.body[0].value is None:
        return False
    name = admitted(stmt.test, local, fixed_args)
    value = line.body[0].value
    returned = value.value if isinstance(value, cst.Name) else None
    return name is not None and name in rows and returned in (name, "True")
