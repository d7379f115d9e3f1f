"""What the command line prints besides the report: colour choice, the stderr summary line,
``--statistics``, and a quiet end when stdout is closed (``tenantlint check | head``).

Colour follows the conventions of https://no-color.org and https://force-color.org: a non-empty
``NO_COLOR`` turns it off, else a non-empty ``FORCE_COLOR`` turns it on, else a terminal has it.
"""

from __future__ import annotations

import json
import os
import sys
from collections import Counter
from typing import TextIO

from tenantlint.results import RunResult
from tenantlint.rules.registry import rule_for


def color_wanted(stream: TextIO, environ: dict[str, str] | None = None) -> bool:
    """Whether output to ``stream`` may carry ANSI colour."""
    env = os.environ if environ is None else environ
    if env.get("NO_COLOR"):
        return False
    if env.get("FORCE_COLOR"):
        return True
    return is_terminal(stream)


def is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a replaced or closed stream
        return False


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def summary_line(result: RunResult) -> str:
    """``Found 3 findings (1 suppressed) in 12 files, 0.41s``: one line for stderr."""
    stats = result.stats
    quiet = f" ({len(result.suppressed)} suppressed)" if result.suppressed else ""
    where = f" in {_plural(stats.files, 'file')}, {stats.seconds:.2f}s"
    if result.errors:
        where += f"; {_plural(len(result.errors), 'file')} not analyzed"
    if not result.findings:
        return f"No findings{quiet}{where}"
    return f"Found {_plural(len(result.findings), 'finding')}{quiet}{where}"


def statistics(result: RunResult, fmt: str) -> str:
    """Findings counted per code (``--statistics``), most frequent first, as text or JSON."""
    counts = Counter(f.code for f in result.findings)
    rows = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    if fmt == "json":
        doc = [{"code": code, "name": rule_for(code).name, "count": n} for code, n in rows]
        return json.dumps(doc, indent=2) + "\n"
    width = len(str(rows[0][1])) if rows else 1
    return "".join(f"{n:>{width}}\t{code}\t{rule_for(code).name}\n" for code, n in rows)


def silence_stdout() -> None:
    """After a ``BrokenPipeError``: point stdout at /dev/null so that the interpreter's final flush
    does not fail again and print "Exception ignored ... Broken pipe" (the recipe of the Python
    docs, "Note on SIGPIPE")."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # stdout is not a real file: nothing to flush
        pass
