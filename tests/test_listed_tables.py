"""Tables listed in ``tenant_tables`` with no known tenant column accept any configured column."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from tenantlint.api import check_paths, load_config
from tenantlint.config.options import DEFAULT_TENANT_COLUMNS, Config
from tenantlint.index.tenancy import decide_tenancy

TOML = 'tenant_columns = ["workspace_id"]\ntenant_tables = ["campaigns", "spend"]\n'

APP = '''\
import sqlite3
from flask import g, request
from sqlalchemy import text


def by_workspace(db, ws):
    return db.execute(text("SELECT id FROM campaigns WHERE workspace_id = :ws"), {"ws": ws})


def by_org(db, org):
    return db.execute(text("SELECT id FROM campaigns WHERE org_id = :o"), {"o": org})


def by_name(db, name):
    return db.execute(text("SELECT id FROM campaigns WHERE name = :n"), {"n": name})


def weak(db, ws):
    return db.execute(text("SELECT id FROM campaigns WHERE workspace_id = :ws OR public"), {"ws": ws})


def store(con, ws, name):
    con.execute("INSERT INTO spend (workspace_id, name) VALUES (?, ?)", (ws, name))


def store_bad(con, name):
    con.execute("INSERT INTO spend (name) VALUES (?)", (name,))


def from_body(db):
    return db.execute(text("SELECT id FROM campaigns WHERE workspace_id = :ws"), {"ws": request.args["ws"]})
'''


def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> set[tuple[int, str]]:
    (tmp_path / "tenantlint.toml").write_text(TOML)
    (tmp_path / "app.py").write_text(textwrap.dedent(APP))
    monkeypatch.chdir(tmp_path)
    result = check_paths([Path(".")], load_config(), jobs=1)
    return {(f.line, f.code) for f in result.findings}


def test_listed_table_accepts_any_tenant_column(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert run(tmp_path, monkeypatch) == {
        (15, "TNT101"),  # by_name
        (19, "TNT105"),  # weak
        (27, "TNT104"),  # store_bad
        (31, "TNT103"),  # from_body
    }


def test_listed_table_index_records_alternatives() -> None:
    config = Config(tenant_columns=(*DEFAULT_TENANT_COLUMNS, "workspace_id"), tenant_tables=("spend",))
    t = decide_tenancy([], config).tables["spend"]
    assert t.tenant_column == "tenant_id"
    assert set(t.alt_columns) == {"org_id", "organization_id", "workspace_id"}
    assert "workspace_id" in t.tenant_names()
