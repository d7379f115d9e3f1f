"""What start-up code spells (``startup.py``), kept apart from its libcst readers: the runner reads a
file the prefilter skipped for calls of helpers only system code may call when the file spells one
of these, and a warm run (every result cached) must not load the parser."""

from __future__ import annotations

MAIN_NAME = "__main__"  # the last part of the qualified name of a module's entry-point block
HOOK_KEYWORDS = ("lifespan", "on_startup", "on_shutdown")
REGISTRATIONS = (*HOOK_KEYWORDS, "add_event_handler")
BARE_HOOKS = ("before_first_request", "before_serving", "after_serving")
HINTS = (MAIN_NAME, *REGISTRATIONS, "on_event", *BARE_HOOKS, "AppConfig")
