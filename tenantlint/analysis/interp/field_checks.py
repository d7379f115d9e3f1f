"""Related fields of a DRF serializer checked after the fetch, in ``validate()``.

::

    class TaskSerializer(serializers.ModelSerializer):
        parent_id = serializers.PrimaryKeyRelatedField(source="parent", queryset=Task.objects.all())

        def validate(self, attrs):
            if attrs.get("parent") and not Task.objects.filter(
                project_id=self.context["project_id"], pk=attrs.get("parent").id
            ).exists():
                raise serializers.ValidationError("parent not in this project")
            return attrs

The field's ``queryset`` only parses the id: DRF runs ``validate()`` before ``save()``, and
``validate()`` refuses a row that a tenant-scoped query keyed by that very value does not find.
The field's query then counts as checked after the fetch. The check is an ``if`` whose body
raises (or returns), whose test holds ``<scoped query>.exists()`` (usually under ``not``), the query
filtered by the primary key (``pk``/``id``) equal to the field's value: ``attrs.get("parent")``,
``attrs["parent"]`` (``.id``/``.pk``) in ``validate(self, attrs)``, or the value parameter of
``validate_<field>(self, value)``. The query must be on the field's table and scoped with a value
that is not request input.
"""

from __future__ import annotations

import libcst as cst

from tenantlint.analysis.facts import Provenance, QueryKind, Scoping
from tenantlint.analysis.interp.exprs import dotted, string_value
from tenantlint.analysis.interp.values import Origin, Pin
from tenantlint.analysis.plugins import ClassInfo

RELATED_FIELDS = frozenset({"PrimaryKeyRelatedField", "SlugRelatedField"})
LIST_FIELDS = frozenset({"ListField"})  # ``ListField(child=PrimaryKeyRelatedField(queryset=...))``
PK_KEYS = frozenset({"pk", "id"})


def related_fields(cls: ClassInfo) -> dict[str, tuple[str, cst.CSTNode]]:
    """``source`` (or the field name) -> (field name, its statement) of the class body's related
    fields with a ``queryset=``."""
    out: dict[str, tuple[str, cst.CSTNode]] = {}
    body = cls.node.body.body if isinstance(cls.node.body, cst.IndentedBlock) else ()
    for stmt in body:
        if not isinstance(stmt, cst.SimpleStatementLine) or len(stmt.body) != 1:
            continue
        small = stmt.body[0]
        if not isinstance(small, cst.Assign) or len(small.targets) != 1:
            continue
        target = small.targets[0].target
        call = small.value
        if not isinstance(target, cst.Name) or not isinstance(call, cst.Call):
            continue
        keywords = {a.keyword.value: a.value for a in call.args if a.keyword is not None}
        kind = (dotted(call.func) or "").rsplit(".", 1)[-1]
        child = keywords.get("child")
        if kind in LIST_FIELDS and isinstance(child, cst.Call):
            kind = (dotted(child.func) or "").rsplit(".", 1)[-1]
            if not any(a.keyword is not None and a.keyword.value == "queryset" for a in child.args):
                continue
        elif "queryset" not in keywords:
            continue
        if kind not in RELATED_FIELDS:
            continue
        source = string_value(keywords["source"]) if "source" in keywords else target.value
        if source:
            out[source] = (target.value, stmt)
    return out


def _keyed_value(node: cst.BaseExpression, attrs: str, value_param: str | None) -> str | None:
    """The field key a primary-key filter value names: ``attrs.get("parent").id`` -> ``parent``;
    ``value.id`` in ``validate_parent(self, value)`` -> the value parameter's field (``""``)."""
    if isinstance(node, cst.Attribute) and node.attr.value in PK_KEYS:
        node = node.value
    if isinstance(node, cst.Name) and value_param is not None and node.value == value_param:
        return ""
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == "get" \
            and isinstance(node.func.value, cst.Name) and node.func.value.value == attrs and node.args:
        return string_value(node.args[0].value)
    if isinstance(node, cst.Subscript) and isinstance(node.value, cst.Name) and node.value.value == attrs \
            and len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
        return string_value(node.slice[0].slice.value)
    return None


def _checked_keys(test: cst.BaseExpression, attrs: str, value_param: str | None) -> set[str]:
    """Field keys that an ``.exists()`` query of the test filters its primary key by."""
    out: set[str] = set()
    todo: list[cst.CSTNode] = [test]
    while todo:
        node = todo.pop()
        if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) \
                and node.func.attr.value in ("filter", "get"):
            for arg in node.args:
                if arg.keyword is not None and arg.keyword.value in PK_KEYS:
                    key = _keyed_value(arg.value, attrs, value_param)
                    if key is not None:
                        out.add(key)
        todo.extend(node.children)
    return out


def validated_fields(method: str, params: list[str], test: cst.BaseExpression,
                     fields: dict[str, tuple[str, cst.CSTNode]]) -> list[cst.CSTNode]:
    """The statements of the related fields an ``if`` test of ``validate``/``validate_<field>`` checks."""
    if len(params) < 2 or "exists" not in cst.Module(body=[]).code_for_node(test):
        return []
    if method == "validate":
        keys = _checked_keys(test, params[1], None)
        return [fields[k][1] for k in keys if k in fields]
    if method.startswith("validate_"):
        name = method[len("validate_"):]
        if "" not in _checked_keys(test, "", params[1]):
            return []
        return [stmt for field, stmt in fields.values() if field == name]
    return []


def mark_checked(origins: list[Origin], test_origins: list[Origin], statements: list[cst.CSTNode],
                 how: str = "checked after the fetch (validate())") -> None:
    """Pin the reads of the fields' queries when a query of the test on the same table is scoped."""
    for stmt in statements:
        for origin in origins:
            if origin.statement is not stmt or origin.tenant is None:
                continue
            scoped = [o for o in test_origins if o.table == origin.table and _scoped(o)]
            if not scoped:
                continue
            pin = Pin(Provenance.trusted("checked in validate()"), Scoping.TRUSTED_FILTER, how)
            origin.uses = [(k, s.add_pin(pin) if k is QueryKind.READ else s) for k, s in origin.uses]
            if origin.latest is not None:
                origin.latest = origin.latest.add_pin(pin)


def _scoped(origin: Origin) -> bool:
    states = [s for _, s in origin.uses] or ([origin.latest] if origin.latest is not None else [])
    if not states:
        return False
    for s in states:
        scoping, untrusted, _ = s.verdict()
        if not scoping.is_safe or untrusted is not None:
            return False
    return True
