"""Sub-commands that live outside ``cli.py``: each module adds its parser and runs it."""
