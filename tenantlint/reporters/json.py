"""``--format json``: the document of docs/json-output.md, indented by 2, with a trailing newline."""

from __future__ import annotations

from typing import TextIO

from tenantlint.reporters.base import Reporter, ReportOptions, normalised
from tenantlint.reporters.json_text import dumps_indented
from tenantlint.results import RunResult


class JsonReporter(Reporter):
    name = "json"
    description = "one JSON document (docs/json-output.md)"

    def write(self, result: RunResult, stream: TextIO, options: ReportOptions) -> None:
        stream.write(dumps_indented(normalised(result).to_json(timing=options.timing)) + "\n")
