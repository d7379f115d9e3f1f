"""Tenant guards: which functions refuse unless one parameter's tenant is another's."""

from __future__ import annotations

import libcst as cst

from tenantlint.analysis.interp.guards import decode, guards
from tenantlint.analysis.interp.refusals import mismatch_sides

NAMES = frozenset({"org", "org_id"})


def _guards(src: str) -> list[tuple[str, str, str, bool]]:
    fn = cst.parse_module(src).body[0]
    assert isinstance(fn, cst.FunctionDef)
    params = tuple(p.name.value for p in fn.params.params)
    return [decode(g) for g in guards(fn, params, NAMES)]


def test_comparison_that_raises_is_a_guard() -> None:
    src = "def check(user, doc):\n    if doc.org_id != user.org_id:\n        raise Denied()\n"
    assert _guards(src) == [("doc", "org_id", "user", False), ("user", "org_id", "doc", False)]


def test_relation_and_its_id_and_abort() -> None:
    src = "def check(user, doc):\n    if user.org.id != doc.org.pk or doc.x:\n        abort(404)\n"
    assert ("doc", "org", "user", False) in _guards(src)


def test_early_return_skips_the_comparison() -> None:
    src = ("def check(user, doc):\n    if user.is_staff:\n        return\n"
           "    if doc.org_id != user.org_id:\n        raise Denied()\n")
    assert _guards(src) == []


def test_return_inside_a_nested_function_does_not_count() -> None:
    src = ("def check(user, doc):\n    def key():\n        return 1\n"
           "    if doc.org_id != user.org_id:\n        raise Denied()\n")
    assert ("doc", "org_id", "user", False) in _guards(src)


def test_answering_no_is_a_predicate() -> None:
    src = "def check(user, doc):\n    if doc.org_id != user.org_id:\n        return False\n    return True\n"
    assert ("doc", "org_id", "user", True) in _guards(src)


def test_answering_yes_is_not_a_guard() -> None:
    src = "def check(user, doc):\n    if doc.org_id != user.org_id:\n        return True\n    return False\n"
    assert _guards(src) == []


def test_other_attributes_and_equality_are_not_guards() -> None:
    src = ("def check(user, doc):\n    if doc.owner_id != user.id:\n        raise Denied()\n"
           "    if doc.org_id == user.org_id:\n        raise Denied()\n")
    assert _guards(src) == []


def test_nested_if_is_not_a_guard() -> None:
    src = ("def check(user, doc, strict):\n    if strict:\n"
           "        if doc.org_id != user.org_id:\n            raise Denied()\n")
    assert _guards(src) == []


def test_same_parameter_on_both_sides_is_not_a_guard() -> None:
    src = "def check(doc):\n    if doc.org_id != doc.org.id:\n        raise Denied()\n"
    assert _guards(src) == []


def test_one_line_branch() -> None:
    src = "def check(user, doc):\n    if doc.org != user.org: raise Denied()\n"
    assert ("doc", "org", "user", False) in _guards(src)


def test_mismatch_sides_reads_every_spelling_of_a_mismatch() -> None:
    def sides(src: str) -> list[tuple[str, str]]:
        code = cst.Module(body=[]).code_for_node
        return [(code(a), code(b)) for a, b in mismatch_sides(cst.parse_expression(src))]

    assert sides("a.org_id != b") == [("a.org_id", "b")]
    assert sides("a is not b") == [("a", "b")]
    assert sides("not a == b") == [("a", "b")]
    assert sides("not (a.org == b)") == [("a.org", "b")]
    assert sides("x < 0 or a != b or not c == d") == [("a", "b"), ("c", "d")]
    assert sides("a == b") == []
    assert sides("not a != b") == []
    assert sides("a != b and c") == []


# Guards on an id: the row the function fetches by exactly one parameter (access_predicates.py).

def test_predicate_on_a_fetched_row_guards_its_id() -> None:
    src = ("def can_read(doc_id, user):\n    doc = Doc.objects.filter(pk=doc_id).first()\n"
           "    if doc is None:\n        return False\n    return doc.org_id == user.org_id\n")
    assert _guards(src) == [("doc_id", "#", "user", True)]


