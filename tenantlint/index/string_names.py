"""Function names a string literal may give: counted with the project's name counts
(``prepass.name_counts``, keys ``records.STRING`` and ``records.PREFIX``).

A function nothing spells may still be called by name: ``getattr(service, "refresh")``, a Celery task
or a view named by its dotted path (``"app.tasks.refresh"``, ``"app.views:refresh"``), a handler
looked up by a name built at run time (``getattr(self, f"handle_{kind}")``). The reachability
reader (``crossfn/reach.py``) takes a function named so as reached. CPython ``ast`` only.
"""

from __future__ import annotations

import ast
from collections.abc import Callable

from tenantlint.crossfn.records import ANY_METHOD, ANY_MODULE, DYNAMIC, PREFIX, STRING, SUFFIX
from tenantlint.crossfn.view_bases import VIEW_RECEIVER

_MAX = 200  # longer literals are prose or data, not a name
_PLACEHOLDERS = ("%", "{")
_CALLED = DYNAMIC + "?"  # + a name: ``getattr(name, op)()``, until the file's imports are known


def count_literal(text: str, counts: dict[str, int]) -> None:
    """Count what one string literal names: the whole literal when it is an identifier or a dotted
    or colon path of identifiers (its last part), else the identifier before a ``%``/``{``
    placeholder (``"handle_%s"``, ``"handle_{}".format(kind)``) as a prefix."""
    if not text or len(text) > _MAX:
        return
    if text.isidentifier():
        _add(counts, STRING + text)
        return
    last = text.replace(":", ".").rsplit(".", 1)[-1]
    if last.isidentifier() and all(p.isidentifier() for p in text.replace(":", ".").split(".")):
        _add(counts, STRING + last)
        return
    cut = min((i for i in (text.find(p) for p in _PLACEHOLDERS) if i > 0), default=-1)
    if cut > 0:
        count_prefix(text[:cut], counts)


def count_prefix(text: str, counts: dict[str, int]) -> None:
    """A literal a name is built from (``f"handle_{kind}"``, ``"handle_" + kind``): the identifier
    it ends with (after a dot or a colon: ``f"app.jobs.handle_{kind}"``) is a name's start. A head
    ending in a dot (``f"app.jobs.{name}"``) is not counted: such a name is any function of a
    module, which no rule can keep apart from the text of a message or a URL."""
    if not text or len(text) > _MAX:
        return
    last = text.replace(":", ".").rsplit(".", 1)[-1]
    if last.isidentifier():
        _add(counts, PREFIX + last)


def joined_prefix(node: ast.JoinedStr, counts: dict[str, int]) -> None:
    """``f"handle_{kind}"``: its literal head is a name's start."""
    head = node.values[0] if node.values else None
    if isinstance(head, ast.Constant) and isinstance(head.value, str) and len(node.values) > 1:
        count_prefix(head.value, counts)


def added_prefix(node: ast.BinOp, counts: dict[str, int]) -> None:
    """``"handle_" + kind``: the literal on the left is a name's start."""
    left = node.left
    if isinstance(node.op, ast.Add) and isinstance(left, ast.Constant) and isinstance(left.value, str):
        count_prefix(left.value, counts)


def _add(counts: dict[str, int], key: str) -> None:
    counts[key] = counts.get(key, 0) + 1


def computed_getattr(node: ast.Call, owner: str, modules: frozenset[str], counts: dict[str, int],
                     called: bool, scope: ast.AST | None = None) -> bool:
    """``getattr(services, op)`` with a name that is no literal (``op`` from the request, say) may
    name any function of ``services``: counted under DYNAMIC + the receiver's last name (a module's,
    a class's: ``getattr(jobs.Runner, op)`` counts ``Runner``). Read in a method on ``self``/``cls``,
    it may name any method of that method's class (``owner``, counted in its place); on a local
    that may hold a module (``m = importlib.import_module(path)``), any module-level function
    (DYNAMIC + ``*``); on any other value, called at once (``called``: ``getattr(service, op)()``),
    any method of any class (DYNAMIC + ANY_METHOD: the value's class is not known here).
    ``getattr(obj, "fix")`` and ``f"handle_{kind}"`` are counted as literals, and so is a name
    ``scope`` (the function, or module, holding the call) binds only as the target of loops over
    string literals (``for attr in ("stop", "disconnect")``). ``called`` also for ``h =
    getattr(service, op)`` with ``h(...)`` in the same file. A name ending in a literal
    (``name + "_id"``, ``f"{name}_id"``) is counted with that ending (SUFFIX): it names only what
    ends so. True when counted."""
    if len(node.args) < 2 or not _computed_name(node.args[1], scope):
        return False
    ending = literal_suffix(node.args[1])
    tail = SUFFIX + ending if ending else ""
    receiver = node.args[0]
    last = receiver.attr if isinstance(receiver, ast.Attribute) else (
        receiver.id if isinstance(receiver, ast.Name) else "")
    if last in ("self", "cls"):
        last = owner
    elif (isinstance(receiver, ast.Name) and receiver.id in modules) or _loaded_module(receiver):
        last = ANY_MODULE
    elif called and _called_on_object(receiver, counts, tail):
        if not last:
            return True
    if last:
        _add(counts, DYNAMIC + last + tail)
    return bool(last)


