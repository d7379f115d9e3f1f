"""The warm project pass (issue 8, pre-commit): stamped digests, one facts entry, no pool for few files."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import pytest

import tenantlint.manifest as manifest
import tenantlint.prepass as prepass
import tenantlint.runner as runner
import tenantlint.scan as scan
from tenantlint.cache import LAYOUT, MAGIC, Cache
from tenantlint.config.options import Config
from tenantlint.manifest import BOOK_KIND, FACTS_KIND, trusted_stamp
from tenantlint.runner import RunOptions, build_project, run
from tenantlint.safeio import read_regular

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "fixtures" / "demo"


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    for i in range(3):
        app = root / f"app{i}"
        app.mkdir(parents=True)
        for f in (DEMO / "billing").glob("*.py"):
            text = f.read_text().replace("billing.models", f"app{i}.models")
            (app / f.name).write_text(text.replace("Invoice", f"Invoice{i}"))
    return root


@pytest.fixture
def no_racy_window(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files written by the test just now may be stamped (else every stamp waits two seconds)."""
    monkeypatch.setattr(manifest, "RACY_NS", 0)


def entries(cache_dir: Path, kind: str) -> list[Path]:
    return sorted((cache_dir / LAYOUT / kind).rglob("*.json"))


def reads_during(monkeypatch: pytest.MonkeyPatch, tree: Path, cache: Cache) -> list[str]:
    seen: list[str] = []

    def spy(path: str | os.PathLike[str], max_bytes: int = 1 << 20, follow: bool = True) -> bytes:
        seen.append(Path(path).relative_to(tree).as_posix())
        return read_regular(path, max_bytes, follow)

    with monkeypatch.context() as patched:
        patched.setattr(scan, "read_regular", spy)
        patched.setattr(prepass, "read_regular", spy)
        build_project(Config(root=tree), cache)
    return seen


def test_racy_files_get_no_stamp(tmp_path: Path) -> None:
    f = tmp_path / "a.py"
    f.write_text("x = 1\n")
    st = f.stat()
    assert trusted_stamp(st, st.st_mtime_ns + 1) is None  # changed within the window: re-hash later
    assert trusted_stamp(st, max(st.st_mtime_ns, st.st_ctime_ns) + 3_000_000_000) is not None


