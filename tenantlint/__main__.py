"""``python -m tenantlint``. The imports run with the cyclic collector paused: nothing they build is
garbage, and its passes over the growing heap cost ~10 ms; ``main`` then freezes what they built."""

import gc

gc.disable()
try:
    from tenantlint.cli import main
finally:
    gc.enable()

raise SystemExit(main())
