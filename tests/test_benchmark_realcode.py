"""benchmarks/realcode.py: judged findings matched by path, code and line (with a small tolerance)."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]


def _module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("realcode", ROOT / "benchmarks" / "realcode.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["realcode"] = module
    spec.loader.exec_module(module)
    return module


def test_label_files_have_the_documented_shape() -> None:
    for path in sorted((ROOT / "benchmarks" / "realcode").glob("*.json")):
        for name, spec in json.loads(path.read_text()).items():
            assert {"repo", "commit", "root", "target", "config", "judged"} <= spec.keys(), name
            assert len(spec["commit"]) == 40
            for j in spec["judged"]:
                assert j["verdict"] in ("TP-bug", "TP-review", "FP", "Global"), (name, j)
                assert {"path", "line", "code", "idiom", "reason"} <= j.keys()


def test_saved_findings_are_judged(tmp_path: Path) -> None:
    rc = _module()
    (tmp_path / "proj" / "app").mkdir(parents=True)
    (tmp_path / "proj" / "app" / "a.py").write_text("x = 1\n\ny = 2\n")
    labels = {"proj": {"repo": "o/p", "commit": "0" * 40, "root": "", "target": "app", "config": "",
                       "judged": [
                           {"path": "app/a.py", "line": 10, "code": "TNT101", "verdict": "TP-bug"},
                           {"path": "app/a.py", "line": 20, "code": "TNT101", "verdict": "TP-bug"},
                           {"path": "app/a.py", "line": 30, "code": "TNT101", "verdict": "FP"},
                           {"path": "app/a.py", "line": 40, "code": "TNT102", "verdict": "Global"}]}}
    saved = tmp_path / "saved"
    saved.mkdir()
    findings = [{"path": "app/a.py", "line": 10, "code": "TNT101"},
                {"path": "app/a.py", "line": 22, "code": "TNT101"},  # moved by two lines: kept (~)
                {"path": "app/a.py", "line": 40, "code": "TNT101"}]  # other code: Global gone
    (saved / "proj.json").write_text(json.dumps({"findings": findings}))
    out = rc.measure("proj", labels["proj"], tmp_path, None, False, saved)
    assert out.findings == 3 and out.kloc == 0.002
    assert out.counts["TP-bug"] == [2, 2] and out.near == 1 and not out.lost_bugs
    assert out.counts["FP"] == [1, 0] and out.counts["Global"] == [1, 0]
    findings[1]["line"] = 25
    (saved / "proj.json").write_text(json.dumps({"findings": findings}))
    out = rc.measure("proj", labels["proj"], tmp_path, None, False, saved)
    assert out.lost_bugs == ["app/a.py:20 TNT101"]
    assert "judged real bug no longer reported: app/a.py:20 TNT101" in rc.render([out], None)


def test_a_judged_finding_counts_at_its_also_places() -> None:
    rc = _module()
    judged = {"path": "repos/users.py", "line": 83, "code": "TNT101", "verdict": "TP-bug",
              "also": ["routes/ratings.py:47"]}
    assert rc.still_reported(judged, {("routes/ratings.py", "TNT101"): [47]}) == "="
    assert rc.still_reported(judged, {("routes/ratings.py", "TNT101"): [48]}) == "~"
    assert rc.still_reported(judged, {("routes/ratings.py", "TNT103"): [47]}) == ""  # another code
    assert rc.still_reported(judged, {("routes/other.py", "TNT101"): [47]}) == ""
