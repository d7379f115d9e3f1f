"""Where a statement sits in its function: on every path, or under a condition.

A check read after the fetch holds only when it runs whenever the fetch did. Two readers need that
syntactically, from the function's body down to a node:

* a row stored into a map of fetched rows (``row_maps.py``) and the later loop that checks the map
  must each run on every pass of the code around them: no ``if``, ``match``, ``except`` or ``else``
  between the function's body (or the loop or ``try`` body they are in) and them
  (:func:`unconditional`);
* the ``if not ok: <leave>`` that reads a pair answer's verdict (``flag_answers.py``) must sit in the
  block of the call it tests or in a block around it, with no loop between: a test under a condition
  runs on some paths only, and a test after a loop reads the last pass's verdict only
  (:func:`guards_call`).
"""

from __future__ import annotations

import libcst as cst

from tenantlint.analysis.source.children import code_children

_LOOPS = (cst.For, cst.While)
_BODIED = (cst.For, cst.While, cst.Try, cst.TryStar)  # run their body on every pass


def ancestors(root: cst.CSTNode, node: cst.CSTNode) -> list[cst.CSTNode] | None:
    """The nodes from ``root`` down to ``node``'s parent (``root`` first), or None when ``node`` is
    not below ``root``."""
    path: list[tuple[cst.CSTNode, list[cst.CSTNode]]] = [(root, code_children(root))]
    while path:
        todo = path[-1][1]
        if not todo:
            path.pop()
            continue
        child = todo.pop(0)
        if child is node:
            return [p for p, _ in path]
        path.append((child, code_children(child)))
    return None


def unconditional(root: cst.CSTNode | None, node: cst.CSTNode) -> bool:
    """``node`` runs on every pass of the function body or of the innermost loop body around it:
    only loop and ``try`` bodies, ``with`` blocks and simple statements lie between."""
    if root is None:
        return False
    chain = ancestors(root, node)
    if chain is None:
        return False
    for i, parent in enumerate(chain):
        below = chain[i + 1] if i + 1 < len(chain) else node
        if isinstance(parent, cst.If | cst.Match | cst.Else):
            return False
        if isinstance(parent, _BODIED) and below is not parent.body:
            return False  # a loop's ``else`` or header; a ``try``'s handlers, ``else``, ``finally``
    return True


def guards_call(root: cst.CSTNode | None, test: cst.If, call: cst.CSTNode) -> bool:
    """The ``if`` ``test`` runs whenever ``call`` ran: it sits in the block holding ``call``'s
    statement or in a block around it, with no loop between that block and ``call``."""
    if root is None:
        return False
    chain = ancestors(root, call)
    test_chain = ancestors(root, test)
    if chain is None or test_chain is None:
        return False
    block = test_chain[-1]  # the block the ``if`` sits in
    if not any(p is block for p in chain):
        return False
    below = chain[next(i for i, p in enumerate(chain) if p is block) + 1:]
    return not any(isinstance(p, _LOOPS) for p in below)
