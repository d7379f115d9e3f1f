"""Ids kept in the dicts of a local list (``tenantlint/analysis/interp/records.py``)."""

from __future__ import annotations

from pathlib import Path

from tenantlint.analysis.facts import Provenance
from tenantlint.analysis.interp import records
from tenantlint.analysis.interp.values import DictValue, Records, SeqValue, Value
from tests.orm_app import mismatches

SCOPED = Value(Provenance.trusted("row of assets"), scoped_row_of="assets", row_key=True)
REQUEST = Value(Provenance.untrusted("request body"))


def test_append_of_dicts_keeps_each_entry() -> None:
    first = records.grown(SeqValue(), "append", [DictValue(items=(("new", SCOPED), ("old", SCOPED)))])
    assert isinstance(first, Records)
    second = records.grown(first, "append", [DictValue(items=(("new", SCOPED),))])
    assert isinstance(second, Records)
    entry = records.element(second)
    assert entry is not None and dict(entry.items) == {"new": SCOPED}  # "old": not in every dict


def test_request_input_in_one_dict_makes_the_entry_request_input() -> None:
    first = records.grown(SeqValue(), "append", [DictValue(items=(("id", SCOPED),))])
    assert first is not None
    second = records.grown(first, "append", [DictValue(items=(("id", REQUEST),))])
    entry = records.element(second) if second is not None else None
    assert entry is not None and dict(entry.items)["id"].untrusted


def test_other_growth_makes_an_ordinary_value() -> None:
    first = records.grown(SeqValue(), "append", [DictValue(items=(("id", SCOPED),))])
    assert first is not None
    after = records.grown(first, "extend", [Value()])
    assert after is not None and not isinstance(after, Records) and records.element(after) is None
    assert records.grown(first, "append", [SCOPED]) is not None
    assert records.grown(SeqValue(), "append", [SCOPED]) is None  # scoped ids: not this module's


def test_list_display_of_dicts() -> None:
    both = DictValue(items=(("id", SCOPED), ("x", REQUEST)))
    rows = SeqValue(items=(DictValue(items=(("id", SCOPED),)), both))
    entry = records.element(rows)
    assert entry is not None and dict(entry.items) == {"id": SCOPED}
    assert records.element(SeqValue(items=(DictValue(), SCOPED))) is None
    assert records.element(SeqValue(items=(DictValue(),), open_ended=True)) is None


MODELS = '''
from django.db import models


class Workspace(models.Model):
    slug = models.CharField(max_length=48)


class Asset(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE)
    done = models.BooleanField(default=False)
'''

CODE = '''
from models import Asset


def copy(workspace, external):
    made = []
    for original in Asset.objects.filter(workspace=workspace):
        copy = Asset.objects.create(workspace=workspace)
        made.append({"new": str(copy.id), "old": str(original.id), "ext": external.get(original.id)})
    Asset.objects.filter(pk__in=[m["new"] for m in made]).update(done=True)  # ok
    Asset.objects.filter(pk__in=[m["old"] for m in made]).update(done=True)  # ok
    Asset.objects.filter(pk__in=[m["ext"] for m in made]).update(done=True)  # expect: TNT102
'''


def test_records_in_a_loop(tmp_path: Path) -> None:
    config = 'tenant_models = ["Workspace"]\nglobal_tables = ["Workspace"]\n'
    assert mismatches(tmp_path, {"models.py": MODELS, "tasks.py": CODE}, config) == []
