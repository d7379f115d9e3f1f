"""A value that is one parameter's on one path and another's on the other (``if document_id !=
FAKE: referred_document_id = document_id``): past the join it is keyed by both parameters, the
union, so a query it keys is the question of either one and is judged at the calls on both
(``crossfn/combine.py`` reports request input passed into any key of an id-keyed query)."""

from __future__ import annotations

from tenantlint.crossfn.records import KEYED_ROWS, PARAMETER


def parameter_set(source: str) -> frozenset[str] | None:
    """The parameters a provenance source of unknown trust stands for: ``{a}`` for the parameter
    ``a`` itself, ``{a, b}`` for values read from rows fetched by ``a`` and ``b`` alone; else None."""
    if source.startswith(PARAMETER) and len(source) > len(PARAMETER):
        return frozenset({source[len(PARAMETER):]})
    if source.startswith(KEYED_ROWS) and len(source) > len(KEYED_ROWS):
        return frozenset(source[len(KEYED_ROWS):].split(","))
    return None


def either_source(a: str, b: str) -> str | None:
    """The source of the join of two values of unknown trust whose sources are ``a`` and ``b``, each
    of parameters (:func:`parameter_set`): values keyed by every parameter of both; else None."""
    left, right = parameter_set(a), parameter_set(b)
    if left is None or right is None:
        return None
    return KEYED_ROWS + ",".join(sorted(left | right))
