"""Build the project index from (path, text) pairs: prefilter, parse (``ast``), extract, decide."""

from __future__ import annotations

from collections.abc import Iterable

from tenantlint.analysis.source.nesting import nesting_headroom
from tenantlint.analysis.source.parse import SourceError, guarded_ast
from tenantlint.config.options import Config
from tenantlint.index.ddl import extract_sql_file
from tenantlint.index.extract import extract_models, may_define_models
from tenantlint.index.records import ModelInfo, ProjectIndex
from tenantlint.index.tenancy import decide_tenancy


def extract_source(relpath: str, text: str, config: Config) -> tuple[ModelInfo, ...]:
    """Models of one file given as text; ``()`` when it cannot define any or does not parse.

    Files that fail to parse are skipped here: the runner reports them (TNT999) on its own.
    """
    if relpath.endswith(".sql"):
        return extract_sql_file(relpath, text, config)
    if not relpath.endswith(".py") or not may_define_models(text):
        return ()
    with nesting_headroom():
        try:
            tree = guarded_ast(text)  # None: a syntax error
            return extract_models(relpath, tree, config, text) if tree is not None else ()
        except (SourceError, RecursionError, MemoryError):
            return ()


def build_index(sources: Iterable[tuple[str, str]], config: Config) -> ProjectIndex:
    """The project index of (relative path, text) pairs."""
    models: list[ModelInfo] = []
    for relpath, text in sorted(sources):
        models.extend(extract_source(relpath, text, config))
    return decide_tenancy(models, config)
