"""Tenant set by the model: ``save()`` copies, insert events and trusted column defaults."""

from __future__ import annotations

import textwrap

from tenantlint.config.options import Config
from tenantlint.index.records import ProjectIndex
from tests.index_helpers import build_index

CFG = Config(tenant_columns=("workspace_id",), tenant_models=("Workspace",),
             global_tables=("Workspace",))


def index(text: str, config: Config = CFG) -> ProjectIndex:
    return build_index([("app/models.py", textwrap.dedent(text).lstrip("\n"))], config)


DJANGO = """
from django.db import models

class Workspace(models.Model):
    slug = models.SlugField(unique=True)

class Project(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE)

class ProjectBaseModel(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.workspace = self.project.workspace
        super().save(*args, **kwargs)

class Issue(ProjectBaseModel):
    name = models.CharField(max_length=9)

class Label(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE)
    project = models.ForeignKey(Project, on_delete=models.CASCADE)

    def save(self, *args, **kwargs):
        self.name = self.project.name  # not the tenant column
        super().save(*args, **kwargs)
"""


def test_save_copy_is_inherited_and_names_the_source_field_and_column() -> None:
    idx = index(DJANGO)
    issue = idx.tenant_table_of_model("Issue")
    assert issue is not None
    assert issue.set_by == ("project", "project_id")
    assert {"project", "project_id", "workspace", "workspace_id"} <= issue.insert_names()
    assert not issue.always_set


def test_save_copying_another_field_does_not_set_the_tenant() -> None:
    label = index(DJANGO).tenant_table_of_model("Label")
    assert label is not None and label.set_by == ()
    assert "project" not in label.insert_names()


def test_sqlalchemy_before_insert_event_and_trusted_default() -> None:
    text = """
    from flask import g
    from sqlalchemy import Column, ForeignKey, Integer, event
    from sqlalchemy.orm import declarative_base, relationship

    Base = declarative_base()

    class Org(Base):
        __tablename__ = "orgs"
        id = Column(Integer, primary_key=True)

    class Project(Base):
        __tablename__ = "projects"
        id = Column(Integer, primary_key=True)
        org_id = Column(Integer, ForeignKey("orgs.id"), nullable=False)

    class Task(Base):
        __tablename__ = "tasks"
        id = Column(Integer, primary_key=True)
        org_id = Column(Integer, ForeignKey("orgs.id"), nullable=False)
        project_id = Column(Integer, ForeignKey("projects.id"), nullable=False)
        project = relationship(Project)

    class Note(Base):
        __tablename__ = "notes"
        id = Column(Integer, primary_key=True)
        org_id = Column(Integer, ForeignKey("orgs.id"), default=lambda: g.org_id)

    @event.listens_for(Task, "before_insert")
    def copy_org(mapper, connection, target):
        target.org_id = target.project.org_id
    """
    idx = index(text, Config())
    task = idx.tenant_table_of_model("Task")
    note = idx.tenant_table_of_model("Note")
    assert task is not None and "project" in task.set_by
    assert note is not None and note.always_set
