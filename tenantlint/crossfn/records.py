"""What one file tells the cross-function pass: its functions' summaries and its resolved call sites.
Frozen, slotted and free of libcst nodes: they are cached with the file's result, so they are defined
beside it in ``tenantlint/results.py`` and named here for the cross-function modules."""

from __future__ import annotations

from tenantlint.results import Arg, Hop, KeyedQuery, Site, Summary

PARAMETER = "parameter "  # provenance source of a parameter of a function that is not a handler

__all__ = ["Arg", "Hop", "KeyedQuery", "Site", "Summary"]
