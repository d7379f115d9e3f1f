"""The small project every rule's cases run in (docs/rules/README.md shows it).

A rule's ``invalid`` and ``valid`` cases are the examples of its documentation page; each is written
as ``billing/views.py`` of this project and checked by ``tests/test_rule_cases.py``: an invalid case
must get the rule's code, a valid case no finding at all.
"""

from __future__ import annotations

CASE_PATH = "billing/views.py"

FILES: dict[str, str] = {
    "billing/__init__.py": "",
    "billing/models.py": '''\
from django.db import models


class Organization(models.Model):
    name = models.CharField(max_length=100)


class Invoice(models.Model):
    org = models.ForeignKey(Organization, on_delete=models.CASCADE)
    number = models.CharField(max_length=20)
    status = models.CharField(max_length=20)
    shared = models.BooleanField(default=False)
    owner = models.ForeignKey("auth.User", on_delete=models.CASCADE)


class Project(models.Model):
    org = models.ForeignKey(Organization, on_delete=models.CASCADE)
    archived = models.BooleanField(default=False)
''',
    "billing/serializers.py": '''\
from rest_framework import serializers

from billing.models import Invoice


class InvoiceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Invoice
        fields = ["id", "number", "status"]
''',
    "schema.sql": '''\
CREATE TABLE invoices (
    id integer PRIMARY KEY,
    org_id integer NOT NULL,
    number text,
    status text
);
''',
    "tenantlint.toml": 'tenant_models = ["Organization"]\n',
}
