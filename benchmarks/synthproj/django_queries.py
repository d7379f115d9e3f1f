"""Django ORM query snippets: mostly tenant-scoped, a few planted bugs (see ``Dice.bug``)."""
# ruff: noqa: E501  (lines of generated source are kept whole so they read as they will be written)

from __future__ import annotations

from dataclasses import dataclass

from .common import (
    ORG_FROM_REQUEST,
    UNSCOPED_READ,
    UNSCOPED_WRITE,
    UNTRUSTED_VALUE,
    Dice,
    PlantedBug,
    Writer,
)


@dataclass(frozen=True, slots=True)
class Entity:
    """A Django model of a generated app."""

    cls: str
    var: str  # snake_case singular
    plural: str  # snake_case plural, also the related_name on Organization
    tenant: bool  # has ``org = ForeignKey(Organization)``
    parent: str | None = None  # class of the tenant model it hangs under (scoped through it)
    parent_var: str | None = None
    tenant_manager: bool = False  # ``objects = TenantManager()`` (offers ``for_tenant``)


@dataclass(frozen=True, slots=True)
class Ctx:
    """Where a query sits: the trusted org expression, and the request (if in a handler)."""

    org: str  # e.g. "request.user.org", "self.request.user.org", "org"
    request: str | None  # e.g. "request", "self.request"; None outside handlers
    body: str = "POST"  # attribute the untrusted org id is read from ("POST", "data", "GET")


def _untrusted(ctx: Ctx, dice: Dice) -> str:
    assert ctx.request is not None
    key = dice.pick(("org_id", "organization_id", "org"))
    if ctx.body == "data":
        return f'{ctx.request}.data.get("{key}")'
    if dice.chance(0.5):
        return f'{ctx.request}.{ctx.body}["{key}"]'
    return f'{ctx.request}.{ctx.body}.get("{key}")'


def _bug(dice: Dice, ctx: Ctx, write: bool = False) -> str | None:
    allowed = (UNSCOPED_READ,)
    if ctx.request is not None:
        allowed += (UNTRUSTED_VALUE,)
    if write:
        allowed = (UNSCOPED_WRITE,) + allowed[1:]
    return dice.bug(allowed)


def _extra(bug: str | None) -> tuple[str, ...]:
    return (ORG_FROM_REQUEST,) if bug == UNTRUSTED_VALUE else ()


def list_query(w: Writer, dice: Dice, e: Entity, ctx: Ctx, ind: str, target: str) -> None:
    """``target = <queryset of e for the tenant>``."""
    bug = _bug(dice, ctx)
    order = dice.pick(('"-created_at"', '"name"', '"-updated_at"', '"status", "-created_at"'))
    if bug == UNSCOPED_READ:
        lines = [f"{ind}{target} = {e.cls}.objects.filter(is_archived=False).order_by({order})"]
    elif bug == UNTRUSTED_VALUE:
        lines = [f"{ind}{target} = {e.cls}.objects.filter(org_id={_untrusted(ctx, dice)})"]
    else:
        style = dice.between(0, 4)
        if style == 0:
            lines = [
                f"{ind}{target} = (",
                f"{ind}    {e.cls}.objects.filter(org={ctx.org}, is_archived=False)",
                f'{ind}    .select_related("owner")',
                f"{ind}    .order_by({order})",
                f"{ind})",
            ]
        elif style == 1:
            lines = [f"{ind}{target} = {ctx.org}.{e.plural}.all().order_by({order})"]
        elif style == 2 and e.tenant_manager:
            lines = [f"{ind}{target} = {e.cls}.objects.for_tenant({ctx.org}).order_by({order})"]
        elif style == 3:
            lines = [
                f"{ind}{target} = {e.cls}.objects.filter(",
                f"{ind}    org_id={ctx.org}.id,",
                f'{ind}    status__in=["open", "pending"],',
                f"{ind}).order_by({order})",
            ]
        else:
            lines = [f"{ind}{target} = {e.cls}.objects.filter(org={ctx.org}).order_by({order})"]
    w.query(lines, bug, _extra(bug))


