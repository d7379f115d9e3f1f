"""A SQLAlchemy domain: declarative models with org_id, services, FastAPI routes, schemas."""
# ruff: noqa: E501  (lines of generated source are kept whole so they read as they will be written)

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .common import (
    ORG_FROM_REQUEST,
    UNSCOPED_READ,
    UNSCOPED_WRITE,
    UNTRUSTED_VALUE,
    Dice,
    GeneratedFile,
    Names,
    Writer,
    plural,
    snake,
)


@dataclass(frozen=True, slots=True)
class Domain:
    name: str
    models: tuple[str, ...]  # class names; all carry org_id
    modern: bool  # SQLAlchemy 2.0 ``Mapped[...]`` style


def plan_domain(names: Names, dice: Dice) -> Domain:
    name = names.app() + "_svc"
    models = tuple(names.model(name) for _ in range(dice.between(3, 5)))
    return Domain(name, models, dice.chance(0.5))


def _table(cls: str) -> str:
    return plural(snake(cls))


def models_py(d: Domain, dice: Dice) -> Writer:
    w = Writer()
    w.add(f'"""Tables of the {d.name} domain."""', "", "from datetime import datetime", "")
    if d.modern:
        w.add(
            "from sqlalchemy import ForeignKey, Numeric, String",
            "from sqlalchemy.orm import Mapped, mapped_column",
            "",
            "from core.db import Base",
            "",
            "",
        )
    else:
        w.add(
            "from sqlalchemy import Column, DateTime, ForeignKey, Integer, Numeric, String",
            "",
            "from core.db import Base",
            "",
            "",
        )
    for cls in d.models:
        w.add(f"class {cls}(Base):", f'    __tablename__ = "{_table(cls)}"', "")
        if d.modern:
            w.add(
                "    id: Mapped[int] = mapped_column(primary_key=True)",
                '    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)',
                "    name: Mapped[str] = mapped_column(String(200))",
                '    status: Mapped[str] = mapped_column(String(20), default="open")',
                "    amount: Mapped[float] = mapped_column(Numeric(12, 2), default=0)",
                "    created_at: Mapped[datetime] = mapped_column(default=datetime.utcnow)",
            )
        else:
            w.add(
                "    id = Column(Integer, primary_key=True)",
                '    org_id = Column(Integer, ForeignKey("organizations.id"), nullable=False, index=True)',
                "    name = Column(String(200), nullable=False)",
                '    status = Column(String(20), default="open")',
                "    amount = Column(Numeric(12, 2), default=0)",
                "    created_at = Column(DateTime, default=datetime.utcnow)",
            )
        w.add(
            "", "    def __repr__(self) -> str:", f'        return f"<{cls} {{self.id}}>"', "", ""
        )
    return w


def _list(w: Writer, dice: Dice, cls: str, org: str, ind: str, bug: str | None) -> None:
    scope = f"{cls}.org_id == {org}" if bug is None else f'{cls}.status == "open"'
    if dice.chance(0.5):
        w.query(
            [
                f"{ind}return (",
                f"{ind}    session.query({cls})",
                f"{ind}    .filter({scope})",
                f"{ind}    .order_by({cls}.created_at.desc())",
                f"{ind}    .limit(limit)",
                f"{ind}    .all()",
                f"{ind})",
            ],
            bug,
        )
    else:
        w.query(
            [
                f"{ind}stmt = select({cls}).where({scope}).order_by({cls}.created_at.desc()).limit(limit)"
            ],
            bug,
        )
        w.add(f"{ind}return list(session.scalars(stmt))")


def services_py(d: Domain, dice: Dice) -> Writer:
    w = Writer()
    w.add(
        f'"""Operations of the {d.name} domain; every function takes the caller\'s org_id."""',
        "",
        "from sqlalchemy import and_, delete, func, select, update",
        "from sqlalchemy.orm import Session",
        "",
        f"from .models import {', '.join(d.models)}",
        "",
        "",
    )
    for cls in d.models:
        v = snake(cls)
        w.add(
            f"def list_{_table(cls)}(session: Session, org_id: int, limit: int = 100) -> list[{cls}]:"
        )
        _list(w, dice, cls, "org_id", "    ", dice.bug((UNSCOPED_READ,)))
        w.add("", "")
        w.add(f"def get_{v}(session: Session, org_id: int, {v}_id: int) -> {cls} | None:")
        bug = dice.bug((UNSCOPED_READ,))
        if bug:
            w.query([f"    return session.get({cls}, {v}_id)"], bug)
        elif dice.chance(0.5):
            w.query(
                [
                    f"    return session.query({cls}).filter_by(org_id=org_id, id={v}_id).one_or_none()"
                ],
                None,
            )
        else:
            w.query(
                [
                    f"    stmt = select({cls}).where(and_({cls}.org_id == org_id, {cls}.id == {v}_id))"
                ],
                None,
            )
            w.add("    return session.execute(stmt).scalar_one_or_none()")
        w.add("", "")
        w.add(f"def close_{v}(session: Session, org_id: int, {v}_id: int) -> int:")
        bug = dice.bug((UNSCOPED_WRITE,))
        cond = f"{cls}.id == {v}_id" + ("" if bug else f", {cls}.org_id == org_id")
        w.query(
            [
                "    result = session.execute(",
                f'        update({cls}).where({cond}).values(status="closed")',
                "    )",
            ],
            bug,
        )
        w.add("    return result.rowcount", "", "")
        w.add(f"def {v}_total(session: Session, org_id: int) -> float:")
        w.query(
            [
                f"    stmt = select(func.coalesce(func.sum({cls}.amount), 0)).where({cls}.org_id == org_id)"
            ],
            None,
        )
        w.add("    return float(session.execute(stmt).scalar_one())", "", "")
    cls = d.models[-1]
    w.add(f"def purge_closed_{_table(cls)}(session: Session, org_id: int) -> int:")
    w.query(
        [f'    stmt = delete({cls}).where({cls}.org_id == org_id, {cls}.status == "closed")'], None
    )
    w.add("    return session.execute(stmt).rowcount", "")
    return w