def test_membership_among_the_tenants_of_the_other_parameter() -> None:
    src = ("def can_read(cls, doc_id, user_id):\n    found, doc = cls.get_by_id(doc_id)\n"
           "    if not found:\n        return False\n    if doc.org_id == user_id:\n        return True\n"
           "    joined = orgs_of(user_id)\n    allowed = any(o['org_id'] == doc.org_id for o in joined)\n"
           "    if not allowed:\n        log.warning('refused')\n    return allowed\n")
    assert ("doc_id", "#", "user_id", True) in _guards(src)


def test_membership_by_in() -> None:
    src = ("def can_read(doc_id, user_id):\n    doc = get_doc(doc_id)\n"
           "    return doc.org_id in orgs_of(user_id)\n")
    assert _guards(src) == [("doc_id", "#", "user_id", True)]


def test_tenants_computed_from_another_value_are_no_membership() -> None:
    src = ("def can_read(doc_id, user_id, other):\n    doc = get_doc(doc_id)\n"
           "    return doc.org_id in orgs_of(user_id, other)\n")
    assert _guards(src) == []


def test_yes_before_the_comparison_is_no_guard() -> None:
    src = ("def can_read(doc_id, user):\n    doc = get_doc(doc_id)\n    if doc.public:\n        return True\n"
           "    return doc.org_id == user.org_id\n")
    assert _guards(src) == []


def test_a_logged_mismatch_is_no_guard() -> None:
    src = ("def can_read(doc_id, user):\n    doc = get_doc(doc_id)\n"
           "    if doc.org_id != user.org_id:\n        log.warning('foreign')\n    return True\n")
    assert _guards(src) == []


def test_no_comparison_is_no_guard() -> None:
    src = "def exists(doc_id, user):\n    doc = get_doc(doc_id)\n    return doc is not None\n"
    assert _guards(src) == []


def test_refusing_on_a_fetched_row_guards_its_id_at_any_call() -> None:
    src = ("def check(doc_id, org):\n    doc = get_doc(doc_id)\n"
           "    if doc is None or doc.org_id != org.id:\n        raise Denied()\n    return doc\n")
    assert _guards(src) == [("doc_id", "#", "org", False)]


def test_a_row_bound_twice_is_not_followed() -> None:
    src = ("def can_read(doc_id, user):\n    doc = get_doc(doc_id)\n    doc = default_doc()\n"
           "    return doc.org_id == user.org_id\n")
    assert _guards(src) == []


def test_a_fetch_by_two_parameters_guards_no_id() -> None:
    src = ("def can_read(doc_id, version, user):\n    doc = get_doc(doc_id, version)\n"
           "    return doc.org_id == user.org_id\n")
    assert _guards(src) == []


def test_either_branch_must_prove_it() -> None:
    src = ("def can_read(doc_id, user, strict):\n    doc = get_doc(doc_id)\n    if strict:\n"
           "        if doc.org_id != user.org_id:\n            return False\n"
           "    else:\n        log.info('lax')\n"
           "    return True\n")
    assert _guards(src) == []


def _read(src: str, guards_of: dict[str, list[tuple[int, str, int | None, bool]]] | None = None
          ) -> tuple[list[tuple[str, str, str]], list[tuple[str, str, str]]]:
    """The (refusing, predicate) guards of the first function, with ``current_user.*`` trusted and
    the guards of called functions given as (checked argument index, attr, against index or None)."""
    from tenantlint.analysis.interp.access_predicates import access_guards
    from tenantlint.analysis.interp.exprs import dotted

    fn = cst.parse_module(src).body[0]
    assert isinstance(fn, cst.FunctionDef)
    params = tuple(p.name.value for p in fn.params.params)

    def trusted(node: cst.BaseExpression) -> bool:
        return (dotted(node) or "").startswith("current_user.")

    def call_guards(call: cst.Call) -> list[tuple[cst.BaseExpression, str, cst.BaseExpression | None, bool]]:
        found = (guards_of or {}).get(dotted(call.func) or "", [])
        return [(call.args[c].value, attr, None if a is None else call.args[a].value, p)
                for c, attr, a, p in found]

    refusing, predicate, _ = access_guards(fn, params, NAMES, trusted, call_guards)
    return refusing, predicate