def literal_suffix(arg: ast.expr) -> str:
    """The literal a computed name ends in, when it is made of identifier characters: ``"_id"`` of
    ``name + "_id"`` or ``f"{name}_id"``; "" when there is none."""
    last: ast.expr | None = None
    if isinstance(arg, ast.BinOp) and isinstance(arg.op, ast.Add):
        last = arg.right
    elif isinstance(arg, ast.JoinedStr) and len(arg.values) > 1:
        last = arg.values[-1]
    if isinstance(last, ast.Constant) and isinstance(last.value, str) and ("a" + last.value).isidentifier():
        return last.value
    return ""


def _called_on_object(receiver: ast.expr, counts: dict[str, int], tail: str = "") -> bool:
    """The method a computed ``getattr`` on ``receiver`` returns is called: on a local
    (``getattr(service, op)()``), any method of any class unless an import binds the name
    (:func:`settled`); on an object built or picked in place (``getattr(Tools(), op)()``,
    ``getattr(handlers[kind], op)()``), any method of any class. An attribute
    (``getattr(self.client, op)``) is counted under its name only (a known limit: the class of what
    it holds is not known here, and a proxy forwarding any name to a library's client is common),
    a module found at run time under ANY_MODULE. True when counted."""
    if isinstance(receiver, ast.Name):
        if not receiver.id[:1].islower():
            return False
        _add(counts, _CALLED + receiver.id + tail)
        return True
    if isinstance(receiver, ast.Attribute) or _loaded_module(receiver):
        return False
    if _view_entry(receiver):  # ``getattr(context["view"], op)()``: any method of a view too
        _add(counts, DYNAMIC + VIEW_RECEIVER + tail)
    _add(counts, DYNAMIC + ANY_METHOD + tail)
    return True


def _view_entry(node: ast.expr) -> bool:
    """``context["view"]`` / ``context.get("view")``: the view a framework hook was handed."""
    if isinstance(node, ast.Subscript):
        key = node.slice
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get" \
            and node.args:
        key = node.args[0]
    else:
        return False
    return isinstance(key, ast.Constant) and key.value == VIEW_RECEIVER


def _computed_name(arg: ast.expr, scope: ast.AST | None) -> bool:
    """A name argument that is no literal, no literal prefix (``f"handle_{kind}"``, ``"handle_" +
    kind``: counted as such) and no loop over literals in ``scope``."""
    if isinstance(arg, ast.Constant):
        return False
    if isinstance(arg, ast.JoinedStr | ast.BinOp) and _has_head(arg):
        return False
    if scope is not None and _column_key(arg, scope):
        return False
    return not (scope is not None and isinstance(arg, ast.Name) and literal_loop_only(scope, arg.id))


# What SQLAlchemy's ``inspect(Model)`` (a mapper) lists mapped column properties under
_COLUMN_LISTS = frozenset({"column_attrs"})


def _column_key(arg: ast.expr, scope: ast.AST) -> bool:
    """``attr.key`` where ``scope`` binds ``attr`` only as the target of loops over a mapper's
    ``column_attrs`` (``for attr in inspect(self.__class__).column_attrs``): the key of a mapped
    column, never a method's name."""
    if not (isinstance(arg, ast.Attribute) and arg.attr == "key" and isinstance(arg.value, ast.Name)):
        return False
    name = arg.value.id
    return _bound_only_by_loops(scope, name, lambda loop: isinstance(loop.target, ast.Name)
                                and loop.target.id == name and isinstance(loop.iter, ast.Attribute)
                                and loop.iter.attr in _COLUMN_LISTS)


_Loop = ast.For | ast.AsyncFor | ast.comprehension


def _bound_only_by_loops(scope: ast.AST, name: str, accepted: Callable[[_Loop], bool]) -> bool:
    """``name`` is no parameter of ``scope``, and every binding of it there is the target of a loop
    (or comprehension) that ``accepted`` admits; there is at least one."""
    if _is_param(scope, name):
        return False
    loops = stores = 0
    for node in ast.walk(scope):
        if isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Store):
            stores += 1
        elif isinstance(node, _Loop) and accepted(node):
            loops += 1
    return loops > 0 and loops == stores