def routes_py(d: Domain, dice: Dice) -> Writer:
    w = Writer()
    w.add(
        f'"""HTTP API of the {d.name} domain (FastAPI)."""',
        "",
        "from fastapi import APIRouter, Depends, HTTPException",
        "from sqlalchemy.orm import Session",
        "",
        "from core.db import get_current_user, get_db",
        "",
        "from . import services",
        f"from .models import {', '.join(d.models)}",
        f"from .schemas import {', '.join(c + 'Out' for c in d.models)}",
        "",
        f'router = APIRouter(prefix="/{d.name}")',
        "",
        "",
    )
    for cls in d.models:
        v, t = snake(cls), _table(cls)
        bug = dice.bug((UNTRUSTED_VALUE,))
        w.add(f'@router.get("/{t}", response_model=list[{cls}Out])')
        if bug:
            w.mark(ORG_FROM_REQUEST)
            w.add(
                f"def list_{t}_endpoint(org_id: int, limit: int = 50, db: Session = Depends(get_db)):"
            )
            w.add(f"    return services.list_{t}(db, org_id, limit=limit)")
        else:
            w.add(
                f"def list_{t}_endpoint(limit: int = 50, db: Session = Depends(get_db), "
                "user=Depends(get_current_user)):"
            )
            w.add(f"    return services.list_{t}(db, user.org_id, limit=limit)")
        w.add("", "")
        w.add(
            f'@router.get("/{t}/{{{v}_id}}", response_model={cls}Out)',
            f"def get_{v}_endpoint({v}_id: int, db: Session = Depends(get_db), user=Depends(get_current_user)):",
        )
        bug = dice.bug((UNSCOPED_READ,))
        scope = "" if bug else f", {cls}.org_id == user.org_id"
        w.query([f"    row = db.query({cls}).filter({cls}.id == {v}_id{scope}).first()"], bug)
        w.add(
            "    if row is None:",
            '        raise HTTPException(status_code=404, detail="not found")',
            "    return row",
            "",
            "",
        )
    return w


def schemas_py(d: Domain, dice: Dice) -> Writer:
    w = Writer()
    w.add(
        f'"""Pydantic schemas of the {d.name} API."""',
        "",
        "from datetime import datetime",
        "",
        "from pydantic import BaseModel, Field",
        "",
        "",
    )
    for cls in d.models:
        w.add(
            f"class {cls}In(BaseModel):",
            "    name: str = Field(min_length=1, max_length=200)",
            '    status: str = "open"',
            "    amount: float = 0.0",
            "",
            "",
            f"class {cls}Out({cls}In):",
            "    id: int",
            "    created_at: datetime",
            "",
            "    class Config:",
            "        from_attributes = True",
            "",
            "",
        )
    return w


def reports_py(d: Domain, dice: Dice) -> Writer:
    w = Writer()
    w.add(
        f'"""Reports over the {d.name} domain."""',
        "",
        "from sqlalchemy import func, select",
        "from sqlalchemy.orm import Session",
        "",
        f"from .models import {', '.join(d.models)}",
        "",
        "",
    )
    for cls in d.models:
        t = _table(cls)
        w.add(f"def {t}_by_status(session: Session, org_id: int) -> dict[str, int]:")
        bug = dice.bug((UNSCOPED_READ,))
        where = "" if bug else f".where({cls}.org_id == org_id)"
        w.query(
            [
                "    stmt = (",
                f"        select({cls}.status, func.count({cls}.id))",
                f"        {where or '.where(' + cls + '.amount > 0)'}",
                f"        .group_by({cls}.status)",
                "    )",
            ],
            bug,
        )
        w.add("    return {status: count for status, count in session.execute(stmt)}", "", "")
    return w


DomainFile = tuple[str, str, Callable[[Domain, Dice], Writer]]


def domain_files(d: Domain) -> list[DomainFile]:
    return [
        (f"domains/{d.name}/models.py", "models", models_py),
        (f"domains/{d.name}/services.py", "services", services_py),
        (f"domains/{d.name}/routes.py", "routes", routes_py),
        (f"domains/{d.name}/schemas.py", "schemas", schemas_py),
        (f"domains/{d.name}/reports.py", "reports", reports_py),
    ]


def build_domain(d: Domain, dice: Dice, limit: int) -> list[GeneratedFile]:
    return [b(d, dice).build(p, "sqlalchemy", r) for p, r, b in domain_files(d)[:limit]]
