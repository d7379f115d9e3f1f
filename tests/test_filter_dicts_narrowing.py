"""Unit tests of the pieces behind the DRF/real-code idioms: dicts of filters returned by helpers,
rows read only to narrow other queries, serializer context keys set from request input."""

from __future__ import annotations

import ast

import libcst as cst

from tenantlint.analysis.facts import Provenance
from tenantlint.analysis.interp.filter_dicts import dict_kind, returned_dict
from tenantlint.analysis.interp.narrowing import narrowing_names
from tenantlint.analysis.interp.values import DictValue, Value
from tenantlint.crossfn.records import PARAMETER
from tenantlint.index.readers import body_context_keys


def _param(name: str) -> Value:
    return Value(Provenance.unknown(f"{PARAMETER}{name}"))


def test_a_returned_dict_takes_the_callers_arguments() -> None:
    inner = DictValue(items=(("org__slug", _param("slug")), ("member", _param("user")),
                             ("active", Value())))
    returned = DictValue(items=(("base", inner), ("since", _param("since"))))
    kind = dict_kind([returned], frozenset({"slug", "user", "since"}))
    assert kind.startswith("dict:")
    call = cst.parse_expression('scope(handle, user=request.user)')
    assert isinstance(call, cst.Call)
    url = Value(Provenance.untrusted("URL"))
    caller = Value(Provenance.trusted("request.user"))
    out = returned_dict(kind, ("slug", "user", "since"), "scope", call, [url, caller])
    assert out is not None
    base = dict(out.items)["base"]
    assert isinstance(base, DictValue)
    items = dict(base.items)
    assert items["org__slug"] is url and items["member"] is caller
    assert "active" not in items  # constants pin nothing
    assert "since" not in dict(out.items)  # left to its default


def test_returns_that_disagree_or_hold_no_parameter_are_no_dict_kind() -> None:
    a = DictValue(items=(("org", _param("org")),))
    b = DictValue(items=(("org", Value()),))
    assert dict_kind([a, b], frozenset({"org"})) == ""
    assert dict_kind([b], frozenset({"org"})) == ""
    assert dict_kind([a, Value()], frozenset({"org"})) == ""


def _body(src: str) -> cst.CSTNode:
    fn = cst.parse_module(src).body[0]
    assert isinstance(fn, cst.FunctionDef)
    return fn.body


def test_rows_read_only_to_narrow() -> None:
    body = _body(
        "def f(qs, pk):\n"
        "    row = Item.objects.filter(pk=pk).first()\n"
        "    other = Item.objects.filter(pk=pk).first()\n"
        "    kept = Item.objects.filter(pk=pk).first()\n"
        "    if row and row.parent_id:\n"
        "        qs = qs.filter(~Q(pk=row.parent_id)).exclude(pk=row.id)\n"
        "    if other:\n"
        "        return None\n"
        "    qs = qs.exclude(group=kept.group)\n"
        "    log(kept)\n"
        "    return qs\n"
    )
    assert narrowing_names(body) == frozenset({"row"})


def test_rows_read_only_by_the_filters_of_a_narrowing_query() -> None:
    body = _body(
        "def f(qs, pk, ids):\n"
        "    row = Item.objects.filter(pk=pk).first()\n"
        "    related = Rel.objects.filter(Q(a=row) | Q(b=row)).values_list('id', flat=True)\n"
        "    seen = Item.objects.filter(pk=pk).first()\n"
        "    near = Rel.objects.filter(a=seen).values_list('id', flat=True)\n"
        "    called = Item.objects.filter(pk=pk).first()\n"
        "    far = Rel.objects.filter(a=log(called)).values_list('id', flat=True)\n"
        "    done = set(Item.objects.filter(pk__in=ids).values_list('id', flat=True))\n"
        "    ids = [i for i in ids if i not in done]\n"
        "    kept = set(Item.objects.filter(pk__in=ids).values_list('id', flat=True))\n"
        "    shown = [i for i in kept if i in ids]\n"
        "    if row:\n"
        "        qs = qs.exclude(pk__in=related).exclude(pk__in=far)\n"
        "    qs = qs.exclude(pk__in=near)\n"
        "    return qs, near, shown\n"
    )
    # ``seen`` feeds ``near``, which is returned; ``called`` is passed to a call inside the filters
    assert narrowing_names(body) == frozenset({"row", "related", "far", "done"})


def test_context_keys_set_from_request_input() -> None:
    tree = ast.parse(
        "s = DraftSerializer(data=request.data, context={'project_id': request.data.get('p'), 'ws': ws.id})\n"
        "t = OtherSerializer(data=d, context={'org': self.request.query_params['o']})\n"
        "u = ThirdSerializer(data=d, context={'org': org})\n"
    )
    assert body_context_keys(tree) == {"DraftSerializer": "project_id", "OtherSerializer": "org"}


def test_returns_key_names_the_parameters_of_dict_helpers() -> None:
    """The cache key of re-walked callers changes when a filter-dict helper's parameters change (its
    dict is bound to the caller's arguments by position), even if what it returns does not."""
    from tenantlint.crossfn.returns import Returns

    kinds = {"app.filters.base": "dict:x"}
    one = Returns(kinds, dict_params={"app.filters.base": ("slug", "user")})
    other = Returns(kinds, dict_params={"app.filters.base": ("user", "slug")})
    assert one.key() != other.key()
