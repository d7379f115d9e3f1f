"""The CI pieces, as far as this machine allows: the composite GitHub Action's shell steps run here
against a copy of the demo app, the Dockerfile's build context is checked and its image emulated,
and the mkdocs site builds with --strict."""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "fixtures" / "demo"
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")

yaml = pytest.importorskip("yaml")
if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib


def action() -> dict[str, Any]:
    doc = yaml.safe_load((ROOT / "action.yml").read_text())
    assert isinstance(doc, dict)
    return doc


def test_action_is_a_well_formed_composite_action() -> None:
    doc = action()
    assert doc["name"] and doc["description"]
    assert doc["runs"]["using"] == "composite"
    steps = doc["runs"]["steps"]
    inputs = doc["inputs"]
    ids = {s["id"] for s in steps if "id" in s}
    for step in steps:
        assert ("run" in step) != ("uses" in step), step
        if "run" in step:
            assert step["shell"] == "bash"  # composite run steps must name their shell
            assert "${{" not in step["run"], "expressions go through env:, never into the script"
        else:
            assert re.fullmatch(r"[\w-]+/[\w/-]+@v\d+", step["uses"]), step["uses"]
    text = (ROOT / "action.yml").read_text()
    for expr in EXPRESSION.findall(text):
        for name in re.findall(r"inputs\.([\w-]+)", expr):
            assert name in inputs, name
        for name in re.findall(r"steps\.([\w-]+)\.", expr):
            assert name in ids, name
    for name, spec in inputs.items():
        assert spec.get("description"), name
        assert isinstance(spec.get("default", ""), str), name
    assert any(s.get("uses", "").startswith("github/codeql-action/upload-sarif@") for s in steps)
    install = next(s for s in steps if s.get("name") == "Install tenantlint")
    assert '"$GITHUB_ACTION_PATH"' in install["run"] and (ROOT / "pyproject.toml").is_file()


def _shim(folder: Path) -> Path:
    """A ``tenantlint`` on PATH that runs this checkout, as the install step would provide."""
    bin_dir = folder / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "tenantlint"
    shim.write_text(f"#!/bin/sh\nPYTHONPATH={ROOT} exec {sys.executable} -m tenantlint \"$@\"\n")
    shim.chmod(shim.stat().st_mode | stat.S_IXUSR)
    return bin_dir


def _env(step: dict[str, Any], inputs: dict[str, str], outputs: dict[str, str]) -> dict[str, str]:
    def evaluate(value: str) -> str:
        def one(match: re.Match[str]) -> str:
            expr = match.group(1)
            if expr.startswith("inputs."):
                return inputs[expr.removeprefix("inputs.")]
            if expr.startswith("steps."):
                return outputs[expr.split(".")[-1]]
            raise AssertionError(f"unsupported expression {expr}")
        return EXPRESSION.sub(one, value)

    return {k: evaluate(str(v)) for k, v in step.get("env", {}).items()}


def _run_steps(tmp_path: Path, **given: str) -> tuple[dict[str, str], list[subprocess.CompletedProcess[str]]]:
    doc = action()
    inputs = {name: given.get(name.replace("-", "_"), spec.get("default", ""))
              for name, spec in doc["inputs"].items()}
    work = tmp_path / "repo"
    shutil.copytree(DEMO, work)
    bin_dir = _shim(tmp_path)
    outputs: dict[str, str] = {}
    procs = []
    for step in doc["runs"]["steps"]:
        if "run" not in step or step["name"] == "Install tenantlint":
            continue
        condition = step.get("if", "")
        if "steps.check.outputs.exit-code == '1'" in condition and outputs.get("exit-code") != "1":
            continue
        out_file = tmp_path / "github_output"
        out_file.write_text("")
        env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "GITHUB_OUTPUT": str(out_file),
               "GITHUB_ACTION_PATH": str(ROOT), **_env(step, inputs, outputs)}
        cwd = work / inputs["working-directory"]
        proc = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=cwd, env=env,
                              capture_output=True, text=True, timeout=240)
        procs.append(proc)
        for line in out_file.read_text().splitlines():
            key, _, value = line.partition("=")
            outputs[key] = value
    return outputs, procs