def test_checked_against_the_caller_read_in_place() -> None:
    src = ("def require(doc_id):\n    doc = Service.get(doc_id)\n"
           "    if doc is None or doc.org_id != current_user.org_id:\n        raise Denied()\n"
           "    return doc\n")
    assert _read(src)[0] == [("doc_id", "#", "@")]


def test_a_local_named_like_the_caller_is_not_trusted() -> None:
    src = ("def require(doc_id, other):\n    current_user = other\n    doc = Service.get(doc_id)\n"
           "    if doc.org_id != current_user.org_id:\n        raise Denied()\n    return doc\n")
    assert _read(src) == ([], [])


def test_tenants_computed_from_the_caller_alone() -> None:
    src = ("def can_read(doc):\n    if doc.org_id == current_user.org_id:\n        return True\n"
           "    return doc.org_id in joined_orgs(current_user.id)\n")
    assert _read(src)[1] == [("doc", "org_id", "@")]
    mixed = ("def can_read(doc):\n    extra = pick()\n"
             "    return doc.org_id in joined_orgs(current_user.id, extra)\n")
    assert _read(mixed) == ([], [])


def test_a_guard_made_of_a_predicate_call() -> None:
    src = ("def require(doc_id):\n    doc = Service.get(doc_id)\n"
           "    if not doc or not can_read(doc):\n        raise Denied()\n    return doc\n")
    called = {"can_read": [(0, "org_id", None, True)]}
    assert _read(src, called)[0] == [("doc_id", "#", "@")]
    ignored = ("def require(doc_id):\n    doc = Service.get(doc_id)\n    can_read(doc)\n    return doc\n")
    assert _read(ignored, called) == ([], [])


def test_a_refusing_call_as_a_statement() -> None:
    src = "def require(doc_id):\n    check_doc(doc_id)\n    return Service.get(doc_id)\n"
    assert _read(src, {"check_doc": [(0, "#", None, False)]})[0] == [("doc_id", "#", "@")]


def test_a_fixed_set_admission_is_no_way_out() -> None:
    src = ("def access(doc_id, org):\n    doc = get_doc(doc_id)\n    if doc.org == org:\n        return doc\n"
           "    if doc.email.lower() in settings.SYSTEM_EMAILS:\n        return doc\n    raise Missing()\n")
    assert _guards(src) == [("doc_id", "#", "org", False)]


def test_what_a_fixed_set_admission_may_test() -> None:
    head = "def access(doc_id, org, email, allowed):\n    doc = get_doc(doc_id)\n"
    tail = "    if doc.org_id == org.id:\n        return doc\n    raise Missing()\n"
    admitted = ["doc.id in SYSTEM_IDS and doc.active", "doc.email in config.SYSTEM_EMAILS"]
    refused = ["email in settings.SYSTEM_EMAILS", "doc.is_public", "doc.email in allowed",
               "doc.email in settings.system_emails", "doc.email in settings.EMAILS or email",
               "doc.email in get_emails(org).ALL", "doc.email.replace(email, '') in SYSTEM"]
    for test in admitted + refused:
        src = f"{head}    if {test}:\n        return doc\n{tail}"
        assert (_guards(src) == [("doc_id", "#", "org", False)]) is (test in admitted), test
    other = f"{head}    if doc.email in SYSTEM:\n        return org\n{tail}"  # returns something else
    assert _guards(other) == []


def test_a_fixed_set_predicate() -> None:
    from tenantlint.analysis.interp.fixed_sets import fixed_params

    def fixed(src: str) -> list[str]:
        fn = cst.parse_module(src).body[0]
        assert isinstance(fn, cst.FunctionDef)
        return fixed_params(fn, [p.name.value for p in fn.params.params])

    doc = 'def is_bot(email):\n    """Doc."""\n    return email.lower() in settings.BOT_EMAILS\n'
    assert fixed(doc) == ["email"]
    assert fixed("def is_bot(email, bots):\n    return email in bots\n") == []
    assert fixed("def is_bot(email):\n    x = 1\n    return email in BOTS\n") == []
    assert fixed("def is_bot(email):\n    return email not in BOTS\n") == []
