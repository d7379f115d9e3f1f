"""``--format sarif``: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.

Every rule of ``ALL_RULES`` is listed in ``tool.driver.rules`` (``ruleIndex`` points into it).
Suppressed findings are included with ``suppressions``: ``inSource`` for ``noqa`` / ``tenantlint:
ignore`` comments (the reason as ``justification``), ``external`` for baseline matches.
``partialFingerprints`` hash (code, path, handler, whitespace-collapsed snippet) plus an occurrence
index, so a finding keeps its fingerprint when lines are inserted above it. File errors become
``invocations[0].toolExecutionNotifications``. Columns are Unicode code points, end columns
exclusive. No absolute paths or timestamps: the output is deterministic.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from typing import Any, TextIO
from urllib.parse import quote

from tenantlint import __version__
from tenantlint.baseline import fingerprint
from tenantlint.reporters.base import Reporter, ReportOptions, normalised
from tenantlint.results import FileError, Finding, RunResult
from tenantlint.rules.base import Rule
from tenantlint.rules.registry import ALL_RULES

SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
SARIF_VERSION = "2.1.0"
INFORMATION_URI = "https://pypi.org/project/tenantlint/"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "tenantlint/v1"

_FAMILY_TAGS = {"TNT1": "query", "TNT2": "request", "TNT3": "sql", "TNT9": "meta"}
# GitHub code scanning ranks security alerts by this property (CVSS-like, as a string).
_SECURITY_SEVERITY = {"error": "8.1", "warning": "4.0"}


def _level(rule: type[Rule]) -> str:
    return "error" if rule.severity == "error" else "warning"


def rule_descriptor(rule: type[Rule]) -> dict[str, Any]:
    doc = rule.documentation()
    tags = ["security", "multi-tenancy", _FAMILY_TAGS.get(rule.code[:4], "other")]
    properties: dict[str, Any] = {"tags": tags}
    if not rule.code.startswith("TNT9"):
        properties["security-severity"] = _SECURITY_SEVERITY[_level(rule)]
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary.strip()},
        "fullDescription": {"text": " ".join(rule.why.split())},
        "help": {"text": doc, "markdown": doc},
        "defaultConfiguration": {"level": _level(rule)},
        "properties": properties,
    }


def artifact_location(path: str) -> dict[str, Any]:
    """A relative ``path`` resolved against ``%SRCROOT%``; an absolute one as a ``file:`` URI.
    A backslash is a folder separator only on Windows: elsewhere it is part of a name (as in the
    escape ``bad\\xff.py`` of a name that is not UTF-8) and is percent-encoded."""
    posix = path.replace("\\", "/") if os.sep == "\\" else path
    if posix.startswith("/") or (len(posix) > 1 and posix[1] == ":"):
        return {"uri": "file://" + ("" if posix.startswith("/") else "/") + quote(posix)}
    return {"uri": quote(posix), "uriBaseId": SRCROOT}


def region(finding: Finding) -> dict[str, Any]:
    s = finding.span
    out: dict[str, Any] = {"startLine": max(s.line, 1), "startColumn": max(s.column, 1)}
    if (s.end_line, s.end_column) >= (s.line, s.column) and s.end_column >= 1:
        out["endLine"] = s.end_line
        out["endColumn"] = s.end_column
    if finding.snippet:
        out["snippet"] = {"text": finding.snippet}
    return out


def code_flow(finding: Finding) -> dict[str, Any]:
    """A finding reported at a call's argument: the argument, then one step per call down to the query."""
    steps: list[dict[str, Any]] = [{
        "location": {
            "physicalLocation": {"artifactLocation": artifact_location(finding.path),
                                 "region": region(finding)},
            "message": {"text": "request input passed here"},
        },
        "nestingLevel": 0,
        "kinds": ["call"],
    }]
    for depth, hop in enumerate(finding.trace, start=1):
        steps.append({
            "location": {
                "physicalLocation": {
                    "artifactLocation": artifact_location(hop.path),
                    "region": {"startLine": max(hop.line, 1)},
                },
                "message": {"text": hop.function},
            },
            "nestingLevel": depth,
            "kinds": ["call"],
        })
    return {"threadFlows": [{"locations": steps[:1000]}]}


def _suppressions(finding: Finding) -> list[dict[str, Any]] | None:
    if finding.suppression is None:
        return None
    kind = "external" if finding.suppression.kind == "baseline" else "inSource"
    entry: dict[str, Any] = {"kind": kind}
    if finding.suppression.reason:
        entry["justification"] = finding.suppression.reason
    return [entry]


def _notification(error: FileError) -> dict[str, Any]:
    return {
        "level": "error",
        "message": {"text": error.message},
        "locations": [{"physicalLocation": {"artifactLocation": artifact_location(error.path)}}],
    }


class SarifReporter(Reporter):
    name = "sarif"
    description = "SARIF 2.1.0 (GitHub code scanning)"

    def document(self, result: RunResult, options: ReportOptions) -> dict[str, Any]:
        """The SARIF log as a dict."""
        result = normalised(result)
        index = {rule.code: i for i, rule in enumerate(ALL_RULES)}
        findings = sorted(result.findings + result.suppressed, key=Finding.sort_key)
        sources: dict[str, str] = {}
        for f in findings:
            if not f.snippet and f.path not in sources:
                text = options.read_source(f.path)
                if text is not None:
                    sources[f.path] = text
        seen: Counter[str] = Counter()
        results = []
        for f in findings:
            digest = fingerprint(f, sources)
            seen[digest] += 1
            rule = ALL_RULES[index[f.code]]
            item: dict[str, Any] = {
                "ruleId": f.code,
                "ruleIndex": index[f.code],
                "level": _level(rule),
                "message": {"text": f.message},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": artifact_location(f.path),
                            "region": region(f),
                        }
                    }
                ],
                "partialFingerprints": {FINGERPRINT_KEY: f"{digest}:{seen[digest]}"},
            }
            props = {k: v for k, v in (("table", f.table), ("handler", f.handler)) if v}
            if props:
                item["properties"] = props
            if f.trace:
                item["codeFlows"] = [code_flow(f)]
            suppressions = _suppressions(f)
            if suppressions is not None:
                item["suppressions"] = suppressions
            results.append(item)
        driver = {
            "name": "tenantlint",
            "version": __version__,
            "semanticVersion": __version__,
            "informationUri": INFORMATION_URI,
            "rules": [rule_descriptor(rule) for rule in ALL_RULES],
        }
        invocation = {
            "executionSuccessful": True,
            "toolExecutionNotifications": [_notification(e) for e in result.errors],
        }
        return {
            "$schema": SARIF_SCHEMA,
            "version": SARIF_VERSION,
            "runs": [
                {
                    "tool": {"driver": driver},
                    "invocations": [invocation],
                    "columnKind": "unicodeCodePoints",
                    "results": results,
                }
            ],
        }

    def write(self, result: RunResult, stream: TextIO, options: ReportOptions) -> None:
        stream.write(json.dumps(self.document(result, options), indent=2) + "\n")
