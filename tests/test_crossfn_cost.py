"""What the summaries cost: call sites of names no project function has are not kept (and a cached
result that left some out is stale once such a function appears), equal values are shared, and the
second passes reuse what the settings derived (docs/performance.md, "What the summaries cost")."""

from __future__ import annotations

import inspect
import textwrap
from functools import cached_property
from pathlib import Path

from tenantlint.analysis.settings import Settings
from tenantlint.cache import RESULT_KIND, Cache
from tenantlint.config.load import load_config
from tenantlint.crossfn.returns import Returns
from tenantlint.crossfn.share import Sharing
from tenantlint.results import Arg, FileResult, Site, Summary
from tenantlint.runner import RunOptions, _hit, analyse, build_project, run
from tests.test_crossfn import MODELS, chdir

VIEWS = """
from django.http import JsonResponse

from app import helpers


def view(request):
    return JsonResponse({"n": len(helpers.get_invoice(request.GET["id"]).number)})
"""

HELPERS = """
from app.models import Invoice


def {name}(pk):
    return Invoice.objects.get(pk=pk)
"""


def project(tmp_path: Path, helper: str = "get_invoice", exclude: str = "") -> Path:
    (tmp_path / "tenantlint.toml").write_text(f'global_tables = ["Organization"]\n{exclude}')
    (tmp_path / "app").mkdir(exist_ok=True)
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "models.py").write_text(MODELS)
    (tmp_path / "app" / "helpers.py").write_text(HELPERS.format(name=helper))
    (tmp_path / "app" / "views.py").write_text(textwrap.dedent(VIEWS).lstrip("\n"))
    return tmp_path


def found(tmp_path: Path, **options: object) -> list[tuple[str, int, str]]:
    with chdir(tmp_path):
        result = run(load_config(tmp_path), RunOptions(**options))  # type: ignore[arg-type]
    return sorted((f.path, f.line, f.code) for f in result.findings)


def results(tmp_path: Path) -> dict[str, FileResult]:
    with chdir(tmp_path):
        done, _ = analyse(load_config(tmp_path), RunOptions())
    return {r.path: r for r in done}


def test_call_sites_of_names_no_project_function_has_are_left_out(tmp_path: Path) -> None:
    views = results(project(tmp_path))["app/views.py"]
    assert [s.callee for s in views.calls] == ["app.helpers.get_invoice"]
    assert views.dropped == ["JsonResponse", "len"]
    assert "app.helpers.get_invoice" in views.returns_asked
    assert not any(c.endswith(("len", "JsonResponse")) for c in views.returns_asked)
    assert found(tmp_path) == [("app/views.py", 7, "TNT101")]  # at the argument, as before


def test_a_cached_result_that_left_out_a_name_is_stale_once_a_function_has_it(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "cache")
    stored = FileResult("app/views.py", dropped=["get_invoice", "len"])
    cache.put(RESULT_KIND, "ab12", stored)
    assert _hit(cache, "ab12", frozenset({"get_bill"})) == stored
    assert _hit(cache, "ab12", frozenset({"get_bill", "get_invoice"})) is None  # defined since
    assert _hit(cache, "ab12", None) is None  # this run keeps every call site


def test_findings_of_a_cached_run_follow_a_function_defined_since(tmp_path: Path) -> None:
    project(tmp_path, helper="get_bill")
    cache = tmp_path / "cache"
    assert found(tmp_path, use_cache=True, cache_dir=cache) == [("app/helpers.py", 6, "TNT101")]
    (tmp_path / "app" / "helpers.py").write_text(HELPERS.format(name="get_invoice"))
    assert found(tmp_path, use_cache=True, cache_dir=cache) == [("app/views.py", 7, "TNT101")]
    assert found(tmp_path) == [("app/views.py", 7, "TNT101")]


def test_every_call_site_is_kept_when_a_target_was_not_read_by_the_pre_pass(tmp_path: Path) -> None:
    """An excluded file named on the command line is analysed, but the pre-pass never read it: the
    functions it defines are not known beforehand, so no call site is left out."""
    project(tmp_path, helper="get_bill", exclude='exclude = ["legacy/**"]\n')
    (tmp_path / "legacy").mkdir()
    (tmp_path / "legacy" / "__init__.py").write_text("")
    (tmp_path / "legacy" / "helpers.py").write_text(HELPERS.format(name="get_invoice"))
    (tmp_path / "app" / "views.py").write_text(
        textwrap.dedent(VIEWS).lstrip("\n").replace("from app import helpers", "from legacy import helpers"))
    got = found(tmp_path, paths=(Path("app"), Path("legacy/helpers.py")))
    assert got == [("app/helpers.py", 6, "TNT101"), ("app/views.py", 7, "TNT101")]


def test_sharing_keeps_every_record_equal_and_shares_equal_values() -> None:
    def result(path: str) -> FileResult:
        arg = Arg(0, "", "unknown", "parameter pk", None)
        site = Site("app.helpers.get_invoice", path, 3, f"{path}.view", None, False, False, (arg,))
        summary = Summary(f"{path}.view", path, 2, ("request", "pk"), "django view", False, (), ())
        return FileResult(path, summaries=[summary], calls=[site], returns_asked=[site.callee])

    sharing = Sharing()
    one, two = result("a"), result("b")
    expect = (list(one.summaries), list(one.calls), list(one.returns_asked))
    one, two = sharing.result(one), sharing.result(two)
    assert (one.summaries, one.calls, one.returns_asked) == expect
    assert one.summaries[0].params is two.summaries[0].params
    assert one.calls[0].args is two.calls[0].args
    assert one.summaries[0].handler is two.summaries[0].handler


def test_settings_for_the_returns_pass_keep_what_was_derived(tmp_path: Path) -> None:
    with chdir(project(tmp_path)):
        settings = build_project(load_config(tmp_path)).settings(load_config(tmp_path))
    models = settings.class_models
    again = settings.with_returns(Returns({"app.helpers.get_invoice": "row:app_invoice"}))
    assert again.returns.kinds and not settings.returns.kinds
    assert again.class_models is models and again.memo is settings.memo
    # nothing derived once per run may depend on the returns (they change between passes)
    for name, value in vars(Settings).items():
        if isinstance(value, cached_property):
            assert "returns" not in inspect.getsource(value.func), name
