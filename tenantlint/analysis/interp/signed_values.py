"""Values the server signed: what a signature check hands back.

::

    signer = TimestampSigner(salt=UPLOADS_SALT)
    path_id = signer.unsign(token, max_age=600)        # raises BadSignature unless the server signed it
    attachment = Attachment.objects.get(path_id=path_id)

A signer's ``unsign``/``unsign_object``/``loads`` (the classes a framework plug-in lists in
``FrameworkPlugin.signers``: Django's ``Signer``/``TimestampSigner``, itsdangerous' signers and
serializers) and the loaders it lists (``signing.loads``) return a value only when the
text carries the server's own signature over it: the client holds a value the server issued (a
share link, a download token) and cannot choose another. A lookup by such a value on a unique field
(or the primary key) is a capability lookup, like one by a secret token (``orm/capability.py``).

The value keeps that provenance through a project function that returns it (``returns.py``: kind
``signed``), so ``path_id = path_id_from_token(token)`` is signed too. The signer must be built in
the same function (or the chain: ``TimestampSigner(...).unsign(t)``); a receiver of unknown origin,
a value decoded without a check (``base64.b64decode``, ``json.loads``), or ``unsign`` of something
that is no signer, is request input as before.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

import libcst as cst

from tenantlint.analysis.facts import Provenance
from tenantlint.analysis.interp.exprs import dotted
from tenantlint.analysis.interp.imports import ImportTable
from tenantlint.analysis.interp.values import Value

if TYPE_CHECKING:
    from tenantlint.analysis.plugins import FrameworkPlugin

SIGNED = "signed by the server"  # the source of a value a signature check returned
_SIGNER = "a signer"  # the source of a signer built in the function

_UNSIGN = frozenset({"unsign", "unsign_object", "loads"})


@lru_cache(maxsize=4)
def _known(frameworks: tuple[FrameworkPlugin, ...]) -> tuple[frozenset[str], frozenset[str]]:
    """The signer classes and signed loaders the framework plug-ins declare."""
    signers: set[str] = set()
    loaders: set[str] = set()
    for fw in frameworks:
        signers |= fw.signers
        loaders |= fw.signed_loaders
    return frozenset(signers), frozenset(loaders)


def signed(value: Value) -> bool:
    return value.prov.source.startswith(SIGNED)


def signed_value(what: str) -> Value:
    return Value(Provenance.unknown(f"{SIGNED} ({what})"))


def evaluate(frameworks: tuple[FrameworkPlugin, ...], imports: ImportTable, env: dict[str, Value],
             node: cst.Call) -> Value | None:
    """The value of ``node`` when it builds a signer or returns a value the server signed, else
    None (the call is evaluated as usual)."""
    signers, loaders = _known(frameworks)
    func = node.func
    name = dotted(func)
    qual = imports.qualify(name) if name is not None else None
    if qual in signers:
        return Value(Provenance.unknown(_SIGNER))
    if qual in loaders:
        return signed_value(f"{name}()")
    if not isinstance(func, cst.Attribute) or func.attr.value not in _UNSIGN:
        return None
    recv = func.value
    if isinstance(recv, cst.Name):
        held = env.get(recv.value)
        if held is not None and held.prov.source == _SIGNER:
            return signed_value(f"{recv.value}.{func.attr.value}()")
        return None
    if isinstance(recv, cst.Call):
        recv_name = dotted(recv.func)
        if recv_name is not None and imports.qualify(recv_name) in signers:
            return signed_value(f"{recv_name}(...).{func.attr.value}()")
    return None
