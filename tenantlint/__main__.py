"""``python -m tenantlint``.

The current folder is dropped from ``sys.path`` before anything else is imported: run from the root
of a checkout that is being scanned, a ``json.py`` or ``libcst.py`` there must never be imported.
The imports then run with the cyclic collector paused: nothing they build is garbage, and its passes
over the growing heap cost ~10 ms; ``main`` then freezes what they built."""

import os
import sys

if not getattr(sys.flags, "safe_path", False) and sys.path and sys.path[0] in ("", ".", os.getcwd()):
    del sys.path[0]

import gc  # noqa: E402

gc.disable()
try:
    from tenantlint.cli import main
finally:
    gc.enable()

raise SystemExit(main())
