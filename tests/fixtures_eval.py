"""Run tenantlint over every fixture app and compare with its `# expect:` annotations.

An annotation is a trailing comment on the first line of a statement:

    rows = Invoice.objects.all()  # expect: TNT101[billing_invoice]
    x = Invoice.objects.filter(org_id=request.GET["org"])  # expect: TNT103[billing_invoice], TNT201

Each item is a code, optionally with the table the finding must name in brackets. Findings and
annotations are compared per statement as multisets: a statement with two TNT101 findings needs the
code twice. `# ok` marks a tricky statement that must not be flagged (counted, not compared: any
finding on it is unexpected anyway). See fixtures/README.md.

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
EXPECT = re.compile(r"#\s*expect:(.*)$")
ITEM = re.compile(r"\s*([A-Z]+[0-9]+)(?:\[([^\]\s]+)\])?\s*")
OK = re.compile(r"#\s*ok\b")

# One finding, or one annotation: (path relative to the app, statement line, code, table). An
# annotation's table is None when it does not pin one; a finding's when the rule names no table.
Entry = tuple[str, int, str, "str | None"]


class AnnotationError(ValueError):
    pass


def parse_expect(text: str) -> list[tuple[str, str | None]]:
    """``TNT101[billing_invoice], TNT103`` -> [("TNT101", "billing_invoice"), ("TNT103", None)]."""
    items = []
    for part in text.split(","):
        m = ITEM.fullmatch(part)
        if not m:
            raise AnnotationError(f"bad `# expect:` item {part.strip()!r} in {text.strip()!r}")
        items.append((m.group(1), m.group(2)))
    return items


def apps() -> list[str]:
    return sorted(p.name for p in FIXTURES.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))


def app_files(app: Path) -> Iterator[Path]:
    yield from sorted(app.rglob("*.py"))


def expected(app: Path) -> tuple[list[Entry], int]:
    """Annotated findings (a code listed twice is expected twice), and the number of `# ok` lines."""
    entries: list[Entry] = []
    oks = 0
    for path in app_files(app):
        rel = path.relative_to(app).as_posix()
        text = path.read_bytes().decode("utf-8", errors="replace")
        for lineno, line in enumerate(text.splitlines(), 1):
            m = EXPECT.search(line)
            if m:
                try:
                    items = parse_expect(m.group(1))
                except AnnotationError as exc:
                    raise AnnotationError(f"{app.name}/{rel}:{lineno}: {exc}") from None
                entries += [(rel, lineno, code, table) for code, table in items]
            elif OK.search(line):
                oks += 1
    return sorted(entries, key=_order), oks


def _order(e: Entry) -> tuple[str, int, str, str]:
    return (e[0], e[1], e[2], e[3] or "")


def compare(expected: list[Entry], actual: list[Entry]) -> tuple[list[Entry], list[Entry], list[Entry]]:
    """(matched, missing, unexpected), as multisets. An annotation with a table matches a finding on
    that line with that code and table; one without matches a finding with that code and any table.
    Pinned annotations are matched first, so the matching is the best possible."""
    left = Counter(actual)
    by_line_code: dict[tuple[str, int, str], Counter[Entry]] = {}
    for e in actual:
        by_line_code.setdefault(e[:3], Counter())[e] += 1
    matched: list[Entry] = []
    missing: list[Entry] = []
    for e in sorted(expected, key=lambda e: e[3] is None):  # pinned first
        pool = by_line_code.get(e[:3], Counter())
        if e[3] is not None:
            hit = e if pool[e] > 0 else None
        else:
            hit = next((a for a in sorted(pool, key=_order) if pool[a] > 0), None)
        if hit is None:
            missing.append(e)
            continue
        pool[hit] -= 1
        left[hit] -= 1
        matched.append(hit)
    unexpected = sorted(left.elements(), key=_order)
    return sorted(matched, key=_order), sorted(missing, key=_order), unexpected


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
    expected: list[Entry]
    actual: list[Entry]  # sorted
    oks: int
    snippets: dict[Entry, str] = field(default_factory=dict)
    matched: list[Entry] = field(default_factory=list)
    missing: list[Entry] = field(default_factory=list)
    unexpected: list[Entry] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.matched, self.missing, self.unexpected = compare(self.expected, self.actual)

    def describe(self) -> list[str]:
        """One line per missing or unexpected finding."""
        out = [f"missing    {p}:{line} {_item(code, table)}" for p, line, code, table in self.missing]
        out += [f"unexpected {p}:{line} {_item(code, table)}  {self.snippets.get((p, line, code, table), '')}"
                for p, line, code, table in self.unexpected]
        return out


def _item(code: str, table: str | None) -> str:
    return f"{code}[{table}]" if table else code


def run_app(name: str, use_prefilter: bool = True) -> AppResult:
    from tenantlint.api import check_paths, load_config

    app = FIXTURES / name
    exp, oks = expected(app)
    with chdir(app):
        config = load_config()
        result = check_paths([Path(".")], config, jobs=1, use_prefilter=use_prefilter)
    actual: list[Entry] = []
    snippets: dict[Entry, str] = {}
    cache: dict[str, list[tuple[int, int, int, int, int]]] = {}
    for f in result.findings:
        rel = Path(f.path).as_posix()
        if rel not in cache:
            cache[rel] = statement_starts((app / rel).read_bytes().decode("utf-8", errors="replace"))
        line = f.line if f.code == "TNT999" else statement_line(cache[rel], f.line, f.column)
        entry = (rel, line, f.code, f.table)
        actual.append(entry)
        snippets[entry] = f"{f.message} | {f.snippet}"
    return AppResult(name, exp, sorted(actual, key=_order), oks, snippets)


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(ROOT))
    names = argv or apps()
    tp = fp = fn = pinned = 0
    per_code: Counter[tuple[str, str]] = Counter()
    for name in names:
        r = run_app(name)
        t, p, n = len(r.matched), len(r.unexpected), len(r.missing)
        tp, fp, fn = tp + t, fp + p, fn + n
        pinned += sum(1 for e in r.expected if e[3] is not None)
        for kind, entries in (("tp", r.matched), ("fp", r.unexpected), ("fn", r.missing)):
            for e in entries:
                per_code[(e[2], kind)] += 1
        print(f"{name:28} expected {len(r.expected):3}  ok-lines {r.oks:3}  tp {t:3}  fp {p:3}  fn {n:3}")
        for line in r.describe():
            print(f"    {line}")
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    print(f"\nTOTAL tp {tp} fp {fp} fn {fn}  precision {precision:.3f}  recall {recall:.3f}"
          f"  (annotations pinning a table: {pinned})")
    for code in sorted({c for c, _ in per_code}):
        tp_, fp_, fn_ = (per_code[(code, k)] for k in ("tp", "fp", "fn"))
        print(f"  {code}: tp {tp_} fp {fp_} fn {fn_}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