def test_action_steps_run_and_write_sarif(tmp_path: Path) -> None:
    outputs, (check, annotate) = _run_steps(tmp_path)
    assert check.returncode == 0, check.stderr
    assert outputs == {"exit-code": "1", "sarif-file": "tenantlint.sarif"}
    sarif = json.loads((tmp_path / "repo" / "tenantlint.sarif").read_text())
    assert sarif["version"] == "2.1.0" and sarif["runs"][0]["results"]
    assert annotate.returncode == 1  # fail-on-findings
    assert annotate.stdout.startswith("::error ") and "TNT101" in annotate.stdout


def test_action_inputs_paths_args_and_no_failure(tmp_path: Path) -> None:
    outputs, procs = _run_steps(tmp_path, paths="billing", args="--select TNT2", fail_on_findings="false")
    assert outputs["exit-code"] in ("0", "1")
    assert all(p.returncode == 0 for p in procs), [p.stderr for p in procs]
    sarif = json.loads((tmp_path / "repo" / "tenantlint.sarif").read_text())
    assert all(r["ruleId"].startswith("TNT2") for r in sarif["runs"][0]["results"])


def test_action_config_error_fails_the_step(tmp_path: Path) -> None:
    outputs, procs = _run_steps(tmp_path, args="--select TNT4")
    assert outputs["exit-code"] == "2"
    assert procs[0].returncode == 2 and "::error title=tenantlint::" in procs[0].stdout
    assert len(procs) == 1  # no annotation step after a usage error


# --- Dockerfile ---------------------------------------------------------------------------------

def _instructions() -> list[tuple[str, str]]:
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1].strip())
            for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def test_dockerfile_build_context_and_entrypoint(tmp_path: Path) -> None:
    steps = _instructions()
    assert steps[0][0] == "FROM" and re.fullmatch(r"python:3\.(1[0-9])-slim", steps[0][1])
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    opt = tmp_path / "opt" / "tenantlint"
    opt.mkdir(parents=True)
    for kind, arg in steps:
        if kind == "COPY":
            *sources, dest = arg.split()
            for source in sources:
                src = ROOT / source
                assert src.exists(), source
                target = opt if dest.endswith("/") else tmp_path / dest.lstrip("/")
                if src.is_dir():
                    shutil.copytree(src, target, ignore=shutil.ignore_patterns("__pycache__"))
                else:
                    shutil.copy(src, target / src.name)
    # what pip needs from the build context: the readme and the license named by pyproject
    assert (opt / project["readme"]).is_file() and (opt / "LICENSE").is_file()
    entry = json.loads(dict(steps)["ENTRYPOINT"])
    assert entry == ["tenantlint"] and "tenantlint" in project["scripts"]
    assert json.loads(dict(steps)["CMD"]) == ["check"]
    assert dict(steps)["WORKDIR"] == "/src"
    # the image's `docker run -v $PWD:/src tenantlint`: the copied package alone checks a project
    src = tmp_path / "src"
    shutil.copytree(DEMO, src)
    env = {"PYTHONPATH": str(opt), "PATH": "/usr/bin:/bin"}
    proc = subprocess.run([sys.executable, "-m", *entry, *json.loads(dict(steps)["CMD"]), "--no-cache"],
                          cwd=src, env=env, capture_output=True, text=True, timeout=240)
    assert proc.returncode == 1 and "TNT101" in proc.stdout, proc.stderr
    html = subprocess.run([sys.executable, "-m", "tenantlint", "audit", "--output", "r.html"], cwd=src,
                          env=env, capture_output=True, text=True, timeout=240)
    assert html.returncode == 0 and (src / "r.html").stat().st_size > 1000, html.stderr  # templates copied


def test_dockerignore_keeps_what_the_dockerfile_copies() -> None:
    ignored = [line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()
               if line.strip() and not line.startswith("#")]
    copied = [src for kind, arg in _instructions() if kind == "COPY" for src in arg.split()[:-1]]
    assert not set(ignored) & set(copied)


# --- mkdocs -------------------------------------------------------------------------------------

def test_mkdocs_builds_the_docs_strictly(tmp_path: Path) -> None:
    pytest.importorskip("mkdocs", reason="mkdocs is a test extra: pip install -e '.[test]'")
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir",
                           str(tmp_path / "site")], cwd=ROOT, capture_output=True, text=True,
                          timeout=240, env={**os.environ, "NO_COLOR": "1"})
    assert proc.returncode == 0, proc.stderr
    site = tmp_path / "site"
    assert (site / "index.html").is_file() and (site / "cli" / "index.html").is_file()
    assert (site / "rules" / "TNT101" / "index.html").is_file()

