"""Tenant guards reading the row as a dict (``analysis/interp/row_dicts.py``)."""

from __future__ import annotations

import libcst as cst

from tenantlint.analysis.interp.guards import decode, guards
from tenantlint.analysis.interp.row_dicts import entry_path, self_conversion

NAMES = frozenset({"tenant_id"})


def _guards(src: str) -> list[tuple[str, str, str, bool]]:
    fn = cst.parse_module(src).body[0]
    assert isinstance(fn, cst.FunctionDef)
    params = tuple(p.name.value for p in fn.params.params)
    return [decode(g) for g in guards(fn, params, NAMES)]


TEAM = (
    "def check(kb, other):\n"
    "    kb = kb.to_dict() if isinstance(kb, Knowledgebase) else kb\n"
    "    kb_tenant_id = kb['tenant_id']\n"
    "    if kb_tenant_id == other:\n"
    "        return True\n"
    "    if kb['permission'] != 'team':\n"
    "        return False\n"
    "    joined_tenants = TenantService.get_joined_tenants_by_user_id(other)\n"
    "    return any(tenant['tenant_id'] == kb_tenant_id for tenant in joined_tenants)\n"
)


def test_a_dict_copy_of_the_row_read_by_key_is_a_predicate() -> None:
    assert ("kb", "tenant_id", "other", True) in _guards(TEAM)


def test_a_yes_that_does_not_read_the_tenant_is_no_guard() -> None:
    src = ("def check(kb, other):\n    kb = kb.to_dict()\n    if kb['permission'] == 'public':\n"
           "        return True\n    return kb['tenant_id'] == other\n")
    assert _guards(src) == []


def test_a_parameter_replaced_by_another_row_is_no_guard() -> None:
    src = ("def check(kb, other):\n    kb = default_kb(other)\n    return kb['tenant_id'] == other\n")
    assert _guards(src) == []
    src = ("def check(kb, other):\n    for kb in rows_of(other):\n        pass\n"
           "    return kb.tenant_id == other\n")
    assert _guards(src) == []


def test_an_alias_bound_twice_is_not_followed() -> None:
    src = ("def check(kb, other):\n    t = kb['tenant_id']\n    if other:\n        t = other\n"
           "    return t == other\n")
    assert _guards(src) == []


def test_entry_path_reads_constant_keys_as_attributes() -> None:
    def path(code: str) -> str | None:
        return entry_path(cst.parse_expression(code))

    assert path("kb['tenant_id']") == "kb.tenant_id"
    assert path("kb.owner['tenant_id']") == "kb.owner.tenant_id"
    assert path("kb[key]") is None
    assert path("kb['tenant id']") is None


def test_self_conversion() -> None:
    def conv(code: str) -> bool:
        return self_conversion(cst.parse_expression(code), "kb")

    assert conv("kb.to_dict()")
    assert conv("dict(kb)")
    assert conv("kb.to_dict() if isinstance(kb, Knowledgebase) else kb")
    assert not conv("other.to_dict()")
    assert not conv("kb.parent")
    assert not conv("kb.to_dict() if x else default")
    assert not conv("dict(kb, tenant_id=other)")


def test_a_row_whose_tenant_the_guard_writes_or_rebinds_by_walrus_is_no_guard() -> None:
    plain = "def check(kb, other):\n    kb = kb.to_dict()\n    return kb['tenant_id'] == other\n"
    assert ("kb", "tenant_id", "other", True) in _guards(plain)
    written = ("def check(kb, other):\n    kb = kb.to_dict()\n    if kb['permission'] == 'me':\n"
               "        kb['tenant_id'] = other\n    return kb['tenant_id'] == other\n")
    assert _guards(written) == []
    walrus = ("def check(kb, other):\n    if (kb := default_kb(other)) is None:\n        return False\n"
              "    return kb['tenant_id'] == other\n")
    assert _guards(walrus) == []
