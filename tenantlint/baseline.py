"""Baselines: accept today's findings, report only new ones.

A finding's identity is ``(code, path, handler, snippet)`` with the snippet's whitespace
normalised, so it survives lines inserted above it and re-indentation. When a finding has no
snippet, the source text of its span is used (from ``sources``), else its message. Entries form a
multiset: two identical findings need two entries, and a third identical finding is new.

Paths in the file are relative to the baseline file's folder, so the same baseline works whichever
folder tenantlint runs from. The file is JSON, sorted, with a version field and no timestamps.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from tenantlint.config.options import DEFAULT_MAX_FILE_BYTES
from tenantlint.results import Finding, Suppression
from tenantlint.safeio import MAX_NESTING, UnsafeFileError, atomic_write, nesting_depth, read_regular

BASELINE_VERSION = 1
_WS = re.compile(r"\s+")
_INSIGNIFICANT_SPACE = re.compile(r"(?<!\w) | (?!\w)")

# (code, path, handler, normalised snippet)
IdentityKey = tuple[str, str, str, str]


class BaselineError(ValueError):
    """A baseline file that cannot be read: the CLI turns it into exit status 2."""


def normalise_snippet(text: str) -> str:
    """Collapse whitespace runs to one space, kept only between two word characters.

    So re-indenting or re-wrapping a statement keeps its identity:

    >>> normalise_snippet("Invoice.objects.filter(\\n    org = x,\\n)")
    'Invoice.objects.filter(org=x,)'
    >>> normalise_snippet("SELECT  *\\nFROM invoices  WHERE a = 1")
    'SELECT*FROM invoices WHERE a=1'
    """
    return _INSIGNIFICANT_SPACE.sub("", _WS.sub(" ", text).strip())


def span_text(finding: Finding, source: str) -> str:
    """The source lines of the finding's span, cut to its columns."""
    lines = source.splitlines()
    first, last = finding.span.line, max(finding.span.end_line, finding.span.line)
    chunk = lines[first - 1 : last]
    if not chunk:
        return ""
    if len(chunk) == 1:
        end = finding.span.end_column - 1 if finding.span.end_line == first else None
        return chunk[0][finding.span.column - 1 : end]
    chunk[0] = chunk[0][finding.span.column - 1 :]
    chunk[-1] = chunk[-1][: max(finding.span.end_column - 1, 0)]
    return "\n".join(chunk)


def identity_text(finding: Finding, sources: Mapping[str, str] | None = None) -> str:
    """The line-independent identity text: snippet, else span text, else message."""
    if finding.snippet:
        return normalise_snippet(finding.snippet)
    source = sources.get(finding.path) if sources is not None else None
    if source is not None:
        text = normalise_snippet(span_text(finding, source))
        if text:
            return text
    return normalise_snippet(finding.message)


def fingerprint(finding: Finding, sources: Mapping[str, str] | None = None) -> str:
    """A stable hash of the identity, used by SARIF ``partialFingerprints``."""
    parts = (finding.code, finding.path, finding.handler or "", identity_text(finding, sources))
    key = "\0".join(parts)
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def _relative(path: str, base_dir: Path) -> str:
    absolute = os.path.abspath(path)
    try:
        rel = os.path.relpath(absolute, base_dir)
    except ValueError:  # another drive on Windows
        rel = absolute
    return rel.replace(os.sep, "/")


def _key(finding: Finding, base_dir: Path, sources: Mapping[str, str] | None) -> IdentityKey:
    return (
        finding.code,
        _relative(finding.path, base_dir),
        finding.handler or "",
        identity_text(finding, sources),
    )


def _entry(key: IdentityKey) -> dict[str, Any]:
    code, path, handler, snippet = key
    return {"code": code, "path": path, "handler": handler or None, "snippet": snippet}


def write_baseline(
    path: str | Path, findings: Iterable[Finding], sources: Mapping[str, str] | None = None
) -> int:
    """Write every finding to ``path``; ``sources`` maps a finding's path to its text (for findings
    without a snippet). Returns the number of entries written."""
    target = Path(path)
    base_dir = Path(os.path.abspath(target)).parent
    keys = sorted(_key(f, base_dir, sources) for f in findings)
    doc = {"version": BASELINE_VERSION, "tool": "tenantlint", "findings": [_entry(k) for k in keys]}
    atomic_write(target, json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    return len(keys)


@dataclass(frozen=True, slots=True)
class Baseline:
    base_dir: Path
    entries: tuple[IdentityKey, ...]

    def __len__(self) -> int:
        return len(self.entries)

    def filter(
        self, findings: Iterable[Finding], sources: Mapping[str, str] | None = None
    ) -> tuple[list[Finding], list[Finding], int]:
        """(new findings, matched findings marked ``Suppression("baseline", "")``, fixed count).

        Matching is in sort order, so with more identical findings than entries the later ones
        (by line) are new.
        """
        remaining = Counter(self.entries)
        new: list[Finding] = []
        matched: list[Finding] = []
        for f in sorted(findings, key=Finding.sort_key):
            key = _key(f, self.base_dir, sources)
            if remaining[key] > 0:
                remaining[key] -= 1
                matched.append(replace(f, suppression=Suppression("baseline", "")))
            else:
                new.append(f)
        return new, matched, sum(remaining.values())


def _parse_entry(item: object, where: str) -> IdentityKey:
    if not isinstance(item, dict):
        raise BaselineError(f"{where}: expected an object")
    code, path, handler, snippet = (item.get(k) for k in ("code", "path", "handler", "snippet"))
    if not isinstance(code, str) or not isinstance(path, str) or not isinstance(snippet, str):
        raise BaselineError(f"{where}: 'code', 'path' and 'snippet' must be strings")
    if handler is not None and not isinstance(handler, str):
        raise BaselineError(f"{where}: 'handler' must be a string or null")
    return (code, path, handler or "", normalise_snippet(snippet))


def load_baseline(path: str | Path, max_bytes: int = DEFAULT_MAX_FILE_BYTES) -> Baseline:
    """Read a baseline written by :func:`write_baseline`; raises :class:`BaselineError`."""
    source = Path(path)
    try:
        doc = json.loads(read_regular(source, max_bytes).decode("utf-8"))
    except UnsafeFileError as exc:
        raise BaselineError(f"{source}: cannot use baseline: {exc.reason}") from None
    except OSError as exc:
        raise BaselineError(f"{source}: cannot read baseline: {exc.strerror or exc}") from None
    except RecursionError:
        raise BaselineError(f"{source}: nested more than {MAX_NESTING} levels deep") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise BaselineError(f"{source}: not a JSON baseline: {exc}") from None
    if nesting_depth(doc) > MAX_NESTING:
        raise BaselineError(f"{source}: nested more than {MAX_NESTING} levels deep")
    if not isinstance(doc, dict) or doc.get("version") != BASELINE_VERSION:
        raise BaselineError(
            f"{source}: expected a tenantlint baseline with version {BASELINE_VERSION}"
        )
    items = doc.get("findings")
    if not isinstance(items, list):
        raise BaselineError(f"{source}: 'findings' must be a list")
    entries = tuple(_parse_entry(item, f"{source}: findings[{i}]") for i, item in enumerate(items))
    return Baseline(Path(os.path.abspath(source)).parent, entries)
