"""``analysis/source/visit.visit`` calls a read-only visitor's hooks as ``node.visit`` does."""

from __future__ import annotations

import libcst as cst

from tenantlint.analysis.source.visit import visit

CODE = '''
def f(request, rows):
    if not rows:
        return None
    x = [r.id for r in rows if r.ok]
    with open("a") as fh:
        fh.write(f"{x!r}")
    return g(x, key=lambda v: v.name)
'''


class _Recorder(cst.CSTVisitor):
    """Records every hook call; does not descend into ``if`` bodies (answers False)."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[str, str]] = []

    def visit_Name(self, node: cst.Name) -> None:
        self.seen.append(("visit", node.value))

    def leave_Name(self, original_node: cst.Name) -> None:
        self.seen.append(("leave", original_node.value))

    def visit_If(self, node: cst.If) -> bool:
        self.seen.append(("visit", "if"))
        return False

    def leave_If(self, original_node: cst.If) -> None:
        self.seen.append(("leave", "if"))

    def visit_Call(self, node: cst.Call) -> bool | None:
        self.seen.append(("visit", "call"))
        return None  # None descends, as libcst reads it


class _Overriding(_Recorder):
    """A visitor with its own ``on_visit``: takes the general path."""

    def on_visit(self, node: cst.CSTNode) -> bool:
        self.seen.append(("on_visit", type(node).__name__))
        return super().on_visit(node)


def test_hooks_called_as_libcst_calls_them() -> None:
    module = cst.parse_module(CODE)
    for kind in (_Recorder, _Overriding):
        ours, theirs = kind(), kind()
        visit(module, ours)
        module.visit(theirs)
        assert ours.seen == theirs.seen
        assert ("visit", "rows") in ours.seen and ("visit", "if") in ours.seen
        assert ("visit", "None") not in ours.seen  # under the ``if`` that answered False
