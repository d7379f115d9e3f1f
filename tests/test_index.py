"""The project index: model extraction per ORM family, DDL, and the tenancy decision."""

from __future__ import annotations

import ast
import pickle
import textwrap

import pytest

from tenantlint.config.options import Config
from tenantlint.index.ddl import extract_sql_file
from tenantlint.index.extract import extract_models, may_define_models
from tenantlint.index.records import FieldInfo, ModelInfo, ProjectIndex
from tenantlint.index.render import render_tables
from tenantlint.index.tenancy import decide_tenancy
from tests.index_helpers import build_index

CFG = Config()


def src(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def index(files: dict[str, str], config: Config = CFG) -> ProjectIndex:
    return build_index([(path, src(text)) for path, text in files.items()], config)


def models_of(path: str, text: str) -> dict[str, ModelInfo]:
    text = src(text)
    found = extract_models(path, ast.parse(text), CFG, text)
    return {m.name: m for m in found}


def field(m: ModelInfo, name: str) -> FieldInfo:
    return next(f for f in m.fields if f.name == name)


# --- prefilter -------------------------------------------------------------------------------


def test_prefilter_skips_plain_code_and_keeps_model_files() -> None:
    assert not may_define_models("def view(request):\n    return 1\n")
    assert not may_define_models("class Helper:\n    x = 1\n")
    assert may_define_models("class Invoice(models.Model):\n    pass\n")
    assert may_define_models("class TenantMixin:\n    org_id = Column(Integer)\n")
    assert may_define_models("t = Table('x', metadata)\n")
    assert may_define_models("op.create_table('x')\n")


# --- Django ----------------------------------------------------------------------------------

DJANGO_CORE = """
from django.db import models

class Organization(models.Model):
    name = models.CharField(max_length=100)

class TenantModel(models.Model):
    org = models.ForeignKey(Organization, on_delete=models.CASCADE)

    class Meta:
        abstract = True
"""

DJANGO_BILLING = """
from django.db import models
from core.models import TenantModel


class Invoice(TenantModel):
    number = models.CharField(max_length=10)


class Line(models.Model):
    invoice = models.ForeignKey("billing.Invoice", on_delete=models.CASCADE, related_name="lines")
    amount = models.IntegerField()


class Note(models.Model):
    invoice = models.ForeignKey(Invoice, null=True, on_delete=models.CASCADE)


class Attachment(models.Model):
    line = models.ForeignKey(to="Line", on_delete=models.CASCADE, db_column="line_ref")

    class Meta:
        db_table = "attachments"
"""


def test_django_fields_fk_columns_related_names_and_tables() -> None:
    ms = models_of("billing/models.py", DJANGO_BILLING)
    line = ms["Line"]
    assert line.table == "billing_line" and line.app_label == "billing" and line.family == "django"
    assert field(line, "invoice") == FieldInfo("invoice", "invoice_id", "Invoice", True, "lines")
    assert field(line, "amount") == FieldInfo("amount", "amount")
    note = field(ms["Note"], "invoice")
    assert note.required is False and note.related_name == "note_set"
    att = ms["Attachment"]
    assert att.table == "attachments"
    assert field(att, "line") == FieldInfo("line", "line_ref", "Line", True, "attachment_set")
    assert ms["Invoice"].bases == ("TenantModel",)
    assert ms["Line"].line == 9  # "class Line" in the dedented source


def test_django_app_label_from_models_package_and_abstract_meta() -> None:
    ms = models_of("shop/models/orders.py", DJANGO_CORE)
    assert ms["Organization"].table == "shop_organization"
    assert ms["TenantModel"].abstract is True


def test_django_abstract_base_in_other_file_via_relations_and_nullable_fk() -> None:
    idx = index({"core/models.py": DJANGO_CORE, "billing/models.py": DJANGO_BILLING})
    inv = idx.tenant_table("billing_invoice")
    assert inv is not None
    assert (inv.tenant_field, inv.tenant_column, inv.via) == ("org", "org_id", ())
    assert inv.reason == "column org_id (core/models.py:6, inherited from TenantModel)"
    assert inv.models == ("Invoice",)
    assert inv.tenant_names() == {"org", "org_id"}
    line = idx.tenant_table("billing_line")
    assert line is not None and line.via == ("invoice",) and line.via_columns == ("invoice_id",)
    assert line.reason == "required foreign key invoice → billing_invoice (tenant table)"
    att = idx.tenant_table("ATTACHMENTS")
    assert att is not None and att.via == ("line", "invoice")
    assert att.via_columns == ("line_ref", "invoice_id")
    # a nullable FK does not scope Note; the organization itself is not scoped
    assert idx.tenant_table("billing_note") is None
    assert idx.tenant_table("core_organization") is None
    assert idx.by_model["Invoice"] == "billing_invoice"
    assert "TenantModel" not in idx.by_model  # abstract
    # the inherited field is re-targeted to the child's default related name
    inv_model = idx.model("Invoice")
    assert inv_model is not None and field(inv_model, "org").related_name == "invoice_set"
    assert "invoice_set" in idx.tokens()


def test_django_plain_tenant_column_and_mixin() -> None:
    idx = index(
        {
            "app/models.py": """
            from django.db import models

            class OrgMixin:
                tenant_id = models.UUIDField()

            class Doc(OrgMixin, models.Model):
                title = models.CharField(max_length=5)

            class Plain(models.Model):
                organization_id = models.IntegerField()
            """
        }
    )
    doc = idx.tenant_table("app_doc")
    assert doc is not None and doc.tenant_column == "tenant_id" and doc.tenant_field == "tenant_id"
    assert "inherited from OrgMixin" in doc.reason
    assert idx.tenant_table("app_plain") is not None
    assert "OrgMixin" not in idx.by_model


def test_django_forms_and_serializers_are_not_models() -> None:
    ms = models_of(
        "app/forms.py",
        """
        from django import forms
        from rest_framework.serializers import IntegerField

        class InvoiceForm(forms.ModelForm):
            org_id = forms.IntegerField()

            class Meta:
                model = Invoice

        class InvoiceSerializer(ModelSerializer):
            org_id = IntegerField()
        """,
    )
    assert ms == {}


def test_direct_tenant_column_preferred_over_via() -> None:
    idx = index(
        {
            "core/models.py": DJANGO_CORE,
            "billing/models.py": DJANGO_BILLING
            + """

class Payment(TenantModel):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE)
""",
        }
    )
    pay = idx.tenant_table("billing_payment")
    assert pay is not None and pay.via == () and pay.tenant_column == "org_id"


# --- config: tenant_models, tenant_tables, global_tables, discover ----------------------------


ACCOUNTS = """
from django.db import models

class Account(models.Model):
    name = models.CharField(max_length=5)

class Project(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE)

class Task(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE)

class Country(models.Model):
    code = models.CharField(max_length=2)
"""


def test_tenant_models_foreign_key() -> None:
    idx = index({"crm/models.py": ACCOUNTS}, Config(tenant_models=("Account",)))
    proj = idx.tenant_table("crm_project")
    assert (
        proj is not None and proj.tenant_field == "account" and proj.tenant_column == "account_id"
    )
    assert proj.reason == "foreign key account → Account (tenant_models)"
    task = idx.tenant_table("crm_task")
    assert task is not None and task.via == ("project",)
    assert idx.tenant_table("crm_account") is None
    assert index({"crm/models.py": ACCOUNTS}).tables == {}


def test_tenant_models_by_table_name() -> None:
    idx = index({"crm/models.py": ACCOUNTS}, Config(tenant_models=("crm_account",)))
    assert idx.tenant_table("crm_project") is not None


@pytest.mark.parametrize("name", ["Country", "crm_country", "CRM_COUNTRY"])
def test_tenant_tables_by_model_or_table_name(name: str) -> None:
    idx = index({"crm/models.py": ACCOUNTS}, Config(tenant_tables=(name,)))
    country = idx.tenant_table("crm_country")
    assert country is not None and country.reason == "listed in tenant_tables"
    assert country.tenant_column == "tenant_id"  # the first tenant column, as none is declared
    assert idx.tenant_table("crm_account") is None


@pytest.mark.parametrize("name", ["Project", "crm_project"])
def test_global_tables_by_model_or_table_name(name: str) -> None:
    idx = index(
        {"crm/models.py": ACCOUNTS}, Config(tenant_models=("Account",), global_tables=(name,))
    )
    assert idx.tenant_table("crm_project") is None
    assert idx.global_tables == frozenset({"crm_project"})
    assert idx.tenant_table("crm_task") is None  # nothing to be scoped through


def test_discover_off_only_listed_tables() -> None:
    idx = index(
        {"core/models.py": DJANGO_CORE, "billing/models.py": DJANGO_BILLING},
        Config(discover=False, tenant_tables=("Line",)),
    )
    assert set(idx.tables) == {"billing_line"}


# --- SQLAlchemy --------------------------------------------------------------------------------

SQLA = """
from typing import Optional
from sqlalchemy import Column, ForeignKey, Integer, String, Table
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class TenantMixin:
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"))


class Org(Base):
    __tablename__ = "orgs"
    id = Column(Integer, primary_key=True)


class Invoice(TenantMixin, Base):
    __tablename__ = "invoices"
    id: Mapped[int] = mapped_column(primary_key=True)
    lines = relationship("Line", back_populates="invoice")


class Line(Base):
    __tablename__ = "invoice_lines"
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"))
    invoice: Mapped["Invoice"] = relationship(back_populates="lines")
    memo_id: Mapped[Optional[int]] = mapped_column(ForeignKey("memos.id"))


class Loose(Base):
    __tablename__ = "loose"
    invoice_id = Column(Integer, ForeignKey("invoices.id"))
    other_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id"))


class Strict(Base):
    __tablename__ = "strict"
    invoice_id = Column(ForeignKey("invoices.id"), nullable=False)


class Audited:
    @declared_attr
    def tenant_id(cls):
        return Column(Integer, nullable=False)


class Event(Audited, Base):
    __tablename__ = "events"


payments = Table(
    "payments",
    Base.metadata,
    Column("id", Integer, primary_key=True),
    Column("org_id", Integer, ForeignKey("orgs.id"), nullable=False),
)
"""


def test_sqlalchemy_fields() -> None:
    ms = models_of("app/models.py", SQLA)
    assert "Base" not in ms
    assert ms["TenantMixin"].abstract and ms["TenantMixin"].fields == (
        FieldInfo("org_id", "org_id", "orgs", True),
    )
    line = ms["Line"]
    assert line.table == "invoice_lines" and line.family == "sqlalchemy"
    assert field(line, "invoice_id") == FieldInfo("invoice_id", "invoice_id", "invoices", True)
    assert field(line, "invoice") == FieldInfo("invoice", "", "Invoice", False, "lines")
    assert field(line, "memo_id").required is False
    loose = ms["Loose"]
    assert field(loose, "invoice_id").required is False  # Column() is nullable by default
    assert field(loose, "other_id").required is False
    assert field(ms["Strict"], "invoice_id").required is True
    assert field(ms["Audited"], "tenant_id").column == "tenant_id"
    pay = ms["payments"]
    assert pay.table == "payments" and field(pay, "org_id").fk_target == "orgs"


def test_sqlalchemy_tenancy() -> None:
    idx = index({"app/models.py": SQLA})
    inv = idx.tenant_table("invoices")
    assert inv is not None and inv.tenant_column == "org_id" and "TenantMixin" in inv.reason
    line = idx.tenant_table("invoice_lines")
    assert line is not None and line.via == ("invoice",) and line.via_columns == ("invoice_id",)
    assert idx.tenant_table("loose") is None  # nullable FKs only
    strict = idx.tenant_table("strict")
    assert strict is not None and strict.via == ("invoice_id",)  # no relationship: the column
    assert idx.tenant_table("events") is not None  # @declared_attr mixin column
    payments = idx.tenant_table("payments")
    assert payments is not None and payments.models == ("payments",)
    assert idx.tenant_table("orgs") is None
    assert idx.by_model["Invoice"] == "invoices"


def test_sqlalchemy_declarative_base_function_and_single_table_inheritance() -> None:
    idx = index(
        {
            "db.py": """
            from sqlalchemy.orm import declarative_base
            Base = declarative_base()
            """,
            "models.py": """
            from sqlalchemy import Column, Integer, String
            from db import Base

            class Employee(Base):
                __tablename__ = "employees"
                tenant_id = Column(Integer)
                kind = Column(String)

            class Manager(Employee):
                level = Column(Integer)
            """,
        }
    )
    assert idx.by_model["Manager"] == "employees"
    emp = idx.tenant_table("employees")
    assert emp is not None and emp.models == ("Employee", "Manager")


def test_flask_sqlalchemy_default_table_name() -> None:
    idx = index(
        {
            "app/models.py": """
            from app import db

            class InvoiceLine(db.Model):
                id = db.Column(db.Integer, primary_key=True)
                org_id = db.Column(db.Integer, db.ForeignKey("organization.id"), nullable=False)

            class HTTPLog(db.Model):
                __tablename__ = "http_logs"
                id = db.Column(db.Integer, primary_key=True)
            """
        }
    )
    assert idx.by_model == {"HTTPLog": "http_logs", "InvoiceLine": "invoice_line"}
    assert set(idx.tables) == {"invoice_line"}


# --- SQLModel, Peewee, Tortoise -------------------------------------------------------------


def test_sqlmodel_table_classes() -> None:
    idx = index(
        {
            "app/models.py": """
            from typing import Optional
            from sqlmodel import Field, Relationship, SQLModel

            class InvoiceBase(SQLModel):
                org_id: int = Field(foreign_key="orgs.id")

            class Invoice(InvoiceBase, table=True):
                id: Optional[int] = Field(default=None, primary_key=True)

            class InvoiceRead(InvoiceBase):
                id: int

            class Line(SQLModel, table=True):
                __tablename__ = "lines"
                id: Optional[int] = Field(default=None, primary_key=True)
                invoice_id: int = Field(foreign_key="invoice.id")
                invoice: Invoice = Relationship(back_populates="lines")
                note_id: Optional[int] = Field(default=None, foreign_key="invoice.id")
            """
        }
    )
    assert idx.by_model == {"Invoice": "invoice", "Line": "lines"}
    inv = idx.tenant_table("invoice")
    assert inv is not None and inv.tenant_column == "org_id"
    line = idx.tenant_table("lines")
    assert line is not None and line.via == ("invoice",)
    model = idx.model("Line")
    assert model is not None and model.family == "sqlmodel"
    assert field(model, "note_id").required is False
    assert field(model, "invoice").related_name == "lines"


def test_peewee_models() -> None:
    idx = index(
        {
            "app/models.py": """
            import peewee as pw
            from peewee import ForeignKeyField, IntegerField, Model

            class BaseModel(Model):
                class Meta:
                    database = db

            class Org(BaseModel):
                name = pw.CharField()

            class Invoice(BaseModel):
                org = ForeignKeyField(Org, backref="invoices")

            class Line(BaseModel):
                invoice = ForeignKeyField(Invoice, backref="lines", column_name="inv")
                maybe = ForeignKeyField(Invoice, null=True)

                class Meta:
                    table_name = "invoice_lines"

            class Usage(BaseModel):
                tenant_id = IntegerField()

            class Legacy(BaseModel):
                tenant_id = IntegerField()

                class Meta:
                    db_table = "legacy_usage"
            """
        }
    )
    legacy = idx.model("Legacy")
    assert legacy is not None and legacy.table == "legacy_usage"
    assert idx.tenant_table("legacy_usage") is not None and idx.tenant_table("legacy") is None
    inv_model = idx.model("Invoice")
    assert inv_model is not None and inv_model.table == "invoice" and inv_model.family == "peewee"
    assert inv_model.fields == (FieldInfo("org", "org_id", "Org", True, "invoices"),)
    line_model = idx.model("Line")
    assert line_model is not None and field(line_model, "maybe").related_name == "line_set"
    assert idx.tenant_table("invoice") is not None
    line = idx.tenant_table("invoice_lines")
    assert line is not None and line.via == ("invoice",) and line.via_columns == ("inv",)
    assert idx.tenant_table("usage") is not None
    assert idx.tenant_table("org") is None


def test_tortoise_models() -> None:
    idx = index(
        {
            "app/models.py": """
            from tortoise import fields
            from tortoise.models import Model

            class Invoice(Model):
                org = fields.ForeignKeyField("models.Org", related_name="invoices")
                number = fields.CharField(max_length=5)

                class Meta:
                    table = "invoices"

            class Line(Model):
                invoice = fields.ForeignKeyField("models.Invoice")
            """
        }
    )
    inv = idx.model("Invoice")
    assert inv is not None and inv.family == "tortoise"
    assert field(inv, "org") == FieldInfo("org", "org_id", "Org", True, "invoices")
    assert idx.tenant_table("invoices") is not None
    line = idx.tenant_table("line")
    assert line is not None and line.via == ("invoice",)
    line_model = idx.model("Line")
    assert line_model is not None and field(line_model, "invoice").related_name == "lines"


# --- DDL and Alembic ---------------------------------------------------------------------------

SQL = """
-- schema
CREATE TABLE orgs (id serial PRIMARY KEY);
CREATE TABLE IF NOT EXISTS public.invoices (
    id serial PRIMARY KEY,
    org_id int NOT NULL REFERENCES orgs(id)
);
CREATE TABLE lines (
    id int,
    invoice_id int NOT NULL,
    FOREIGN KEY (invoice_id) REFERENCES invoices(id)
);
CREATE TABLE notes (id int, invoice_id int REFERENCES invoices);
CREATE INDEX idx ON lines (id);
THIS IS NOT SQL;
"""


def test_sql_file_create_tables() -> None:
    found = {m.name: m for m in extract_sql_file("db/schema.sql", src(SQL), CFG)}
    assert set(found) == {"orgs", "invoices", "lines", "notes"}
    inv = found["invoices"]
    assert inv.family == "ddl" and inv.line == 3
    assert field(inv, "org_id") == FieldInfo("org_id", "org_id", "orgs", True)
    assert field(found["lines"], "invoice_id") == FieldInfo(
        "invoice_id", "invoice_id", "invoices", True
    )
    assert field(found["notes"], "invoice_id").required is False


def test_sql_file_tenancy_and_render() -> None:
    idx = index({"db/schema.sql": SQL})
    assert set(idx.tables) == {"invoices", "lines"}
    text = render_tables(idx)
    assert "invoices" in text and "column org_id (db/schema.sql:3)" in text
    assert text.splitlines()[1].startswith("lines")
    assert "2 tenant tables" in text


def test_alembic_create_table_and_add_column() -> None:
    idx = index(
        {
            "alembic/versions/001_init.py": """
            import sqlalchemy as sa
            from alembic import op

            def upgrade():
                op.create_table(
                    "projects",
                    sa.Column("id", sa.Integer(), primary_key=True),
                    sa.Column("tenant_id", sa.Integer(), nullable=False),
                )
                op.create_table(
                    "tasks",
                    sa.Column("id", sa.Integer(), primary_key=True),
                    sa.Column("project_id", sa.Integer(), nullable=False),
                    sa.ForeignKeyConstraint(["project_id"], ["projects.id"]),
                )
                op.create_table("tags", sa.Column("id", sa.Integer()))
                op.add_column("tags", sa.Column("org_id", sa.Integer()))
            """
        }
    )
    assert set(idx.tables) == {"projects", "tasks", "tags"}
    tasks = idx.tables["tasks"]
    assert tasks.via == ("project_id",)
    tags = idx.tables["tags"]
    assert tags.tenant_column == "org_id"
    defs = idx.models["tags"]
    assert [m.family for m in defs] == ["alembic", "alembic"]
    assert defs[0].line == 16 and defs[1].line == 17


# --- build, determinism, pickling ------------------------------------------------------------


def test_build_skips_unparsable_and_unrelated_files() -> None:
    idx = index(
        {
            "broken/models.py": "class Broken(models.Model:\n",
            "core/models.py": DJANGO_CORE,
            "billing/models.py": DJANGO_BILLING,
            "README.md": "class Foo(models.Model): org_id = models.IntegerField()",
        }
    )
    assert "billing_invoice" in idx.tables and "Broken" not in idx.models


def test_results_are_deterministic_and_picklable() -> None:
    files = {"core/models.py": DJANGO_CORE, "billing/models.py": DJANGO_BILLING, "s.sql": SQL}
    a = index(files)
    b = build_index(reversed([(p, src(t)) for p, t in files.items()]), CFG)
    assert a == b
    text = src(DJANGO_BILLING)
    found = extract_models("billing/models.py", ast.parse(text), CFG, text)
    assert pickle.loads(pickle.dumps(found)) == found
    # index.models holds resolved definitions (inherited fields included): deciding again from
    # them gives the same tables, though reasons no longer name the base class
    models = [m for defs in a.models.values() for m in defs]
    again = decide_tenancy(reversed(models), CFG).tables
    assert {k: (t.tenant_column, t.via) for k, t in again.items()} == {
        k: (t.tenant_column, t.via) for k, t in a.tables.items()
    }


def test_render_lists_global_tables_and_via_path() -> None:
    idx = index(
        {"core/models.py": DJANGO_CORE, "billing/models.py": DJANGO_BILLING},
        Config(global_tables=("Note",)),
    )
    text = render_tables(idx)
    assert "via line__invoice (line_ref, invoice_id)" in text
    assert text.rstrip().endswith("global (never scoped): billing_note")
