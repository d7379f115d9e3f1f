"""Ids proven by a check after the fetch (``keyed_fetch.Unproven``, ``orm/late_parents.py``), ``Q``
alternatives that pin the same id, and ``if row is None: return 403`` membership lookups."""

from __future__ import annotations

import libcst as cst

from tenantlint.analysis.facts import Provenance, Scoping
from tenantlint.analysis.interp.function_state import UNPROVEN, merge_env
from tenantlint.analysis.interp.inline_check import _alternatives
from tenantlint.analysis.interp.keyed_fetch import Unproven, _q_names, _same_binding
from tenantlint.analysis.interp.predicates import Junction, Leaf
from tenantlint.analysis.interp.values import Value
from tenantlint.analysis.orm.late_parents import latent_parents

PARENTS = {"issue": "issues", "issue_id": "issues", "related_issue": "issues", "related_issue_id": "issues",
           "project": "projects", "project_id": "projects"}
URL = Provenance.untrusted("URL path parameter 'project_id'")


def _expr(code: str) -> cst.BaseExpression:
    return cst.parse_expression(code)


def test_q_alternatives_keep_the_names_every_side_pins() -> None:
    both = _expr("Q(issue_id=a, related_issue_id=b) | Q(issue_id=b, related_issue_id=a)")
    assert _q_names(both, PARENTS) == {"a": "issues", "b": "issues"}
    one = _expr("Q(issue_id=a, related_issue_id=b) | Q(related_issue_id=b)")
    assert _q_names(one, PARENTS) == {"b": "issues"}
    other_table = _expr("Q(issue_id=a) | Q(project_id=a)")
    assert _q_names(other_table, PARENTS) == {}
    assert _q_names(_expr("Q(pk=a) & Q(project=p)"), PARENTS) == {"a": "", "p": "projects"}
    assert _q_names(_expr("~Q(pk=a)"), PARENTS) is None


def test_latent_parents_are_mandatory_request_keys() -> None:
    value = Value(URL)
    pred = Junction("and", (Leaf("project_id", value), Leaf("name", value)))
    pins = latent_parents(pred, PARENTS)
    assert [(p.prov, p.how) for p in pins] == [(URL, Scoping.SCOPED_PARENT)]
    assert latent_parents(Junction("or", (Leaf("project_id", value), Leaf("name", value))), PARENTS) == ()
    assert latent_parents(Leaf("project_id", Value(Provenance.trusted("checked"))), PARENTS) == ()
    assert latent_parents(Leaf("project__id", value), PARENTS) != ()
    assert latent_parents(Leaf("project__name", value), PARENTS) == ()


def test_a_name_verified_since_the_fetch_is_the_same_binding() -> None:
    held = Value(URL)
    assert _same_binding(held, held)
    assert _same_binding(held, Value(Provenance.trusted("project_id, verified by check()")))
    assert not _same_binding(held, Value(Provenance.untrusted("request body")))
    assert not _same_binding(held, None)


def test_an_unproven_fetch_of_one_branch_is_dropped_at_the_join() -> None:
    entry = Unproven(names=(("issue_id", ""),), held=(Value(URL),), raising=True)
    one = {UNPROVEN: Value(), UNPROVEN + "issue": entry}
    merged = merge_env(one, {})
    assert UNPROVEN + "issue" not in merged
    assert UNPROVEN + "issue" in merge_env(one, dict(one))


def test_is_none_is_a_negated_lookup() -> None:
    found = _alternatives(_expr("member is None"))
    assert found is not None and isinstance(found[0], cst.Name) and found[0].value == "member"
    assert _alternatives(_expr("member is not None")) is None
    assert _alternatives(_expr("member == None")) is None


def test_excluded_keys_prove_nothing() -> None:
    from tenantlint.analysis.interp.keyed_fetch import _id_names

    call = _expr("Issue.objects.filter(project_id=p).exclude(pk=other).get(pk=issue_id)")
    assert isinstance(call, cst.Call)
    assert set(_id_names(call, PARENTS)) == {("issue_id", ""), ("p", "projects")}
