"""Every static way to reach a model class besides its imported name.

* a module attribute: ``models.Query``, ``app.models.Invoice`` (the head an imported module);
* ``cls``, ``type(self)``, ``self.__class__`` inside the model's own class;
* ``cls.model``/``self.model`` (any attribute name) of a service, DAO or repository class that holds
  the model: set in its body, its ``__init__``, a project base, or — for a generic base walked once
  per concrete model — by a subclass or a factory (``FunctionState.models``);
* ``Model.m2m_field.through``: the model of a many-to-many link table;
* ``apps.get_model("app", "Model")``, ``apps.get_model("app.Model")``, ``get_user_model()``,
  ``load_model(...)``/``swapper.load_model(...)``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from tenantlint.analysis.interp.exprs import dotted, string_value
from tenantlint.analysis.interp.values import ModelRef

if TYPE_CHECKING:
    from tenantlint.analysis.plugins import Evaluation as Evaluator

SELF_NAMES = ("self", "cls")
SELF_CLASS = "__class__"  # held_models.SELF_CLASS: the model ``cls`` stands for in a mixin's walk
LOADERS = frozenset({"get_model", "load_model"})  # apps.get_model, swapper.load_model, load_model
USER_BASES = ("AbstractUser", "AbstractBaseUser")


def owner_model(ev: Evaluator) -> ModelRef | None:
    """The model whose method is being walked (``cls``/``type(self)`` there)."""
    held = ev.fn.models.get(SELF_CLASS)
    if held is not None:
        return held
    owner = ev.fn.owner
    if owner is None or owner.name not in ev.ctx.index.by_model:
        return None
    return ev.model_ref(owner.name)


def is_self_class(ev: Evaluator, node: cst.BaseExpression) -> bool:
    """``cls``, ``type(self)``, ``self.__class__``. (Exact classes: libcst's node classes have no
    subclasses, and an ``isinstance`` that fails on one runs ``ABCMeta.__instancecheck__``.)"""
    kind = type(node)
    if kind is cst.Name:
        return node.value == "cls" and "cls" not in ev.fn.env  # type: ignore[attr-defined]
    if kind is cst.Attribute:
        return (node.attr.value == "__class__"  # type: ignore[attr-defined]
                and type(node.value) is cst.Name  # type: ignore[attr-defined]
                and node.value.value == "self")  # type: ignore[attr-defined]
    if kind is cst.Call and dotted(node.func) == "type" and len(node.args) == 1:  # type: ignore[attr-defined]
        arg = node.args[0].value  # type: ignore[attr-defined]
        return type(arg) is cst.Name and arg.value == "self"
    return False


def model_of(ev: Evaluator, node: cst.BaseExpression) -> ModelRef | None:
    """The model ``node`` names, by one of the ways above (None for imported names: the caller
    resolves those)."""
    if is_self_class(ev, node):
        return owner_model(ev)
    if type(node) is not cst.Attribute:
        return None
    assert isinstance(node, cst.Attribute)
    attr = node.attr.value
    recv = node.value
    if attr == "through" and type(recv) is cst.Attribute:
        assert isinstance(recv, cst.Attribute)
        return link_model(ev, recv)
    if (type(recv) is cst.Name and recv.value in SELF_NAMES) or is_self_class(ev, recv):  # type: ignore[attr-defined]
        held = ev.fn.models.get(attr)
        if held is not None:
            return held
        return None
    if attr not in ev.ctx.index.by_model:
        return None
    text = dotted(node)
    if text is None:
        return None
    head = text.split(".", 1)[0]
    if head in ev.fn.env or head not in ev.ctx.imports.names:
        return None
    # ``models.Invoice`` with ``from app import models``: the head is a module (lower case), not a
    # class whose attribute happens to share a model's name.
    middle = text.split(".")[:-1]
    if any(part[:1].isupper() for part in middle):
        return None
    return ev.model_ref(attr)


def link_model(ev: Evaluator, field: cst.Attribute) -> ModelRef | None:
    """``Recipe.tags.through``: the model of a many-to-many field's link table."""
    owner = ev.eval(field.value, use=False)
    if not isinstance(owner, ModelRef):
        return None
    for info in ev.ctx.index.models.get(owner.model, ()):
        for name, model in info.links:
            if name == field.attr.value and model in ev.ctx.index.by_model:
                return ev.model_ref(model)
    return None


def loaded_model(ev: Evaluator, call: cst.Call) -> ModelRef | None:
    """``apps.get_model("app", "Invoice")``, ``get_model("app.Invoice")``, ``get_user_model()``,
    ``swapper.load_model("app", "Invoice")``."""
    name = dotted(call.func)
    if name is None:
        return None
    last = name.rsplit(".", 1)[-1]
    index = ev.ctx.index
    if last == "get_user_model" and not call.args:
        return user_model(ev)
    if last not in LOADERS or not call.args:
        return None
    texts = [string_value(a.value) for a in call.args[:2] if a.keyword is None]
    if not texts or texts[-1] is None:
        return None
    model = texts[-1].rsplit(".", 1)[-1]  # "app.Invoice" or ("app", "Invoice")
    return ev.model_ref(model) if model in index.by_model else None


def user_model(ev: Evaluator) -> ModelRef | None:
    memo = ev.ctx.settings.memo
    key = ("receivers.user-model", "")
    if key not in memo:
        found: str | None = None
        for name, defs in sorted(ev.ctx.index.models.items()):
            if any(b in USER_BASES for d in defs for b in d.bases) and not any(d.abstract for d in defs):
                found = name
                break
        if found is None and "User" in ev.ctx.index.by_model:
            found = "User"
        memo[key] = found
    model = memo[key]
    return ev.model_ref(model) if isinstance(model, str) else None