@pytest.mark.usefixtures("no_racy_window")
def test_warm_pass_reads_no_unchanged_file(tree: Path, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    cache = Cache(tmp_path / "c")
    assert len(set(reads_during(monkeypatch, tree, cache))) == 6  # cold: every file read
    assert entries(tmp_path / "c", BOOK_KIND) and entries(tmp_path / "c", FACTS_KIND)
    assert reads_during(monkeypatch, tree, cache) == []
    (tree / "app1" / "views.py").write_text((tree / "app1" / "views.py").read_text() + "# edited\n")
    assert reads_during(monkeypatch, tree, cache) == ["app1/views.py"] * 2  # digest, then scan


def test_fresh_stamps_are_not_trusted(tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = Cache(tmp_path / "c")
    reads_during(monkeypatch, tree, cache)
    assert len(set(reads_during(monkeypatch, tree, cache))) == 6  # all written < 2 s ago: hashed again


@pytest.mark.usefixtures("no_racy_window")
def test_same_size_same_mtime_rewrite_is_seen(tree: Path, tmp_path: Path) -> None:
    cache = Cache(tmp_path / "c")
    before = build_project(Config(root=tree), cache)
    models = tree / "app0" / "models.py"
    st = models.stat()
    text = models.read_text()
    changed = text.replace("org = models.ForeignKey", "own = models.ForeignKey")
    assert len(changed) == len(text) and changed != text
    models.write_text(changed)
    os.utime(models, ns=(st.st_atime_ns, st.st_mtime_ns))  # as `cp -p` or a careless tool would
    after = build_project(Config(root=tree), cache)
    assert after.index_hash != before.index_hash
    assert after == build_project(Config(root=tree))  # same as without any cache


@pytest.mark.usefixtures("no_racy_window")
def test_comment_edit_reuses_the_built_project(tree: Path, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    cache = Cache(tmp_path / "c")
    cold = build_project(Config(root=tree), cache)
    views = tree / "app2" / "views.py"
    views.write_text(views.read_text() + "# just a comment\n")

    def forbidden(*args: object) -> object:
        raise AssertionError("the tenancy decision was recomputed")

    monkeypatch.setattr(runner, "decide_tenancy", forbidden)
    warm = build_project(Config(root=tree), cache)
    assert warm.index == cold.index and warm.index_hash == cold.index_hash
    assert warm.digests != cold.digests  # but the edited file's digest is the new one
    monkeypatch.undo()
    assert warm.digests == build_project(Config(root=tree), Cache(None)).digests


@pytest.mark.usefixtures("no_racy_window")
def test_added_removed_and_model_changes_rebuild(tree: Path, tmp_path: Path) -> None:
    cache = Cache(tmp_path / "c")
    build_project(Config(root=tree), cache)
    (tree / "app0" / "extra.py").write_text("from django.db import models\n\n\nclass Extra(models.Model):\n"
                                            "    org = models.ForeignKey('Org', on_delete=models.CASCADE)\n")
    added = build_project(Config(root=tree), cache)
    assert "Extra" in added.index.models and added == build_project(Config(root=tree))
    (tree / "app0" / "extra.py").unlink()
    removed = build_project(Config(root=tree), cache)
    assert "Extra" not in removed.index.models and removed == build_project(Config(root=tree))


@pytest.mark.parametrize("damage", [b"", b"garbage", b'{"magic": "other", "kind": 1, "key": 2, "value": 3}',
                                    b'{"magic": "tenantlint-cache-2", "value": [1e999999]}'])
@pytest.mark.usefixtures("no_racy_window")
def test_corrupt_book_and_facts_are_ignored_and_rewritten(tree: Path, tmp_path: Path, damage: bytes) -> None:
    cache = Cache(tmp_path / "c")
    cold = build_project(Config(root=tree), cache)
    for kind in (BOOK_KIND, FACTS_KIND):
        for entry in entries(tmp_path / "c", kind):
            entry.write_bytes(damage)
    assert build_project(Config(root=tree), cache) == cold
    for kind in (BOOK_KIND, FACTS_KIND):
        assert all(json.loads(e.read_bytes())["magic"] == MAGIC for e in entries(tmp_path / "c", kind))


def test_pool_only_from_min_parallel(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    real = runner._parallel

    def counting(items: list[runner.Item], *args: object) -> list[object]:
        calls.append(len(items))
        return real(items, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(runner, "_parallel", counting)
    monkeypatch.chdir(tree)
    few = run(Config(root=tree), RunOptions(jobs=2))
    assert calls == []  # 6 files < the default threshold: analysed in this process
    pooled = run(Config(root=tree), RunOptions(jobs=2, min_parallel=0))
    assert calls == [6]
    assert few.findings == pooled.findings and few.findings


@dataclass(frozen=True, slots=True)
class _Plain:
    a: int
    b: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class _Derived:
    a: int
    twice: int = field(init=False, default=0)

    def __post_init__(self) -> None:
        object.__setattr__(self, "twice", 2 * self.a)


@dataclass(frozen=True)
class _Holder:
    plain: tuple[_Plain, ...]
    derived: dict[str, _Derived]
    project: object


def test_records_round_trip_as_plain_json(tmp_path: Path) -> None:
    value = _Holder((_Plain(1, ("x",)), _Plain(2)), {"k": _Derived(3)}, build_project(Config(root=DEMO)))
    cache = Cache(tmp_path / "c")
    assert cache.put("k", "ab" * 32, value)
    assert cache.get("k", "ab" * 32, _Holder, anything=runner.Project) == value
    assert cache.get("k", "ab" * 32, _Holder) is None  # an 'object' field needs its concrete type
    (entry,) = (tmp_path / "c").rglob("*.json")
    json.loads(entry.read_bytes())  # plain data, no code
