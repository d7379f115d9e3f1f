"""A measurement aid, not a setting: with ``TENANTLINT_BENCH_NO_SUMMARIES=1`` in the environment no
function summary or call site is recorded, no file is analysed a second time for them, and nothing
is joined across functions, so that ``benchmarks/run.py`` can measure what the summaries cost
(docs/performance.md). Findings then differ from a normal run: never check code with it."""

from __future__ import annotations

import os

ENV = "TENANTLINT_BENCH_NO_SUMMARIES"


def summaries_off() -> bool:
    return os.environ.get(ENV, "") == "1"
