"""Run tenantlint over every fixture app and compare with its `# expect:` annotations.

Used by tests/test_fixtures.py, and as a script that prints precision and recall:

    python tests/fixtures_eval.py            # every app under fixtures/
    python tests/fixtures_eval.py django_billing drf_projects
"""

from __future__ import annotations

import ast
import os
import re
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
EXPECT = re.compile(r"#\s*expect:\s*([A-Z0-9, ]+?)\s*$")
OK = re.compile(r"#\s*ok\b")

Key = tuple[str, int, str]  # (path relative to the app, statement line, code)


def apps() -> list[str]:
    return sorted(p.name for p in FIXTURES.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))


def app_files(app: Path) -> Iterator[Path]:
    yield from sorted(app.rglob("*.py"))


def expected(app: Path) -> tuple[set[Key], int]:
    """Annotated findings, and the number of `# ok` lines (labelled negatives)."""
    keys: set[Key] = set()
    oks = 0
    for path in app_files(app):
        rel = path.relative_to(app).as_posix()
        text = path.read_bytes().decode("utf-8", errors="replace")
        for lineno, line in enumerate(text.splitlines(), 1):
            m = EXPECT.search(line)
            if m:
                for code in m.group(1).split(","):
                    if code.strip():
                        keys.add((rel, lineno, code.strip()))
            elif OK.search(line):
                oks += 1
    return keys, oks


def statement_starts(text: str) -> list[tuple[int, int, int, int, int]]:
    """(start line, start col, end line, end col, depth) of every statement, for line mapping."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return []
    out = []

    def visit(node: ast.AST, depth: int) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.stmt):
                end_line = child.end_lineno or child.lineno
                end_col = child.end_col_offset or 0
                body = getattr(child, "body", None)
                if isinstance(body, list) and body and isinstance(body[0], ast.stmt):
                    # a compound statement's own part ends where its first body statement starts
                    end_line, end_col = body[0].lineno, body[0].col_offset
                out.append((child.lineno, child.col_offset, end_line, end_col, depth))
            visit(child, depth + 1)

    visit(tree, 0)
    return out


def statement_line(stmts: list[tuple[int, int, int, int, int]], line: int, col: int) -> int:
    """First line of the innermost statement containing (line, col) (col 1-based)."""
    best: tuple[int, int] | None = None
    pos = (line, col - 1)
    for sl, sc, el, ec, depth in stmts:
        if (sl, sc) <= pos <= (el, ec) and (best is None or depth >= best[1]):
            best = (sl, depth)
    return best[0] if best else line


@contextmanager
def chdir(path: Path) -> Iterator[None]:
    old = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


@dataclass
class AppResult:
    app: str
    expected: set[Key]
    actual: set[Key]
    oks: int
    snippets: dict[Key, str] = field(default_factory=dict)

    @property
    def missing(self) -> set[Key]:
        return self.expected - self.actual

    @property
    def unexpected(self) -> set[Key]:
        return self.actual - self.expected


def run_app(name: str, use_prefilter: bool = True) -> AppResult:
    from tenantlint.api import check_paths, load_config

    app = FIXTURES / name
    exp, oks = expected(app)
    with chdir(app):
        config = load_config()
        result = check_paths([Path(".")], config, jobs=1, use_prefilter=use_prefilter)
    actual: set[Key] = set()
    snippets: dict[Key, str] = {}
    cache: dict[str, list[tuple[int, int, int, int, int]]] = {}
    for f in result.findings:
        rel = Path(f.path).as_posix()
        if rel not in cache:
            cache[rel] = statement_starts((app / rel).read_bytes().decode("utf-8", errors="replace"))
        line = f.line if f.code == "TNT999" else statement_line(cache[rel], f.line, f.column)
        key = (rel, line, f.code)
        actual.add(key)
        snippets[key] = f"{f.message} | {f.snippet}"
    return AppResult(name, exp, actual, oks, snippets)


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(ROOT))
    names = argv or apps()
    tp = fp = fn = 0
    per_code: Counter[tuple[str, str]] = Counter()
    for name in names:
        r = run_app(name)
        t, p, n = len(r.expected & r.actual), len(r.unexpected), len(r.missing)
        tp, fp, fn = tp + t, fp + p, fn + n
        for k in r.expected & r.actual:
            per_code[(k[2], "tp")] += 1
        for k in r.unexpected:
            per_code[(k[2], "fp")] += 1
        for k in r.missing:
            per_code[(k[2], "fn")] += 1
        print(f"{name:28} expected {len(r.expected):3}  ok-lines {r.oks:3}  tp {t:3}  fp {p:3}  fn {n:3}")
        for k in sorted(r.missing):
            print(f"    missing    {k[0]}:{k[1]} {k[2]}")
        for k in sorted(r.unexpected):
            print(f"    unexpected {k[0]}:{k[1]} {k[2]}  {r.snippets.get(k, '')}")
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    print(f"\nTOTAL tp {tp} fp {fp} fn {fn}  precision {precision:.3f}  recall {recall:.3f}")
    for code in sorted({c for c, _ in per_code}):
        tp_, fp_, fn_ = (per_code[(code, k)] for k in ("tp", "fp", "fn"))
        print(f"  {code}: tp {tp_} fp {fp_} fn {fn_}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
