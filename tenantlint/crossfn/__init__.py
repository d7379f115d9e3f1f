"""Across functions: per-file summaries and call sites (``records.py``), combined over the project
(``combine.py``) into findings where the fix goes."""