def _is_param(scope: ast.AST, name: str) -> bool:
    if not isinstance(scope, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
        return False
    args = scope.args
    params = [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
    return any(a is not None and a.arg == name for a in params)


def literal_loop_only(scope: ast.AST, name: str) -> bool:
    """``scope`` binds ``name`` only as the target of ``for`` loops over a tuple, list or set of
    string literals (and it is no parameter of it)."""
    return _bound_only_by_loops(scope, name, lambda loop: _literal_loop(loop, name, scope))


def _literal_loop(node: _Loop, name: str, scope: ast.AST) -> bool:
    """``for name in ("a", "b")``, or ``for name, other in [("a", "x"), ("b", "y")]``: every value
    the loop (or comprehension) gives ``name`` is a string literal written there, or in the only
    value of a local of ``scope`` it walks (``fields = ["a", "b"]``, then ``for name in fields``)."""
    items = node.iter if isinstance(node.iter, _DISPLAYS) else _literal_local(node.iter, scope)
    if items is None:
        return False
    target = node.target
    if isinstance(target, ast.Name):
        return target.id == name and all(_is_str(e) for e in items.elts)
    if not isinstance(target, ast.Tuple) or not all(isinstance(t, ast.Name) for t in target.elts):
        return False
    at = [i for i, t in enumerate(target.elts) if isinstance(t, ast.Name) and t.id == name]
    return len(at) == 1 and bool(items.elts) and all(
        isinstance(e, ast.Tuple | ast.List) and len(e.elts) == len(target.elts) and _is_str(e.elts[at[0]])
        for e in items.elts)


_DISPLAYS = (ast.Tuple, ast.List, ast.Set)


def _literal_local(node: ast.expr, scope: ast.AST) -> ast.Tuple | ast.List | ast.Set | None:
    """The tuple, list or set display a local name of ``scope`` (no parameter) is bound to by its
    only assignment, when every other use of it is a loop over it (nothing can add to it)."""
    if not isinstance(node, ast.Name) or _is_param(scope, node.id):
        return None
    found: ast.Tuple | ast.List | ast.Set | None = None
    walked: set[int] = set()
    for n in ast.walk(scope):
        if isinstance(n, ast.Assign) and any(isinstance(t, ast.Name) and t.id == node.id for t in n.targets):
            if found is not None or len(n.targets) != 1 or not isinstance(n.value, _DISPLAYS):
                return None
            found = n.value
            walked.add(id(n.targets[0]))
        elif isinstance(n, ast.For | ast.AsyncFor | ast.comprehension) and isinstance(n.iter, ast.Name) \
                and n.iter.id == node.id:
            walked.add(id(n.iter))
    uses = [n for n in ast.walk(scope) if isinstance(n, ast.Name) and n.id == node.id]
    return found if found is not None and all(id(n) in walked for n in uses) else None


def _is_str(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def computed_methodcaller(node: ast.Call, counts: dict[str, int]) -> bool:
    """``operator.methodcaller(op)`` by a name that is no literal calls that method of whatever it
    is handed: any method of any class (DYNAMIC + ANY_METHOD). ``node``: a call of ``methodcaller``.
    True when counted."""
    if not node.args or not _computed_name(node.args[0], None):
        return False
    _add(counts, DYNAMIC + ANY_METHOD)
    return True


def _loaded_module(node: ast.expr) -> bool:
    """``sys.modules[name]``, ``importlib.import_module(path)``: a module found at run time."""
    if isinstance(node, ast.Subscript):
        node = node.value
    elif isinstance(node, ast.Call):
        node = node.func
    return isinstance(node, ast.Attribute) and node.attr in ("modules", "import_module")


def computed_global(node: ast.Subscript, counts: dict[str, int]) -> bool:
    """``globals()[name]`` by a name that is no literal: any module-level function (DYNAMIC +
    ANY_MODULE). True when counted."""
    value = node.value
    if (isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and not value.args
            and value.func.id in ("globals", "vars") and not isinstance(node.slice, ast.Constant)):
        _add(counts, DYNAMIC + ANY_MODULE)
        return True
    return False


def _has_head(node: ast.JoinedStr | ast.BinOp) -> bool:
    """The built name starts with literal identifier characters (a prefix counted on its own)."""
    head = node.values[0] if isinstance(node, ast.JoinedStr) and node.values else (
        node.left if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add) else None)
    return isinstance(head, ast.Constant) and isinstance(head.value, str) and bool(head.value) and (
        head.value.replace(":", ".").rsplit(".", 1)[-1].isidentifier())


def settled(counts: dict[str, int], imports: list[ast.Import | ast.ImportFrom]) -> None:
    """The file's DYNAMIC counts once its imports are known: ``getattr(svc, op)`` after ``from app
    import services as svc`` (or ``import app.services as svc``) counted under ``services`` too; a
    ``getattr(service, op)()`` on a name no import binds, under ANY_METHOD."""
    keys = [k for k in counts if k.startswith(DYNAMIC)]
    aliases = {a.asname: a.name.rsplit(".", 1)[-1] for node in imports for a in node.names if a.asname}
    bound = {a.asname or a.name.split(".", 1)[0] for node in imports for a in node.names}
    for key in keys:
        head, sep, ending = key.partition(SUFFIX)  # a name's literal ending stays with its receiver
        tail = sep + ending
        if key.startswith(_CALLED):
            del counts[key]
            if head[len(_CALLED):] not in bound:
                _add(counts, DYNAMIC + ANY_METHOD + tail)
            continue
        name = aliases.get(head[len(DYNAMIC):])
        if name:
            _add(counts, DYNAMIC + name + tail)