def get_query(w: Writer, dice: Dice, e: Entity, ctx: Ctx, ind: str, pk: str) -> None:
    """``e.var = <one row of e by pk, for the tenant>``."""
    bug = _bug(dice, ctx)
    if bug == UNSCOPED_READ:
        line = f"{ind}{e.var} = get_object_or_404({e.cls}, pk={pk})"
    elif bug == UNTRUSTED_VALUE:
        line = f"{ind}{e.var} = get_object_or_404({e.cls}, pk={pk}, org_id={_untrusted(ctx, dice)})"
    else:
        line = dice.pick(
            (
                f"{ind}{e.var} = get_object_or_404({e.cls}, pk={pk}, org={ctx.org})",
                f"{ind}{e.var} = {e.cls}.objects.get(pk={pk}, org={ctx.org})",
                f"{ind}{e.var} = {e.cls}.objects.filter(org={ctx.org}).get(pk={pk})",
                f"{ind}{e.var} = get_object_or_404({ctx.org}.{e.plural}, pk={pk})",
            )
        )
    w.query([line], bug, _extra(bug))


def write_query(w: Writer, dice: Dice, e: Entity, ctx: Ctx, ind: str, pk: str) -> None:
    """A bulk update or delete of one row of e."""
    bug = _bug(dice, ctx, write=True)
    action = dice.pick(
        ('update(status="archived", is_archived=True)', "delete()", 'update(status="closed")')
    )
    if bug == UNSCOPED_WRITE:
        line = f"{ind}changed = {e.cls}.objects.filter(pk={pk}).{action}"
    elif bug == UNTRUSTED_VALUE:
        line = f"{ind}changed = {e.cls}.objects.filter(pk={pk}, org_id={_untrusted(ctx, dice)}).{action}"
    else:
        line = f"{ind}changed = {e.cls}.objects.filter(pk={pk}, org={ctx.org}).{action}"
    w.query([line], bug, _extra(bug))


def count_query(w: Writer, dice: Dice, e: Entity, ctx: Ctx, ind: str, target: str) -> None:
    """An aggregate, count or exists on e for the tenant."""
    bug = _bug(dice, ctx)
    scope = f"org={ctx.org}" if bug is None else 'status="open"'
    if bug == UNTRUSTED_VALUE:
        scope = f"org_id={_untrusted(ctx, dice)}"
    tail = dice.pick(('.aggregate(total=Sum("amount"))["total"] or 0', ".count()", ".exists()"))
    w.query([f"{ind}{target} = {e.cls}.objects.filter({scope}){tail}"], bug, _extra(bug))


def child_query(
    w: Writer, dice: Dice, child: Entity, ctx: Ctx, ind: str, target: str, parent_obj: str | None
) -> None:
    """Rows of a child model, scoped through its parent (a scoped row or a relation path)."""
    assert child.parent_var is not None
    bug = _bug(dice, ctx)
    if bug == UNSCOPED_READ:
        line = f'{ind}{target} = {child.cls}.objects.filter(status="open")'
    elif bug == UNTRUSTED_VALUE:
        line = (
            f"{ind}{target} = {child.cls}.objects.filter("
            f"{child.parent_var}__org_id={_untrusted(ctx, dice)})"
        )
    elif parent_obj is not None and dice.chance(0.6):
        line = f'{ind}{target} = {child.cls}.objects.filter({child.parent_var}={parent_obj}).order_by("position")'
    else:
        line = f"{ind}{target} = {child.cls}.objects.filter({child.parent_var}__org={ctx.org})"
    w.query([line], bug, _extra(bug))


def create_query(w: Writer, dice: Dice, e: Entity, ctx: Ctx, ind: str, source: str) -> None:
    """Create a row of e with its tenant set (or, as a bug, from request input)."""
    bug = dice.bug((UNTRUSTED_VALUE,)) if ctx.request is not None else None
    org = f"org_id={_untrusted(ctx, dice)}" if bug else f"org={ctx.org}"
    start = len(w.lines) + 1
    w.query(
        [
            f"{ind}{e.var} = {e.cls}.objects.create(",
            f"{ind}    {org},",
            f'{ind}    name={source}["name"],',
            f'{ind}    description={source}.get("description", ""),',
            f"{ind})",
        ],
        bug,
    )
    if bug is not None:  # the request read is on the line after the call
        w.bugs.append(PlantedBug(start + 1, ORG_FROM_REQUEST))
