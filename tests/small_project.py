"""Write a small project into a temporary folder and check it: the lines one rule flags in one file."""

from __future__ import annotations

import textwrap
from pathlib import Path

from tenantlint.api import check_paths, load_config
from tests.test_crossfn import chdir


def flagged_lines(tmp_path: Path, config: str, files: dict[str, str], path: str = "app/views.py",
                  code: str = "TNT101") -> list[int]:
    """Write ``tenantlint.toml`` (``config``) and ``files`` (dedented) under ``tmp_path``, check the
    whole folder, and return the sorted lines of ``path`` that ``code`` flags."""
    (tmp_path / "tenantlint.toml").write_text(config)
    for name, text in files.items():
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text).lstrip("\n"))
    with chdir(tmp_path):
        result = check_paths([Path(".")], load_config(tmp_path))
    return sorted(f.line for f in result.findings if f.path == path and f.code == code)
